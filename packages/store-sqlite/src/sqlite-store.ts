import { StoreError } from '@guard/core';
import { type KyselyStore, kyselyStore } from '@guard/store-kysely';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

/**
 * Options of {@link sqliteStore}: a database file Guard opens and owns, or a
 * `better-sqlite3` database you opened (Guard leaves its settings alone and
 * never closes it).
 *
 * @example
 * ```ts
 * import type { SqliteStoreOptions } from '@guard/store-sqlite';
 * const options: SqliteStoreOptions = { filename: './data/guard.db', busyTimeoutMs: 10_000, cacheSizeMiB: 256 };
 * ```
 */
export type SqliteStoreOptions = (
  | {
      /** Path of the database file (created if missing; its directory must exist), or `:memory:`. */
      readonly filename: string;
      /** How long a transaction waits for another process's write lock before failing. Default 5000. */
      readonly busyTimeoutMs?: number | undefined;
      /**
       * SQLite's page cache for this connection, in MiB (`PRAGMA cache_size`).
       * Default 64: SQLite's own default of 2 MiB holds a few thousand rows,
       * and past that every insert into an index at a random place (audit
       * entries by actor, the duplicate-customer index) and every read of a
       * big tenant goes to the file. 64 MiB made a first sync of 40,000
       * customers about a fifth faster here; a large tenant wants more.
       */
      readonly cacheSizeMiB?: number | undefined;
    }
  | {
      /** Your open database. Use WAL mode and a `busy_timeout` (better-sqlite3's default is 5 s) if several processes share the file. */
      readonly database: BetterSqlite3.Database;
    }
) & {
  /** Prefix of Guard's table names; default `guard_`. */
  readonly tablePrefix?: string | undefined;
};

function open(filename: string, busyTimeoutMs: number, cacheSizeMiB: number): BetterSqlite3.Database {
  if (!Number.isFinite(cacheSizeMiB) || cacheSizeMiB < 1 || cacheSizeMiB > 65_536) {
    throw new RangeError(
      `sqliteStore: cacheSizeMiB must be a number of MiB from 1 to 65536 (64 GiB), got ${String(cacheSizeMiB)}`,
    );
  }
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(filename, { timeout: busyTimeoutMs });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new StoreError(
      {
        store: 'sqlite',
        operation: 'open',
        detail: `cannot open "${filename}" (${message}): does its directory exist, and may this process read and write it?`,
      },
      { cause },
    );
  }
  // WAL: readers never block the writer; the file is shared safely by several processes on one machine.
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  database.pragma('foreign_keys = ON');
  // A negative cache_size is in KiB.
  database.pragma(`cache_size = -${Math.floor(cacheSizeMiB * 1024)}`);
  return database;
}

/** Prepared statements kept per connection: Guard's statements, and a few hundred shapes of `in (…)` lists. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with each statement
 * prepared once: Kysely prepares every query it runs, and preparing costs
 * as much as running one of Guard's point queries. A statement is only ever
 * run to completion (Guard never streams), so one compiled statement per SQL
 * text serves every call. The least recently used statement goes when the
 * cache is full.
 */
function preparedOnce(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}

/**
 * Guard's embedded store: one SQLite file, no server (better-sqlite3). The
 * default for a single host process; several processes on one machine may
 * share the file, one writer at a time. Transactions start with `BEGIN
 * IMMEDIATE`, taking the write lock up front, so two processes never
 * deadlock on a lock upgrade; a process waits up to `busyTimeoutMs` for
 * another's transaction. Capabilities: `{ concurrentTransactions: false,
 * skipLocked: false }`.
 *
 * Opening a file sets WAL mode, `busy_timeout`, `foreign_keys` and a 64 MiB
 * page cache (`cacheSizeMiB`). Call
 * `migrate()` once (it is idempotent) before using the store.
 *
 * @throws StoreError when the file cannot be opened.
 * @throws RangeError when `cacheSizeMiB` is not from 1 to 65536.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys } from '@guard/core';
 * import { sqliteStore } from '@guard/store-sqlite';
 *
 * const store = sqliteStore({ filename: './guard.db' });
 * await store.migrate();
 * const guard = createGuard({ store, keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY! } }) });
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): KyselyStore {
  const owned = 'filename' in options;
  const database = owned
    ? open(options.filename, options.busyTimeoutMs ?? 5000, options.cacheSizeMiB ?? 64)
    : options.database;
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: preparedOnce(database) }) });
  return kyselyStore({
    db,
    dialect: 'sqlite',
    tablePrefix: options.tablePrefix,
    destroyOnClose: owned,
    name: 'sqlite',
  });
}
