/**
 * Guard's embedded store on SQLite (better-sqlite3): one file, WAL mode, no
 * server. See `@guard/store-kysely` for the schema and its migrations.
 *
 * @example
 * ```ts
 * import { sqliteStore } from '@guard/store-sqlite';
 * const store = sqliteStore({ filename: './guard.db' });
 * await store.migrate();
 * ```
 *
 * @packageDocumentation
 */
export type { KyselyStore, MigrationResult } from '@guard/store-kysely';
export { type SqliteStoreOptions, sqliteStore } from './sqlite-store.js';
