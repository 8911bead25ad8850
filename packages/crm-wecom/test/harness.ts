import type { ConnectorHarness } from '@guard/testkit';
import { type FakeWecom, type FakeWecomOptions, fakeWecom } from '@guard/testkit/fakes';
import { type WecomConnectorOptions, wecomConnector } from '../src/index.js';

/** The member standing for the public pool in the fake corp. */
export const POOL = 'gonghai';

export interface WecomHarness extends ConnectorHarness {
  readonly corp: FakeWecom;
}

/** The WeCom connector against a fresh fake corp, with short retry waits. */
export async function wecomHarness(
  fake: FakeWecomOptions = {},
  connector: Partial<WecomConnectorOptions> = {},
): Promise<WecomHarness> {
  const corp = await fakeWecom(fake);
  corp.addMembers([{ userid: POOL, name: '公海' }]);
  /** Guard's owner of a customer: the member who added or took them over last, the pool member being nobody. */
  const ownerOf = (id: string) => {
    const owner = corp.followersOf(id).at(-1) ?? null;
    return owner === POOL ? null : owner;
  };
  return {
    corp,
    connector: wecomConnector({
      corpId: corp.corpId,
      corpSecret: corp.corpSecret,
      baseUrl: corp.url,
      poolUserId: POOL,
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
      ...connector,
    }),
    async seed(data) {
      if (data.users?.length) {
        corp.addMembers(data.users.map((u) => ({ userid: u.userId, name: u.name, email: u.email, mobile: u.mobile })));
      }
      if (data.customers?.length) {
        corp.addCustomers(
          data.customers.map((c) => ({
            externalUserId: c.externalId,
            name: c.name,
            followers: [c.ownerUserId ?? POOL],
          })),
        );
      }
    },
    async change(externalId, change) {
      if (change.name !== undefined) corp.change(externalId, { name: change.name });
      if (change.ownerUserId !== undefined) {
        const before = ownerOf(externalId) ?? POOL;
        corp.change(externalId, { drop: before, add: change.ownerUserId ?? POOL });
      }
    },
    ownerOf: async (id) => ownerOf(id),
    async settlePending() {
      corp.advance(86_400);
    },
    cleanup: () => corp.close(),
  };
}

/** The audit key of the crash test's parent and child processes (a test key, never a real secret). */
export const CRASH_KEYS = { current: 'k1', keys: { k1: 'wecom-crash-test-key-not-a-secret!' } } as const;
