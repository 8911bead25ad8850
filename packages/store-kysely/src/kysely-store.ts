import { type Store, StoreError, type StoreTransaction, ValidationError } from '@guard/core';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { DialectAdapter, SqlDialectName } from './dialects/dialect-adapter.js';
import { mysqlAdapter } from './dialects/mysql/mysql-adapter.js';
import { postgresAdapter } from './dialects/postgres/postgres-adapter.js';
import { sqliteAdapter } from './dialects/sqlite/sqlite-adapter.js';
import { GuardMigrations, type MigrationResult } from './migrate.js';
import { GUARD_TABLES, type GuardDatabase } from './schema/database.js';
import { TablePrefixPlugin } from './schema/table-prefix-plugin.js';
import { StatementCache } from './statements.js';
import { type ErrorContext, toStoreError } from './store-errors.js';
import { createStoreTransaction, type Session } from './store-transaction.js';

/**
 * Options of {@link kyselyStore}.
 *
 * @example
 * ```ts
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 * import type { KyselyStoreOptions } from '@guard/store-kysely';
 * interface YourDatabase { invoices: { id: string } }
 * const db = new Kysely<YourDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) });
 * const options: KyselyStoreOptions<YourDatabase> = { db, dialect: 'postgres', tablePrefix: 'guard_' };
 * ```
 */
export interface KyselyStoreOptions<DB = unknown> {
  /**
   * Your Kysely instance, whatever its database type. Guard queries its own
   * tables only, through the instance's dialect and pool, without the
   * instance's plugins (so e.g. a `CamelCasePlugin` of yours does not rename
   * Guard's columns).
   */
  readonly db: Kysely<DB>;
  /** The instance's SQL dialect: `sqlite`, `postgres` (and Postgres-compatible engines) or `mysql` (and MariaDB). */
  readonly dialect: SqlDialectName;
  /**
   * Prefix of Guard's table names (`guard_customers`, …), so they live beside
   * yours: letters, digits and `_`, at most 24 characters, not starting with
   * a digit. Default `guard_`.
   */
  readonly tablePrefix?: string | undefined;
  /**
   * Whether {@link Store.close} also destroys `db` (ending its pool or closing
   * its file). Default `false`: the instance is yours to close. The driver
   * packages (`@guard/store-sqlite`, `-postgres`, `-mysql`) set it when they
   * made the connection themselves.
   */
  readonly destroyOnClose?: boolean | undefined;
  /** The store's `name` in messages; default the dialect. */
  readonly name?: string | undefined;
}

/**
 * A Guard {@link Store} on SQL through Kysely, with its schema migrations.
 *
 * @example
 * ```ts
 * import type { KyselyStore } from '@guard/store-kysely';
 * declare const store: KyselyStore;
 * const { applied, schemaVersion } = await store.migrate();
 * ```
 */
export interface KyselyStore extends Store {
  /**
   * Applies the migrations this code knows that the database lacks, in
   * order, through Kysely's `Migrator` (recording them in
   * `<prefix>migrations`). Idempotent: safe on every start. A database
   * whose schema is newer than this code (it records a migration this code
   * does not know) is refused with a `StoreError`, and nothing is changed.
   *
   * @example
   * ```ts
   * const { applied, schemaVersion } = await store.migrate();
   * console.log(`guard schema v${schemaVersion}; applied: ${applied.join(', ') || 'nothing'}`);
   * ```
   */
  migrate(): Promise<MigrationResult>;
  /**
   * The version of the database's Guard schema: the number of its newest
   * applied migration, 0 before the first.
   *
   * @example
   * ```ts
   * if ((await store.schemaVersion()) === 0) await store.migrate();
   * ```
   */
  schemaVersion(): Promise<number>;
  /**
   * Refreshes the query planner's statistics of Guard's tables: `ANALYZE`
   * on Postgres and MySQL, `PRAGMA optimize` on SQLite (which analyzes
   * only what needs it). {@link migrate} runs it after migrating. Run it
   * after a large first sync on a database without autovacuum: a planner
   * that still believes the tables empty can pick a full scan for every
   * lookup, and a bulk load then slows down with every row.
   *
   * @example
   * ```ts
   * for (let i = 0; i < rows.length; i += 10_000) await acme.customers.upsert(rows.slice(i, i + 10_000));
   * await store.analyze();
   * ```
   */
  analyze(): Promise<void>;
}

const ADAPTERS: Readonly<Record<SqlDialectName, DialectAdapter>> = {
  sqlite: sqliteAdapter,
  postgres: postgresAdapter,
  mysql: mysqlAdapter,
};

const PREFIX = /^(?:[A-Za-z_][A-Za-z0-9_]{0,23})?$/;

/**
 * Guard's SQL store over a Kysely instance: SQLite, PostgreSQL (and
 * Postgres-compatible engines) or MySQL 8 / MariaDB 10.6+. A vendor already
 * on Kysely passes its own instance; Guard's tables live beside the vendor's
 * with a prefix. Run {@link KyselyStore.migrate} once (e.g. on every start,
 * or as a deploy step) before using the store.
 *
 * Every database failure is a `StoreError` (the driver's error as `cause`,
 * the message saying what to do); version conflicts are `ConflictError`s and
 * malformed cursors `ValidationError`s.
 *
 * @throws ValidationError when `dialect` or `tablePrefix` is not valid.
 *
 * @example
 * ```ts
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 * import { kyselyStore } from '@guard/store-kysely';
 *
 * const db = new Kysely<YourDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) });
 * const store = kyselyStore({ db, dialect: 'postgres' });
 * await store.migrate();
 * const customer = await store.transaction((tx) => tx.getCustomer('acme', 'c-1'));
 * ```
 */
