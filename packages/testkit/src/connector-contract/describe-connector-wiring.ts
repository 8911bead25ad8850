import {
  type CrmConnector,
  type CrmTransferRequest,
  createGuard,
  hmacKeys,
  manualClock,
  memoryNotifier,
  memoryStore,
  sequentialIds,
  type TenantGuard,
  type Worker,
} from '@guard/core';
import { describe, expect, it } from 'vitest';
import { harnessPerTest } from '../harness-per-test.js';
import type { ConnectorHarness } from './harness.js';

/**
 * Options of {@link describeConnectorWiring}.
 *
 * @example
 * ```ts
 * import { memoryCrm, type ConnectorWiringOptions } from '@guard/testkit';
 * const options: ConnectorWiringOptions = { harness: async () => memoryCrm(), customers: 250 };
 * ```
 */
export interface ConnectorWiringOptions<H extends ConnectorHarness = ConnectorHarness> {
  /** Makes a fresh connector and an empty CRM behind it, before every test; every harness is cleaned up. */
  harness: () => Promise<H>;
  /** How many customers the leaver has (default 1,000). */
  customers?: number;
  /**
   * Checks the CRM's side once the offboarding is through — e.g. the batch
   * sizes in a fake server's call log. `customers` is how many moved.
   */
  afterOffboarding?: (harness: H, customers: number) => void | Promise<void>;
}

const keys = hmacKeys({ current: 'k1', keys: { k1: 'connector-wiring-suite-not-a-secret!' } });

/** What a test sees of a Guard wired to one connector through a spy. */
interface Wired {
  readonly acme: TenantGuard;
  readonly advance: (hours: number) => void;
  /** The moves of each `transferOwnership` call, by customer id in the CRM. */
  readonly calls: string[][];
  readonly worker: Worker;
  readonly connector: CrmConnector;
}

/**
 * A Guard with HR, finance, a manager, a leaver (`rep`, CRM user `u-1`) and
 * a successor (`mate`, `u-2`), found by e-mail; `n` customers of the
 * leaver, in the CRM as `acct-0`… owned by `u-1`.
 */
async function wire(h: ConnectorHarness, n: number): Promise<Wired> {
  const clock = manualClock('2026-11-02T02:00:00.000Z');
  const guard = createGuard({ store: memoryStore(), keys, clock, ids: sequentialIds() });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const acme = guard.tenant('acme');
  const person = (id: string, roles: string[], email: string, extra: object = {}) => ({
    id,
    name: id,
    unitId: 'hq',
    roles,
    hireDate: '2022-01-01',
    email,
    ...extra,
  });
  await acme.directory.sync({
    units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
    employees: [
      person('hr', ['hr-admin'], 'hr@acme.cn'),
      person('fin', ['finance'], 'fin@acme.cn'),
      person('mgr', ['manager'], 'mgr@acme.cn'),
      person('rep', ['sales'], 'wang@acme.cn', { managerId: 'mgr' }),
      person('mate', ['sales'], 'li@acme.cn', { managerId: 'mgr' }),
    ],
  });
  await h.seed({
    users: [
      { userId: 'u-1', email: 'wang@acme.cn', name: '王伟' },
      { userId: 'u-2', email: 'li@acme.cn', name: '李娜' },
    ],
    customers: Array.from({ length: n }, (_, i) => ({
      externalId: `acct-${i}`,
      name: `客户 ${i}`,
      ownerUserId: 'u-1',
    })),
  });
  const name = h.connector.name;
  for (let i = 0; i < n; i += 1000) {
    await acme.customers.upsert(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
        id: `c-${i + k}`,
        name: `客户 ${i + k}`,
        ownerId: 'rep',
        unitId: 'hq',
        externalRefs: { [name]: `acct-${i + k}` },
      })),
    );
  }
  const calls: string[][] = [];
  const transferOwnership = h.connector.transferOwnership as NonNullable<CrmConnector['transferOwnership']>;
  const connector: CrmConnector = Object.assign(Object.create(h.connector) as CrmConnector, {
    name,
    capabilities: h.connector.capabilities,
    transferOwnership: async (request: CrmTransferRequest) => {
      calls.push(request.moves.map((m) => m.customerExternalId));
      return transferOwnership.call(h.connector, request);
    },
  });
  const worker = guard.worker({ notifier: memoryNotifier(), batchSize: 1000, crm: { connectors: [connector] } });
  return { acme, advance: (hours) => clock.advance({ hours }), calls, worker, connector };
}

