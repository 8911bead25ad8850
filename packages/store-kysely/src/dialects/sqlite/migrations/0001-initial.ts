import type { Migration } from 'kysely';
import { initialSchema, typesOf } from '../../../schema/initial-schema.js';

/**
 * The first schema on SQLite. SQLite compares text with the BINARY
 * collation, as JavaScript does; JSON is stored as text.
 */
export function initial(prefix: string): Migration {
  return initialSchema(prefix, {
    columnTypes: async () => typesOf('text', { integer: 'integer', bigint: 'integer' }),
  });
}
