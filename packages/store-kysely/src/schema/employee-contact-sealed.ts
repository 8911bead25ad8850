import { type Kysely, type Migration, sql } from 'kysely';

/** How a dialect turns a column into unbounded text. */
export type WidenToText = 'alter-type' | 'modify-column' | 'unbounded-already';

/**
 * The sixth schema, on every dialect: an employee's `email` and `mobile`
 * become text of any length. Guard now stores them encrypted under the
 * employee's data key (`~A256GCM.<key>.<nonce>.<ciphertext>.<tag>`), which
 * is longer than the `varchar(254)` and `varchar(32)` of `0005` allowed.
 * Existing values are kept as they are (in clear) and encrypted by their
 * employee's next write. Never edit a migration that has shipped: add the
 * next one.
 *
 * - PostgreSQL: `alter column … type text`, a change of the catalog alone.
 * - MySQL and MariaDB: `modify column … text null`, which copies the table.
 * - SQLite: nothing to do; it never enforced the length of a `varchar`. The
 *   migration is recorded all the same, so every dialect is at schema 6.
 *
 * @example
 * ```ts
 * import { employeeContactSealed } from './employee-contact-sealed.js';
 * const postgres = employeeContactSealed('guard_', 'alter-type');
 * ```
 */
export function employeeContactSealed(prefix: string, widen: WidenToText): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const employees = sql.table(`${prefix}employees`);
      for (const column of ['email', 'mobile']) {
        const name = sql.id(column);
        if (widen === 'alter-type') await sql`alter table ${employees} alter column ${name} type text`.execute(db);
        if (widen === 'modify-column') await sql`alter table ${employees} modify column ${name} text null`.execute(db);
      }
    },
  };
}
