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
      expect(await harness.store.schemaVersion()).toBe(3);
    } finally {
      await harness.cleanup();
      await pool.end();
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
