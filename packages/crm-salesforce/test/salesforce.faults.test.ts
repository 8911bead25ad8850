import { generateKeyPairSync } from 'node:crypto';
import { type CrmConnector, isGuardError } from '@guard/core';
import { connectorErrorOf } from '@guard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { salesforceConnector } from '../src/index.js';
import { POOL, type SalesforceHarness, salesforceHarness } from './harness.js';

let current: SalesforceHarness | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const start = async (...args: Parameters<typeof salesforceHarness>) => {
  current = await salesforceHarness(...args);
  await current.seed({
    users: [
      { userId: '005A', email: 'wang@acme.cn', mobile: '13800000001' },
      { userId: '005B', email: 'li@acme.cn', mobile: '13800000002' },
    ],
    customers: Array.from({ length: 12 }, (_, i) => ({
      externalId: `001${i}`,
      name: `客户 ${i}`,
      ownerUserId: '005A',
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

describe('salesforce connector: sessions', () => {
  it('asks for a new session when Salesforce says the old one expired, and goes on', async () => {
    const h = await start();
    await listAll(h.connector);
    h.org.inject({ kind: 'session-expired', on: 'query' });
    const page = await listAll(h.connector);
    expect(page.items).toHaveLength(12);
    expect(h.org.calls.filter((c) => c.route === 'token')).toHaveLength(2);
  });

  it('signs in with a JWT bearer assertion signed by the private key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const h = await start(
      { jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      {
        auth: {
          flow: 'jwt-bearer',
          clientId: 'guard-test-client',
          username: 'pool@acme.cn',
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    );
    expect((await listAll(h.connector)).items).toHaveLength(12);
    h.org.expireSessions();
    expect((await listAll(h.connector)).items, 'and signs a new assertion when the session expires').toHaveLength(12);
  });

  it('refuses wrong credentials at once with an auth ConnectorError, without retrying', async () => {
    const h = await start(
      {},
      { auth: { flow: 'client-credentials', clientId: 'guard-test-client', clientSecret: 'wrong' } },
    );
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params).toMatchObject({ kind: 'auth', operation: 'listCustomers' });
    expect(error.params.detail).toContain('invalid_client');
    expect(error.retryable).toBe(false);
    expect(h.org.calls.filter((c) => c.route === 'token')).toHaveLength(1);
  });

  it('stops asking for sessions that Salesforce refuses at once, with an auth ConnectorError', async () => {
    const h = await start();
    await listAll(h.connector);
    h.org.inject({ kind: 'session-expired', on: 'query', times: 50 });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params.kind).toBe('auth');
    expect(h.org.calls.filter((c) => c.route === 'token').length).toBeLessThanOrEqual(4);
  });
});

describe('salesforce connector: limits, outages and slow answers', () => {
  it('retries REQUEST_LIMIT_EXCEEDED, 503, dropped connections and slow answers with backoff, then succeeds', async () => {
    const h = await start({}, { callTimeoutMs: 200 });
    await listAll(h.connector);
    for (const kind of ['request-limit', 'unavailable', 'drop'] as const) {
      h.org.inject({ kind, on: 'query', times: 2 });
      expect((await listAll(h.connector)).items, kind).toHaveLength(12);
    }
    h.org.inject({ kind: 'slow', delayMs: 600, on: 'query' });
    expect((await listAll(h.connector)).items, 'slow').toHaveLength(12);
    expect(h.org.calls.filter((c) => c.route === 'query').map((c) => c.status)).toEqual([
      200, 403, 403, 200, 503, 503, 200, 0, 0, 200, 200, 200,
    ]);
  });

  it('surfaces a limit that lasts as a rate-limited ConnectorError that says waiting helps', async () => {
    const h = await start({ dailyApiLimit: 3 });
    const error = await connectorErrorOf(
      (async () => {
        for (;;) await listAll(h.connector);
      })(),
    );
    expect(error.params.kind).toBe('rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.params.detail).toContain('REQUEST_LIMIT_EXCEEDED');
  });

  it("surfaces an outage that lasts as an unavailable ConnectorError after the policy's tries", async () => {
    const h = await start({}, { retry: { attempts: 3, baseDelayMs: 1 } });
    await listAll(h.connector);
    h.org.inject({ kind: 'unavailable', on: 'query', times: 3 });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params.kind).toBe('unavailable');
    expect(h.org.calls.filter((c) => c.route === 'query' && c.status === 503)).toHaveLength(3);
  });

  it('stops waiting when the signal aborts', async () => {
    const h = await start();
    h.org.inject({ kind: 'slow', delayMs: 2000, on: 'query' });
    const controller = new AbortController();
    const listing = h.connector.listCustomers?.({
      tenantId: 'acme',
      cursor: null,
      limit: 5,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('lease ran out')), 50);
    await expect(listing).rejects.toThrow('lease ran out');
  });
});

describe('salesforce connector: transfers', () => {
  it('moves 200 accounts in one sObject Collections call', async () => {
    const h = await start();
    await h.seed({
      customers: Array.from({ length: 200 }, (_, i) => ({
        externalId: `001M${i}`,
        name: `M${i}`,
        ownerUserId: '005A',
      })),
    });
    const moves = Array.from({ length: 200 }, (_, i) => move(`001M${i}`, '005A', '005B'));
    const results = await h.connector.transferOwnership?.({ tenantId: 'acme', idempotencyKey: 'k', moves });
    expect(results?.every((r) => r.status === 'done')).toBe(true);
    expect(h.org.calls.filter((c) => c.route === 'update')).toEqual([{ route: 'update', status: 200, records: 200 }]);
  });

  it('sends records Salesforce could not lock again, and reports those still locked as retryable', async () => {
    const h = await start();
    h.org.inject({ kind: 'lock-row', ids: ['0011'], times: 2 });
    const moves = [move('0010', '005A', '005B'), move('0011', '005A', '005B')];
    const once = await h.connector.transferOwnership?.({ tenantId: 'acme', idempotencyKey: 'k1', moves });
    expect(once?.map((r) => r.status)).toEqual(['done', 'done']);
    expect(h.org.calls.filter((c) => c.route === 'update').map((c) => c.records)).toEqual([2, 1, 1]);

    h.org.inject({ kind: 'lock-row', ids: ['0012'], times: 10 });
    const stuck = await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k2',
      moves: [move('0012', '005A', '005B'), move('0013', '005A', '005B')],
    });
    expect(stuck?.[0]).toMatchObject({ status: 'failed', code: 'UNABLE_TO_LOCK_ROW', retryable: true });
    expect(stuck?.[1]).toMatchObject({ status: 'done' });
    expect(await h.ownerOf('0012')).toBe('005A');
  });

  it('reports an inactive successor as a failed move that needs a person', async () => {
    const h = await start();
    h.org.insert('User', [{ Id: '005GONE', Username: 'gone@acme.cn', IsActive: false }]);
    const results = await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k',
      moves: [move('0010', '005A', '005GONE')],
    });
    expect(results?.[0]).toMatchObject({ status: 'failed', code: 'INACTIVE_OWNER_OR_USER', retryable: false });
  });

  it('moves to the pool user for a move to nobody, and reads pool-owned accounts as unowned', async () => {
    const h = await start();
    await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k',
      moves: [move('0010', '005A', null)],
    });
    expect(h.org.get('Account', '0010')?.OwnerId).toBe(POOL);
    const page = await listAll(h.connector);
    expect(page.items.find((c) => c.externalId === '0010')?.ownerUserId).toBeNull();
  });
});

