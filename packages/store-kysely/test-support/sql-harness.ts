/**
 * Conformance harnesses for the SQL stores, shared by every store package's
 * tests: a fresh, migrated store with its own random table prefix (so test
 * files run in parallel on one shared database), a raw reader that reads the
 * tables over a connection of its own, and a cleanup that drops the tables.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawReader, StoreHarness } from '@guard/testkit';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, type RawBuilder, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { KyselyStore, SqlDialectName } from '../src/index.js';
import { GUARD_TABLES } from '../src/schema/database.js';

/** Every table a migrated schema has, Kysely's two included. */
export const GUARD_TABLE_NAMES: readonly string[] = [...GUARD_TABLES, 'migrations', 'migrations_lock'];

/** A table prefix no other test uses. */
export function randomPrefix(): string {
  return `g${randomBytes(5).toString('hex')}_`;
}

/** A fresh directory for SQLite files; remove it with `rmSync(dir, { recursive: true })`. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'guard-sqlite-'));
}

/**
 * A Kysely instance of the test's own (not the store's): for a server
 * dialect, `target` is the database URL; for SQLite, the file name.
 */
export function connectRaw<DB = unknown>(dialect: SqlDialectName, target: string): Kysely<DB> {
  switch (dialect) {
    case 'sqlite':
      return new Kysely<DB>({ dialect: new SqliteDialect({ database: new BetterSqlite3(target) }) });
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: target, max: 2 });
      pool.on('error', () => undefined);
      return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    }
    case 'mysql':
      return new Kysely<DB>({ dialect: new MysqlDialect({ pool: createPool({ uri: target, connectionLimit: 2 }) }) });
  }
}

const num = (value: unknown): number => Number(value);
const str = (value: unknown): string => String(value);
const strOrNull = (value: unknown): string | null => (value === null ? null : String(value));
const iso = (value: unknown): string => new Date(str(value)).toISOString();
/** A JSON column's value: `pg` parses `jsonb` itself, the other drivers return its text. */
const jsonOf =
  (dialect: SqlDialectName) =>
  (value: unknown): unknown =>
    dialect === 'postgres' ? value : JSON.parse(str(value));

/** How one field of a raw row is read: its converter (the column is the field in snake_case), or the column and converter. */
type Field = ((value: unknown) => unknown) | readonly [column: string, read: (value: unknown) => unknown];
type FieldValue<F extends Field> = F extends readonly [string, (value: unknown) => infer V]
  ? V
  : F extends (value: unknown) => infer V
    ? V
    : never;

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Reads Guard's tables with plain SQL, bypassing the store's code. */
export function rawReader(db: Kysely<unknown>, prefix: string, dialect: SqlDialectName): RawReader {
  const table = (name: string) => sql.table(`${prefix}${name}`);
  const rows = async (query: RawBuilder<unknown>) => (await query.execute(db)).rows as Record<string, unknown>[];
  /** The tenant's rows of a table, with the given fields. */
  const ofTenant = async <F extends Record<string, Field>>(
    name: string,
    tenantId: string,
    fields: F,
  ): Promise<{ [K in keyof F]: FieldValue<F[K]> }[]> => {
    const read = Object.entries(fields).map(([field, spec]) =>
      typeof spec === 'function'
        ? { field, column: snakeCase(field), convert: spec }
        : { field, column: spec[0], convert: spec[1] },
    );
    const columns = sql.raw(read.map((f) => f.column).join(', '));
    const found = await rows(sql`select ${columns} from ${table(name)} where tenant_id = ${tenantId}`);
    return found.map(
      (r) =>
        Object.fromEntries(read.map((f) => [f.field, f.convert(r[f.column])])) as { [K in keyof F]: FieldValue<F[K]> },
    );
  };
  return {
    customers: (tenantId) =>
      ofTenant('customers', tenantId, { id: str, name: str, ownerId: strOrNull, unitId: str, version: num }),
    auditEntries: (tenantId) =>
      ofTenant('audit_entries', tenantId, {
        seq: num,
        action: str,
        actorId: str,
        prevHash: str,
        hash: str,
        seal: strOrNull,
      }),
    async auditHead(tenantId) {
      const [head] = await rows(sql`select seq, hash, seal from ${table('audit_heads')} where tenant_id = ${tenantId}`);
      // A head row at seq 0 is an empty chain that was locked once.
      return head === undefined || num(head.seq) === 0
        ? null
        : { seq: num(head.seq), hash: str(head.hash), seal: strOrNull(head.seal) };
    },
    workflows: (tenantId) => ofTenant('workflows', tenantId, { id: str, state: str, version: num }),
    effects: (tenantId) =>
      ofTenant('outbox', tenantId, { id: str, idempotencyKey: str, status: str, attempts: num, leaseOwner: strOrNull }),
    timers: (tenantId) =>
      ofTenant('timers', tenantId, { id: str, key: ['timer_key', str], dueAt: iso, leaseOwner: strOrNull }),
    records: (tenantId) =>
      ofTenant('records', tenantId, {
        kind: str,
        id: str,
        ref: strOrNull,
        status: strOrNull,
        at: str,
        data: jsonOf(dialect),
        version: num,
      }),
  };
}

/** Drops every table of a prefix (Guard's and the migration tables). */
export async function dropGuardTables(db: Kysely<unknown>, prefix: string): Promise<void> {
  for (const name of GUARD_TABLE_NAMES) await db.schema.dropTable(`${prefix}${name}`).ifExists().execute();
}

/** Lists the tables of the database whose names start with `prefix`. */
export async function tablesWithPrefix(db: Kysely<unknown>, prefix: string): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables
    .map((t) => t.name)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

/** How a harness opens the store under test. */
export interface SqlHarnessOptions {
  readonly dialect: SqlDialectName;
  /** The database URL (Postgres, MySQL); ignored for SQLite, which gets a fresh temporary file. */
  readonly url?: string | undefined;
  /** Opens the store under test: at `filename` for SQLite, on `url` otherwise, with tables named with `prefix`. */
  readonly open: (target: { readonly prefix: string; readonly filename: string }) => KyselyStore;
}

/** A harness of a SQL store, with what a second process needs to open the same store. */
export interface SqlHarness extends StoreHarness {
  readonly store: KyselyStore;
  readonly prefix: string;
  /** The database URL, or the SQLite file. */
  readonly target: string;
}

/** A conformance harness: a fresh migrated store, its raw reader, and a cleanup that leaves nothing behind. */
export async function sqlHarness(options: SqlHarnessOptions): Promise<SqlHarness> {
  const prefix = randomPrefix();
  const dir = options.dialect === 'sqlite' ? tempDir() : null;
  const filename = dir === null ? '' : join(dir, 'guard.db');
  const store = options.open({ prefix, filename });
  await store.migrate();
  const target = dir === null ? (options.url ?? '') : filename;
  const raw = connectRaw(options.dialect, target);
  return {
    store,
    prefix,
    target,
    raw: rawReader(raw, prefix, options.dialect),
    async cleanup() {
      try {
        await store.close();
        if (dir === null) await dropGuardTables(raw, prefix);
      } finally {
        await raw.destroy();
        if (dir !== null) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
