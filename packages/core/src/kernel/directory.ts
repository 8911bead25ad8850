import * as z from 'zod';
import type { AuditDraft } from '../audit/index.js';
import type { Decision } from '../domain/decision.js';
import {
  type ActorRef,
  type EmployeeInput,
  employeeSchema,
  type OrgUnitInput,
  type OrgUnitKind,
  orgUnitSchema,
} from '../domain/entities.js';
import type { Action } from '../domain/vocabulary.js';
import { type EmployeeStatus, employeeStatusSchema } from '../domain/vocabulary.js';
import { ForbiddenError, NotFoundError, ValidationError, type ValidationIssue } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import type { EmployeeRecord, OrgUnitRecord, StoreTransaction } from '../ports/store.js';
import { tenantPolicy } from '../settings/tenant-settings.js';
import { type GuardContext, HOST_ACTOR, withTenant } from './context.js';
import { syncRoleIndex } from './roles.js';

/** At most this many units and employees per sync call; page larger directories. */
const MAX_BATCH = 5000;

/** As {@link employeeSchema}, but an omitted status means "keep what Guard has". */
const syncEmployeeSchema = employeeSchema.extend({ status: employeeStatusSchema.optional() });

const syncSchema = z.strictObject({
  units: z.array(orgUnitSchema).max(MAX_BATCH).default([]),
  employees: z.array(syncEmployeeSchema).max(MAX_BATCH).default([]),
});

/**
 * How far along the way out each status is. A sync may move an employee
 * further along (the HR system records a resignation or a departure), never
 * back: once a leaver is restricted, only Guard's own audited commands
 * (cancelling the offboarding) make them active again.
 */
const STATUS_STAGE: Readonly<Record<EmployeeStatus, number>> = { active: 0, resigning: 1, frozen: 2, departed: 3 };

/**
 * A directory sync request: units and employees to insert or replace. Send
 * the whole directory in pages of up to 5,000 of each, parents before
 * children, or only what changed.
 *
 * An employee's `status` may be left out: a new employee is then `active`
 * and an existing one keeps the status Guard has. A sync can move an
 * employee further out (`active` → `resigning` → `frozen` → `departed`) but
 * never back: a nightly sync that still says `active` for someone Guard
 * has restricted leaves them restricted, and the result lists them in
 * {@link DirectorySyncResult.statusKept}. Cancelling the offboarding is
 * what makes a leaver active again.
 *
 * @example
 * ```ts
 * import type { DirectorySyncInput } from '@guard/core';
 * const input: DirectorySyncInput = {
 *   units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
 *   employees: [{ id: 'e-1', name: 'Wang', unitId: 'hq', hireDate: '2020-01-01', roles: ['hr-admin'] }],
 * };
 * ```
 */
export interface DirectorySyncInput {
  readonly units?: readonly OrgUnitInput[];
  readonly employees?: readonly EmployeeInput[];
}

/**
 * What a directory sync changed.
 *
 * @example
 * ```ts
 * const result = await guard.tenant('acme').directory.sync(input);
 * for (const c of result.statusChanges) console.log(c.employeeId, c.from, '→', c.to);
 * ```
 */
export interface DirectorySyncResult {
  readonly units: number;
  readonly employees: number;
  /** Units below a moved unit whose path was rewritten. */
  readonly unitsRepathed: number;
  readonly statusChanges: readonly { employeeId: string; from: EmployeeStatus | null; to: EmployeeStatus }[];
  /**
   * Employees whose status the sync asked to move back towards `active`
   * (e.g. a frozen leaver sent as `active` by the HR system): Guard kept its
   * status, audited the attempt as `employee.status-kept`, and lists them
   * here so the host can fix its data.
   */
  readonly statusKept: readonly { employeeId: string; status: EmployeeStatus; requested: EmployeeStatus }[];
}

const KIND_DEPTH: Readonly<Record<OrgUnitKind, number>> = { hq: 0, region: 1, branch: 2, team: 3 };