describe('salesforce connector: hostile input', () => {
  it('quotes ids and e-mails in SOQL, so a quote cannot change a query', async () => {
    const h = await start();
    const mapped = await h.connector.mapUsers?.('acme', [
      { employeeId: 'e-1', email: "x' OR Email != null OR Email = 'y" },
      { employeeId: 'e-2', mobile: "1' OR MobilePhone != null OR MobilePhone = '2" },
      { employeeId: 'e-3', email: 'LI@acme.cn' },
    ]);
    expect(Object.fromEntries(mapped ?? [])).toEqual({ 'e-1': null, 'e-2': null, 'e-3': '005B' });
    const results = await h.connector.transferOwnership?.({
      tenantId: 'acme',
      idempotencyKey: 'k',
      moves: [move("0010' OR Id != '", '005A', '005B'), move('0011\\', '005A', '005B')],
    });
    expect(results?.map((r) => r.status === 'failed' && r.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(await h.ownerOf('0010')).toBe('005A');
  });

  it('matches by mobile when the e-mail matches no one', async () => {
    const h = await start();
    const mapped = await h.connector.mapUsers?.('acme', [
      { employeeId: 'e-1', email: 'old@acme.cn', mobile: '13800000002' },
    ]);
    expect(mapped?.get('e-1')).toBe('005B');
  });

  it("refuses bad options with a ValidationError naming each, in the tenant's language", () => {
    const error = (() => {
      try {
        salesforceConnector({
          loginUrl: 'http://acme.my.salesforce.com',
          auth: { flow: 'jwt-bearer', clientId: 'c', username: 'u', privateKey: 'not a key' },
          poolOwnerId: '005POOL',
          apiVersion: '39.0',
          locale: 'zh-CN',
        });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    const { issues, message } = error as { issues: { path: (string | number)[] }[]; message: string };
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['apiVersion', 'auth.privateKey', 'loginUrl']);
    // Only code (in backticks) and the options' own names are not Chinese.
    expect(message.replace(/`[^`]*`|(loginUrl|auth\.privateKey|apiVersion):/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('refuses a cursor it never gave, and a malformed call, before calling Salesforce', async () => {
    const h = await start();
    const rejected = await connectorErrorOf(
      h.connector.listCustomers?.({ tenantId: 'acme', cursor: 'sf1|yesterday|001', limit: 5 }) as Promise<unknown>,
    );
    expect(rejected.params.kind).toBe('rejected');
    const malformed = await h.connector.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGuardError(malformed, 'VALIDATION_FAILED')).toBe(true);
    expect(h.org.calls.filter((c) => c.route !== 'token')).toHaveLength(0);
  });
});
