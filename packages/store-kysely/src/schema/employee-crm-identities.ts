import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The fifth schema, on every dialect: an employee's CRM identities — a work
 * `email` (lower case) and a `mobile` number that connectors find the
 * employee's CRM user by, and `external_refs`, the user ids by connector
 * name that the host gives outright (JSON in the dialect's JSON type).
 * Existing employees get `null` in all three: no identity yet, as before.
 * Never edit a migration that has shipped: add the next one.
 *
 * @example
 * ```ts
 * import { employeeCrmIdentities } from './employee-crm-identities.js';
 * const sqlite = employeeCrmIdentities('guard_', async () => 'text');
 * ```
 */
export function employeeCrmIdentities(prefix: string, jsonType: (db: Kysely<unknown>) => Promise<string>): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const employees = `${prefix}employees`;
      const json = await jsonType(db);
      // One statement per column: SQLite's ALTER TABLE adds one column at a time.
      await db.schema.alterTable(employees).addColumn('email', sql.raw('varchar(254)')).execute();
      await db.schema.alterTable(employees).addColumn('mobile', sql.raw('varchar(32)')).execute();
      await db.schema.alterTable(employees).addColumn('external_refs', sql.raw(json)).execute();
    },
  };
}
