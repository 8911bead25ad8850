import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { GuardDatabase } from './schema/database.js';

/** Stands for the `index`-th value of a cached statement while it is compiled. */
class Slot {
  constructor(readonly index: number) {}
}

/** A compiled statement, and for each of its parameters the value it takes (`-1`: the compiled constant). */
interface Template {
  readonly compiled: CompiledQuery;
  readonly slots: readonly number[];
}

/**
 * Guard's frequent statements, compiled once per store: building a Kysely
 * query, renaming its tables with the prefix and compiling it to SQL cost
 * several times what SQLite takes to run a point query, on every call.
 *
 * A statement is built once, with a placeholder for each value, and its SQL
 * kept under its key; each call runs that SQL with the call's values in
 * the placeholders' places. So the key must name everything that shapes
 * the SQL (the table, the columns, how many values a list holds), and every
 * value that varies from call to call must come in through `values`.
 *
 * @example
 * ```ts
 * const row = await statements.first(db, 'getCustomer', [tenantId, id], (tenant, customer) =>
 *   db.selectFrom('customers').selectAll().where('tenant_id', '=', tenant).where('id', '=', customer),
 * );
 * ```
 */
export class StatementCache {
  readonly #templates = new Map<string, Template>();

  /** Runs the statement `key` (built by `build` the first time) with `values`. */
  async run<V extends readonly unknown[], R>(
    db: Kysely<GuardDatabase>,
    key: string,
    values: V,
    build: (...values: V) => Compilable<R>,
  ): Promise<QueryResult<R>> {
    let template = this.#templates.get(key);
    if (template === undefined) {
      const placeholders = values.map((_, i) => new Slot(i)) as unknown as V;
      const compiled = build(...placeholders).compile();
      const slots = compiled.parameters.map((p) => (p instanceof Slot ? p.index : -1));
      template = { compiled, slots };
      this.#templates.set(key, template);
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot, i) => (slot < 0 ? compiled.parameters[i] : values[slot]));
    return db.executeQuery<R>({ ...compiled, parameters });
  }

  /** The first row of {@link run}'s result, or `undefined`. */
  async first<V extends readonly unknown[], R>(
    db: Kysely<GuardDatabase>,
    key: string,
    values: V,
    build: (...values: V) => Compilable<R>,
  ): Promise<R | undefined> {
    return (await this.run(db, key, values, build)).rows[0];
  }
}
