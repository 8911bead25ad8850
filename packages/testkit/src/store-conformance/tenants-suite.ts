import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import { employeeRecord, instant, inTx, OTHER_TENANT, sortBy, TENANT, tenantRecord, unitRecord } from './fixtures.js';

export const tenantsSuite = defineSuite('tenants & directory', {
  'getTenant is null for an unknown tenant; putTenant inserts, then replaces': async (h) => {
    expect(await inTx(h, (tx) => tx.getTenant(TENANT))).toBeNull();
    const first = tenantRecord(TENANT, { name: 'ACME 贸易', timeZone: 'Asia/Shanghai' });
    await inTx(h, (tx) => tx.putTenant(first));
    expect(await inTx(h, (tx) => tx.getTenant(TENANT))).toEqual(first);
    const second = tenantRecord(TENANT, { name: 'ACME Trading', timeZone: 'Europe/Berlin', updatedAt: instant(1000) });
    await inTx(h, (tx) => tx.putTenant(second));
    const [mine, other] = await inTx(h, async (tx) => [await tx.getTenant(TENANT), await tx.getTenant(OTHER_TENANT)]);
    expect(mine).toEqual(second);
    expect(other).toBeNull();
  },

  'putUnits inserts or replaces by tenant and id; getUnits returns the ones that exist': async (h) => {
    const hq = unitRecord(TENANT, ['hq'], { name: '总部' });
    const east = unitRecord(TENANT, ['hq', 'east']);
    const sh = unitRecord(TENANT, ['hq', 'east', 'sh']);
    await inTx(h, (tx) => tx.putUnits([hq, east, sh]));
    const found = await inTx(h, (tx) => tx.getUnits(TENANT, ['sh', 'nowhere', 'hq']));
    expect(sortBy(found, (u) => u.id)).toEqual([hq, sh]);

    // Move sh under a new region and rename hq; the same ids in another tenant are other units.
    const west = unitRecord(TENANT, ['hq', 'west']);
    const movedSh = unitRecord(TENANT, ['hq', 'west', 'sh'], { updatedAt: instant(1000) });
    const renamedHq = unitRecord(TENANT, ['hq'], { name: 'Head office', updatedAt: instant(1000) });
    await inTx(h, async (tx) => {
      await tx.putUnits([west, movedSh, renamedHq]);
      await tx.putUnits([unitRecord(OTHER_TENANT, ['hq'], { name: 'Other HQ' })]);
    });
    const after = await inTx(h, (tx) => tx.getUnits(TENANT, ['hq', 'east', 'west', 'sh']));
    expect(sortBy(after, (u) => u.id)).toEqual([east, renamedHq, movedSh, west]);
    expect(await inTx(h, (tx) => tx.getUnits(TENANT, []))).toEqual([]);
  },

  'putEmployees inserts or replaces by tenant and id; getEmployees returns the ones that exist': async (h) => {
    const lei = employeeRecord(TENANT, 'e-1', 'hq', {
      name: '李雷',
      managerId: 'e-2',
      roles: ['sales', 'manager'],
      rank: 3,
      performanceBand: 'B',
      status: 'resigning',
      email: 'li.lei@acme.cn',
      mobile: '+8613812345678',
      externalRefs: { wecom: 'LiLei', salesforce: '005xx0000012Q9f' },
    });
    const mei = employeeRecord(TENANT, 'e-2', 'hq', { name: '韩梅梅', roles: [] });
    await inTx(h, (tx) => tx.putEmployees([lei, mei]));
    const found = await inTx(h, (tx) => tx.getEmployees(TENANT, ['e-2', 'e-404', 'e-1']));
    expect(sortBy(found, (e) => e.id)).toEqual([lei, mei]);

    // Identities change and go away like any other field.
    const departed = {
      ...lei,
      status: 'departed' as const,
      roles: [],
      email: null,
      externalRefs: { wecom: 'LiLei-2' },
      updatedAt: instant(1000),
    };
    await inTx(h, async (tx) => {
      await tx.putEmployees([departed]);
      await tx.putEmployees([employeeRecord(OTHER_TENANT, 'e-1', 'hq', { name: 'Someone else' })]);
    });
    const after = await inTx(h, (tx) => tx.getEmployees(TENANT, ['e-1', 'e-2']));
    expect(sortBy(after, (e) => e.id)).toEqual([departed, mei]);
    expect(await inTx(h, (tx) => tx.getEmployees(TENANT, []))).toEqual([]);
  },
});
