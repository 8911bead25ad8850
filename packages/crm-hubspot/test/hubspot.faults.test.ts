import { type CrmConnector, isGuardError } from '@guard/core';
import { connectorErrorOf } from '@guard/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { hubspotConnector } from '../src/index.js';
import { type HubSpotHarness, hubspotHarness } from './harness.js';

let current: HubSpotHarness | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const start = async (...args: Parameters<typeof hubspotHarness>) => {
  current = await hubspotHarness(...args);
  await current.seed({
    users: [
      { userId: '101', email: 'wang@acme.cn' },
      { userId: '102', email: 'li@acme.cn' },
    ],
    customers: Array.from({ length: 12 }, (_, i) => ({
      externalId: String(500 + i),
      name: `客户 ${i}`,
      ownerUserId: '101',
    })),
  });
  return current;
};

const listAll = (c: CrmConnector) =>
  c.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 50 }) as ReturnType<
    NonNullable<CrmConnector['listCustomers']>
  >;

const move = (id: string, from: string | null, to: string | null) => ({
  customerExternalId: id,
  fromUserId: from,
  toUserId: to,
});

describe('hubspot connector: limits, outages and tokens', () => {
  it('retries the secondly limit, 503s, dropped connections and slow answers with backoff, then succeeds', async () => {
    const h = await start({}, { callTimeoutMs: 200 });
    for (const kind of ['secondly-limit', 'unavailable', 'drop'] as const) {
      h.portal.inject({ kind, on: 'search', times: 2 });
      expect((await listAll(h.connector)).items, kind).toHaveLength(12);
    }
    h.portal.inject({ kind: 'slow', delayMs: 600, on: 'search' });
    expect((await listAll(h.connector)).items, 'slow').toHaveLength(12);
    expect(h.portal.calls.filter((c) => c.route === 'search').map((c) => c.status)).toEqual([
      429, 429, 200, 503, 503, 200, 0, 0, 200, 200, 200,
    ]);
  });

  it('fails at once on the daily limit, as rate-limited with the wait until it resets', async () => {
    const h = await start();
    h.portal.inject({ kind: 'daily-limit', on: 'search', times: 5 });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params.kind).toBe('rate-limited');
    expect(error.params.detail).toContain('You have reached your daily limit.');
    expect(error.params.retryAfterMs).toBeGreaterThan(0);
    expect(h.portal.calls.filter((c) => c.route === 'search')).toHaveLength(1);
  });

  it('with a private app token, an expired token is an auth ConnectorError, not retried', async () => {
    const h = await start();
    h.portal.inject({ kind: 'expired-token', on: 'search' });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params.kind).toBe('auth');
    expect(error.params.detail).toContain('EXPIRED_AUTHENTICATION');
    expect(error.retryable).toBe(false);
  });

  it('with a token provider, asks it for a new token after a 401 and sends the call again', async () => {
    const asked: boolean[] = [];
    current = await hubspotHarness({}, {});
    const portal = current.portal;
    const connector = hubspotConnector({
      auth: {
        tokenProvider: async ({ expired }) => {
          asked.push(expired);
          return expired ? portal.issueToken() : portal.accessToken;
        },
      },
      basePath: portal.url,
      requestsPerSecond: 1000,
      retry: { baseDelayMs: 1 },
    });
    await current.seed({ customers: [{ externalId: '500', name: '华东机电', ownerUserId: null }] });
    expect((await listAll(connector)).items).toHaveLength(1);
    portal.inject({ kind: 'expired-token', on: 'search' });
    expect((await listAll(connector)).items).toHaveLength(1);
    expect(asked).toEqual([false, true]);
  });
});

