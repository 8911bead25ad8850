import { type Kysely, type Migration, sql } from 'kysely';

/**
 * What the fourth schema needs to know of a dialect: the SQL type of a unit
 * path key (as `units.path_key` has it, comparing byte by byte) and the
 * columns of the new index.
 */
export interface UnitPathDialect {
  pathKeyType(db: Kysely<unknown>): Promise<string>;
  /**
   * `['tenant_id', 'unit_path', 'id']`, or without `id` where the key would
   * pass the engine's index limit and the engine appends the primary key to
   * every secondary index anyway (InnoDB).
   */
  readonly indexColumns: readonly string[];
}

/**
 * The fourth schema: each customer carries its unit's path key
 * (`unit_path`, `/hq/east/sh/`), indexed with the tenant and the id, so that
 * a team's customers — a unit's subtree — are one range of one index, read
 * in `(unit_path, id)` order: a page of a team list costs the same at 10,000
 * and at 1,000,000 customers. Existing customers get their unit's path;
 * a customer whose unit is not in the directory keeps `null` and is in no
 * team, as before. Never edit a migration that has shipped: add the next one.
 *
 * @example
 * ```ts
 * import { customerUnitPaths } from './customer-unit-paths.js';
 * const sqlite = customerUnitPaths('guard_', { pathKeyType: async () => 'text', indexColumns: ['tenant_id', 'unit_path', 'id'] });
 * ```
 */
export function customerUnitPaths(prefix: string, dialect: UnitPathDialect): Migration {
  const customers = `${prefix}customers`;
  const units = `${prefix}units`;
  return {
    async up(db: Kysely<unknown>) {
      const type = await dialect.pathKeyType(db);
      await db.schema.alterTable(customers).addColumn('unit_path', sql.raw(type)).execute();
      await sql`update ${sql.table(customers)} set unit_path = (select u.path_key from ${sql.table(units)} u
        where u.tenant_id = ${sql.table(customers)}.tenant_id and u.id = ${sql.table(customers)}.unit_id)`.execute(db);
      await db.schema
        .createIndex(`${customers}_unit_path_idx`)
        .on(customers)
        .columns([...dialect.indexColumns])
        .execute();
    },
  };
}
