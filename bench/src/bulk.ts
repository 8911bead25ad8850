import { join } from 'node:path';
import { type CustomerInput, createGuard, hmacKeys, MAX_CUSTOMER_BATCH, manualClock, type Store } from '@guard/core';
import pg from 'pg';
import { onPostgres, onSqlite, plainSqlite } from './databases.js';
import { BENCH_SECRET, type Fields, plainSeal } from './plain-crypto.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface BulkBenchSize {
  /** Customers in the first sync of each run. */
  readonly customers: number;
  readonly runs: number;
}

/** One row of the bulk-load table: customers per second, Guard's and the plain driver's. */
export interface BulkBenchRow {
  readonly database: 'SQLite' | 'Postgres';
  readonly guard: Figure;
  readonly baseline: Figure;
  readonly baselineLabel: string;
}

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
const REPS = 200;

/** Customer `i` of a tenant: public, contact and commercial fields, owned by one of 200 reps. */
function customer(i: number): CustomerInput {
  return {
    id: `c-${i}`,
    name: `客户 ${i} 有限公司`,
    ownerId: `e-${i % REPS}`,
    unitId: `t-${i % 10}`,
    fields: {
      public: { industry: ['retail', 'logistics', 'finance'][i % 3] as string, city: '上海' },
      contact: { phone: `138${String(10_000_000 + i).slice(-8)}`, email: `buyer${i}@example.com` },
      commercial: { creditLimit: 50_000 + (i % 97) * 1000 },
    },
    externalRefs: { crm: `acc-${i}` },
  };
}

const COLUMNS = 'tenant_id, id, name, owner_id, unit_id, fields, external_refs, version, created_at, updated_at';
const KEY_COLUMNS = 'tenant_id, id, ref, data, created_at';

/** A customer's row and its data key's row, its fields encrypted as Guard encrypts them. */
function encrypted(tenantId: string, c: CustomerInput, at: string): { customer: unknown[]; key: unknown[] } {
  const sealed = plainSeal(tenantId, c.id, (c.fields ?? {}) as Fields);
  return {
    customer: [
      tenantId,
      c.id,
      c.name,
      c.ownerId ?? null,
      c.unitId,
      JSON.stringify(sealed.fields),
      JSON.stringify(c.externalRefs ?? {}),
      1,
      at,
      at,
    ],
    key: [tenantId, `customer:${c.id}`, c.id, JSON.stringify(sealed.key), at],
  };
}

/** The plain driver's first sync: the same rows into a table of the same columns and keys, a transaction per batch. */
interface Baseline {
  readonly label: string;
  load(tenantId: string, customers: readonly CustomerInput[], batch: number): Promise<void>;
  close(): Promise<void>;
}

