import {
  type CrmActivity,
  type CrmCapabilities,
  type CrmConnector,
  type CrmMove,
  type CrmMoveResult,
  type CrmOrder,
  type CrmPage,
  isGuardError,
} from '@guard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, probeHarness } from '../harness-per-test.js';
import type { ConnectorHarness } from './harness.js';

/**
 * Options of {@link describeConnectorContract}.
 *
 * @example
 * ```ts
 * import { memoryCrm, type ConnectorContractOptions } from '@guard/testkit';
 * const options: ConnectorContractOptions = { harness: async () => memoryCrm() };
 * ```
 */
export interface ConnectorContractOptions {
  /**
   * Makes a fresh connector and an empty CRM behind it. Called once while
   * the suite is defined (to read the capabilities) and once before every
   * test; every harness is cleaned up.
   */
  harness: () => Promise<ConnectorHarness>;
}

type Capability = 'customers' | 'orders' | 'activities' | 'users' | 'transfer';

/** One contract test: its title, the capabilities it needs, and its body. */
export interface ContractTest {
  readonly title: string;
  readonly requires: readonly Capability[];
  readonly run: (h: ConnectorHarness) => Promise<void>;
}

const TENANT = 'acme';

/** Follows a listing from `cursor` until it is caught up; checks every page's size on the way. */
async function walk<T>(
  list: (cursor: string | null) => Promise<CrmPage<T>>,
  cursor: string | null,
  limit: number,
): Promise<{ items: T[]; cursor: string; pages: number }> {
  const items: T[] = [];
  for (let pages = 1; pages <= 10_000; pages++) {
    const page = await list(cursor);
    expect(page.items.length, 'a page holds at most the limit').toBeLessThanOrEqual(limit);
    expect(typeof page.cursor, 'a page always has a cursor').toBe('string');
    items.push(...page.items);
    cursor = page.cursor;
    if (page.caughtUp) return { items, cursor, pages };
    expect(page.items.length, 'a page that is not the last is not empty').toBeGreaterThan(0);
  }
  throw new Error('the listing never caught up');
}

const customersOf = (n: number, owner: (i: number) => string | null) =>
  Array.from({ length: n }, (_, i) => ({ externalId: `acct-${i}`, name: `客户 ${i}`, ownerUserId: owner(i) }));

const users = [
  { userId: 'u-1', email: 'wang@acme.cn', name: '王伟' },
  { userId: 'u-2', email: 'li@acme.cn', name: '李娜' },
  { userId: 'u-3', email: 'zhao@acme.cn', name: '赵强' },
];

const pageLimit = (c: CrmConnector) => Math.min(7, c.capabilities.maxPageSize);

/** Transfers `moves`, then lets pending moves complete; returns the first answers. */
async function transfer(
  h: ConnectorHarness,
  key: string,
  moves: readonly CrmMove[],
): Promise<readonly CrmMoveResult[]> {
  const results = await (h.connector.transferOwnership as NonNullable<CrmConnector['transferOwnership']>)({
    tenantId: TENANT,
    idempotencyKey: key,
    moves,
  });
  await h.settlePending();
  return results;
}

const move = (customerExternalId: string, fromUserId: string | null, toUserId: string | null): CrmMove => ({
  customerExternalId,
  fromUserId,
  toUserId,
});

/** The statuses a successful move may answer with: `pending` only where transfers complete later. */
const accepted = (c: CrmConnector) => (c.capabilities.transfer?.completesLater ? ['done', 'pending'] : ['done']);

