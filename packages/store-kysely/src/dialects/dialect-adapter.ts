import type { AliasedRawBuilder, InsertQueryBuilder, Migration, RawBuilder } from 'kysely';

/**
 * A SQL dialect Guard's store runs on.
 *
 * @example
 * ```ts
 * import type { SqlDialectName } from '@guard/store-kysely';
 * const dialect: SqlDialectName = 'postgres';
 * ```
 */
export type SqlDialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * What went wrong in the database, as far as Guard cares: it decides the
 * advice in the `StoreError` and whether a unique violation is a conflict.
 */
export type DatabaseErrorKind =
  /** A primary key or unique constraint was violated. */
  | 'unique-violation'
  /** A table does not exist: the schema was not migrated (or another prefix). */
  | 'missing-table'
  /** The server cannot be reached. */
  | 'unreachable'
  /** The server refused the credentials or the database name. */
  | 'refused'
  /** A lock was not granted in time (busy file, lock wait timeout). */
  | 'busy'
  /** The database aborted the transaction (deadlock, serialization failure): run it again. */
  | 'retry'
  /** The database cannot store a value (e.g. NUL in a Postgres string). */
  | 'bad-value'
  | 'other';

/** A classified driver error. */
export interface DatabaseErrorInfo {
  readonly kind: DatabaseErrorKind;
  /** The driver's or the database's code (SQLSTATE, `ER_…`, `SQLITE_…`, `ECONNREFUSED`), if any. */
  readonly code: string | undefined;
}

/**
 * Everything that differs between dialects. One implementation per dialect
 * (`sqlite/sqlite-adapter.ts`, `postgres/postgres-adapter.ts`,
 * `mysql/mysql-adapter.ts`); the store itself is written once against this.
 */
export interface DialectAdapter {
  readonly dialect: SqlDialectName;
  /** Statements that open a write transaction, run one after the other. */
  readonly begin: readonly RawBuilder<unknown>[];
  /** Row locks (`SELECT … FOR UPDATE`) exist; without them transactions are already serial. */
  readonly rowLocks: boolean;
  /** `FOR UPDATE SKIP LOCKED` exists. */
  readonly skipLocked: boolean;
  /** Transactions of several processes run at the same time. */
  readonly concurrentTransactions: boolean;
  /** Bound parameters one statement may carry (with a margin). */
  readonly maxParameters: number;
  /** Bytes of values one statement should carry at most (packet limits). */
  readonly maxStatementBytes: number;
  /**
   * The database server's current time as an ISO 8601 UTC string with
   * milliseconds (`2026-11-02T02:00:00.000Z`): leases are judged on it, so a
   * worker whose clock is off cannot take another worker's lease.
   */
  readonly currentTime: RawBuilder<string>;
  /** Selects a JSON column as its JSON text under its own name. */
  jsonText<C extends string>(column: string, alias: C): AliasedRawBuilder<string, C>;
  /** Makes an insert skip rows that violate a unique constraint. */
  insertIgnoringDuplicates<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
  ): InsertQueryBuilder<DB, TB, O>;
  /**
   * Makes an insert of one row do nothing if a row with its key exists,
   * without taking a lock that a following `SELECT … FOR UPDATE` of the row
   * would have to upgrade (which deadlocks two transactions doing the same).
   */
  insertOrLockExisting<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
    key: string,
  ): InsertQueryBuilder<DB, TB, O>;
  /**
   * Makes an insert update `update` columns with the new values when a row
   * with the same `conflict` key (a primary key or unique constraint) exists.
   */
  upsert<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
    conflict: readonly string[],
    update: readonly string[],
  ): InsertQueryBuilder<DB, TB, O>;
  /** Classifies an error thrown by the driver. */
  classify(error: unknown): DatabaseErrorInfo;
  /** The migrations of this dialect by name, for tables named with `prefix`. */
  migrations(prefix: string): Readonly<Record<string, Migration>>;
}

/** The `code` of an error object, or of the first error inside an `AggregateError`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  if (typeof code === 'number') return String(code);
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) return errorCode(inner[0]);
  return undefined;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'ENOENT',
]);

/** Network errors Node's sockets raise, shared by the networked drivers. */
export function isNetworkError(code: string | undefined): boolean {
  return code !== undefined && UNREACHABLE.has(code);
}
