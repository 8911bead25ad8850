import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The first schema. Never edit a migration that has shipped: add the next
 * one instead. Every table is InnoDB with `utf8mb4_bin`, so ids, keys,
 * instants and paths compare and order byte by byte, as JavaScript does
 * for ASCII; JSON is stored as `longtext` (MariaDB's `json` is the same).
 * Key lengths stay within InnoDB's 3072-byte index limit.
 */
export function initial(prefix: string): Migration {
  const t = (name: string) => `${prefix}${name}`;
  const id = sql`varchar(128)`;
  const key = sql`varchar(255)`;
  const name = sql`varchar(128)`;
  const short = sql`varchar(32)`;
  const hex = sql`varchar(128)`;
  const instant = sql`varchar(32)`;
  /** Audit `at` is kept exactly as written: it is part of the hashed body. */
  const longInstant = sql`varchar(64)`;
  /** Org trees are at most 4 levels deep (HQ, region, branch, team): 4 × 129 + 1 characters. */
  const pathKey = sql`varchar(640)`;
  const date = sql`varchar(10)`;
  const varchar64 = sql`varchar(64)`;
  const keyId = sql`varchar(256)`;
  const text = sql`text`;
  const longText = sql`longtext`;
  const json = sql`longtext`;
  const integer = sql`integer`;
  const bigint = sql`bigint`;
  const options = sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(t('tenants'))
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('time_zone', varchar64, (c) => c.notNull())
        .addColumn('created_at', instant, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .modifyEnd(options)
        .execute();

      await db.schema
        .createTable(t('units'))
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('id', id, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', short, (c) => c.notNull())
        .addColumn('parent_id', id)
        .addColumn('path', json, (c) => c.notNull())
        .addColumn('path_key', pathKey, (c) => c.notNull())
        .addColumn('updated_at', instant, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('units_pk'), ['tenant_id', 'id'])
        .modifyEnd(options)
        .execute();
      await db.schema.createIndex(t('units_path_idx')).on(t('units')).columns(['tenant_id', 'path_key']).execute();

      await db.schema
        .createTable(t('employees'))
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
        .modifyEnd(options)
        .execute();

      await db.schema
        .createTable(t('customers'))
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
        .modifyEnd(options)
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

      await db.schema
        .createTable(t('workflows'))
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
        .modifyEnd(options)
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

      await db.schema
        .createTable(t('audit_entries'))
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
        .modifyEnd(options)
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

      await db.schema
        .createTable(t('audit_heads'))
        .addColumn('tenant_id', id, (c) => c.primaryKey())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('hash', hex, (c) => c.notNull())
        .modifyEnd(options)
        .execute();

      await db.schema
        .createTable(t('audit_checkpoints'))
        .addColumn('tenant_id', id, (c) => c.notNull())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('hash', hex, (c) => c.notNull())
        .addColumn('at', longInstant, (c) => c.notNull())
        .addColumn('key_id', keyId, (c) => c.notNull())
        .addColumn('algorithm', short, (c) => c.notNull())
        .addColumn('signature', hex, (c) => c.notNull())
        .addPrimaryKeyConstraint(t('audit_checkpoints_pk'), ['tenant_id', 'seq'])
        .modifyEnd(options)
        .execute();

      await db.schema
        .createTable(t('outbox'))
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
        .modifyEnd(options)
        .execute();
      await db.schema
        .createIndex(t('outbox_due_idx'))
        .on(t('outbox'))
        .columns(['status', 'available_at', 'id'])
        .execute();
      await db.schema.createIndex(t('outbox_id_idx')).on(t('outbox')).column('id').execute();

      await db.schema
        .createTable(t('timers'))
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
        .modifyEnd(options)
        .execute();
      await db.schema.createIndex(t('timers_due_idx')).on(t('timers')).columns(['due_at', 'id']).execute();
      await db.schema.createIndex(t('timers_id_idx')).on(t('timers')).column('id').execute();
    },
  };
}
