import { type CreateTableBuilder, type Kysely, type Migration, type RawBuilder, sql } from 'kysely';

/**
 * What a column of the first schema holds; each dialect names the SQL type
 * of every kind.
 *
 * @example
 * ```ts
 * import type { ColumnKind } from './initial-schema.js';
 * const kind: ColumnKind = 'instant';
 * ```
 */
export type ColumnKind =
  /** Ids of tenants, units, people, records and workers. */
  | 'id'
  /** Idempotency and timer keys. */
  | 'key'
  /** Machine and state names, effect kinds, record statuses. */
  | 'name'
  /** Record kinds: at most 64 characters. */
  | 'recordKind'
  /** Short enumerations: kinds, statuses, types, algorithms. */
  | 'short'
  /** Hashes and signatures. */
  | 'hex'
  /** A UTC ISO instant, as `Date#toISOString()` writes it. */
  | 'instant'
  /** Audit `at`, kept exactly as written: it is part of the hashed body. */
  | 'longInstant'
  /** A unit's materialised path, compared by prefix range. */
  | 'pathKey'
  /** A `YYYY-MM-DD` date. */
  | 'date'
  /** Time zones and performance bands. */
  | 'varchar64'
  /** Signing key ids. */
  | 'keyId'
  /** Free text. */
  | 'text'
  /** Free text that may be long (error messages). */
  | 'longText'
  /** The text of a JSON value. */
  | 'json'
  /** A 32-bit integer. */
  | 'integer'
  /** A 64-bit integer. */
  | 'bigint';

/**
 * The string kinds that are compared or ordered (ids, keys, instants,
 * paths): they must compare byte by byte, as JavaScript compares ASCII.
 *
 * @example
 * ```ts
 * import { ORDERED_KINDS } from './initial-schema.js';
 * ORDERED_KINDS.includes('id'); // true
 * ```
 */
export const ORDERED_KINDS: readonly ColumnKind[] = [
  'id',
  'key',
  'name',
  'recordKind',
  'short',
  'hex',
  'instant',
  'longInstant',
  'pathKey',
];

/**
 * The SQL type of every column kind, as it is written in `create table`.
 *
 * @example
 * ```ts
 * import { typesOf, type ColumnTypes } from './initial-schema.js';
 * const types: ColumnTypes = typesOf('text', { integer: 'integer', bigint: 'integer' });
 * ```
 */
export type ColumnTypes = Readonly<Record<ColumnKind, string>>;

/**
 * Column types with every kind `base` except the ones given.
 *
 * @example
 * ```ts
 * import { typesOf } from './initial-schema.js';
 * typesOf('text', { bigint: 'integer' }).bigint; // 'integer'
 * ```
 */
export function typesOf(base: string, except: Partial<ColumnTypes>): ColumnTypes {
  const all = {} as Record<ColumnKind, string>;
  for (const kind of ALL_KINDS) all[kind] = except[kind] ?? base;
  return all;
}

const ALL_KINDS: readonly ColumnKind[] = [
  ...ORDERED_KINDS,
  'date',
  'varchar64',
  'keyId',
  'text',
  'longText',
  'json',
  'integer',
  'bigint',
];

/**
 * The standard SQL types of the first schema, which the server dialects
 * start from: the lengths are the schema's limits on every dialect.
 *
 * @example
 * ```ts
 * import { STANDARD_TYPES, type ColumnTypes } from './initial-schema.js';
 * const postgres: ColumnTypes = { ...STANDARD_TYPES, json: 'jsonb' };
 * ```
 */
export const STANDARD_TYPES: ColumnTypes = typesOf('varchar(128)', {
  short: 'varchar(32)',
  recordKind: 'varchar(64)',
  key: 'varchar(255)',
  instant: 'varchar(32)',
  longInstant: 'varchar(64)',
  pathKey: 'text',
  date: 'varchar(10)',
  varchar64: 'varchar(64)',
  keyId: 'varchar(256)',
  text: 'text',
  longText: 'text',
  json: 'text',
  integer: 'integer',
  bigint: 'bigint',
});

/**
 * What one dialect says about the first schema: the only parts of it that
 * differ between dialects.
 *
 * @example
 * ```ts
 * import { typesOf, type SchemaDialect } from './initial-schema.js';
 * const sqlite: SchemaDialect = { columnTypes: async () => typesOf('text', { integer: 'integer', bigint: 'integer' }) };
 * ```
 */
