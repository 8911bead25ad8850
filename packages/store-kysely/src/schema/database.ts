import type { ColumnType } from 'kysely';

/**
 * The Kysely view of Guard's tables, by their unprefixed names; the
 * {@link TablePrefixPlugin} adds the configured prefix to every one of them.
 *
 * Conventions of every table:
 * - ids and keys are `varchar(128)` (binary collation), instants are the
 *   UTC ISO strings `Date#toISOString()` writes (so comparing strings
 *   compares times), JSON columns hold the text of a JSON value (Postgres
 *   `jsonb`, selected back as text, so every dialect returns a string);
 * - 64-bit counters (audit `seq`) come back as a number or, from `pg`, as a
 *   decimal string; read them with `toNumber`.
 */
export interface GuardDatabase {
  tenants: TenantsTable;
  units: UnitsTable;
  employees: EmployeesTable;
  customers: CustomersTable;
  workflows: WorkflowsTable;
  audit_entries: AuditEntriesTable;
  audit_heads: AuditHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  outbox: OutboxTable;
  timers: TimersTable;
  records: RecordsTable;
}

/** The logical (unprefixed) name of one of Guard's tables. */
export type GuardTableName = keyof GuardDatabase;

/** Every table, in the order they are created. */
export const GUARD_TABLES: readonly GuardTableName[] = [
  'tenants',
  'units',
  'employees',
  'customers',
  'workflows',
  'audit_entries',
  'audit_heads',
  'audit_checkpoints',
  'outbox',
  'timers',
  'records',
];

/** A 64-bit integer column: written as a number, read as a number or a decimal string. */
type BigIntColumn = ColumnType<number | string | bigint, number, number>;
/** A 32-bit integer column; some drivers may still hand back strings or bigints. */
type IntColumn = ColumnType<number | string | bigint, number, number>;

export interface TenantsTable {
  id: string;
  name: string;
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface UnitsTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: string;
  parent_id: string | null;
  /** JSON array of ids from the root down to this unit. */
  path: string;
  /** The same path as `/hq/east/sh/`, for subtree range scans. */
  path_key: string;
  updated_at: string;
}

export interface EmployeesTable {
  tenant_id: string;
  id: string;
  name: string;
  unit_id: string;
  manager_id: string | null;
  /** JSON array of role names. */
  roles: string;
  job_rank: IntColumn;
  hire_date: string;
  performance_band: string | null;
  status: string;
  /** Migration 0005; lower case. */
  email: string | null;
  /** Migration 0005. */
  mobile: string | null;
  /** Migration 0005: JSON object of CRM user ids by connector name; `null` for none. */
  external_refs: string | null;
  updated_at: string;
}

export interface CustomersTable {
  tenant_id: string;
  id: string;
  name: string;
  owner_id: string | null;
  unit_id: string;
  /** The unit's path key (`/hq/east/sh/`), kept in step with `units.path_key`; `null` while the unit is not in the directory. */
  unit_path: string | null;
  /** JSON object: field class → field → value. */
  fields: string;
  /** JSON object: connector → external id. */
  external_refs: string;
  version: IntColumn;
  created_at: string;
  updated_at: string;
}

export interface WorkflowsTable {
  tenant_id: string;
  id: string;
  machine: string;
  machine_version: IntColumn;
  state: string;
  /** JSON: the machine's persisted snapshot. */
  snapshot: string;
  subject_type: string | null;
  subject_id: string | null;
  version: IntColumn;
  created_at: string;
  updated_at: string;
}

export interface AuditEntriesTable {
  tenant_id: string;
  seq: BigIntColumn;
  /** Kept exactly as written (it is part of the hashed body). */
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  /** JSON object. */
  data: string;
  /** 32 hex digits (migration 0003); null on rows written before it, which are hashed in format 1. */
  salt: string | null;
  prev_hash: string;
  hash: string;
  /** `<keyId>:<hex HMAC>` (migration 0002); null on rows written before it. */
  seal: string | null;
}

export interface AuditHeadsTable {
  tenant_id: string;
  /** 0 before the first entry. */
  seq: BigIntColumn;
  hash: string;
  /** The head's seal (migration 0002); null before the first sealed append. */
  seal: string | null;
}

export interface AuditCheckpointsTable {
  tenant_id: string;
  seq: BigIntColumn;
  hash: string;
  at: string;
  key_id: string;
  algorithm: string;
  signature: string;
}

export interface OutboxTable {
  tenant_id: string;
  id: string;
  idempotency_key: string;
  kind: string;
  /** JSON value. */
  payload: string;
  available_at: string;
  created_at: string;
  status: string;
  attempts: IntColumn;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface TimersTable {
  tenant_id: string;
  id: string;
  timer_key: string;
  workflow_id: string | null;
  /** JSON value. */
  event: string;
  due_at: string;
  created_at: string;
  attempts: IntColumn;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface RecordsTable {
  tenant_id: string;
  /** At most 64 characters. */
  kind: string;
  id: string;
  ref: string | null;
  status: string | null;
  at: string;
  /** JSON value. */
  data: string;
  version: IntColumn;
  created_at: string;
  updated_at: string;
}
