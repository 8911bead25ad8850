import {
  createGuard,
  hmacKeys,
  isGuardError,
  manualClock,
  memoryNotifier,
  memoryStore,
  type Store,
  sequentialIds,
} from '@guard/core';
import { describe, expect, it } from 'vitest';
import { memoryCrm } from '../src/index.js';

const keys = hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } });

/** A tenant (HQ, a Shanghai team) with HR, rep (wang@, in the team) and mate; a CRM with users for rep and mate. */
async function setup(store: Store = memoryStore()) {
  const clock = manualClock('2026-11-02T02:00:00.000Z');
  const guard = createGuard({ store, keys, clock, ids: sequentialIds() });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const acme = guard.tenant('acme');
  await acme.directory.sync({
    units: [
      { id: 'hq', name: 'HQ', kind: 'hq', parentId: null },
      { id: 'sh-1', name: 'Shanghai 1', kind: 'team', parentId: 'hq' },
    ],
    employees: [
      { id: 'hr', name: 'HR', unitId: 'hq', roles: ['hr-admin'], hireDate: '2020-01-01' },
      { id: 'mgr', name: 'Manager', unitId: 'hq', roles: ['manager'], hireDate: '2020-01-01' },
      { id: 'rep', name: 'Rep', unitId: 'sh-1', managerId: 'mgr', hireDate: '2022-01-01', email: 'wang@acme.cn' },
      { id: 'mate', name: 'Mate', unitId: 'sh-1', managerId: 'mgr', hireDate: '2022-01-01', mobile: '13800000002' },
    ],
  });
  const crm = memoryCrm({ name: 'crm' });
  await crm.seed({
    users: [
      { userId: 'U-REP', email: 'Wang@acme.cn' },
      { userId: 'U-MATE', mobile: '13800000002' },
      { userId: 'U-STRANGER', email: 'someone@else.cn' },
    ],
  });
  /** A customer as stored: Guard has no unguarded read for hosts, and the test needs its links. */
  const stored = async (id: string) => {
    const customer = await store.transaction((tx) => tx.getCustomer('acme', id));
    if (!customer) throw new Error(`customer ${id} does not exist`);
    return customer;
  };
  return { guard, acme, crm, clock, store, stored };
}

/** A Guard customer `c-1` of rep's, linked to the CRM's `A-1` of the same name and owner. */
async function linkedCustomer(name: string) {
  const s = await setup();
  await s.acme.customers.upsert({ id: 'c-1', name, ownerId: 'rep', unitId: 'sh-1', externalRefs: { crm: 'A-1' } });
  await s.crm.seed({ customers: [{ externalId: 'A-1', name, ownerUserId: 'U-REP' }] });
  return s;
}

