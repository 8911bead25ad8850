import { isGuardError, type ValidationError } from '@guard/core';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeWithDatabase } from '../../store-kysely/test-support/databases.js';
import { expectRefusedConnection } from '../../store-kysely/test-support/refused-connection.js';
import { connectRaw, sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { postgresStore } from '../src/index.js';

describe('postgresStore', () => {
  it('is a StoreError with a hint when nothing listens at the URL', async () => {
    await expectRefusedConnection(
      postgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMs: 3000 }),
    );
  });
});

await describeWithDatabase('postgres', 'postgresStore on a server', (url) => {
  it('migrate() retries when a table another application drops disappears under its introspection', async () => {
    // Kysely introspects every table before migrating; a concurrent DROP makes
    // Postgres answer 42P01 "relation does not exist". Simulate it once.
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    let failures = 0;
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect();
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
        const text = typeof args[0] === 'string' ? args[0] : '';
        if (failures === 0 && text.includes('pg_get_serial_sequence')) {
          failures++;
          return Promise.reject(Object.assign(new Error('relation "vendor_tmp" does not exist'), { code: '42P01' }));
        }
        return query(...args);
      };
      return client;
    };
    const harness = await sqlHarness({
      dialect: 'postgres',
      url,
      open: ({ prefix }) => postgresStore({ pool, tablePrefix: prefix }),
    });
    try {
      expect(failures).toBe(1);
      expect(await harness.store.schemaVersion()).toBe(6);
    } finally {
      await harness.cleanup();
      await pool.end();
    }
  });

  it('migrate() and analyze() leave the planner with statistics of every Guard table', async () => {
    const harness = await sqlHarness({
      dialect: 'postgres',
      url,
      open: ({ prefix }) => postgresStore({ connectionString: url, tablePrefix: prefix }),
    });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const analyzed = async () =>
      (
        await pool.query<{ relname: string; last_analyze: Date | null }>(
          'select relname, last_analyze from pg_stat_user_tables where starts_with(relname, $1) order by relname',
          [harness.prefix],
        )
      ).rows;
    try {
      const afterMigrate = await analyzed();
      expect(afterMigrate.length).toBeGreaterThanOrEqual(13);
      // Kysely's own bookkeeping tables aside.
      const guardTables = afterMigrate.filter((t) => !/_migrations(_lock)?$/.test(t.relname));
      expect(guardTables.filter((t) => t.last_analyze === null)).toEqual([]);
      await harness.store.transaction((tx) =>
        tx.insertCustomers(
          Array.from({ length: 500 }, (_, i) => ({
            tenantId: 'acme',
            id: `c-${i}`,
            name: `Customer ${i}`,
            ownerId: null,
            unitId: 'hq',
            fields: {},
            externalRefs: {},
            version: 1,
            createdAt: '2026-11-02T02:00:00.000Z',
            updatedAt: '2026-11-02T02:00:00.000Z',
          })),
        ),
      );
      await harness.store.analyze();
      const { rows } = await pool.query<{ reltuples: number }>('select reltuples from pg_class where relname = $1', [
        `${harness.prefix}customers`,
      ]);
      expect(rows[0]?.reltuples).toBe(500);
    } finally {
      await pool.end();
      await harness.cleanup();
    }
  });

  it('leaves a pool of yours open when the store closes', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const store = postgresStore({ pool });
      expect(store.capabilities).toEqual({ concurrentTransactions: true, skipLocked: true });
      await store.close();
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('orders ids, keys, instants and paths byte by byte, whatever the database collation (COLLATE "C")', async () => {
    const harness = await sqlHarness({
      dialect: 'postgres',
      url,
      open: ({ prefix }) => postgresStore({ connectionString: url, tablePrefix: prefix }),
    });
    const db = connectRaw('postgres', url);
    try {
      const { rows } = await sql<{ table_name: string; column_name: string; collation_name: string | null }>`
        select table_name, column_name, collation_name from information_schema.columns
        where table_name in (${`${harness.prefix}customers`}, ${`${harness.prefix}units`}, ${`${harness.prefix}outbox`}, ${`${harness.prefix}records`})
          and column_name in ('tenant_id', 'id', 'owner_id', 'path_key', 'available_at', 'kind', 'ref', 'status', 'at')
        order by table_name, column_name`.execute(db);
      expect(rows.length).toBeGreaterThanOrEqual(15);
      for (const row of rows) expect(row.collation_name, `${row.table_name}.${row.column_name}`).toBe('C');
    } finally {
      await db.destroy();
      await harness.cleanup();
    }
  });

  it('refuses NUL with the ValidationError every store gives, before Postgres fails obscurely', async () => {
    const harness = await sqlHarness({
      dialect: 'postgres',
      url,
      open: ({ prefix }) => postgresStore({ connectionString: url, tablePrefix: prefix }),
    });
    try {
      const at = '2026-11-02T02:00:00.000Z';
      const error = await harness.store
        .transaction((tx) =>
          tx.putCustomer(
            {
              tenantId: 'acme',
              id: 'c-1',
              name: 'nul \u0000 inside',
              ownerId: null,
              unitId: 'hq',
              fields: {},
              externalRefs: {},
              version: 1,
              createdAt: at,
              updatedAt: at,
            },
            null,
          ),
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
      // Refused before the database sees it, with the same error every store gives.
      expect(isGuardError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
      expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['customer.c-1.name']);
      expect((error as Error).message).toMatch(/NUL character/);
    } finally {
      await harness.cleanup();
    }
  });
});
