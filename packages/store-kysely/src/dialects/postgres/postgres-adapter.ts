import { type AliasedRawBuilder, sql } from 'kysely';
import { type DatabaseErrorInfo, type DialectAdapter, errorCode, isNetworkError } from '../dialect-adapter.js';
import { onConflictInserts } from '../on-conflict.js';
import { postgresMigrations } from './migrations/index.js';

/** SQLSTATE classes and codes, see https://www.postgresql.org/docs/current/errcodes-appendix.html */
function classify(error: unknown): DatabaseErrorInfo {
  const code = errorCode(error);
  if (code === '23505') return { kind: 'unique-violation', code };
  if (code === '42P01') return { kind: 'missing-table', code };
  // serialization_failure, deadlock_detected (CockroachDB reports its retry errors as 40001 too)
  if (code === '40001' || code === '40P01') return { kind: 'retry', code };
  // lock_not_available, query_canceled (statement/lock timeouts)
  if (code === '55P03' || code === '57014') return { kind: 'busy', code };
  // invalid_authorization_specification, invalid_password, invalid_catalog_name (no such database)
  if (code === '28000' || code === '28P01' || code === '3D000') return { kind: 'refused', code };
  // connection_exception class, admin/crash shutdown, cannot_connect_now
  if (code?.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || isNetworkError(code)) {
    return { kind: 'unreachable', code };
  }
  // untranslatable_character, character_not_in_repertoire: NUL in text or jsonb
  if (code === '22P05' || code === '22021') return { kind: 'bad-value', code };
  const message = error instanceof Error ? error.message : '';
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return { kind: 'unreachable', code };
  }
  return { kind: 'other', code };
}

/**
 * PostgreSQL, and the Postgres-compatible engines (CockroachDB, YugabyteDB):
 * `ON CONFLICT`, `FOR UPDATE SKIP LOCKED`, `jsonb`, `COLLATE "C"`; no
 * advisory locks, `LISTEN/NOTIFY`, extensions or triggers.
 */
export const postgresAdapter: DialectAdapter = {
  dialect: 'postgres',
  // READ COMMITTED (the default): every guard is a row lock or a conditional UPDATE.
  begin: [sql`begin`],
  rowLocks: true,
  skipLocked: true,
  concurrentTransactions: true,
  maxParameters: 30_000,
  maxStatementBytes: 64 * 1024 * 1024,
  currentTime: sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  jsonText<C extends string>(column: string, alias: C): AliasedRawBuilder<string, C> {
    // `pg` would parse jsonb itself; as text, every dialect decodes the same way.
    return sql<string>`${sql.ref(column)}::text`.as(alias);
  },
  ...onConflictInserts,
  classify,
  migrations: postgresMigrations,
};
