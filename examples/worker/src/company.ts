// The company the worker looks after: two branches of a sales company from
// the testkit's simulator, with the last six months of its history. The
// host knows its own size (the simulation is the same every time), which
// the progress bars use as their totals.
import { type Guard, isGuardError } from '@guard/core';
import { simulateSalesOrg } from '@guard/testkit/simulation';

export const TENANT = { id: 'northwind', name: '北风贸易', timeZone: 'Asia/Shanghai' } as const;

/** The simulated company, ending today (UTC): six months back from today's date. */
export function company(today: Date) {
  const end = new Date(`${today.toISOString().slice(0, 10)}T00:00:00Z`);
  const start = new Date(end);
  start.setUTCMonth(start.getUTCMonth() - 6);
  return simulateSalesOrg({
    seed: 7,
    start: start.toISOString().slice(0, 10),
    months: 6,
    branches: 2,
    repsPerBranch: 10,
    customersPerRep: 30,
  });
}

/** Seeds the tenant through Guard's API when it is not there yet; returns whether it did. */
export async function seedOnce(guard: Guard, today: Date, log: (line: string) => void): Promise<boolean> {
  const exists = await guard.tenants.get(TENANT.id).then(
    () => true,
    (error: unknown) => {
      if (isGuardError(error, 'NOT_FOUND')) return false;
      throw error;
    },
  );
  if (exists) return false;
  const sim = company(today);
  await guard.tenants.upsert(TENANT);
  const acme = guard.tenant(TENANT.id);
  await acme.directory.sync({
    units: [
      { id: 'hq', name: '总部', kind: 'hq', parentId: null },
      ...sim.branches.map((b) => ({ id: b.id, name: b.name, kind: 'branch' as const, parentId: 'hq' })),
    ],
    employees: [
      { id: 'e-hr', name: 'HR', unitId: 'hq', roles: ['hr-admin'], hireDate: '2016-07-11' },
      ...sim.employees.map((e) => ({
        id: e.id,
        name: e.name,
        unitId: e.branchId,
        ...(e.managerId ? { managerId: e.managerId } : {}),
        roles: e.role === 'manager' ? ['manager', 'sales'] : ['sales'],
        hireDate: '2021-03-01',
      })),
    ],
  });
  await acme.customers.upsert(
    sim.customers.map((c) => ({ id: c.id, name: c.name, ownerId: c.ownerId, unitId: c.branchId })),
  );
  // What the HR product and the CRM reported over six months, in batches as a nightly import would send them.
  for (let i = 0; i < sim.signals.length; i += 10_000) {
    await acme.signals.record(sim.signals.slice(i, i + 10_000), { actor: { type: 'host', id: 'import' } });
  }
  // The nightly scan, from now on, every 24 hours: durable, so it survives restarts.
  await acme.risk.schedule({ everyHours: 24, startAt: today.toISOString() });
  log(
    `seeded ${TENANT.name}: ${sim.employees.length} staff, ${sim.customers.length} customers, ` +
      `${sim.signals.length.toLocaleString('en')} signals since ${sim.options.start}; the risk scan runs every 24 h from now`,
  );
  return true;
}