/** The contract's tests; exported for the testkit's own tests, which check that each catches the defect it is for. */
export const TESTS: readonly ContractTest[] = [
  {
    title: 'listCustomers walks every customer once, with its owner, in pages of at most the limit, and ends caught up',
    requires: ['customers'],
    async run(h) {
      const seeded = customersOf(25, (i) => (i % 5 === 0 ? null : `u-${(i % 3) + 1}`));
      await h.seed({ users, customers: seeded });
      const limit = pageLimit(h.connector);
      const list = h.connector.listCustomers as NonNullable<CrmConnector['listCustomers']>;
      const { items, pages } = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), null, limit);
      expect(pages).toBeGreaterThan(1);
      expect(items.map((c) => c.externalId).sort()).toEqual(seeded.map((c) => c.externalId).sort());
      for (const c of items) {
        const want = seeded.find((s) => s.externalId === c.externalId);
        expect({ name: c.name, owner: c.ownerUserId }).toEqual({ name: want?.name, owner: want?.ownerUserId });
        expect(Number.isNaN(Date.parse(c.updatedAt)), `updatedAt of ${c.externalId}`).toBe(false);
      }
    },
  },
  {
    title:
      'listCustomers resumed from its last cursor returns only the customers changed since (or, for customerChanges: ownership, new or moved), as they are now',
    requires: ['customers'],
    async run(h) {
      await h.seed({ users, customers: customersOf(12, () => 'u-1') });
      const limit = pageLimit(h.connector);
      const list = h.connector.listCustomers as NonNullable<CrmConnector['listCustomers']>;
      const first = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), null, limit);
      const idle = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), first.cursor, limit);
      expect(idle.items, 'nothing changed since the cursor').toEqual([]);
      await h.change('acct-3', { ownerUserId: 'u-2' });
      await h.change('acct-8', { name: '改名后的客户' });
      await h.seed({ customers: [{ externalId: 'acct-new', name: '新客户', ownerUserId: null }] });
      const next = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), idle.cursor, limit);
      const byId = new Map(next.items.map((c) => [c.externalId, c]));
      if (h.connector.capabilities.customerChanges === 'ownership') {
        // Such a connector need not see the rename; it may, and then as it is now.
        expect([...byId.keys()].filter((id) => id !== 'acct-8').sort()).toEqual(['acct-3', 'acct-new']);
      } else {
        expect([...byId.keys()].sort()).toEqual(['acct-3', 'acct-8', 'acct-new']);
      }
      expect(byId.get('acct-3')?.ownerUserId).toBe('u-2');
      if (byId.has('acct-8')) expect(byId.get('acct-8')?.name).toBe('改名后的客户');
      const after = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), next.cursor, limit);
      expect(after.items).toEqual([]);
    },
  },
  {
    title:
      'listCustomers resumed again and again, with owners changing in between, lists each change once, whatever the page size',
    requires: ['customers'],
    async run(h) {
      await h.seed({ users });
      const list = h.connector.listCustomers as NonNullable<CrmConnector['listCustomers']>;
      const owners = [...users.map((u) => u.userId), null];
      let cursor: string | null = null;
      let batch = 0;
      /** Walks from the cursor in pages of `limit`: what it lists, checked against the CRM's owners now. */
      const walkNow = async (limit: number) => {
        const { items, cursor: next } = await walk((c) => list({ tenantId: TENANT, cursor: c, limit }), cursor, limit);
        cursor = next;
        const ids = items.map((c) => c.externalId);
        expect(new Set(ids).size, 'a walk lists each customer once').toBe(ids.length);
        for (const c of items) expect(c.ownerUserId, `owner of ${c.externalId}`).toBe(await h.ownerOf(c.externalId));
        return ids.sort();
      };
      await walkNow(pageLimit(h.connector));
      const known: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 6 }),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...owners)), { maxLength: 8 }),
          fc.integer({ min: 1, max: Math.min(5, h.connector.capabilities.maxPageSize) }),
          async (added, changes, limit) => {
            const fresh = Array.from({ length: added }, (_, i) => `prop-${batch}-${i}`);
            batch += 1;
            await h.seed({ customers: fresh.map((id) => ({ externalId: id, name: id, ownerUserId: 'u-1' })) });
            known.push(...fresh);
            const changed = new Set<string>(fresh);
            for (const [pick, owner] of changes) {
              const id = known[pick % known.length] as string;
              await h.change(id, { ownerUserId: owner });
              changed.add(id);
            }
            expect(await walkNow(limit)).toEqual([...changed].sort());
          },
        ),
        { numRuns: 12 },
      );
    },
  },
  {
    title: 'a cursor the connector never gave is a ConnectorError of kind rejected',
    requires: ['customers'],
    async run(h) {
      await h.seed({ users, customers: customersOf(3, () => 'u-1') });
      const list = h.connector.listCustomers as NonNullable<CrmConnector['listCustomers']>;
      const error = await list({ tenantId: TENANT, cursor: '\u0000 not a cursor', limit: 5 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isGuardError(error, 'CONNECTOR_FAILURE'), String(error)).toBe(true);
      expect((error as { params: { kind: string } }).params.kind).toBe('rejected');
    },
  },
  {
    title: 'listOrders walks every order once and resumes from its cursor',
    requires: ['orders'],
    async run(h) {
      const order = (i: number): CrmOrder => ({
        externalId: `ord-${i}`,
        customerExternalId: `acct-${i % 4}`,
        ownerUserId: 'u-1',
        amount: 1000 * (i + 1),
        currency: 'CNY',
        status: (['open', 'won', 'lost'] as const)[i % 3] ?? 'open',
        at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
      });
      await h.seed({
        users,
        customers: customersOf(4, () => 'u-1'),
        orders: Array.from({ length: 12 }, (_, i) => order(i)),
      });
      const limit = pageLimit(h.connector);
      const list = h.connector.listOrders as NonNullable<CrmConnector['listOrders']>;
      const first = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), null, limit);
      expect(first.items.map((o) => o.externalId).sort()).toEqual(
        Array.from({ length: 12 }, (_, i) => `ord-${i}`).sort(),
      );
      expect(first.items.find((o) => o.externalId === 'ord-4')).toEqual(order(4));
      await h.seed({ orders: [order(12)] });
      const next = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), first.cursor, limit);
      expect(next.items.map((o) => o.externalId)).toEqual(['ord-12']);
    },
  },
  {
    title: 'listActivities walks every activity once and resumes from its cursor',
    requires: ['activities'],
    async run(h) {
      const activity = (i: number): CrmActivity => ({
        externalId: `act-${i}`,
        customerExternalId: `acct-${i % 3}`,
        ownerUserId: 'u-2',
        kind: (['call', 'email', 'meeting', 'task'] as const)[i % 4] ?? 'call',
        at: new Date(Date.UTC(2026, 10, 2, i)).toISOString(),
      });
      await h.seed({
        users,
        customers: customersOf(3, () => 'u-2'),
        activities: Array.from({ length: 9 }, (_, i) => activity(i)),
      });
      const limit = pageLimit(h.connector);
      const list = h.connector.listActivities as NonNullable<CrmConnector['listActivities']>;
      const first = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), null, limit);
      expect(first.items.map((a) => a.externalId).sort()).toEqual(
        Array.from({ length: 9 }, (_, i) => `act-${i}`).sort(),
      );
      await h.seed({ activities: [activity(9)] });
      const next = await walk((cursor) => list({ tenantId: TENANT, cursor, limit }), first.cursor, limit);
      expect(next.items.map((a) => a.externalId)).toEqual(['act-9']);
    },
  },
  {
    title: 'mapUsers matches employees to CRM users by e-mail, whatever its case, and gives null to the others',
    requires: ['users'],
    async run(h) {
      await h.seed({ users });
      const mapped = await (h.connector.mapUsers as NonNullable<CrmConnector['mapUsers']>)(TENANT, [
        { employeeId: 'e-1', email: 'Wang@ACME.cn', name: '王伟' },
        { employeeId: 'e-2', email: 'li@acme.cn' },
        { employeeId: 'e-9', email: 'nobody@acme.cn' },
        { employeeId: 'e-10' },
      ]);
      expect(Object.fromEntries(mapped)).toEqual({ 'e-1': 'u-1', 'e-2': 'u-2', 'e-9': null, 'e-10': null });
    },
  },
  {
    title: 'transferOwnership moves each customer and answers one result per move, in order',
    requires: ['transfer'],
    async run(h) {
      await h.seed({ users, customers: customersOf(3, () => 'u-1') });
      const moves = [move('acct-2', 'u-1', 'u-2'), move('acct-0', 'u-1', 'u-2'), move('acct-1', 'u-1', 'u-3')];
      const results = await transfer(h, 'off-1:0', moves);
      expect(results.map((r) => r.customerExternalId)).toEqual(['acct-2', 'acct-0', 'acct-1']);
      for (const r of results) expect(accepted(h.connector), JSON.stringify(r)).toContain(r.status);
      expect([await h.ownerOf('acct-2'), await h.ownerOf('acct-0'), await h.ownerOf('acct-1')]).toEqual([
        'u-2',
        'u-2',
        'u-3',
      ]);
      if (h.connector.capabilities.transfer?.completesLater) {
        const status = await (h.connector.transferStatus as NonNullable<CrmConnector['transferStatus']>)(TENANT, moves);
        expect(status.map((r) => r.status)).toEqual(['done', 'done', 'done']);
      }
    },
  },
  {
    title: 'a batch sent again after it completed moves nothing twice and answers done',
    requires: ['transfer'],
    async run(h) {
      await h.seed({ users, customers: customersOf(2, () => 'u-1') });
      const moves = [move('acct-0', 'u-1', 'u-2'), move('acct-1', 'u-1', null)];
      await transfer(h, 'off-2:0', moves);
      const again = await transfer(h, 'off-2:0', moves);
      expect(again.map((r) => r.status)).toEqual(['done', 'done']);
      expect([await h.ownerOf('acct-0'), await h.ownerOf('acct-1')]).toEqual(['u-2', null]);
    },
  },
  {
    title: 'a move whose customer has another owner in the CRM now fails alone, not retryable; the batch goes on',
    requires: ['transfer'],
    async run(h) {
      await h.seed({ users, customers: customersOf(2, () => 'u-1') });
      await h.change('acct-0', { ownerUserId: 'u-3' });
      const results = await transfer(h, 'off-3:0', [move('acct-0', 'u-1', 'u-2'), move('acct-1', 'u-1', 'u-2')]);
      expect(results[0]).toMatchObject({ customerExternalId: 'acct-0', status: 'failed', retryable: false });
      expect(accepted(h.connector)).toContain(results[1]?.status);
      expect([await h.ownerOf('acct-0'), await h.ownerOf('acct-1')]).toEqual(['u-3', 'u-2']);
    },
  },
  {
    title: 'a move of a customer the CRM does not have fails alone, not retryable',
    requires: ['transfer'],
    async run(h) {
      await h.seed({ users, customers: customersOf(1, () => 'u-1') });
      const results = await transfer(h, 'off-4:0', [move('acct-missing', 'u-1', 'u-2'), move('acct-0', 'u-1', 'u-2')]);
      expect(results[0]).toMatchObject({ customerExternalId: 'acct-missing', status: 'failed', retryable: false });
      expect(await h.ownerOf('acct-0')).toBe('u-2');
    },
  },
  {
    title: 'a batch larger than maxBatch is refused whole with a ConnectorError of kind rejected, moving nothing',
    requires: ['transfer'],
    async run(h) {
      const max = h.connector.capabilities.transfer?.maxBatch ?? 0;
      await h.seed({ users, customers: customersOf(max + 1, () => 'u-1') });
      const moves = Array.from({ length: max + 1 }, (_, i) => move(`acct-${i}`, 'u-1', 'u-2'));
      const error = await transfer(h, 'off-5:0', moves).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isGuardError(error, 'CONNECTOR_FAILURE'), String(error)).toBe(true);
      expect((error as { params: { kind: string } }).params.kind).toBe('rejected');
      expect(await h.ownerOf('acct-0')).toBe('u-1');
      expect(await h.ownerOf(`acct-${max}`)).toBe('u-1');
    },
  },
];

