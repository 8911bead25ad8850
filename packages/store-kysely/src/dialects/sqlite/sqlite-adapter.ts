import { type AliasedRawBuilder, sql } from 'kysely';
import { type DatabaseErrorInfo, type DialectAdapter, errorCode } from '../dialect-adapter.js';
import { onConflictInserts } from '../on-conflict.js';
import { sqliteMigrations } from './migrations/index.js';

/** Result codes, see https://www.sqlite.org/rescode.html (better-sqlite3 reports the extended names). */
function classify(error: unknown): DatabaseErrorInfo {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : '';
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return { kind: 'unique-violation', code };
  }
  if (/^no such table/i.test(message)) return { kind: 'missing-table', code };
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) return { kind: 'busy', code };
  if (code?.startsWith('SQLITE_CANTOPEN') || code?.startsWith('SQLITE_NOTADB')) return { kind: 'unreachable', code };
  if (code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_PERM') || code?.startsWith('SQLITE_AUTH')) {
    return { kind: 'refused', code };
  }
  return { kind: 'other', code };
}

/**
 * SQLite: one writer at a time. Every transaction starts with `BEGIN
 * IMMEDIATE`, taking the write lock up front, so two processes on one file
 * queue on `busy_timeout` instead of deadlocking on a lock upgrade; there
 * are no row locks, and none are needed.
 */
export const sqliteAdapter: DialectAdapter = {
  dialect: 'sqlite',
  begin: [sql`begin immediate`],
  rowLocks: false,
  skipLocked: false,
  concurrentTransactions: false,
  // SQLITE_MAX_VARIABLE_NUMBER was 999 before SQLite 3.32; stay below it for any build.
  maxParameters: 999,
  maxStatementBytes: 64 * 1024 * 1024,
  currentTime: sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  jsonText<C extends string>(column: string, alias: C): AliasedRawBuilder<string, C> {
    return sql<string>`${sql.ref(column)}`.as(alias);
  },
  ...onConflictInserts,
  classify,
  migrations: sqliteMigrations,
};
