import {
  type CustomerInput,
  createGuard,
  type EmployeeInput,
  type GuardOptions,
  hmacKeys,
  type MemoryStore,
  manualClock,
  memoryStore,
  type OrgUnitInput,
  sequentialIds,
} from '../src/index.js';

/** A test key provider; never use a literal secret outside tests. */
export const testKeys = hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } });

/** 10:00 on a Monday in Shanghai. */
export const workingHours = '2026-11-02T10:00:00+08:00';

export const units: OrgUnitInput[] = [
  { id: 'hq', name: 'HQ', kind: 'hq', parentId: null },
  { id: 'east', name: 'East', kind: 'region', parentId: 'hq' },
  { id: 'sh', name: 'Shanghai', kind: 'branch', parentId: 'east' },
  { id: 'sh-1', name: 'Shanghai 1', kind: 'team', parentId: 'sh' },
  { id: 'sh-2', name: 'Shanghai 2', kind: 'team', parentId: 'sh' },
];

export const employees: EmployeeInput[] = [
  { id: 'hr', name: 'HR', unitId: 'hq', roles: ['hr-admin'], hireDate: '2015-01-01' },
  { id: 'mgr', name: 'Manager', unitId: 'sh', managerId: null, roles: ['manager'], hireDate: '2016-01-01' },
  { id: 'rep', name: 'Rep', unitId: 'sh-1', managerId: 'mgr', roles: ['sales'], hireDate: '2022-01-01' },
  { id: 'mate', name: 'Mate', unitId: 'sh-1', managerId: 'mgr', roles: ['sales'], hireDate: '2022-01-01' },
  { id: 'other', name: 'Other', unitId: 'sh-2', managerId: 'mgr', roles: ['sales'], hireDate: '2022-01-01' },
  {
    id: 'ice',
    name: 'Frozen',
    unitId: 'sh-1',
    managerId: 'mgr',
    roles: ['sales'],
    hireDate: '2020-01-01',
    status: 'frozen',
  },
  {
    id: 'leaver',
    name: 'Leaver',
    unitId: 'sh-1',
    managerId: 'mgr',
    roles: ['sales'],
    hireDate: '2020-01-01',
    status: 'resigning',
  },
];

export const customer = (id: string, ownerId: string | null, unitId: string): CustomerInput => ({
  id,
  name: `Customer ${id}`,
  ownerId,
  unitId,
  fields: {
    public: { industry: 'retail' },
    contact: { phone: '13812345678', email: 'buyer@example.com' },
    commercial: { creditLimit: 100000 },
  },
});

/** A customer of `rep` whose contact and commercial values appear nowhere else: for scans of what is stored. */
export const secretCustomer: CustomerInput = {
  id: 'c-secret',
  name: '赵丽个人工作室',
  ownerId: 'rep',
  unitId: 'sh-1',
  fields: {
    public: { industry: '零售' },
    contact: { phone: '13988887777', email: 'zhao.li@secret-buyer.cn', contactPerson: '赵丽丽' },
    commercial: { creditLimit: 7_654_321, terms: '月结九十天' },
  },
};

/** The contact and commercial values of {@link secretCustomer}, as a scan finds them in text. */
export const secretValues: readonly string[] = [
  '13988887777',
  'zhao.li@secret-buyer.cn',
  '赵丽丽',
  '7654321',
  '月结九十天',
];

/** A guard over a fresh memory store with one seeded tenant. */
export async function seededGuard(options: Partial<GuardOptions> = {}) {
  const store = (options.store as MemoryStore | undefined) ?? memoryStore();
  const clock = manualClock(workingHours);
  const guard = createGuard({ store, keys: testKeys, clock, ids: sequentialIds(), ...options });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({ units, employees });
  await t.customers.upsert(customer('c-rep', 'rep', 'sh-1'));
  await t.customers.upsert(customer('c-mate', 'mate', 'sh-1'));
  await t.customers.upsert(customer('c-other', 'other', 'sh-2'));
  await t.customers.upsert(customer('c-pool', null, 'sh'));
  await t.customers.upsert(customer('c-ice', 'ice', 'sh-1'));
  await t.customers.upsert(customer('c-leaver', 'leaver', 'sh-1'));
  return { guard, t, store, clock };
}

/** Everything the store holds for a tenant, as JSON, to prove "nothing was written". */
export function snapshot(store: MemoryStore, tenantId = 'acme'): string {
  const data = store.raw.get(tenantId);
  if (!data) return 'null';
  return JSON.stringify({
    tenant: data.tenant,
    units: [...data.units.entries()],
    employees: [...data.employees.entries()],
    customers: [...data.customers.entries()],
    audit: data.audit,
    checkpoints: [...data.checkpoints.entries()],
  });
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The methods that take no argument (an extra one is ignored, as in any JavaScript function). */
export const NO_ARGUMENT = new Set([
  'settings.get',
  'settings.current',
  'agreements.templates',
  'risk.packs',
  'risk.installedPacks',
  'audit.checkpoint',
  'outbox.backlog',
]);

/** Every method of an API object (the tenant API, the guard), by dotted name. */
export function methodsOf(api: object, prefix = ''): [string, (...args: unknown[]) => unknown][] {
  return Object.entries(api).flatMap(([key, value]): [string, (...args: unknown[]) => unknown][] => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'function') return [[name, value as (...args: unknown[]) => unknown]];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return methodsOf(value, name);
    return [];
  });
}
