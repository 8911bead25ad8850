import type { CrmConnector, CrmListRequest, CrmMove, CrmTransferRequest } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { type ContractTest, TESTS } from '../src/connector-contract/describe-connector-contract.js';
import { type ConnectorHarness, memoryCrm } from '../src/index.js';

/** The reference connector with one method replaced by a defective one. */
function mutant(patch: (c: Required<CrmConnector>) => Partial<CrmConnector>): ConnectorHarness {
  const h = memoryCrm();
  const c = h.connector as Required<CrmConnector>;
  return { ...h, connector: { ...c, ...patch(c) } };
}

const test = (title: string): ContractTest => {
  const found = TESTS.find((t) => t.title.startsWith(title));
  if (!found) throw new Error(`no contract test "${title}"`);
  return found;
};

// Each defect a connector might have, and the contract test that must catch it.
const defects: readonly [defect: string, test: string, harness: () => ConnectorHarness][] = [
  [
    'a listing that loses the last item of every page',
    'listCustomers walks every customer once',
    () =>
      mutant((c) => ({
        listCustomers: async (r: CrmListRequest) => {
          const page = await c.listCustomers(r);
          return { ...page, items: page.caughtUp ? page.items : page.items.slice(0, -1) };
        },
      })),
  ],
  [
    'a listing that ignores the limit',
    'listCustomers walks every customer once',
    () => mutant((c) => ({ listCustomers: (r: CrmListRequest) => c.listCustomers({ ...r, limit: 1000 }) })),
  ],
  [
    'a listing that starts over instead of resuming',
    'listCustomers resumed from its last cursor',
    () => mutant((c) => ({ listCustomers: (r: CrmListRequest) => c.listCustomers({ ...r, cursor: null }) })),
  ],
  [
    'user matching that minds the case of e-mail addresses',
    'mapUsers matches employees',
    () =>
      mutant((c) => ({
        mapUsers: async (tenantId, employees) =>
          new Map(
            [...(await c.mapUsers(tenantId, employees))].map(([id, user]) => {
              const e = employees.find((x) => x.employeeId === id);
              return [id, e?.email && e.email !== e.email.toLowerCase() ? null : user];
            }),
          ),
      })),
  ],
  [
    'results in another order than the moves',
    'transferOwnership moves each customer',
    () =>
      mutant((c) => ({
        transferOwnership: async (r: CrmTransferRequest) => [...(await c.transferOwnership(r))].reverse(),
      })),
  ],
  [
    'a move that ignores who owns the customer now',
    'a move whose customer has another owner',
    () => {
      const h = memoryCrm();
      const c = h.connector as Required<CrmConnector>;
      const transferOwnership = async (r: CrmTransferRequest) => {
        const now: CrmMove[] = [];
        for (const m of r.moves)
          now.push({ ...m, fromUserId: await h.ownerOf(m.customerExternalId).catch(() => null) });
        return c.transferOwnership({ ...r, moves: now });
      };
      return { ...h, connector: { ...c, transferOwnership } };
    },
  ],
  [
    'a batch over maxBatch sent anyway',
    'a batch larger than maxBatch',
    () =>
      mutant((c) => ({
        transferOwnership: async (r: CrmTransferRequest) => {
          const results = [];
          for (let i = 0; i < r.moves.length; i += 200) {
            results.push(...(await c.transferOwnership({ ...r, moves: r.moves.slice(i, i + 200) })));
          }
          return results;
        },
      })),
  ],
];

describe('the connector contract catches', () => {
  for (const [defect, title, harness] of defects) {
    it(`${defect} (in "${test(title).title}")`, async () => {
      const h = harness();
      await expect(test(title).run(h)).rejects.toThrow();
      // The reference connector itself passes the same test.
      await expect(test(title).run(memoryCrm())).resolves.toBeUndefined();
    });
  }
});
