/**
 * Guard's store on MySQL 8 and MariaDB 10.6+ (`mysql2`). See
 * `@guard/store-kysely` for the schema and its migrations.
 *
 * @example
 * ```ts
 * import { mysqlStore } from '@guard/store-mysql';
 * const store = mysqlStore({ uri: process.env.DATABASE_URL! });
 * await store.migrate();
 * ```
 *
 * @packageDocumentation
 */
export type { KyselyStore, MigrationResult } from '@guard/store-kysely';
export { type MysqlStoreOptions, mysqlStore } from './mysql-store.js';
