/**
 * Guard's store on PostgreSQL (`pg`) and Postgres-compatible engines. See
 * `@guard/store-kysely` for the schema and its migrations, and this
 * package's README for the database features it relies on.
 *
 * @example
 * ```ts
 * import { postgresStore } from '@guard/store-postgres';
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.migrate();
 * ```
 *
 * @packageDocumentation
 */
export type { KyselyStore, MigrationResult } from '@guard/store-kysely';
export { type PostgresStoreOptions, postgresStore } from './postgres-store.js';
