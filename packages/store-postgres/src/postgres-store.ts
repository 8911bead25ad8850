import { type KyselyStore, kyselyStore } from '@guard/store-kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/**
 * Options of {@link postgresStore}: a connection string Guard makes (and
 * owns) a pool for, or a `pg` pool of yours (Guard never ends it).
 *
 * @example
 * ```ts
 * import type { PostgresStoreOptions } from '@guard/store-postgres';
 * const options: PostgresStoreOptions = { connectionString: 'postgres://guard@db.internal:5432/app', max: 20 };
 * ```
 */
export type PostgresStoreOptions = (
  | {
      /** `postgres://user:password@host:port/database`, as `pg` reads it. */
      readonly connectionString: string;
      /** Connections in the pool; default 10. */
      readonly max?: number | undefined;
      /** How long to wait for a connection before failing, in ms; default 10 000. */
      readonly connectionTimeoutMs?: number | undefined;
    }
  | {
      /** Your pool. */
      readonly pool: pg.Pool;
    }
) & {
  /** Prefix of Guard's table names; default `guard_`. */
  readonly tablePrefix?: string | undefined;
};

/**
 * Guard's store on PostgreSQL (`pg`), for production and scale-out: many
 * stateless host processes over one database, coordinated only through it
 * (row versions, row locks, `FOR UPDATE SKIP LOCKED`). Keeps to what
 * Postgres-compatible distributed engines (CockroachDB, YugabyteDB) support.
 * Capabilities: `{ concurrentTransactions: true, skipLocked: true }`.
 *
 * Call `migrate()` once (it is idempotent), e.g. as a deploy step, before
 * using the store.
 *
 * @example
 * ```ts
 * import { postgresStore } from '@guard/store-postgres';
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): KyselyStore {
  const owned = 'connectionString' in options;
  const pool = owned
    ? new pg.Pool({
        connectionString: options.connectionString,
        max: options.max ?? 10,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      })
    : options.pool;
  // An idle connection that dies (server restart) is dropped by the pool; without a
  // listener its 'error' event would end the process. The next query reconnects or fails.
  if (owned) pool.on('error', () => undefined);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return kyselyStore({
    db,
    dialect: 'postgres',
    tablePrefix: options.tablePrefix,
    destroyOnClose: owned,
    name: 'postgres',
  });
}
