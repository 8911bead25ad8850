import { type AliasedRawBuilder, type InsertQueryBuilder, sql } from 'kysely';
import { type DatabaseErrorInfo, type DialectAdapter, errorCode, isNetworkError } from '../dialect-adapter.js';
import { mysqlMigrations } from './migrations/index.js';

const RETRY = new Set(['ER_LOCK_DEADLOCK', 'ER_CHECKREAD', 'ER_LOCK_ABORTED']);
const BUSY = new Set([
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_QUERY_TIMEOUT',
]);
const REFUSED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_TABLEACCESS_DENIED_ERROR',
]);
const UNREACHABLE = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_NET_READ_INTERRUPTED',
  'POOL_CLOSED',
]);
const BAD_VALUE = new Set(['ER_DATA_TOO_LONG', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_INVALID_CHARACTER_STRING']);

/** mysql2 names server errors `ER_…` (see the MySQL and MariaDB error references) and its own `PROTOCOL_…`. */
function classify(error: unknown): DatabaseErrorInfo {
  const code = errorCode(error);
  if (code === undefined) return { kind: 'other', code };
  if (code === 'ER_DUP_ENTRY' || code === 'ER_DUP_KEY') return { kind: 'unique-violation', code };
  if (code === 'ER_NO_SUCH_TABLE') return { kind: 'missing-table', code };
  if (RETRY.has(code)) return { kind: 'retry', code };
  if (BUSY.has(code)) return { kind: 'busy', code };
  if (REFUSED.has(code)) return { kind: 'refused', code };
  if (UNREACHABLE.has(code) || isNetworkError(code)) return { kind: 'unreachable', code };
  if (BAD_VALUE.has(code)) return { kind: 'bad-value', code };
  return { kind: 'other', code };
}

/**
 * MySQL 8 and MariaDB 10.6+ (InnoDB): transactions run at READ COMMITTED,
 * so locking reads take no gap locks and claims with `SKIP LOCKED` never
 * block concurrent inserts into the outbox.
 */
export const mysqlAdapter: DialectAdapter = {
  dialect: 'mysql',
  begin: [sql`set transaction isolation level read committed`, sql`start transaction`],
  rowLocks: true,
  skipLocked: true,
  concurrentTransactions: true,
  maxParameters: 30_000,
  // below the 16 MiB default max_allowed_packet of MySQL 8 and MariaDB 10.6+
  maxStatementBytes: 4 * 1024 * 1024,
  // UTC_TIMESTAMP(3) is constant within a statement; %f has six digits, ISO strings three.
  currentTime: sql<string>`concat(substring(date_format(utc_timestamp(3), '%Y-%m-%dT%H:%i:%s.%f'), 1, 23), 'Z')`,
  jsonText<C extends string>(column: string, alias: C): AliasedRawBuilder<string, C> {
    return sql<string>`${sql.ref(column)}`.as(alias);
  },
  insertIgnoringDuplicates<DB, TB extends keyof DB, O>(query: InsertQueryBuilder<DB, TB, O>) {
    // INSERT IGNORE: its affected-row count is the rows really inserted, which
    // ON DUPLICATE KEY UPDATE cannot tell under mysql2's default FOUND_ROWS flag.
    return query.ignore();
  },
  insertOrLockExisting<DB, TB extends keyof DB, O>(query: InsertQueryBuilder<DB, TB, O>, key: string) {
    // Not INSERT IGNORE: on a duplicate it takes a shared lock, and two transactions
    // upgrading theirs to the exclusive lock a locking read needs deadlock. ON
    // DUPLICATE KEY UPDATE takes the exclusive lock at once.
    return query.modifyEnd(sql`on duplicate key update ${sql.ref(key)} = ${sql.ref(key)}`);
  },
  upsert<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
    _conflict: readonly string[],
    update: readonly string[],
  ) {
    // VALUES(col) works on MariaDB and MySQL 8 alike (MySQL deprecates it in favour of a row alias MariaDB lacks).
    const set = sql.join(update.map((c) => sql`${sql.ref(c)} = values(${sql.ref(c)})`));
    return query.modifyEnd(sql`on duplicate key update ${set}`);
  },
  classify,
  migrations: mysqlMigrations,
};
