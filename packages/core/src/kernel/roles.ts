import type { EmployeeRecord, StoreTransaction } from '../ports/store.js';

/**
 * Who has a role, kept as records so approvals can resolve "HR" or
 * "finance" without scanning every employee: one `role-member` record per
 * (role, employee), `ref` = role. Directory sync keeps it in step.
 */
const ROLE_KIND = 'role-member';

/** Brings the role index in line with the employees just written. */
export async function syncRoleIndex(
  tx: StoreTransaction,
  tenantId: string,
  before: ReadonlyMap<string, EmployeeRecord>,
  after: readonly EmployeeRecord[],
  now: string,
): Promise<void> {
  for (const employee of after) {
    const old = new Set(before.get(employee.id)?.roles ?? []);
    const next = new Set(employee.roles);
    for (const role of old) {
      if (!next.has(role)) await tx.deleteRecord(tenantId, ROLE_KIND, `${role}:${employee.id}`);
    }
    for (const role of next) {
      if (old.has(role) && before.has(employee.id)) continue;
      const id = `${role}:${employee.id}`;
      const existing = await tx.getRecord(tenantId, ROLE_KIND, id);
      if (existing) continue;
      await tx.putRecord(
        {
          tenantId,
          kind: ROLE_KIND,
          id,
          ref: role,
          status: null,
          at: now,
          data: { employeeId: employee.id },
          version: 1,
          createdAt: now,
          updatedAt: now,
        },
        null,
      );
    }
  }
}

/** Ids of the employees who hold `role` (at most `limit`, default 200). */
export async function employeesWithRole(
  tx: StoreTransaction,
  tenantId: string,
  role: string,
  limit = 200,
): Promise<string[]> {
  const page = await tx.listRecords(tenantId, { kind: ROLE_KIND, ref: role }, { limit });
  return page.items.map((r) => (r.data as { employeeId: string }).employeeId);
}
