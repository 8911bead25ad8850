import { type KyselyStore, kyselyStore } from '@guard/store-kysely';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';

/**
 * Options of {@link mysqlStore}: a connection URI Guard makes (and owns) a
 * pool for, or a `mysql2` pool of yours (the callback `Pool` from `mysql2`,
 * not `mysql2/promise`; Guard never ends it).
 *
 * @example
 * ```ts
 * import type { MysqlStoreOptions } from '@guard/store-mysql';
 * const options: MysqlStoreOptions = { uri: 'mysql://guard:secret@db.internal:3306/app', connectionLimit: 20 };
 * ```
 */
export type MysqlStoreOptions = (
  | {
      /** `mysql://user:password@host:port/database`, as `mysql2` reads it. */
      readonly uri: string;
      /** Connections in the pool; default 10. */
      readonly connectionLimit?: number | undefined;
      /** How long to wait for a connection to the server before failing, in ms; default 10 000. */
      readonly connectTimeoutMs?: number | undefined;
    }
  | {
      /** Your pool. */
      readonly pool: Pool;
    }
) & {
  /** Prefix of Guard's table names; default `guard_`. */
  readonly tablePrefix?: string | undefined;
};

/**
 * Guard's store on MySQL 8 or MariaDB 10.6+ (`mysql2`, InnoDB). Transactions
 * run at READ COMMITTED; claims use `FOR UPDATE SKIP LOCKED`, so several
 * workers share due work. Capabilities: `{ concurrentTransactions: true,
 * skipLocked: true }`.
 *
 * Call `migrate()` once (it is idempotent), e.g. as a deploy step, before
 * using the store.
 *
 * @example
 * ```ts
 * import { mysqlStore } from '@guard/store-mysql';
 * const store = mysqlStore({ uri: process.env.DATABASE_URL! });
 * await store.migrate();
 * ```
 */
export function mysqlStore(options: MysqlStoreOptions): KyselyStore {
  const owned = 'uri' in options;
  const pool = owned
    ? createPool({
        uri: options.uri,
        connectionLimit: options.connectionLimit ?? 10,
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        charset: 'utf8mb4',
      })
    : options.pool;
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
  return kyselyStore({ db, dialect: 'mysql', tablePrefix: options.tablePrefix, destroyOnClose: owned, name: 'mysql' });
}
