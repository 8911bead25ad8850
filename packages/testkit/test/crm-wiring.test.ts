import {
  CRM_TRANSFER_EFFECT,
  type CrmConnector,
  createGuard,
  hmacKeys,
  isGuardError,
  manualClock,
  memoryNotifier,
  memoryStore,
  sequentialIds,
  type WorkerOptions,
} from '@guard/core';
import { describe, expect, it } from 'vitest';
import { type MemoryCrmOptions, memoryCrm } from '../src/index.js';

const keys = hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } });

/**
 * A tenant with HR, a manager and three reps; the CRM has users for hr, rep
 * and mate (by e-mail) but none for `other`. Customers c-1…c-n belong to rep
 * in both, linked by `externalRefs`, except `c-local`, which the CRM does
 * not have.
 */
async function setup(options: { crm?: MemoryCrmOptions; customers?: number; locale?: 'en' | 'zh-CN' } = {}) {
  const clock = manualClock('2026-11-02T02:00:00.000Z');
  const store = memoryStore();
  const guard = createGuard({ store, keys, clock, ids: sequentialIds() });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const acme = guard.tenant('acme');
  if (options.locale) await acme.settings.update({ locale: options.locale });
  const person = (id: string, roles: string[], extra: object = {}) => ({
    id,
    name: id,
    unitId: 'hq',
    roles,
    hireDate: '2022-01-01',
    email: `${id}@acme.cn`,
    ...extra,
  });
  await acme.directory.sync({
    units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
    employees: [
      person('hr', ['hr-admin']),
      person('mgr', ['manager']),
      person('rep', ['sales'], { managerId: 'mgr' }),
      person('mate', ['sales'], { managerId: 'mgr' }),
      person('other', ['sales'], { managerId: 'mgr' }),
    ],
  });
  const harness = memoryCrm({ name: 'crm', ...options.crm });
  const n = options.customers ?? 3;
  const ids = Array.from({ length: n }, (_, i) => `c-${i + 1}`);
  await harness.seed({
    users: [
      { userId: 'U-REP', email: 'REP@acme.cn' },
      { userId: 'U-MATE', email: 'mate@acme.cn' },
      { userId: 'U-HR', email: 'hr@acme.cn' },
    ],
    customers: ids.map((id) => ({ externalId: `X-${id}`, name: id, ownerUserId: 'U-REP' })),
  });
  await acme.customers.upsert([
    ...ids.map((id) => ({
      id,
      name: `Customer ${id}`,
      ownerId: 'rep',
      unitId: 'hq',
      externalRefs: { crm: `X-${id}` },
    })),
    { id: 'c-local', name: 'Local only', ownerId: 'rep', unitId: 'hq' },
  ]);
  const calls: { moves: number }[] = [];
  const spied: CrmConnector = {
    ...harness.connector,
    transferOwnership: async (request) => {
      calls.push({ moves: request.moves.length });
      return (harness.connector.transferOwnership as NonNullable<CrmConnector['transferOwnership']>)(request);
    },
  };
  const worker = (more: Partial<WorkerOptions> = {}) =>
    guard.worker({ crm: { connectors: [spied] }, notifier: memoryNotifier(), batchSize: 500, ...more });
  /** Moves a customer through an approved transfer. */
  const transfer = async (customerId: string, to: string) => {
    const { approvalId } = await acme.ownership.requestTransfer({ actor: 'mgr', customerId, to, reason: 'rebalance' });
    await acme.approvals.approve({ actor: 'hr', approvalId });
  };
  return { guard, acme, clock, harness, calls, worker, transfer, connector: spied };
}

const transfersOf = async (acme: ReturnType<ReturnType<typeof createGuard>['tenant']>, customerId: string) =>
  (await acme.crm.transfers({ customerId })).items;

