import { describe, expect, it } from 'vitest';
import {
  type ConflictError,
  createGuard,
  defaultPolicy,
  type ForbiddenError,
  isGuardError,
  type PolicyInput,
  type ValidationError,
} from '../src/index.js';
import { customer, employees, rejection, seededGuard, testKeys, units } from './fixtures.js';

/** The default policy without any rule for sales reps. */
const noSalesAccess: PolicyInput = {
  ...defaultPolicy,
  rules: defaultPolicy.rules.filter((r) => !r.roles?.includes('sales')),
};

/** The default policy with a fourth field class, `contract`, shown to owners. */
const withContracts: PolicyInput = {
  ...defaultPolicy,
  fieldClasses: ['public', 'contact', 'commercial', 'contract'],
  rules: defaultPolicy.rules.map((r) =>
    r.id === 'sales-own-full' ? { ...r, fields: { ...r.fields, contract: 'show' as const } } : r,
  ),
};

/** `acme` (seeded) and `beta`, a second tenant of the same Guard with the same people and one customer. */
async function twoTenants() {
  const setup = await seededGuard();
  await setup.guard.tenants.upsert({ id: 'beta', name: 'Beta', timeZone: 'Asia/Shanghai' });
  const beta = setup.guard.tenant('beta');
  await beta.directory.sync({ units, employees });
  await beta.customers.upsert(customer('c-rep', 'rep', 'sh-1'));
  return { ...setup, beta };
}

/** @see issue #16, hole 11: policy, locale and anomaly settings were per Guard instance, not per tenant. */
describe('a tenant’s own access policy', () => {
  it('decides that tenant’s reads from the next transaction on; another tenant keeps the Guard’s', async () => {
    const { t, beta } = await twoTenants();
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-rep' })).id).toBe('c-rep');

    await t.settings.update({ policy: noSalesAccess });
    const refused = (await rejection(t.customers.read({ actor: 'rep', customerId: 'c-rep' }))) as ForbiddenError;
    expect(isGuardError(refused, 'FORBIDDEN')).toBe(true);
    expect(refused.decision.reason.code).toBe('no-matching-rule');
    expect((await t.customers.decide({ actor: 'rep', customerId: 'c-rep', action: 'read' })).allow).toBe(false);
    expect((await beta.customers.read({ actor: 'rep', customerId: 'c-rep' })).id).toBe('c-rep');

    await t.settings.update({ policy: null });
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-rep' })).id).toBe('c-rep');
  });

  it('brings its own field classes: a class it names is stored and shown there, refused elsewhere', async () => {
    const { t, beta } = await twoTenants();
    await t.settings.update({ policy: withContracts });
    const withContract = { ...customer('c-rep', 'rep', 'sh-1'), fields: { contract: { term: '2027-12-31' } } };
    await t.customers.upsert(withContract);
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-rep' })).fields.contract).toEqual({
      term: '2027-12-31',
    });
    const refused = (await rejection(beta.customers.upsert(withContract))) as ValidationError;
    expect(refused.issues.map((i) => i.path)).toEqual([['fields', 'contract']]);
    const exported = await t.customers.requestExport({
      actor: 'rep',
      customerIds: ['c-rep'],
      classes: ['contract'],
      reason: '续约',
    });
    expect(exported.classes).toEqual(['contract']);
  });

  it('is validated when saved: a bad policy names its path and nothing is saved', async () => {
    const { t } = await twoTenants();
    const bad = { ...defaultPolicy, rules: [{ ...defaultPolicy.rules[0], actions: ['steal'] }] };
    const error = (await rejection(t.settings.update({ policy: bad }))) as ValidationError;
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['policy.rules.0.actions.0']);
    expect((await t.settings.current()).version).toBe(0);
  });
});

