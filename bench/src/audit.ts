import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  type AuditDraft,
  type AuditEntry,
  AuditLog,
  entryHash,
  GENESIS_HASH,
  hmacKeys,
  manualClock,
  type Store,
} from '@guard/core';
import pg from 'pg';
import { onPostgres, onSqlite, plainSqlite } from './databases.js';
import { BENCH_SECRET } from './plain-crypto.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface AuditBenchSize {
  readonly perCommand: number;
  readonly batched: number;
  readonly batchSize: number;
  readonly runs: number;
}

/** One row of the audit table: what was measured, Guard's figure and the plain driver's. */
export interface AuditBenchRow {
  readonly database: 'SQLite' | 'Postgres';
  readonly operation: string;
  readonly guard: Figure;
  readonly baseline: Figure;
  readonly baselineLabel: string;
}

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
const clock = manualClock('2026-11-02T02:00:00.000Z');

/** A realistic entry: a guarded read of a customer. */
function draft(i: number): AuditDraft {
  return {
    actor: { type: 'employee', id: `e-${i % 500}` },
    action: 'customer.read',
    subject: { type: 'customer', id: `c-${i}` },
    data: {
      via: 'list',
      scope: 'team',
      decision: { code: 'allowed', rules: ['sales-team-public'] },
      shown: ['public'],
      masked: [],
      hidden: ['commercial', 'contact'],
      obligations: [],
    },
  };
}

/** The same entries Guard would write, precomputed, for the plain-driver baseline. */
function chain(tenantId: string, count: number): AuditEntry[] {
  const at = clock.now().toISOString();
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < count; i++) {
    const body = {
      tenantId,
      seq: i + 1,
      at,
      ...draft(i),
      data: { ...draft(i).data },
      salt: randomBytes(16).toString('hex'),
    };
    const hash = entryHash(prevHash, body as never);
    entries.push({ ...body, prevHash, hash } as AuditEntry);
    prevHash = hash;
  }
  return entries;
}

const COLUMNS =
  'tenant_id, seq, at, actor_type, actor_id, action, subject_type, subject_id, data, salt, prev_hash, hash';
const values = (e: AuditEntry) => [
  e.tenantId,
  e.seq,
  e.at,
  e.actor.type,
  e.actor.id,
  e.action,
  e.subject?.type ?? null,
  e.subject?.id ?? null,
  JSON.stringify(e.data),
  e.salt,
  e.prevHash,
  e.hash,
];

/** A plain-driver implementation of the same three operations, for the baseline. */
interface Baseline {
  readonly label: string;
  insertEach(entries: readonly AuditEntry[]): Promise<void>;
  insertBatched(entries: readonly AuditEntry[], batchSize: number): Promise<void>;
  readAll(tenantId: string): Promise<number>;
  close(): Promise<void>;
}

