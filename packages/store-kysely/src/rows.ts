import type {
  AuditCheckpoint,
  AuditEntry,
  CustomerRecord,
  EmployeeRecord,
  Json,
  OrgUnitRecord,
  OutboxEffect,
  StoredRecord,
  SubjectRef,
  TenantRecord,
  TimerRecord,
  WorkflowRecord,
} from '@guard/core';
import type { Insertable, Selectable } from 'kysely';
import type {
  AuditCheckpointsTable,
  AuditEntriesTable,
  CustomersTable,
  EmployeesTable,
  OutboxTable,
  RecordsTable,
  TenantsTable,
  TimersTable,
  UnitsTable,
  WorkflowsTable,
} from './schema/database.js';
import { unitPathKey } from './unit-path.js';

/** A number from a numeric column, whatever the driver returned (number, bigint, decimal string). */
export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

const json = (value: unknown): string => JSON.stringify(value);
// Parsing makes a fresh object every time: nothing returned is shared with anyone.
const parse = <T>(text: string): T => JSON.parse(text) as T;

const subjectOf = (type: string | null, id: string | null): SubjectRef | null =>
  type === null || id === null ? null : ({ type, id } as SubjectRef);

// ---- tenants

export function tenantRow(r: TenantRecord): Insertable<TenantsTable> {
  return { id: r.id, name: r.name, time_zone: r.timeZone, created_at: r.createdAt, updated_at: r.updatedAt };
}

export function toTenant(row: Selectable<TenantsTable>): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// ---- units

export function unitRow(r: OrgUnitRecord): Insertable<UnitsTable> {
  return {
    tenant_id: r.tenantId,
    id: r.id,
    name: r.name,
    kind: r.kind,
    parent_id: r.parentId,
    path: json(r.path),
    path_key: unitPathKey(r.path),
    updated_at: r.updatedAt,
  };
}

export type UnitRow = Omit<Selectable<UnitsTable>, 'path_key'>;

export function toUnit(row: UnitRow): OrgUnitRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    kind: row.kind as OrgUnitRecord['kind'],
    parentId: row.parent_id,
    path: parse<string[]>(row.path),
    updatedAt: row.updated_at,
  };
}

// ---- employees

export function employeeRow(r: EmployeeRecord): Insertable<EmployeesTable> {
  return {
    tenant_id: r.tenantId,
    id: r.id,
    name: r.name,
    unit_id: r.unitId,
    manager_id: r.managerId,
    roles: json(r.roles),
    job_rank: r.rank,
    hire_date: r.hireDate,
    performance_band: r.performanceBand,
    status: r.status,
    email: r.email,
    mobile: r.mobile,
    external_refs: Object.keys(r.externalRefs).length === 0 ? null : json(r.externalRefs),
    updated_at: r.updatedAt,
  };
}

export function toEmployee(row: Selectable<EmployeesTable>): EmployeeRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    unitId: row.unit_id,
    managerId: row.manager_id,
    roles: parse<string[]>(row.roles),
    rank: toNumber(row.job_rank),
    hireDate: row.hire_date,
    performanceBand: row.performance_band,
    status: row.status as EmployeeRecord['status'],
    email: row.email,
    mobile: row.mobile,
    externalRefs: row.external_refs === null ? {} : parse<Record<string, string>>(row.external_refs),
    updatedAt: row.updated_at,
  };
}

// ---- customers