describe('acme.crm.sync pulls customers and owners from a CRM', () => {
  it('creates the customers the CRM has, in their owner’s unit, and resumes where it stopped', async () => {
    const s = await setup();
    await s.crm.seed({
      customers: [
        { externalId: 'A-1', name: '华东机电', ownerUserId: 'U-REP' },
        { externalId: 'A-2', name: '苏州精工', ownerUserId: null },
        { externalId: 'A-3', name: '宁波五金', ownerUserId: 'U-MATE' },
      ],
    });
    const first = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq', pageSize: 2 });
    expect(first).toEqual({
      connector: 'crm',
      customers: { created: 3, updated: 0, unchanged: 0, ownerConflicts: 0, ownersFollowed: 0, skipped: 0, erased: 0 },
      orders: { upserted: 0, skipped: 0 },
      activities: { recorded: 0, skipped: 0 },
      caughtUp: true,
    });
    expect(await s.stored('crm:A-1')).toMatchObject({
      name: '华东机电',
      ownerId: 'rep',
      unitId: 'sh-1',
      externalRefs: { crm: 'A-1' },
    });
    expect(await s.stored('crm:A-2')).toMatchObject({ ownerId: null, unitId: 'hq' });
    expect(await s.stored('crm:A-3')).toMatchObject({ ownerId: 'mate' });

    // Nothing changed: nothing read again. A rename and a new customer: only those, even from another process.
    expect((await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' })).customers).toMatchObject({
      created: 0,
      unchanged: 0,
    });
    await s.crm.change('A-1', { name: '华东机电集团' });
    await s.crm.seed({ customers: [{ externalId: 'A-4', name: '杭州电子', ownerUserId: 'U-REP' }] });
    const again = createGuard({ store: s.store, keys }).tenant('acme');
    expect((await again.crm.sync(s.crm.connector)).customers).toEqual({
      created: 1,
      updated: 1,
      unchanged: 0,
      ownerConflicts: 0,
      ownersFollowed: 0,
      skipped: 0,
      erased: 0,
    });
    expect((await s.stored('crm:A-1')).name).toBe('华东机电集团');
  });

  it('does not write back a customer erased in Guard, and counts it so that it is erased in the CRM too', async () => {
    const s = await linkedCustomer('赵丽工作室');
    await s.acme.privacy.erase({ customerId: 'c-1', reason: 'PIPL request' });

    const report = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' });
    expect(report.customers).toMatchObject({ created: 0, updated: 0, erased: 1 });
    expect((await s.stored('c-1')).name).toBe('c-1');
  });

  it('links to the customers Guard already has by externalRefs, never duplicating them', async () => {
    const s = await linkedCustomer('华东机电');
    const report = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' });
    expect(report.customers).toMatchObject({ created: 0, unchanged: 1, ownerConflicts: 0 });
    await expect(s.stored('crm:A-1')).rejects.toThrow(/does not exist/);
    // A customer whose CRM id changes in Guard is found under the new one only.
    await s.acme.customers.upsert({
      id: 'c-1',
      name: '华东机电',
      ownerId: 'rep',
      unitId: 'sh-1',
      externalRefs: { crm: 'A-9' },
    });
    await s.crm.seed({ customers: [{ externalId: 'A-9', name: '华东机电（新）', ownerUserId: 'U-REP' }] });
    await s.crm.change('A-1', { name: 'old record' });
    const next = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' });
    expect(next.customers).toMatchObject({ created: 1, updated: 1 });
    expect((await s.stored('c-1')).name).toBe('华东机电（新）');
  });

  it('alerts HR when the CRM has another owner, keeps Guard’s, and stays quiet while Guard’s own transfer is on its way', async () => {
    const s = await setup();
    await s.acme.settings.update({ locale: 'zh-CN' });
    await s.acme.customers.upsert([
      { id: 'c-1', name: '华东机电', ownerId: 'rep', unitId: 'sh-1', externalRefs: { crm: 'A-1' } },
      { id: 'c-2', name: '苏州精工', ownerId: 'rep', unitId: 'sh-1', externalRefs: { crm: 'A-2' } },
    ]);
    await s.crm.seed({
      customers: [
        { externalId: 'A-1', name: '华东机电', ownerUserId: 'U-STRANGER' },
        { externalId: 'A-2', name: '苏州精工', ownerUserId: 'U-REP' },
      ],
    });
    const report = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' });
    expect(report.customers.ownerConflicts).toBe(1);
    expect((await s.stored('c-1')).ownerId).toBe('rep');
    const [alert] = (await s.acme.alerts.list({ status: 'open' })).items;
    expect(alert).toMatchObject({
      kind: 'crm-owner-differs',
      evidence: expect.objectContaining({ crmOwnerUserId: 'U-STRANGER' }),
    });
    expect(alert?.summary).toContain('不是本系统员工');

    // Guard moves c-2 to mate; until the worker has told the CRM, the CRM's old owner is no conflict.
    const { approvalId } = await s.acme.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-2',
      to: 'mate',
      reason: 'rebalance',
    });
    await s.acme.approvals.approve({ actor: 'hr', approvalId });
    await s.crm.change('A-2', { name: '苏州精工有限公司' });
    expect((await s.acme.crm.sync(s.crm.connector)).customers.ownerConflicts).toBe(0);
    await s.guard.worker({ notifier: memoryNotifier(), crm: { connectors: [s.crm.connector] } }).runDue();
    expect(await s.crm.ownerOf('A-2')).toBe('U-MATE');
    await s.crm.change('A-2', { name: '苏州精工' });
    expect((await s.acme.crm.sync(s.crm.connector)).customers.ownerConflicts).toBe(0);
    // Once the CRM had Guard's owner, someone moving it there is a conflict.
    await s.crm.change('A-2', { ownerUserId: 'U-REP' });
    expect((await s.acme.crm.sync(s.crm.connector)).customers.ownerConflicts).toBe(1);
    expect((await s.stored('c-2')).ownerId).toBe('mate');
  });

  it('with the tenant setting follow-crm, takes the CRM owner where it is an active employee, and alerts where not', async () => {
    const s = await setup();
    await s.acme.settings.update({ crm: { ownerConflicts: 'follow-crm' } });
    await s.acme.customers.upsert([
      { id: 'c-1', name: '华东机电', ownerId: 'rep', unitId: 'sh-1', externalRefs: { crm: 'A-1' } },
      { id: 'c-2', name: '苏州精工', ownerId: 'rep', unitId: 'sh-1', externalRefs: { crm: 'A-2' } },
    ]);
    await s.crm.seed({
      customers: [
        { externalId: 'A-1', name: '华东机电', ownerUserId: 'U-MATE' },
        { externalId: 'A-2', name: '苏州精工', ownerUserId: 'U-STRANGER' },
      ],
    });
    const report = await s.acme.crm.sync(s.crm.connector, { unitId: 'hq' });
    expect(report.customers).toMatchObject({ ownerConflicts: 2, ownersFollowed: 1 });
    expect((await s.stored('c-1')).ownerId).toBe('mate');
    expect((await s.stored('c-2')).ownerId).toBe('rep');
    expect((await s.acme.alerts.list({ status: 'open' })).items.map((a) => a.evidence.customerId)).toEqual(['c-2']);
    // Followed, not sent back: nothing for the CRM to do; then a Guard transfer starts from the CRM's owner.
    const worker = s.guard.worker({ notifier: memoryNotifier(), crm: { connectors: [s.crm.connector] } });
    await worker.runDue();
    expect((await s.acme.crm.transfers({ customerId: 'c-1' })).items).toEqual([]);
    const { approvalId } = await s.acme.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-1',
      to: 'rep',
      reason: 'back',
    });
    await s.acme.approvals.approve({ actor: 'hr', approvalId });
    await worker.runDue();
    expect(await s.crm.ownerOf('A-1')).toBe('U-REP');
    expect((await s.acme.crm.transfers({ customerId: 'c-1' })).items).toEqual([
      expect.objectContaining({ status: 'done', move: expect.objectContaining({ fromUserId: 'U-MATE' }) }),
    ]);
  });

  it('brings in orders as orders and activities as follow-up signals, once each, leaving out what Guard cannot place', async () => {
    const s = await setup();
    await s.crm.seed({
      customers: [{ externalId: 'A-1', name: '华东机电', ownerUserId: 'U-REP' }],
      orders: [
        {
          externalId: 'O-1',
          customerExternalId: 'A-1',
          ownerUserId: 'U-REP',
          amount: 1200.5,
          currency: 'CNY',
          status: 'won',
          at: '2026-10-30T02:00:00.000Z',
        },
        {
          externalId: 'O-2',
          customerExternalId: 'A-1',
          ownerUserId: 'U-MATE',
          amount: 300000,
          currency: 'JPY',
          status: 'open',
          at: '2026-10-31T02:00:00.000Z',
        },
        {
          externalId: 'O-3',
          customerExternalId: 'NOT-IN-GUARD',
          ownerUserId: 'U-REP',
          amount: 1,
          currency: 'CNY',
          status: 'won',
          at: '2026-10-30T02:00:00.000Z',
        },
        {
          externalId: 'O-4',
          customerExternalId: 'A-1',
          ownerUserId: 'U-REP',
          amount: 1,
          currency: 'CNY',
          status: 'won',
          at: '2027-01-01T00:00:00.000Z',
        },
      ],
      activities: [
        {
          externalId: 'T-1',
          customerExternalId: 'A-1',
          ownerUserId: 'U-REP',
          kind: 'call',
          at: '2026-11-01T02:00:00.000Z',
        },
        {
          externalId: 'T-2',
          customerExternalId: 'A-1',
          ownerUserId: 'U-REP',
          kind: 'task',
          at: '2026-12-24T02:00:00.000Z',
        },
        {
          externalId: 'T-3',
          customerExternalId: 'A-1',
          ownerUserId: 'U-STRANGER',
          kind: 'email',
          at: '2026-11-01T03:00:00.000Z',
        },
        {
          externalId: 'T-4',
          customerExternalId: null,
          ownerUserId: 'U-REP',
          kind: 'note',
          at: '2026-11-01T04:00:00.000Z',
        },
      ],
    });
    const report = await s.acme.crm.sync(s.crm.connector, { pageSize: 3 });
    expect(report).toMatchObject({
      customers: { created: 1 },
      orders: { upserted: 2, skipped: 2 },
      activities: { recorded: 1, skipped: 3 },
      caughtUp: true,
    });
    const audit = async (action: string) => (await s.acme.audit.query({ action, limit: 10 })).items.map((e) => e.data);
    expect(await audit('orders.upsert')).toEqual([expect.objectContaining({ created: 2 })]);
    expect(await audit('signals.record')).toEqual([
      expect.objectContaining({ recorded: 1, kinds: { 'follow-up': 1 } }),
    ]);
    // Amounts in each currency's minor units: 1200.50 CNY is 120050 fen, 300000 JPY is 300000 yen.
    const orders = await s.store.transaction((tx) => tx.listRecords('acme', { kind: 'order' }, { limit: 10 }));
    const amounts = Object.fromEntries(
      orders.items.map((r) => [r.id, (r.data as { amountMinor: number }).amountMinor]),
    );
    expect(amounts).toEqual({ 'crm:O-1': 120050, 'crm:O-2': 300000 });
    // Resumed: nothing again.
    expect(await s.acme.crm.sync(s.crm.connector)).toMatchObject({
      orders: { upserted: 0, skipped: 0 },
      activities: { recorded: 0, skipped: 0 },
    });
  });

  it('skips new unowned customers without a unit for them, and checks the connector and options', async () => {
    const s = await setup();
    await s.crm.seed({ customers: [{ externalId: 'A-1', name: '华东机电', ownerUserId: 'U-STRANGER' }] });
    expect((await s.acme.crm.sync(s.crm.connector)).customers).toMatchObject({ created: 0, skipped: 1 });
    const readOnly = memoryCrm({ name: 'erp' }).connector;
    const { listCustomers: _l, ...noListing } = readOnly;
    const incomplete = await s.acme.crm.sync(noListing as typeof readOnly).catch((e: unknown) => e);
    expect(isGuardError(incomplete, 'CONNECTOR_INCOMPLETE')).toBe(true);
    const bad = await s.acme.crm.sync(s.crm.connector, { maxPages: 0 }).catch((e: unknown) => e);
    expect(isGuardError(bad, 'VALIDATION_FAILED')).toBe(true);
  });
});