/**
 * The titles of the connector contract's tests, in the order they run.
 *
 * @example
 * ```ts
 * import { connectorContractTests } from '@guard/testkit';
 * connectorContractTests.length; // how many tests a full connector passes
 * ```
 */
export const connectorContractTests: readonly string[] = TESTS.map((t) => t.title);

const has = (c: CrmCapabilities, capability: Capability) =>
  capability === 'transfer' ? c.transfer !== null : c[capability];

/**
 * Registers the CRM connector contract as vitest blocks: listings walk
 * everything once in pages of at most the limit and resume from their
 * cursor; users are matched by e-mail; transfers answer one result per
 * move, in order, are safe to send again, fail alone for a customer someone
 * else moved or the CRM does not have, and refuse batches over `maxBatch`.
 * Tests of a capability the connector declares it lacks are skipped, and
 * their titles say so. Every test gets a fresh harness.
 *
 * @example
 * ```ts
 * // packages/crm-salesforce/test/salesforce.contract.test.ts
 * import { describeConnectorContract } from '@guard/testkit';
 * import { salesforceHarness } from './salesforce-harness.js';
 *
 * describeConnectorContract('salesforce connector', { harness: salesforceHarness });
 * ```
 */
export function describeConnectorContract(name: string, options: ConnectorContractOptions): void {
  describe(name, async () => {
    const { capabilities, connectorName } = await probeHarness(options.harness, (h) => ({
      capabilities: structuredClone(h.connector.capabilities),
      connectorName: h.connector.name,
    }));
    const current = harnessPerTest(options.harness, 'describeConnectorContract');
    for (const test of TESTS) {
      const lacking = test.requires.filter((c) => !has(capabilities, c));
      if (lacking.length > 0) {
        it.skip(`${test.title} [skipped: ${connectorName} declares no ${lacking.join(', ')}]`, () => {});
        continue;
      }
      it(test.title, () => test.run(current()));
    }
  });
}
