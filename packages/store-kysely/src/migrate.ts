import { StoreError } from '@guard/core';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { type ErrorContext, toStoreError } from './store-errors.js';

/**
 * What {@link KyselyStore.migrate} did.
 *
 * @example
 * ```ts
 * import type { MigrationResult } from '@guard/store-kysely';
 * declare const result: MigrationResult;
 * console.log(`guard schema v${result.schemaVersion}; applied: ${result.applied.join(', ') || 'nothing'}`);
 * ```
 */
export interface MigrationResult {
  /** The migrations this call applied, in order (empty when the schema was up to date). */
  readonly applied: readonly string[];
  /** The schema version the database is at now. */
  readonly schemaVersion: number;
}

/** The version a migration name stands for: its leading number (`0001-initial` is 1). */
function versionOf(name: string): number {
  const match = /^(\d+)/.exec(name);
  return match ? Number(match[1]) : 0;
}

const versionOfAll = (names: readonly string[]): number => names.reduce((v, n) => Math.max(v, versionOf(n)), 0);

/** Runs Guard's migrations of one dialect through Kysely's `Migrator`. */
export class GuardMigrations {
  readonly #db: Kysely<unknown>;
  readonly #migrations: Readonly<Record<string, Migration>>;
  readonly #errors: ErrorContext;
  readonly #table: string;

  constructor(db: Kysely<unknown>, errors: ErrorContext) {
    this.#db = db;
    this.#errors = errors;
    this.#migrations = errors.adapter.migrations(errors.prefix);
    this.#table = `${errors.prefix}migrations`;
  }

  /** Names of the migrations recorded in the database; empty when it has never been migrated. */
  async executed(operation: 'migrate' | 'schemaVersion'): Promise<string[]> {
    try {
      const { rows } = await sql<{ name: string }>`select name from ${sql.table(this.#table)}`.execute(this.#db);
      return rows.map((r) => r.name);
    } catch (error) {
      if (this.#errors.adapter.classify(error).kind === 'missing-table') return [];
      throw toStoreError(error, operation, this.#errors);
    }
  }

  async schemaVersion(): Promise<number> {
    return versionOfAll(await this.executed('schemaVersion'));
  }

  async migrate(): Promise<MigrationResult> {
    const known = Object.keys(this.#migrations).sort();
    const executed = await this.executed('migrate');
    const unknown = executed.filter((name) => !known.includes(name)).sort();
    if (unknown.length > 0) {
      // Checked before Kysely's Migrator touches anything: nothing changes.
      throw new StoreError({
        store: this.#errors.store,
        operation: 'migrate',
        detail:
          `the database's Guard schema (tables prefixed "${this.#errors.prefix}") is at version ${versionOfAll(executed)} ` +
          `(migration${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}), newer than this code knows ` +
          `(version ${versionOfAll(known)}): a newer release of Guard migrated it. Nothing was changed. ` +
          'Upgrade @guard/store-* to that release (roll forward), or restore the database from before the newer migration.',
      });
    }
    const migrations = this.#migrations;
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    const migrator = new Migrator({
      db: this.#db,
      provider,
      migrationTableName: this.#table,
      migrationLockTableName: `${this.#errors.prefix}migrations_lock`,
    });
    let { error, results } = await migrator.migrateToLatest();
    // Before migrating, Kysely introspects every table of the database; on
    // Postgres a table another application drops at that moment fails the
    // introspection ("relation does not exist") before anything ran. Retry.
    for (let attempt = 1; attempt < 5 && error !== undefined && results === undefined; attempt++) {
      if (this.#errors.adapter.classify(error).kind !== 'missing-table') break;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      ({ error, results } = await migrator.migrateToLatest());
    }
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw toStoreError(error, failed ? `migrate (${failed})` : 'migrate', this.#errors);
    }
    const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    return { applied, schemaVersion: await this.schemaVersion() };
  }
}
