import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGuard, isGuardError, memoryStore } from '../src/index.js';
import { testKeys } from './fixtures.js';

const ids = ['a', 'b', 'c', 'd'];
const roles = fc.subarray(['sales', 'manager', 'hr-admin']);

/** Two tenants that share every id; each tenant's data carries its own marker. */
const world = fc.record({
  employees: fc.uniqueArray(fc.record({ id: fc.constantFrom(...ids), roles, team: fc.constantFrom('t1', 't2') }), {
    selector: (e) => e.id,
    minLength: 1,
  }),
  customers: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom(...ids),
      owner: fc.option(fc.constantFrom(...ids)),
      team: fc.constantFrom('t1', 't2'),
    }),
    { selector: (c) => c.id },
  ),
});

const request = fc.record({
  tenant: fc.constantFrom('one', 'two'),
  actor: fc.constantFrom(...ids),
  customer: fc.constantFrom(...ids),
  scope: fc.constantFrom('own', 'team', 'pool', 'tenant') as fc.Arbitrary<'own' | 'team' | 'pool' | 'tenant'>,
});

describe('tenant isolation', () => {
  it('no read or list through one tenant ever returns another tenant’s rows', async () => {
    await fc.assert(
      fc.asyncProperty(world, world, fc.array(request, { minLength: 1, maxLength: 6 }), async (w1, w2, requests) => {
        const guard = createGuard({ store: memoryStore(), keys: testKeys, audit: { checkpointEvery: 0 } });
        for (const [tenant, w] of [
          ['one', w1],
          ['two', w2],
        ] as const) {
          await guard.tenants.upsert({ id: tenant, name: tenant });
          const t = guard.tenant(tenant);
          await t.directory.sync({
            units: [
              { id: 'hq', name: `${tenant} HQ`, kind: 'hq', parentId: null },
              { id: 't1', name: `${tenant} T1`, kind: 'team', parentId: 'hq' },
              { id: 't2', name: `${tenant} T2`, kind: 'team', parentId: 'hq' },
            ],
            employees: w.employees.map((e) => ({
              id: e.id,
              name: `${tenant}:${e.id}`,
              unitId: e.team,
              roles: e.roles,
              hireDate: '2020-01-01',
            })),
          });
          const known = new Set(w.employees.map((e) => e.id));
          for (const c of w.customers) {
            await t.customers.upsert({
              id: c.id,
              name: `${tenant}:${c.id}`,
              ownerId: c.owner !== null && known.has(c.owner) ? c.owner : null,
              unitId: c.team,
              fields: { public: { tenant }, contact: { phone: tenant === 'one' ? '13800000001' : '13900000002' } },
            });
          }
        }
        for (const r of requests) {
          const t = guard.tenant(r.tenant);
          const mine = (name: string) => name.startsWith(`${r.tenant}:`);
          try {
            const view = await t.customers.read({ actor: r.actor, customerId: r.customer });
            expect(mine(view.name)).toBe(true);
            expect(view.fields.public?.tenant ?? r.tenant).toBe(r.tenant);
          } catch (error) {
            expect(isGuardError(error)).toBe(true);
          }
          try {
            const page = await t.customers.list({ actor: r.actor, scope: r.scope });
            for (const view of page.items) expect(mine(view.name)).toBe(true);
          } catch (error) {
            expect(isGuardError(error, 'NOT_FOUND')).toBe(true);
          }
          const audit = await t.audit.query({ limit: 1000 });
          expect(audit.items.every((e) => e.tenantId === r.tenant)).toBe(true);
        }
        expect((await guard.tenant('one').audit.verify()).ok).toBe(true);
        expect((await guard.tenant('two').audit.verify()).ok).toBe(true);
      }),
    );
  }, 120_000);
});