describe('hubspot connector: transfers', () => {
  it('moves 100 companies in one batch update', async () => {
    const h = await start();
    await h.seed({
      customers: Array.from({ length: 100 }, (_, i) => ({
        externalId: String(900 + i),
        name: `M${i}`,
        ownerUserId: '101',
      })),
    });
    const moves = Array.from({ length: 100 }, (_, i) => move(String(900 + i), '101', '102'));
    const results = await h.connector.transferOwnership?.({ tenantId: 'acme', idempotencyKey: 'k', moves });
    expect(results?.every((r) => r.status === 'done')).toBe(true);
    expect(h.portal.calls.filter((c) => c.route === 'batch-update')).toEqual([
      { route: 'batch-update', status: 200, records: 100 },
    ]);
  });

  it('reports a record HubSpot refused in a 207 by its category, and saves the others', async () => {
    const h = await start();
    h.portal.inject({ kind: 'record-error', ids: ['501'], category: 'CONFLICT' });
    const results = await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k',
      moves: [move('500', '101', '102'), move('501', '101', '102')],
    });
    expect(results?.[0]).toEqual({ customerExternalId: '500', status: 'done' });
    expect(results?.[1]).toMatchObject({
      customerExternalId: '501',
      status: 'failed',
      code: 'CONFLICT',
      retryable: true,
    });
    expect([await h.ownerOf('500'), await h.ownerOf('501')]).toEqual(['102', '101']);
  });

  it('reports every move of a batch HubSpot refused whole (an archived successor) as needing a person', async () => {
    const h = await start();
    h.portal.addOwners([{ id: '199', email: 'gone@acme.cn', archived: true }]);
    const results = await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k',
      moves: [move('500', '101', '199'), move('501', '101', '199')],
    });
    expect(results?.map((r) => r.status === 'failed' && [r.code, r.retryable])).toEqual([
      ['VALIDATION_ERROR', false],
      ['VALIDATION_ERROR', false],
    ]);
    expect(await h.ownerOf('500')).toBe('101');
  });

  it('clears the owner for a move to nobody, and matches owners by e-mail only among active ones', async () => {
    const h = await start();
    h.portal.addOwners([{ id: '198', email: 'old@acme.cn', archived: true }]);
    await h.connector.transferOwnership?.({ tenantId: 'acme', idempotencyKey: 'k', moves: [move('500', '101', null)] });
    expect(await h.ownerOf('500')).toBeNull();
    const mapped = await h.connector.mapUsers?.('acme', [
      { employeeId: 'e-1', email: 'LI@acme.cn' },
      { employeeId: 'e-2', email: 'old@acme.cn' },
    ]);
    expect(Object.fromEntries(mapped ?? [])).toEqual({ 'e-1': '102', 'e-2': null });
  });
});

describe('hubspot connector: listings where many objects change in the same millisecond', () => {
  it('lists every change exactly once, in pages of any size, however ties fall', async () => {
    // Writes in batches share one hs_lastmodifieddate; the fake returns ties in no useful order.
    const write = fc.record({
      ids: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 12 }),
      walkAfter: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 9 }),
        async (writes, limit) => {
          const h = await hubspotHarness();
          try {
            const seen = new Set<string>();
            await h.seed({
              customers: Array.from({ length: 30 }, (_, i) => ({
                externalId: String(i + 1),
                name: `c${i}`,
                ownerUserId: null,
              })),
            });
            let cursor: string | null = null;
            const walk = async () => {
              const listed: string[] = [];
              for (let pages = 0; pages < 200; pages++) {
                const page = await (h.connector.listCustomers as NonNullable<CrmConnector['listCustomers']>)({
                  tenantId: 'acme',
                  cursor,
                  limit,
                });
                expect(page.items.length).toBeLessThanOrEqual(limit);
                listed.push(...page.items.map((c) => c.externalId));
                cursor = page.cursor;
                if (page.caughtUp) return listed;
              }
              throw new Error('never caught up');
            };
            const first = await walk();
            expect(first.sort()).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)).sort());
            for (const w of writes) {
              for (const id of w.ids) h.portal.update('companies', String(id + 1), { name: `v${seen.size}` });
              for (const id of w.ids) seen.add(String(id + 1));
              if (w.walkAfter) {
                const listed = await walk();
                expect(new Set(listed).size, 'nothing listed twice').toBe(listed.length);
                expect([...listed].sort()).toEqual([...seen].sort());
                seen.clear();
              }
            }
            const rest = await walk();
            expect([...rest].sort()).toEqual([...seen].sort());
          } finally {
            await h.cleanup();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('hubspot connector: options', () => {
  it('refuses bad options with a ValidationError naming each', () => {
    const error = (() => {
      try {
        hubspotConnector({ auth: { accessToken: '' }, basePath: 'http://api.hubapi.com', requestsPerSecond: 0 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isGuardError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
    expect((error as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'auth.accessToken',
      'basePath',
      'requestsPerSecond',
    ]);
  });
});