describe('tenant settings are versioned and audited', () => {
  it('counts versions, refuses a stale expectedVersion and keeps every version in the audit trail', async () => {
    const { t } = await twoTenants();
    expect(await t.settings.current()).toMatchObject({ version: 0, updatedAt: null });

    await t.settings.update({ locale: 'zh-CN' }, { actor: { type: 'employee', id: 'hr' } });
    const first = await t.settings.current();
    expect(first).toMatchObject({ version: 1, settings: { locale: 'zh-CN' } });

    await t.settings.update({ ...first.settings, claims: { dailyQuota: 3 } }, { expectedVersion: 1 });
    const stale = (await rejection(t.settings.update({ locale: 'en' }, { expectedVersion: 1 }))) as ConflictError;
    expect(isGuardError(stale, 'CONFLICT')).toBe(true);
    expect(stale.params).toMatchObject({ entity: 'settings', expected: 1, actual: 2 });
    // The tenant speaks Chinese now, so its errors do too.
    expect(stale.message).toBe('租户设置「acme」已被他人修改（期望版本 1，实际版本 2）。');
    expect(await t.settings.get()).toMatchObject({ locale: 'zh-CN', claims: { dailyQuota: 3 } });

    const history = await t.audit.query({ action: 'settings.update', limit: 10 });
    expect(history.items.map((e) => [e.actor, (e.data as { version: number }).version])).toEqual([
      [{ type: 'employee', id: 'hr' }, 1],
      [{ type: 'host', id: 'host' }, 2],
    ]);
    expect(history.items[1]?.data).toMatchObject({ settings: { claims: { dailyQuota: 3, maxCustomersPerRep: 500 } } });
  });

  it('are parsed once per version, yet another Guard on the same store sees a new version at once', async () => {
    const { t, store, clock, guard } = await twoTenants();
    const other = createGuard({ store, keys: testKeys, clock }).tenant('acme');
    await t.settings.update({ anomaly: { view: { limit: 1, windowMinutes: 60 } } });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    // The second Guard saves a higher limit: the first one's next read must use it, not its parsed copy.
    await other.settings.update({ anomaly: { view: { limit: 50, windowMinutes: 60 } } });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    expect((await t.alerts.list({ employeeId: 'rep' })).items).toHaveLength(0);
    // Without it, the same second read breaches.
    await other.settings.update({ anomaly: { view: { limit: 1, windowMinutes: 60 } } });
    await rejection(guard.tenant('acme').customers.list({ actor: 'rep' }));
    expect((await t.alerts.list({ employeeId: 'rep' })).items.map((a) => a.kind)).toEqual(['bulk-view']);
  });

  it('are handed out as copies: changing one changes nothing until it is saved', async () => {
    const { t } = await twoTenants();
    await t.settings.update({ locale: 'zh-CN' });
    const copy = await t.settings.get();
    copy.locale = 'en';
    (copy.anomaly.view as { limit: number }).limit = 1;
    expect(await t.settings.get()).toMatchObject({ locale: 'zh-CN', anomaly: { view: { limit: 200 } } });
    const saved = await t.settings.current();
    (saved as { version: number }).version = 99;
    expect((await t.settings.current()).version).toBe(1);
  });

  it('are saved as JSON: an optional key given as undefined is left out, not refused by the audit trail', async () => {
    const { t } = await twoTenants();
    // A rule built in code with `fields: undefined` (a deny rule has no fields) once failed as an invalid audit entry.
    const rule = { id: 'no-export', effect: 'deny', actions: ['export'], scope: 'tenant', fields: undefined } as const;
    const saved = await t.settings.update({ policy: { ...defaultPolicy, rules: [...defaultPolicy.rules, rule] } });
    const stored = (await t.settings.get()).policy?.rules.at(-1);
    expect(stored).toEqual({ id: 'no-export', effect: 'deny', actions: ['export'], scope: 'tenant' });
    expect(stored !== undefined && 'fields' in stored).toBe(false);
    expect(saved.policy?.rules.at(-1)).toEqual(stored);
    const [entry] = (await t.audit.query({ action: 'settings.update', limit: 1 })).items;
    expect(entry?.data).toMatchObject({ version: 1 });
  });

  it('refuses a malformed expectedVersion', async () => {
    const { t } = await twoTenants();
    const error = await rejection(t.settings.update({}, { expectedVersion: '1' } as never));
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((await t.settings.current()).version).toBe(0);
  });
});
