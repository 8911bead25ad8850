import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The third schema, on every dialect: a `salt` column on audit entries (32
 * hex digits). Entries written from now on are hashed in format 2, which
 * commits to a salted digest of the payload so that an evidence pack can
 * carry someone else's entry redacted and still verify. Existing rows keep
 * `null` and verify in format 1, as they always did: a chain is never
 * rewritten, because its signed checkpoints vouch for the hashes it has.
 * Never edit a migration that has shipped: add the next one.
 *
 * @example
 * ```ts
 * import { auditSalts } from './audit-salts.js';
 * const migrations = { '0002-audit-seals': auditSeals(prefix), '0003-audit-salts': auditSalts(prefix) };
 * ```
 */
export function auditSalts(prefix: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable(`${prefix}audit_entries`).addColumn('salt', sql.raw('varchar(32)')).execute();
    },
  };
}
