import type { Migration } from 'kysely';
import { type ColumnTypes, initialSchema, STANDARD_TYPES } from '../../../schema/initial-schema.js';

/** MySQL's column types of the schema. */
export const MYSQL_TYPES: ColumnTypes = {
  ...STANDARD_TYPES,
  // Org trees are at most 4 levels deep (HQ, region, branch, team): 4 × 129 + 1 characters.
  pathKey: 'varchar(640)',
  longText: 'longtext',
  json: 'longtext',
};

/**
 * The first schema on MySQL and MariaDB. Every table is InnoDB with
 * `utf8mb4_bin`, so ids, keys, instants and paths compare and order byte by
 * byte, as JavaScript does for ASCII; JSON is stored as `longtext`
 * (MariaDB's `json` is the same). Key lengths stay within InnoDB's
 * 3072-byte index limit.
 */
export function initial(prefix: string): Migration {
  return initialSchema(prefix, {
    columnTypes: async () => MYSQL_TYPES,
    tableOptions: 'engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin',
  });
}
