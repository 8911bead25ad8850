import type { Decision } from '../domain/decision.js';
import type { Action } from '../domain/vocabulary.js';
import type { AccessResource, AccessSubject } from '../policy/index.js';
import type { CustomerRecord, EmployeeRecord, OrgUnitRecord, StoreTransaction, TenantRecord } from '../ports/store.js';
import { tenantPolicy } from '../settings/tenant-settings.js';
import type { GuardContext } from './context.js';

/** The pure-policy view of an employee. */
export function subjectOf(employee: EmployeeRecord): AccessSubject {
  return {
    id: employee.id,
    status: employee.status,
    unitId: employee.unitId,
    roles: employee.roles,
    rank: employee.rank,
    hireDate: employee.hireDate,
    performanceBand: employee.performanceBand,
  };
}

/** The pure-policy view of a customer, given its unit. */
export function resourceOf(customer: CustomerRecord, unit: OrgUnitRecord | undefined): AccessResource {
  return {
    id: customer.id,
    ownerId: customer.ownerId,
    unitId: customer.unitId,
    // A customer whose unit vanished is in no one's team.
    unitPath: unit?.path ?? [],
  };
}

/** One customer with the policy's decision on it. */
export interface Decided {
  readonly customer: CustomerRecord;
  readonly decision: Decision;
}

/** Where and when a decision is taken: the transaction, the tenant (for its time zone) and the time. */
export interface DecideAt {
  readonly tx: StoreTransaction;
  readonly tenant: TenantRecord;
  readonly now: string;
}

/**
 * The one path by which every feature asks the access policy (the tenant's
 * own, from its settings, or the Guard's): decides
 * `action` on each customer for `employee` at `at.now` in the tenant's time
 * zone, loading the customers' units once. An export is decided with its
 * size (the number of customers) unless `exportSize` says otherwise. Features
 * decide again when a decided outcome is carried out later (an approved
 * transfer, export or delete), so a right lost in between is not used.
 */
export async function decideOn(
  ctx: GuardContext,
  at: DecideAt,
  employee: EmployeeRecord,
  customers: readonly CustomerRecord[],
  action: Action,
  options: { readonly exportSize?: number } = {},
): Promise<Decided[]> {
  const unitIds = [...new Set(customers.map((c) => c.unitId))];
  const units = new Map((await at.tx.getUnits(at.tenant.id, unitIds)).map((u) => [u.id, u]));
  const policy = await tenantPolicy(ctx, at.tx, at.tenant.id);
  const subject = subjectOf(employee);
  const context = {
    now: new Date(at.now),
    timeZone: at.tenant.timeZone,
    ...(action === 'export' ? { exportSize: options.exportSize ?? customers.length } : {}),
  };
  return customers.map((customer) => ({
    customer,
    decision: policy.decide(subject, action, resourceOf(customer, units.get(customer.unitId)), context),
  }));
}