function sqliteBaseline(file: string): Baseline {
  const db = plainSqlite(file);
  db.exec(`create table if not exists plain_customers (tenant_id text, id text, name text, owner_id text, unit_id text,
    fields text, external_refs text, version integer, created_at text, updated_at text, primary key (tenant_id, id));
    create index if not exists plain_customers_owner on plain_customers (tenant_id, owner_id, id);
    create index if not exists plain_customers_unit on plain_customers (tenant_id, unit_id, id);
    create table if not exists plain_data_keys (tenant_id text, id text, ref text, data text, created_at text,
      primary key (tenant_id, id))`);
  const insert = db.prepare(`insert into plain_customers (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertKey = db.prepare(`insert into plain_data_keys (${KEY_COLUMNS}) values (?, ?, ?, ?, ?)`);
  const many = db.transaction((tenantId: string, batch: readonly CustomerInput[], at: string) => {
    for (const c of batch) {
      const { customer, key } = encrypted(tenantId, c, at);
      insert.run(...customer);
      insertKey.run(...key);
    }
  });
  return {
    label: 'better-sqlite3 prepared inserts, same columns and indexes, fields encrypted as Guard does',
    async load(tenantId, customers, batch) {
      const at = new Date().toISOString();
      for (let i = 0; i < customers.length; i += batch) many.immediate(tenantId, customers.slice(i, i + batch), at);
    },
    async close() {
      db.close();
    },
  };
}

function postgresBaseline(url: string, prefix: string): Baseline {
  const table = `${prefix}plain_customers`;
  const keyTable = `${prefix}plain_data_keys`;
  /** One multi-row insert of `tuples` into `into`. */
  const insertAll = (client: pg.PoolClient, into: string, columns: string, tuples: readonly unknown[][]) => {
    const params: unknown[] = [];
    const values = tuples.map((values) => {
      const base = params.length;
      params.push(...values);
      return `(${values.map((_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    return client.query(`insert into ${into} (${columns}) values ${values.join(', ')}`, params);
  };
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= pool.query(`create table if not exists ${table} (tenant_id varchar(128), id varchar(128), name text,
      owner_id varchar(128), unit_id varchar(128), fields jsonb, external_refs jsonb, version integer,
      created_at char(24), updated_at char(24), primary key (tenant_id, id));
      create index if not exists ${table}_owner on ${table} (tenant_id, owner_id, id);
      create index if not exists ${table}_unit on ${table} (tenant_id, unit_id, id);
      create table if not exists ${keyTable} (tenant_id varchar(128), id varchar(128), ref varchar(128), data jsonb,
        created_at char(24), primary key (tenant_id, id))`));
  return {
    label: 'pg multi-row inserts (6,000 rows a statement), same columns and indexes, fields encrypted as Guard does',
    async load(tenantId, customers, batch) {
      await init();
      const at = new Date().toISOString();
      for (let i = 0; i < customers.length; i += batch) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const rows = customers.slice(i, i + batch);
          const rowsOf = (c: CustomerInput) => encrypted(tenantId, c, at);
          for (let j = 0; j < rows.length; j += 6000) {
            const sealed = rows.slice(j, j + 6000).map((c) => rowsOf(c));
            await insertAll(
              client,
              table,
              COLUMNS,
              sealed.map((r) => r.customer),
            );
            await insertAll(
              client,
              keyTable,
              KEY_COLUMNS,
              sealed.map((r) => r.key),
            );
          }
          await client.query('commit');
        } finally {
          client.release();
        }
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** One tenant per run, with its org of 10 teams and 200 reps (`e-0` … `e-199`, in teams `t-0` … `t-9`), ready for a first sync at `at`. */
export async function freshTenant(store: Store, tenantId: string, at = '2026-11-02T02:00:00.000Z') {
  const guard = createGuard({ store, keys, clock: manualClock(at) });
  await guard.tenants.upsert({ id: tenantId, name: tenantId, timeZone: 'Asia/Shanghai' });
  const t = guard.tenant(tenantId);
  await t.directory.sync({
    units: [
      { id: 'hq', name: 'HQ', kind: 'hq', parentId: null },
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `t-${i}`,
        name: `Team ${i}`,
        kind: 'team' as const,
        parentId: 'hq',
      })),
    ],
    employees: Array.from({ length: REPS }, (_, i) => ({
      id: `e-${i}`,
      name: `Rep ${i}`,
      unitId: `t-${i % 10}`,
      roles: ['sales'],
      hireDate: '2022-01-01',
    })),
  });
  return t;
}

async function benchOne(
  database: BulkBenchRow['database'],
  store: Store,
  baseline: Baseline,
  size: BulkBenchSize,
): Promise<BulkBenchRow> {
  const customers = Array.from({ length: size.customers }, (_, i) => customer(i));
  const guard = await measure(size.runs, async (run) => {
    const t = await freshTenant(store, `bulk-${run}`);
    const figure = await rate(customers.length, async () => {
      for (let i = 0; i < customers.length; i += MAX_CUSTOMER_BATCH) {
        const result = await t.customers.upsert(customers.slice(i, i + MAX_CUSTOMER_BATCH));
        if (result.created !== Math.min(MAX_CUSTOMER_BATCH, customers.length - i))
          throw new Error(`bench: a batch created ${result.created} customers`);
      }
    });
    const check = await t.audit.verify();
    if (!check.ok) throw new Error('bench: the audit chain does not verify after the sync');
    return figure;
  });
  const plain = await measure(size.runs, (run) =>
    rate(customers.length, () => baseline.load(`plain-${run}`, customers, MAX_CUSTOMER_BATCH)),
  );
  return { database, guard, baseline: plain, baselineLabel: baseline.label };
}

/**
 * A first sync: `size.customers` new customers through `customers.upsert`
 * in batches of 10,000 (validated, with the duplicate index, a follow-up
 * clock per owned customer and an audit entry per batch), next to the plain
 * driver inserting the same rows into a table with the same columns and
 * indexes.
 */
export async function bulkBench(size: BulkBenchSize, postgresUrl: string | undefined): Promise<BulkBenchRow[]> {
  const rows: BulkBenchRow[] = [];
  rows.push(
    await onSqlite(async (store, dir) => {
      const baseline = sqliteBaseline(join(dir, 'plain.db'));
      try {
        return await benchOne('SQLite', store, baseline, size);
      } finally {
        await baseline.close();
      }
    }),
  );
  if (postgresUrl) {
    rows.push(
      await onPostgres(postgresUrl, 'bulk', async (store, prefix) => {
        const baseline = postgresBaseline(postgresUrl, prefix);
        try {
          return await benchOne('Postgres', store, baseline, size);
        } finally {
          await baseline.close();
        }
      }),
    );
  }
  return rows;
}
