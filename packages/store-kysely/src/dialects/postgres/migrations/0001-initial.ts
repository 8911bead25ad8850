import { type Kysely, type Migration, sql } from 'kysely';
import { type ColumnTypes, initialSchema, ORDERED_KINDS, STANDARD_TYPES } from '../../../schema/initial-schema.js';

const types: ColumnTypes = { ...STANDARD_TYPES, json: 'jsonb' };

/**
 * The first schema on PostgreSQL and the Postgres-compatible engines.
 *
 * Strings that are compared or ordered (ids, keys, instants, paths) must
 * compare byte by byte, as JavaScript compares ASCII. On PostgreSQL (and
 * YugabyteDB) those columns say `COLLATE "C"`, whatever the database's
 * default collation is; CockroachDB always compares strings byte by byte
 * and rejects `COLLATE "C"` on a column, so there they are plain.
 */
export function initial(prefix: string): Migration {
  return initialSchema(prefix, { columnTypes: postgresColumnTypes });
}

/** The column types on this server: the ordered kinds with `COLLATE "C"`, except on CockroachDB. */
export async function postgresColumnTypes(db: Kysely<unknown>): Promise<ColumnTypes> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
  if (/cockroachdb/i.test(rows[0]?.version ?? '')) return types;
  const collated = Object.fromEntries(ORDERED_KINDS.map((kind) => [kind, `${types[kind]} collate "C"`]));
  return { ...types, ...collated };
}
