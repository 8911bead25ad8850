/**
 * Guard's SQL store over Kysely: one implementation of the `Store` port for
 * SQLite, PostgreSQL (and Postgres-compatible engines) and MySQL 8 /
 * MariaDB 10.6+, with schema migrations per dialect. Pass your own Kysely
 * instance, or use `@guard/store-sqlite`, `@guard/store-postgres` or
 * `@guard/store-mysql`, which make one for you.
 *
 * @example
 * ```ts
 * import { kyselyStore } from '@guard/store-kysely';
 * const store = kyselyStore({ db, dialect: 'postgres', tablePrefix: 'guard_' });
 * await store.migrate();
 * ```
 *
 * @packageDocumentation
 */
export type { SqlDialectName } from './dialects/dialect-adapter.js';
export { type KyselyStore, type KyselyStoreOptions, kyselyStore } from './kysely-store.js';
export type { MigrationResult } from './migrate.js';