/** The row of a customer whose unit has the path key `unitPath` (`null`: the unit is not in the directory). */
export function customerRow(r: CustomerRecord, unitPath: string | null): Insertable<CustomersTable> {
  return {
    tenant_id: r.tenantId,
    id: r.id,
    name: r.name,
    owner_id: r.ownerId,
    unit_id: r.unitId,
    unit_path: unitPath,
    fields: json(r.fields),
    external_refs: json(r.externalRefs),
    version: r.version,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function toCustomer(row: Omit<Selectable<CustomersTable>, 'unit_path'>): CustomerRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    unitId: row.unit_id,
    fields: parse<CustomerRecord['fields']>(row.fields),
    externalRefs: parse<CustomerRecord['externalRefs']>(row.external_refs),
    version: toNumber(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// ---- workflows

export function workflowRow(r: WorkflowRecord): Insertable<WorkflowsTable> {
  return {
    tenant_id: r.tenantId,
    id: r.id,
    machine: r.machine,
    machine_version: r.machineVersion,
    state: r.state,
    snapshot: json(r.snapshot),
    subject_type: r.subject?.type ?? null,
    subject_id: r.subject?.id ?? null,
    version: r.version,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function toWorkflow(row: Selectable<WorkflowsTable>): WorkflowRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    machine: row.machine,
    machineVersion: toNumber(row.machine_version),
    state: row.state,
    snapshot: parse<Json>(row.snapshot),
    subject: subjectOf(row.subject_type, row.subject_id),
    version: toNumber(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// ---- audit

export function auditRow(e: AuditEntry): Insertable<AuditEntriesTable> {
  return {
    tenant_id: e.tenantId,
    seq: e.seq,
    at: e.at,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    action: e.action,
    subject_type: e.subject?.type ?? null,
    subject_id: e.subject?.id ?? null,
    data: json(e.data),
    salt: e.salt ?? null,
    prev_hash: e.prevHash,
    hash: e.hash,
    seal: e.seal ?? null,
  };
}

export function toAuditEntry(row: Selectable<AuditEntriesTable>): AuditEntry {
  return {
    tenantId: row.tenant_id,
    seq: toNumber(row.seq),
    at: row.at,
    actor: { type: row.actor_type as AuditEntry['actor']['type'], id: row.actor_id },
    action: row.action,
    subject: subjectOf(row.subject_type, row.subject_id),
    data: parse<AuditEntry['data']>(row.data),
    salt: row.salt ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
    seal: row.seal ?? null,
  };
}

export function checkpointRow(c: AuditCheckpoint): Insertable<AuditCheckpointsTable> {
  return {
    tenant_id: c.tenantId,
    seq: c.seq,
    hash: c.hash,
    at: c.at,
    key_id: c.keyId,
    algorithm: c.algorithm,
    signature: c.signature,
  };
}

export function toCheckpoint(row: Selectable<AuditCheckpointsTable>): AuditCheckpoint {
  return {
    tenantId: row.tenant_id,
    seq: toNumber(row.seq),
    hash: row.hash,
    at: row.at,
    keyId: row.key_id,
    algorithm: row.algorithm as AuditCheckpoint['algorithm'],
    signature: row.signature,
  };
}

// ---- outbox and timers

export function toEffect(row: Selectable<OutboxTable>): OutboxEffect {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    payload: parse<Json>(row.payload),
    availableAt: row.available_at,
    createdAt: row.created_at,
    status: row.status as OutboxEffect['status'],
    attempts: toNumber(row.attempts),
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

export function toTimer(row: Selectable<TimersTable>): TimerRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    key: row.timer_key,
    workflowId: row.workflow_id,
    event: parse<Json>(row.event),
    dueAt: row.due_at,
    createdAt: row.created_at,
    attempts: toNumber(row.attempts),
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

// ---- records

export function recordRow(r: StoredRecord): Insertable<RecordsTable> {
  return {
    tenant_id: r.tenantId,
    kind: r.kind,
    id: r.id,
    ref: r.ref,
    status: r.status,
    at: r.at,
    data: json(r.data),
    version: r.version,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function toRecord(row: Selectable<RecordsTable>): StoredRecord {
  return {
    tenantId: row.tenant_id,
    kind: row.kind,
    id: row.id,
    ref: row.ref,
    status: row.status,
    at: row.at,
    data: parse<Json>(row.data),
    version: toNumber(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** JSON text of a value for a JSON column. */
export const jsonText = json;