function sqliteBaseline(file: string): Baseline {
  const db = plainSqlite(file);
  db.exec(
    `create table if not exists plain_audit (tenant_id text, seq integer, at text, actor_type text, actor_id text,
       action text, subject_type text, subject_id text, data text, salt text, prev_hash text, hash text, primary key (tenant_id, seq))`,
  );
  const insert = db.prepare(`insert into plain_audit (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertMany = db.transaction((rows: readonly AuditEntry[]) => {
    for (const e of rows) insert.run(...values(e));
  });
  return {
    label: 'better-sqlite3 prepared insert',
    async insertEach(entries) {
      for (const e of entries) insertMany.immediate([e]);
    },
    async insertBatched(entries, batchSize) {
      for (let i = 0; i < entries.length; i += batchSize) insertMany.immediate(entries.slice(i, i + batchSize));
    },
    async readAll(tenantId) {
      let n = 0;
      for (const row of db.prepare('select * from plain_audit where tenant_id = ? order by seq').iterate(tenantId)) {
        JSON.parse((row as { data: string }).data);
        n++;
      }
      return n;
    },
    async close() {
      db.close();
    },
  };
}

/** `prefix` names every table of this run, Guard's and the baseline's: `onPostgres` drops them all. */
function postgresBaseline(url: string, prefix: string): Baseline {
  const table = `${prefix}plain_audit`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= pool.query(
      `create table if not exists ${table} (tenant_id varchar(128), seq bigint, at char(24), actor_type varchar(16),
         actor_id varchar(128), action varchar(128), subject_type varchar(16), subject_id varchar(128), data jsonb,
         salt char(32), prev_hash char(64), hash char(64), primary key (tenant_id, seq))`,
    ));
  const insertRows = async (client: pg.PoolClient, rows: readonly AuditEntry[]) => {
    const params: unknown[] = [];
    const tuples = rows.map((e) => {
      const vs = values(e);
      const base = params.length;
      params.push(...vs);
      return `(${vs.map((_, j) => `$${base + j + 1}`).join(', ')})`;
    });
    await client.query(`insert into ${table} (${COLUMNS}) values ${tuples.join(', ')}`, params);
  };
  const inTransaction = async (work: (client: pg.PoolClient) => Promise<void>) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await work(client);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    label: 'pg multi-row insert',
    async insertEach(entries) {
      await init();
      for (const e of entries) await inTransaction((c) => insertRows(c, [e]));
    },
    async insertBatched(entries, batchSize) {
      await init();
      for (let i = 0; i < entries.length; i += batchSize) {
        await inTransaction((c) => insertRows(c, entries.slice(i, i + batchSize)));
      }
    },
    async readAll(tenantId) {
      let n = 0;
      let after = 0;
      for (;;) {
        const { rows } = await pool.query(
          `select * from ${table} where tenant_id = $1 and seq > $2 order by seq limit 5000`,
          [tenantId, after],
        );
        if (rows.length === 0) return n;
        n += rows.length;
        after = Number(rows.at(-1).seq);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function benchOne(
  database: AuditBenchRow['database'],
  store: Store,
  baseline: Baseline,
  size: AuditBenchSize,
  prefix: string,
): Promise<AuditBenchRow[]> {
  const log = new AuditLog({ clock, keys, checkpointEvery: 1000 });
  const perCommand = await measure(size.runs, (run) =>
    rate(size.perCommand, async () => {
      const tenant = `${prefix}-cmd-${run}`;
      for (let i = 0; i < size.perCommand; i++) await store.transaction((tx) => log.append(tx, tenant, [draft(i)]));
    }),
  );
  const batched = await measure(size.runs, (run) =>
    rate(size.batched, async () => {
      const tenant = `${prefix}-batch-${run}`;
      for (let i = 0; i < size.batched; i += size.batchSize) {
        const drafts = Array.from({ length: Math.min(size.batchSize, size.batched - i) }, (_, k) => draft(i + k));
        await store.transaction((tx) => log.append(tx, tenant, drafts));
      }
    }),
  );
  const verify = await measure(size.runs, () =>
    rate(size.batched, async () => {
      const result = await log.verify(store, `${prefix}-batch-0`);
      if (!result.ok || result.entries !== size.batched)
        throw new Error(`bench: the chain did not verify (${JSON.stringify(result)})`);
    }),
  );

  const plainEach = await measure(size.runs, (run) =>
    rate(size.perCommand, () => baseline.insertEach(chain(`${prefix}-plain-cmd-${run}`, size.perCommand))),
  );
  const plainBatched = await measure(size.runs, (run) =>
    rate(size.batched, () =>
      baseline.insertBatched(chain(`${prefix}-plain-batch-${run}`, size.batched), size.batchSize),
    ),
  );
  const plainRead = await measure(size.runs, () =>
    rate(size.batched, async () => {
      const n = await baseline.readAll(`${prefix}-plain-batch-0`);
      if (n !== size.batched) throw new Error(`bench: read ${n} rows, expected ${size.batched}`);
    }),
  );
  return [
    {
      database,
      operation: 'append, one entry per command',
      guard: perCommand,
      baseline: plainEach,
      baselineLabel: `${baseline.label}, one row per transaction`,
    },
    {
      database,
      operation: `append, batches of ${size.batchSize}`,
      guard: batched,
      baseline: plainBatched,
      baselineLabel: `${baseline.label}, ${size.batchSize} rows per transaction`,
    },
    {
      database,
      operation: `verify the chain (${size.batched} entries)`,
      guard: verify,
      baseline: plainRead,
      baselineLabel: 'plain read of the same rows (no hashing)',
    },
  ];
}

/** Runs the audit benchmark on SQLite and, when reachable, Postgres. */
export async function auditBench(size: AuditBenchSize, postgresUrl: string | undefined): Promise<AuditBenchRow[]> {
  const rows: AuditBenchRow[] = [];
  rows.push(
    ...(await onSqlite(async (store, dir) => {
      const baseline = sqliteBaseline(join(dir, 'plain.db'));
      try {
        return await benchOne('SQLite', store, baseline, size, 'sqlite');
      } finally {
        await baseline.close();
      }
    })),
  );
  if (postgresUrl) {
    rows.push(
      ...(await onPostgres(postgresUrl, 'audit', async (store, prefix) => {
        const baseline = postgresBaseline(postgresUrl, prefix);
        try {
          return await benchOne('Postgres', store, baseline, size, 'pg');
        } finally {
          await baseline.close();
        }
      })),
    );
  }
  return rows;
}