/** Runs the worker until a run delivers nothing more. */
async function drain(worker: Worker): Promise<void> {
  for (let run = 0; run < 20; run++) {
    const r = await worker.runDue();
    expect(r.effectsDead, 'no effect is given up on').toBe(0);
    if (r.effectsDelivered + r.effectsFailed === 0) return;
  }
  throw new Error('the worker kept finding work after 20 runs');
}

/** Every transfer state of the tenant, by status. */
async function statuses(acme: TenantGuard): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await acme.crm.transfers({ limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    for (const t of page.items) counts[t.status] = (counts[t.status] ?? 0) + 1;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return counts;
}

/**
 * Checks a connector end to end inside Guard: a leaver's offboarding moves
 * every customer to the successor in the CRM, through
 * `guard.worker({ crm })`, in calls of the connector's `maxBatch`, each
 * customer sent once; moves that complete later are followed until done;
 * a move the CRM refuses raises an alert and changes nothing there. Run it
 * with the same harness as {@link describeConnectorContract}.
 *
 * @example
 * ```ts
 * import { describeConnectorWiring, memoryCrm } from '@guard/testkit';
 * describeConnectorWiring('memory CRM in Guard', { harness: async () => memoryCrm(), customers: 250 });
 * ```
 */
export function describeConnectorWiring<H extends ConnectorHarness>(
  name: string,
  options: ConnectorWiringOptions<H>,
): void {
  const n = options.customers ?? 1000;
  describe(name, () => {
    const current = harnessPerTest(options.harness, 'describeConnectorWiring');

    it(`an offboarding of ${n} customers moves each one to the successor in the CRM, once, in full batches`, {
      timeout: 300_000,
    }, async () => {
      const h = current();
      const w = await wire(h, n);
      const view = await w.acme.offboarding.start({
        employeeId: 'rep',
        resignationDate: '2026-11-02',
        lastWorkingDay: '2026-11-30',
        reason: 'relocation',
      });
      const caseId = view.id;
      await w.acme.offboarding.submitItems({
        actor: 'rep',
        caseId,
        items: view.items.map((item) => ({
          itemId: item.id,
          ...(item.kind === 'customer' ? { successorId: 'mate' } : {}),
          ...(item.kind === 'confirmation' ? { fileRef: `files/${item.ref}.pdf` } : {}),
        })),
      });
      await w.acme.offboarding.submitHandover({ actor: 'rep', caseId });
      await w.acme.offboarding.acceptItems({ actor: 'mgr', caseId, itemIds: view.items.map((i) => i.id) });
      await w.acme.offboarding.signOff({ actor: 'mgr', caseId });
      await w.acme.offboarding.signOff({ actor: 'hr', caseId });
      await w.acme.offboarding.signOff({ actor: 'fin', caseId, receivablesConfirmed: true });

      await drain(w.worker);
      if (w.connector.capabilities.transfer?.completesLater) {
        expect(await statuses(w.acme)).toEqual({ pending: n });
        await h.settlePending();
        w.advance(1);
        await drain(w.worker);
      }
      expect(await statuses(w.acme)).toEqual({ done: n });

      const max = w.connector.capabilities.transfer?.maxBatch ?? 1;
      const sizes = w.calls.map((c) => c.length);
      expect(Math.max(...sizes), `no call above maxBatch ${max}`).toBeLessThanOrEqual(max);
      expect(sizes.filter((s) => s < max).length, `calls of ${max} but for a remainder: ${sizes}`).toBeLessThanOrEqual(
        2,
      );
      const sent = w.calls.flat();
      expect(sent.length, 'each customer sent once').toBe(n);
      expect(new Set(sent).size).toBe(n);
      for (let i = 0; i < n; i++) expect(await h.ownerOf(`acct-${i}`)).toBe('u-2');
      expect((await w.acme.audit.verify()).ok).toBe(true);
      await options.afterOffboarding?.(h, n);
    });

    it("a sync brings the CRM's customers in under their owners, resumes where it stopped, and alerts on an owner changed there", async () => {
      const h = current();
      const w = await wire(h, 0);
      await h.seed({
        users: [{ userId: 'u-3', email: 'zhao@acme.cn', name: '赵强' }],
        customers: Array.from({ length: 12 }, (_, i) => ({
          externalId: `new-${i}`,
          name: `新客户 ${i}`,
          ownerUserId: i % 3 === 0 ? null : i % 3 === 1 ? 'u-1' : 'u-2',
        })),
      });
      const sync = async () => {
        const totals = { created: 0, updated: 0, ownerConflicts: 0 };
        for (let calls = 0; calls < 50; calls++) {
          const r = await w.acme.crm.sync(w.connector, { unitId: 'hq', maxPages: 2, pageSize: 5 });
          totals.created += r.customers.created;
          totals.updated += r.customers.updated;
          totals.ownerConflicts += r.customers.ownerConflicts;
          if (r.caughtUp) return totals;
        }
        throw new Error('the sync never caught up');
      };
      expect(await sync()).toEqual({ created: 12, updated: 0, ownerConflicts: 0 });
      const page = await w.acme.customers.list({ actor: 'hr', scope: 'tenant', limit: 100 });
      const owners = Object.fromEntries(page.items.map((c) => [c.name, c.ownerId]));
      expect(owners).toMatchObject({ '新客户 0': null, '新客户 1': 'rep', '新客户 2': 'mate' });
      expect(await sync()).toEqual({ created: 0, updated: 0, ownerConflicts: 0 });
      // Someone moves a customer in the CRM: Guard keeps its owner and HR is told.
      await h.change(`new-${1}`, { ownerUserId: 'u-3' });
      expect(await sync()).toMatchObject({ created: 0, ownerConflicts: 1 });
      const alerts = (await w.acme.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'crm-owner-differs');
      expect(alerts).toHaveLength(1);
    });

    it('a move the CRM refuses (its owner was changed there) raises an alert and changes nothing there', async () => {
      const h = current();
      const w = await wire(h, 3);
      await h.seed({ users: [{ userId: 'u-3', email: 'zhao@acme.cn', name: '赵强' }] });
      await h.change('acct-1', { ownerUserId: 'u-3' });
      for (const customerId of ['c-0', 'c-1']) {
        const { approvalId } = await w.acme.ownership.requestTransfer({
          actor: 'mgr',
          customerId,
          to: 'mate',
          reason: 'rebalance',
        });
        await w.acme.approvals.approve({ actor: 'hr', approvalId });
      }
      await drain(w.worker);
      await h.settlePending();
      w.advance(1);
      await drain(w.worker);
      expect(await h.ownerOf('acct-0')).toBe('u-2');
      expect(await h.ownerOf('acct-1')).toBe('u-3');
      const [refused] = (await w.acme.crm.transfers({ customerId: 'c-1' })).items;
      expect(refused).toMatchObject({ status: 'failed', move: { fromUserId: 'u-1', toUserId: 'u-2' } });
      const alerts = (await w.acme.alerts.list({ status: 'open' })).items.filter(
        (a) => a.kind === 'crm-transfer-failed',
      );
      expect(alerts).toEqual([expect.objectContaining({ evidence: expect.objectContaining({ customerId: 'c-1' }) })]);
    });
  });
}