export interface SchemaDialect {
  /** The column types, decided when the migration runs (a dialect may ask the server what it is). */
  columnTypes(db: Kysely<unknown>): Promise<ColumnTypes>;
  /** Written after every `create table` (MySQL's engine, charset and collation); none when absent. */
  readonly tableOptions?: string;
}

/**
 * The first schema, for one dialect. Never edit a migration that has
 * shipped: add the next one instead.
 *
 * @example
 * ```ts
 * import { initialSchema, typesOf } from './initial-schema.js';
 * const migration = initialSchema('guard_', {
 *   columnTypes: async () => typesOf('text', { integer: 'integer', bigint: 'integer' }),
 * });
 * ```
 */
export function initialSchema(prefix: string, dialect: SchemaDialect): Migration {
  const t = (name: string) => `${prefix}${name}`;
  return {
    async up(db: Kysely<unknown>) {
      const types = await dialect.columnTypes(db);
      const type = (kind: ColumnKind): RawBuilder<unknown> => sql.raw(types[kind]);
      const id = type('id');
      const key = type('key');
      const name = type('name');
      const recordKind = type('recordKind');
      const short = type('short');
      const hex = type('hex');
      const instant = type('instant');
      const longInstant = type('longInstant');
      const pathKey = type('pathKey');
      const date = type('date');
      const varchar64 = type('varchar64');
      const keyId = type('keyId');
      const text = type('text');
      const longText = type('longText');
      const json = type('json');
      const integer = type('integer');
      const bigint = type('bigint');
      const { tableOptions } = dialect;
      const createTable = (table: string): CreateTableBuilder<string, never> => {
        const builder = db.schema.createTable(t(table));
        return tableOptions === undefined ? builder : builder.modifyEnd(sql.raw(tableOptions));
      };

      await createTable('tenants')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('time_zone', varchar64, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .execute();

      await createTable('units')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', short, (c) => c.notNull())
        .addColumn('parent_id', id)
        .addColumn('path', json, (c) => c.notNull())
        .addColumn('path_key', pathKey, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('units_pk'), ['tenant_id', 'id'])
        .execute();
      await db.schema.createIndex(t('units_path_idx')).on(t('units')).columns(['tenant_id', 'path_key']).execute();

      await createTable('employees')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('unit_id', id, (c) => c.notNull())
        .addColumn('manager_id', id)
        .addColumn('roles', json, (c) => c.notNull())
        .addColumn('job_rank', integer, (c) => c.notNull())
        .addColumn('hire_date', date, (c) => c.notNull())
        .addColumn('performance_band', varchar64)
        .addColumn('status', short, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('employees_pk'), ['tenant_id', 'id'])
        .execute();

      await createTable('customers')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('owner_id', id)
        .addColumn('unit_id', id, (c) => c.notNull())
        .addColumn('fields', json, (c) => c.notNull())
        .addColumn('external_refs', json, (c) => c.notNull())
        .addColumn('version', integer, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('customers_pk'), ['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex(t('customers_owner_idx'))
        .on(t('customers'))
        .columns(['tenant_id', 'owner_id', 'id'])
        .execute();
      await db.schema
        .createIndex(t('customers_unit_idx'))
        .on(t('customers'))
        .columns(['tenant_id', 'unit_id', 'id'])
        .execute();

      await createTable('workflows')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('machine', name, (c) => c.notNull())
        .addColumn('machine_version', integer, (c) => c.notNull())
        .addColumn('state', name, (c) => c.notNull())
        .addColumn('snapshot', json, (c) => c.notNull())
        .addColumn('subject_type', short)
        .addColumn('subject_id', id)
        .addColumn('version', integer, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('workflows_pk'), ['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex(t('workflows_state_idx'))
        .on(t('workflows'))
        .columns(['tenant_id', 'machine', 'state', 'id'])
        .execute();
      await db.schema
        .createIndex(t('workflows_subject_idx'))
        .on(t('workflows'))
        .columns(['tenant_id', 'subject_type', 'subject_id', 'id'])
        .execute();

      await createTable('audit_entries')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('at', longInstant, (c) => c.notNull())
        .addColumn('actor_type', short, (c) => c.notNull())
        .addColumn('actor_id', id, (c) => c.notNull())
        .addColumn('action', text, (c) => c.notNull())
        .addColumn('subject_type', short)
        .addColumn('subject_id', id)
        .addColumn('data', json, (c) => c.notNull())
        .addColumn('prev_hash', hex, (c) => c.notNull())
        .addColumn('hash', hex, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('audit_entries_pk'), ['tenant_id', 'seq'])
        .execute();
      await db.schema
        .createIndex(t('audit_entries_actor_idx'))
        .on(t('audit_entries'))
        .columns(['tenant_id', 'actor_id', 'seq'])
        .execute();
      await db.schema
        .createIndex(t('audit_entries_subject_idx'))
        .on(t('audit_entries'))
        .columns(['tenant_id', 'subject_type', 'subject_id', 'seq'])
        .execute();
      await db.schema
        .createIndex(t('audit_entries_at_idx'))
        .on(t('audit_entries'))
        .columns(['tenant_id', 'at'])
        .execute();

      await createTable('audit_heads')
        .addColumn('tenant_id', id, (c) => c.primaryKey())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('hash', hex, (c) => c.notNull())
        .execute();

      await createTable('audit_checkpoints')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('hash', hex, (c) => c.notNull())
        .addColumn('at', longInstant, (c) => c.notNull())
        .addColumn('key_id', keyId, (c) => c.notNull())
        .addColumn('algorithm', short, (c) => c.notNull())
        .addColumn('signature', hex, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('audit_checkpoints_pk'), ['tenant_id', 'seq'])
        .execute();

      await createTable('outbox')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('idempotency_key', key, (c) => c.notNull())
        .addColumn('kind', name, (c) => c.notNull())
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('available_at', instant, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('status', short, (c) => c.notNull())
        .addColumn('attempts', integer, (c) => c.notNull())
        .addColumn('last_error', longText)
        .addColumn('lease_owner', id)
        .addColumn('lease_until', instant)
        .addPrimaryKeyConstraint(t('outbox_pk'), ['tenant_id', 'id'])
        .addUniqueConstraint(t('outbox_key_uq'), ['tenant_id', 'idempotency_key'])
        .execute();
      await db.schema
        .createIndex(t('outbox_due_idx'))
        .on(t('outbox'))
        .columns(['status', 'available_at', 'id'])
        .execute();
      await db.schema.createIndex(t('outbox_id_idx')).on(t('outbox')).column('id').execute();

      await createTable('timers')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('timer_key', key, (c) => c.notNull())
        .addColumn('workflow_id', id)
        .addColumn('event', json, (c) => c.notNull())
        .addColumn('due_at', instant, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('attempts', integer, (c) => c.notNull())
        .addColumn('lease_owner', id)
        .addColumn('lease_until', instant)
        .addPrimaryKeyConstraint(t('timers_pk'), ['tenant_id', 'id'])
        .addUniqueConstraint(t('timers_key_uq'), ['tenant_id', 'timer_key'])
        .execute();
      await db.schema.createIndex(t('timers_due_idx')).on(t('timers')).columns(['due_at', 'id']).execute();
      await db.schema.createIndex(t('timers_id_idx')).on(t('timers')).column('id').execute();

      // Secondary records of a tenant (follow-ups, orders, alerts, settings…), listed by (at, id) within a kind.
      await createTable('records')
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('kind', recordKind, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('ref', id)
        .addColumn('status', name)
        .addColumn('at', instant, (c) => c.notNull())
        .addColumn('data', json, (c) => c.notNull())
        .addColumn('version', integer, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('records_pk'), ['tenant_id', 'kind', 'id'])
        .execute();
      await db.schema
        .createIndex(t('records_ref_idx'))
        .on(t('records'))
        .columns(['tenant_id', 'kind', 'ref', 'at', 'id'])
        .execute();
      await db.schema
        .createIndex(t('records_status_idx'))
        .on(t('records'))
        .columns(['tenant_id', 'kind', 'status', 'at', 'id'])
        .execute();
      await db.schema
        .createIndex(t('records_at_idx'))
        .on(t('records'))
        .columns(['tenant_id', 'kind', 'at', 'id'])
        .execute();
    },
  };
}