export function kyselyStore<DB>(options: KyselyStoreOptions<DB>): KyselyStore {
  const adapter = ADAPTERS[options.dialect] as DialectAdapter | undefined;
  const prefix = options.tablePrefix ?? 'guard_';
  const issues = [
    ...(adapter === undefined
      ? [{ path: ['dialect'], code: 'invalid_value', message: 'must be "sqlite", "postgres" or "mysql"' }]
      : []),
    ...(typeof prefix === 'string' && PREFIX.test(prefix)
      ? []
      : [
          {
            path: ['tablePrefix'],
            code: 'invalid_format',
            message: 'must be letters, digits and _, at most 24 characters, not starting with a digit',
          },
        ]),
  ];
  if (adapter === undefined || issues.length > 0) throw new ValidationError('kyselyStore options', issues);
  return createKyselyStore(options, adapter, prefix);
}

function createKyselyStore<DB>(options: KyselyStoreOptions<DB>, adapter: DialectAdapter, prefix: string): KyselyStore {
  const name = options.name ?? adapter.dialect;
  const errors: ErrorContext = { adapter, store: name, prefix };
  // Guard's queries run without the caller's plugins, with its own table prefix.
  // The cast gives the caller's instance Guard's view of the database; it only ever queries Guard's tables.
  const raw = (options.db as unknown as Kysely<unknown>).withoutPlugins();
  const db = (raw as Kysely<GuardDatabase>).withPlugin(new TablePrefixPlugin(prefix));
  const migrations = new GuardMigrations(raw, errors);
  const running = new Set<Promise<unknown>>();
  const statements = new StatementCache();
  // Compiled once: every transaction runs them.
  const begin = adapter.begin.map((statement) => statement.compile(raw));
  const commit = CompiledQuery.raw('commit');
  const rollbackStatement = CompiledQuery.raw('rollback');
  let closed = false;

  const closedError = (operation: string) =>
    new StoreError({ store: name, operation, detail: 'the store has been closed; create a new one' });

  /** The planner statistics of Guard's tables, refreshed; see {@link KyselyStore.analyze}. */
  async function analyze(): Promise<void> {
    const tables = GUARD_TABLES.map((table) => sql.table(`${prefix}${table}`));
    try {
      if (adapter.dialect === 'sqlite') await sql`pragma optimize`.execute(raw);
      else if (adapter.dialect === 'mysql') await sql`analyze table ${sql.join(tables)}`.execute(raw);
      else await sql`analyze ${sql.join(tables)}`.execute(raw);
    } catch (error) {
      throw toStoreError(error, 'analyze', errors);
    }
  }

  async function runTransaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    // 'connect' until the connection is ours; errors of `work` itself are rethrown as they are.
    const progress: { stage: 'connect' | 'begin' | 'work' | 'commit' } = { stage: 'connect' };
    try {
      return await db.connection().execute(async (conn) => {
        progress.stage = 'begin';
        for (const statement of begin) await conn.executeQuery(statement);
        const session: Session = { db: conn, errors, statements, open: true, failure: null };
        const rollback = async () => {
          try {
            await conn.executeQuery(rollbackStatement);
          } catch {
            // The connection is gone or the transaction is already over: nothing was committed either way.
          }
        };
        progress.stage = 'work';
        let result: T;
        try {
          result = await work(createStoreTransaction(session));
        } catch (error) {
          session.open = false;
          await rollback();
          throw error;
        }
        session.open = false;
        progress.stage = 'commit';
        if (session.failure !== null) {
          await rollback();
          throw new StoreError(
            {
              store: name,
              operation: 'commit',
              detail:
                'a statement failed inside the transaction (see the cause) and the work went on; nothing was committed. Let database errors propagate out of the transaction, or start a new one',
            },
            { cause: session.failure.error },
          );
        }
        try {
          await conn.executeQuery(commit);
        } catch (error) {
          await rollback();
          throw error;
        }
        return result;
      });
    } catch (error) {
      if (progress.stage === 'work') throw error;
      throw toStoreError(error, progress.stage, errors);
    }
  }

  return {
    name,
    capabilities: { concurrentTransactions: adapter.concurrentTransactions, skipLocked: adapter.skipLocked },
    transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(closedError('transaction'));
      const pending = runTransaction(work);
      running.add(pending);
      const forget = () => running.delete(pending);
      pending.then(forget, forget);
      return pending;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...running]);
      if (options.destroyOnClose === true) await options.db.destroy();
    },
    async migrate() {
      if (closed) throw closedError('migrate');
      const result = await migrations.migrate();
      await analyze();
      return result;
    },
    async analyze() {
      if (closed) throw closedError('analyze');
      await analyze();
    },
    async schemaVersion() {
      if (closed) throw closedError('schemaVersion');
      return migrations.schemaVersion();
    },
  };
}