describe('a worker with crm options keeps the CRM in step with Guard', () => {
  it('moves the customer in the CRM, records the outcome and audits it', async () => {
    const s = await setup();
    await s.transfer('c-1', 'mate');
    const run = await s.worker().runDue();
    expect(run).toMatchObject({ effectsFailed: 0, effectsDead: 0 });
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-MATE');
    expect(await transfersOf(s.acme, 'c-1')).toEqual([
      expect.objectContaining({
        connector: 'crm',
        customerId: 'c-1',
        from: 'rep',
        to: 'mate',
        status: 'done',
        move: { customerExternalId: 'X-c-1', fromUserId: 'U-REP', toUserId: 'U-MATE' },
        code: null,
      }),
    ]);
    const audit = await s.acme.audit.query({ action: 'crm.transfer', limit: 100 });
    expect(audit.items.map((e) => e.data)).toEqual([
      expect.objectContaining({ connector: 'crm', status: 'done', from: 'rep', to: 'mate', toUserId: 'U-MATE' }),
    ]);
    expect((await s.acme.audit.verify()).ok).toBe(true);
    // Delivered once: a second run has nothing to do.
    expect(await s.worker().runDue()).toMatchObject({ effectsDelivered: 0 });
    expect(s.calls).toEqual([{ moves: 1 }]);
  });

  it('sends a batch of owner changes in calls of at most the connector size', async () => {
    const s = await setup({ crm: { transfer: { maxBatch: 7, completesLater: false } }, customers: 30 });
    for (let i = 1; i <= 30; i++)
      await s.acme.ownership.release({ actor: 'rep', customerId: `c-${i}`, reason: 'tidy' });
    await s.worker().runDue();
    expect(s.calls.map((c) => c.moves)).toEqual([7, 7, 7, 7, 2]);
    for (let i = 1; i <= 30; i++) expect(await s.harness.ownerOf(`X-c-${i}`)).toBeNull();
  });

  it('skips a customer the CRM does not have, and says so', async () => {
    const s = await setup();
    await s.transfer('c-local', 'mate');
    expect(await s.worker().runDue()).toMatchObject({ effectsFailed: 0, effectsDead: 0 });
    expect(s.calls).toEqual([]);
    expect(await transfersOf(s.acme, 'c-local')).toEqual([
      expect.objectContaining({ status: 'skipped', code: 'NOT_LINKED', move: null }),
    ]);
  });

  it("uses an employee's externalRefs over the CRM's user lookup", async () => {
    const s = await setup();
    const mate = await s.acme.directory.employee('mate');
    const { tenantId: _t, updatedAt: _u, ...input } = mate;
    await s.harness.seed({ users: [{ userId: 'U-MATE-2' }] });
    await s.acme.directory.sync({ employees: [{ ...input, externalRefs: { crm: 'U-MATE-2' } }] });
    await s.transfer('c-1', 'mate');
    await s.worker().runDue();
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-MATE-2');
  });

  it('alerts HR, in the tenant language, when the successor has no user in the CRM', async () => {
    const s = await setup({ locale: 'zh-CN' });
    await s.transfer('c-1', 'other');
    expect(await s.worker().runDue()).toMatchObject({ effectsFailed: 0, effectsDead: 0 });
    expect(s.calls).toEqual([]);
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-REP');
    expect(await transfersOf(s.acme, 'c-1')).toEqual([
      expect.objectContaining({ status: 'failed', code: 'NO_CRM_USER' }),
    ]);
    const [alert] = (await s.acme.alerts.list({ status: 'open' })).items;
    expect(alert).toMatchObject({ kind: 'crm-transfer-failed', severity: 'high' });
    expect(alert?.summary).toContain('在客户管理系统中没有账号');
    expect(alert?.summary).not.toMatch(/did not move|has no user/);
  });

  it('a change that overtook an earlier one moves the CRM from where the earlier one left it', async () => {
    const s = await setup();
    await s.transfer('c-1', 'mate');
    await s.transfer('c-1', 'hr');
    await s.worker().runDue();
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-HR');
    expect(s.calls).toEqual([{ moves: 1 }]);
    const states = await transfersOf(s.acme, 'c-1');
    expect(states).toEqual([
      expect.objectContaining({ to: 'hr', status: 'done', move: expect.objectContaining({ fromUserId: 'U-REP' }) }),
    ]);
    const audit = await s.acme.audit.query({ action: 'crm.transfer', limit: 100 });
    expect(audit.items.map((e) => [e.data.to, e.data.status])).toEqual([
      ['mate', 'superseded'],
      ['hr', 'done'],
    ]);
  });

  it('refuses to overwrite an owner someone set in the CRM, and alerts', async () => {
    const s = await setup();
    await s.harness.change('X-c-1', { ownerUserId: 'U-HR' });
    await s.transfer('c-1', 'mate');
    await s.worker().runDue();
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-HR');
    expect(await transfersOf(s.acme, 'c-1')).toEqual([
      expect.objectContaining({ status: 'failed', code: 'OWNER_CHANGED' }),
    ]);
    const [alert] = (await s.acme.alerts.list({ status: 'open' })).items;
    expect(alert?.summary).toMatch(/someone else owns the customer in the CRM/);
    expect(alert?.evidence).toMatchObject({ connector: 'crm', customerId: 'c-1', code: 'OWNER_CHANGED' });
  });

  it('follows a move that completes later until the CRM completes it', async () => {
    const s = await setup({ crm: { transfer: { maxBatch: 100, completesLater: true } } });
    await s.transfer('c-1', 'mate');
    await s.worker().runDue();
    expect(await transfersOf(s.acme, 'c-1')).toEqual([expect.objectContaining({ status: 'pending' })]);
    // Not asked again before the check is due; asked, still pending, after an hour.
    expect(await s.worker().runDue()).toMatchObject({ effectsDelivered: 0 });
    s.clock.advance({ hours: 1 });
    expect(await s.worker().runDue()).toMatchObject({ effectsDelivered: 1 });
    expect(await transfersOf(s.acme, 'c-1')).toEqual([expect.objectContaining({ status: 'pending' })]);
    await s.harness.settlePending();
    s.clock.advance({ hours: 1 });
    await s.worker().runDue();
    expect(await transfersOf(s.acme, 'c-1')).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-MATE');
    expect(s.calls).toEqual([{ moves: 1 }]);
    const audit = await s.acme.audit.query({ action: 'crm.transfer', limit: 100 });
    expect(audit.items.map((e) => e.data.status)).toEqual(['pending', 'done']);
  });

  it('gives up on a move still pending after the timeout, with an alert', async () => {
    const s = await setup({ crm: { transfer: { maxBatch: 100, completesLater: true } } });
    await s.transfer('c-1', 'mate');
    const worker = () => s.worker({ crm: { connectors: [s.connector], pendingTimeoutMs: 3 * 3_600_000 } });
    await worker().runDue();
    for (let hour = 1; hour <= 4; hour++) {
      s.clock.advance({ hours: 1 });
      await worker().runDue();
    }
    expect(await transfersOf(s.acme, 'c-1')).toEqual([
      expect.objectContaining({ status: 'failed', code: 'TIMED_OUT' }),
    ]);
    expect((await s.acme.alerts.list({ status: 'open' })).items).toEqual([
      expect.objectContaining({ kind: 'crm-transfer-failed' }),
    ]);
  });

  it('retries a failed call with backoff, then completes it', async () => {
    const s = await setup();
    let down = true;
    const flaky: CrmConnector = {
      ...s.connector,
      transferOwnership: async (request) => {
        if (down) throw new Error('connection reset');
        return (s.connector.transferOwnership as NonNullable<CrmConnector['transferOwnership']>)(request);
      },
    };
    await s.transfer('c-1', 'mate');
    const worker = () => s.worker({ crm: { connectors: [flaky] } });
    expect(await worker().runDue()).toMatchObject({ effectsFailed: 1 });
    expect(await transfersOf(s.acme, 'c-1')).toEqual([
      expect.objectContaining({ status: 'retrying', message: 'connection reset' }),
    ]);
    down = false;
    s.clock.advance({ minutes: 1 });
    expect(await worker().runDue()).toMatchObject({ effectsDelivered: 1 });
    expect(await s.harness.ownerOf('X-c-1')).toBe('U-MATE');
  });

  it('checks its options: one handler per kind, and connectors that can transfer', async () => {
    const s = await setup();
    const both = (() => {
      try {
        s.worker({ effects: { [CRM_TRANSFER_EFFECT]: async () => {} } });
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(isGuardError(both, 'VALIDATION_FAILED')).toBe(true);
    expect((both as Error).message).toContain('effects["crm.transfer"]');
    const readOnly = memoryCrm({ name: 'erp', transfer: null }).connector;
    expect(() => s.guard.worker({ crm: { connectors: [readOnly] } })).toThrow(/erp/);
    const twice = () => s.guard.worker({ crm: { connectors: [s.connector, s.connector] } });
    expect(twice).toThrow(/crm\.connectors\[1\]\.name|crm\.connectors\.1\.name/);
  });
});
