import type { CrmConnector } from '../ports/crm.js';
import type { EmployeeRecord } from '../ports/store.js';

/**
 * Each employee's user in a CRM, by employee id: the user `externalRefs`
 * names for the connector, else the one the connector's `mapUsers` finds
 * by e-mail or mobile. Employees the CRM does not know are left out.
 */
export async function crmUsersOf(
  tenantId: string,
  connector: CrmConnector,
  employees: readonly EmployeeRecord[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const users = new Map<string, string>();
  const unknown: EmployeeRecord[] = [];
  for (const e of employees) {
    const ref = Object.hasOwn(e.externalRefs, connector.name) ? e.externalRefs[connector.name] : undefined;
    if (ref !== undefined) users.set(e.id, ref);
    else unknown.push(e);
  }
  if (unknown.length === 0 || !connector.mapUsers || !connector.capabilities.users) return users;
  signal?.throwIfAborted();
  const mapped = await connector.mapUsers(
    tenantId,
    unknown.map((e) => ({
      employeeId: e.id,
      name: e.name,
      ...(e.email === null ? {} : { email: e.email }),
      ...(e.mobile === null ? {} : { mobile: e.mobile }),
    })),
  );
  for (const e of unknown) {
    const user = mapped.get(e.id);
    if (typeof user === 'string') users.set(e.id, user);
  }
  return users;
}
