import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The second schema, on every dialect: a `seal` column on audit entries and
 * on the audit head (`<keyId>:<hex HMAC>`, at most 400 characters), so that
 * Guard can tell its own entries from rows written behind its back. Existing
 * rows keep `null`. Never edit a migration that has shipped: add the next one.
 *
 * @example
 * ```ts
 * import { auditSeals } from './audit-seals.js';
 * const migrations = { '0001-initial': initial(prefix), '0002-audit-seals': auditSeals(prefix) };
 * ```
 */
export function auditSeals(prefix: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const table of ['audit_entries', 'audit_heads']) {
        await db.schema.alterTable(`${prefix}${table}`).addColumn('seal', sql.raw('varchar(400)')).execute();
      }
    },
  };
}