/** Runs a directory sync; see {@link DirectorySyncInput}. */
export async function syncDirectory(
  ctx: GuardContext,
  tenantId: string,
  input: DirectorySyncInput,
  actor: ActorRef = HOST_ACTOR,
): Promise<DirectorySyncResult> {
  const { units, employees } = parseInput(syncSchema, input, { what: 'directory sync', locale: ctx.locale });
  return withTenant(ctx, tenantId, async (tx) => {
    const now = ctx.clock.now().toISOString();
    const issues: ValidationIssue[] = [];
    duplicates(units, 'units', issues);
    duplicates(employees, 'employees', issues);

    // Resolve every unit's path from the batch and the store.
    // The first occurrence of an id is the one checked; later ones are reported as duplicates.
    const batchUnits = new Map<string, { unit: (typeof units)[number]; index: number }>();
    units.forEach((unit, index) => {
      if (!batchUnits.has(unit.id)) batchUnits.set(unit.id, { unit, index });
    });
    const referenced = [...new Set([...units.map((u) => u.parentId), ...employees.map((e) => e.unitId)])].filter(
      (id): id is string => id !== null && !batchUnits.has(id),
    );
    const stored = new Map(
      (await tx.getUnits(tenantId, [...units.map((u) => u.id), ...referenced])).map((u) => [u.id, u]),
    );
    const paths = new Map<string, readonly string[] | null>();
    const pathOf = (id: string, visiting: Set<string>): readonly string[] | null => {
      const known = paths.get(id);
      if (known !== undefined) return known;
      const batch = batchUnits.get(id);
      if (!batch) return stored.get(id)?.path ?? null;
      const { unit, index } = batch;
      let path: readonly string[] | null = null;
      if (unit.parentId === null) {
        if (unit.kind !== 'hq') issue(issues, ['units', index, 'parentId'], validationMessage('root-unit-not-hq'));
        else path = [unit.id];
      } else if (visiting.has(id)) {
        issue(issues, ['units', index, 'parentId'], validationMessage('unit-cycle', { parent: unit.parentId }));
      } else {
        visiting.add(id);
        const parentPath = pathOf(unit.parentId, visiting);
        visiting.delete(id);
        const parentKind = batchUnits.get(unit.parentId)?.unit.kind ?? stored.get(unit.parentId)?.kind;
        if (parentPath === null || parentKind === undefined) {
          // A parent in this batch that is itself invalid already has its own issue.
          if (!batchUnits.has(unit.parentId)) {
            issue(issues, ['units', index, 'parentId'], validationMessage('unknown-unit', { id: unit.parentId }));
          }
        } else if (parentPath.includes(id)) {
          issue(
            issues,
            ['units', index, 'parentId'],
            validationMessage('unit-below-itself', { parent: unit.parentId, id }),
          );
        } else if (KIND_DEPTH[parentKind] >= KIND_DEPTH[unit.kind]) {
          issue(
            issues,
            ['units', index, 'kind'],
            validationMessage('unit-kind-under', { kind: unit.kind, parentKind }),
          );
        } else {
          path = [...parentPath, id];
        }
      }
      paths.set(id, path);
      return path;
    };
    for (const u of units) pathOf(u.id, new Set());

    employees.forEach((e, i) => {
      if (!batchUnits.has(e.unitId) && !stored.has(e.unitId)) {
        issue(issues, ['employees', i, 'unitId'], validationMessage('unknown-unit', { id: e.unitId }));
      }
      if (e.managerId === e.id) issue(issues, ['employees', i, 'managerId'], validationMessage('self-manager'));
    });
    const batchEmployees = new Map(employees.map((e) => [e.id, e]));
    const managerIds = [...new Set(employees.map((e) => e.managerId))].filter(
      (id): id is string => id !== null && !batchEmployees.has(id),
    );
    const existingEmployees = new Map(
      (await tx.getEmployees(tenantId, [...employees.map((e) => e.id), ...managerIds])).map((e) => [e.id, e]),
    );
    employees.forEach((e, i) => {
      if (e.managerId !== null && !batchEmployees.has(e.managerId) && !existingEmployees.has(e.managerId)) {
        issue(issues, ['employees', i, 'managerId'], validationMessage('unknown-employee', { id: e.managerId }));
      }
    });
    if (issues.length > 0) throw new ValidationError('directory sync', issues, { locale: ctx.locale });

    // Write units; a moved unit drags its subtree's paths along.
    const unitRecords: OrgUnitRecord[] = units.map((u) => ({
      ...u,
      tenantId,
      path: paths.get(u.id) as readonly string[],
      updatedAt: now,
    }));
    let unitsRepathed = 0;
    for (const record of unitRecords) {
      const before = stored.get(record.id);
      if (before && before.path.join('/') !== record.path.join('/')) {
        unitsRepathed += await repathSubtree(tx, tenantId, record, before.path, batchUnits, now);
      }
    }
    await tx.putUnits(unitRecords);

    const statusKept: { employeeId: string; status: EmployeeStatus; requested: EmployeeStatus }[] = [];
    const employeeRecords: EmployeeRecord[] = employees.map((e) => {
      const before = existingEmployees.get(e.id)?.status;
      let status: EmployeeStatus = e.status ?? before ?? 'active';
      if (before !== undefined && STATUS_STAGE[status] < STATUS_STAGE[before]) {
        statusKept.push({ employeeId: e.id, status: before, requested: status });
        status = before;
      }
      return { ...e, status, tenantId, updatedAt: now };
    });
    await tx.putEmployees(employeeRecords);
    await syncRoleIndex(tx, tenantId, existingEmployees, employeeRecords, now);

    const statusChanges = employeeRecords
      .filter((e) => existingEmployees.get(e.id)?.status !== e.status)
      .map((e) => ({ employeeId: e.id, from: existingEmployees.get(e.id)?.status ?? null, to: e.status }));

    const audit: AuditDraft[] = [
      {
        actor,
        action: 'directory.sync',
        subject: { type: 'tenant', id: tenantId },
        data: { units: units.length, employees: employees.length, unitsRepathed },
      },
      ...statusChanges
        .filter((c) => c.from !== null)
        .map(
          (c): AuditDraft => ({
            actor,
            action: 'employee.status-changed',
            subject: { type: 'employee', id: c.employeeId },
            data: { from: c.from, to: c.to },
          }),
        ),
      ...statusKept.map(
        (k): AuditDraft => ({
          actor,
          action: 'employee.status-kept',
          subject: { type: 'employee', id: k.employeeId },
          data: { status: k.status, requested: k.requested },
        }),
      ),
    ];
    return {
      result: { units: units.length, employees: employees.length, unitsRepathed, statusChanges, statusKept },
      audit,
    };
  });
}

/** Rewrites the paths of every stored unit below a moved unit. */
async function repathSubtree(
  tx: StoreTransaction,
  tenantId: string,
  moved: OrgUnitRecord,
  oldPath: readonly string[],
  inBatch: ReadonlyMap<string, unknown>,
  now: string,
): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await tx.listUnitsUnder(tenantId, moved.id, { cursor, limit: 500 });
    const updates = page.items
      .filter((u) => !inBatch.has(u.id))
      .map((u) => ({ ...u, path: [...moved.path, ...u.path.slice(oldPath.length)], updatedAt: now }));
    if (updates.length > 0) await tx.putUnits(updates);
    count += updates.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

function duplicates(items: readonly { id: string }[], key: string, issues: ValidationIssue[]): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const at = first.get(item.id);
    if (at !== undefined) issue(issues, [key, i, 'id'], validationMessage('duplicate', { value: item.id, first: at }));
    else first.set(item.id, i);
  });
}

function issue(issues: ValidationIssue[], path: (string | number)[], message: string): void {
  issues.push({ path, message, code: 'custom' });
}

/** Loads one employee of the tenant or throws `NotFoundError`. */
export async function requireEmployee(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  id: string,
): Promise<EmployeeRecord> {
  const [employee] = await tx.getEmployees(tenantId, [id]);
  if (!employee) throw new NotFoundError({ entity: 'employee', id, tenantId }, { locale: ctx.locale });
  return employee;
}

/**
 * Loads the employee who is acting and refuses (`ForbiddenError`, reason
 * `subject-frozen` or `subject-departed`) when their status forbids acting
 * at all: every write checks the actor's status, as every read does.
 */
export async function requireActingEmployee(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  id: string,
  action: Action,
): Promise<EmployeeRecord> {
  const employee = await requireEmployee(ctx, tx, tenantId, id);
  if (employee.status === 'frozen' || employee.status === 'departed') {
    const decision: Decision = {
      allow: false,
      action,
      fields: Object.fromEntries((await tenantPolicy(ctx, tx, tenantId)).fieldClasses.map((c) => [c, 'hide' as const])),
      obligations: [],
      reason: { code: employee.status === 'frozen' ? 'subject-frozen' : 'subject-departed', rules: [] },
    };
    throw new ForbiddenError({ actorId: id, resourceId: id, decision }, { locale: ctx.locale });
  }
  return employee;
}

/** Whether `managerId` manages `employeeId`, directly or further up the chain (at most 32 levels). */
export async function managesEmployee(
  tx: StoreTransaction,
  tenantId: string,
  managerId: string,
  employeeId: string,
): Promise<boolean> {
  let current = employeeId;
  for (let depth = 0; depth < 32; depth++) {
    const [e] = await tx.getEmployees(tenantId, [current]);
    if (!e?.managerId) return false;
    if (e.managerId === managerId) return true;
    current = e.managerId;
  }
  return false;
}

/** Ids are looked up this many at a time. */
const LOOKUP_CHUNK = 1000;

/**
 * Which of `ids` name an employee (`kind: 'employee'`) or a customer of the
 * tenant, looked up in chunks: for validating a batch that names thousands.
 */
export async function existingIds(
  tx: StoreTransaction,
  tenantId: string,
  kind: 'employee' | 'customer',
  ids: Iterable<string>,
): Promise<Set<string>> {
  const wanted = [...new Set(ids)];
  const found = new Set<string>();
  for (let i = 0; i < wanted.length; i += LOOKUP_CHUNK) {
    const chunk = wanted.slice(i, i + LOOKUP_CHUNK);
    const rows = kind === 'employee' ? await tx.getEmployees(tenantId, chunk) : await tx.getCustomers(tenantId, chunk);
    for (const row of rows) found.add(row.id);
  }
  return found;
}
