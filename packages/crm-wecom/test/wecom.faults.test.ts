import { type CrmConnector, type CrmMove, isGuardError } from '@guard/core';
import { connectorErrorOf } from '@guard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { wecomConnector } from '../src/index.js';
import { POOL, type WecomHarness, wecomHarness } from './harness.js';

let current: WecomHarness | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const start = async (...args: Parameters<typeof wecomHarness>) => {
  current = await wecomHarness(...args);
  await current.seed({
    users: [
      { userId: 'wangwei', email: 'wang@acme.cn', mobile: '13800000001' },
      { userId: 'lina', email: 'li@acme.cn', mobile: '13800000002' },
      { userId: 'zhaoqiang', email: 'zhao@acme.cn' },
    ],
    customers: Array.from({ length: 12 }, (_, i) => ({
      externalId: `wm${i}`,
      name: `客户 ${i}`,
      ownerUserId: 'wangwei',
    })),
  });
  return current;
};

const listAll = (c: CrmConnector) =>
  c.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 50 }) as ReturnType<
    NonNullable<CrmConnector['listCustomers']>
  >;
const move = (id: string, from: string | null, to: string | null): CrmMove => ({
  customerExternalId: id,
  fromUserId: from,
  toUserId: to,
});
const transfer = (h: WecomHarness, moves: CrmMove[], key = 'k') =>
  h.connector.transferOwnership?.({ tenantId: 'acme', idempotencyKey: key, moves }) as Promise<
    readonly Record<string, unknown>[]
  >;

describe('wecom connector: tokens, limits and outages', () => {
  it('caches the access_token, and fetches a new one when WeCom says it expired (42001)', async () => {
    const h = await start();
    await listAll(h.connector);
    await listAll(h.connector);
    expect(h.corp.calls.filter((c) => c.route === 'gettoken')).toHaveLength(1);
    h.corp.inject({ kind: 'token-expired', on: 'by-user' });
    expect((await listAll(h.connector)).items).toHaveLength(12);
    expect(h.corp.calls.filter((c) => c.route === 'gettoken')).toHaveLength(2);
  });

  it('refuses a wrong secret with an auth ConnectorError (40001), not retried', async () => {
    const h = await start({}, { corpSecret: 'wrong' });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params.kind).toBe('auth');
    expect(error.params.detail).toContain('40001');
    expect(h.corp.calls.filter((c) => c.route === 'gettoken')).toHaveLength(1);
  });

  it('retries busy (-1), dropped connections and slow answers with backoff', async () => {
    const h = await start({}, { callTimeoutMs: 200 });
    h.corp.inject({ kind: 'busy', on: 'by-user', times: 2 });
    expect((await listAll(h.connector)).items).toHaveLength(12);
    h.corp.inject({ kind: 'drop', on: 'by-user' });
    expect((await listAll(h.connector)).items).toHaveLength(12);
    h.corp.inject({ kind: 'slow', delayMs: 600, on: 'by-user' });
    expect((await listAll(h.connector)).items).toHaveLength(12);
  });

  it("surfaces 45009 as rate-limited with WeCom's block of 60 s", async () => {
    const h = await start();
    h.corp.inject({ kind: 'rate-limit', on: 'by-user', times: 5 });
    const error = await connectorErrorOf(listAll(h.connector));
    expect(error.params).toMatchObject({ kind: 'rate-limited', retryAfterMs: 60_000 });
    expect(error.retryable).toBe(true);
  });
});

describe('wecom connector: transfers', () => {
  it('hands customers over 24 hours later: pending, then done, with one call per pair of members', async () => {
    const h = await start();
    const moves = [move('wm0', 'wangwei', 'lina'), move('wm1', 'wangwei', 'zhaoqiang'), move('wm2', 'wangwei', 'lina')];
    const started = await transfer(h, moves);
    expect(started.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(h.corp.calls.filter((c) => c.route === 'transfer').map((c) => c.records)).toEqual([2, 2, 1, 1]);
    expect((await h.connector.transferStatus?.('acme', moves))?.map((r) => r.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    h.corp.advance(86_400);
    expect((await h.connector.transferStatus?.('acme', moves))?.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(h.corp.followersOf('wm0')).toEqual(['lina']);
  });

  it('uses 离职继承 for a member who has left, without the per-customer limit', async () => {
    const h = await start({ transfersPerCustomer: { count: 1, days: 90 } });
    h.corp.memberLeaves('wangwei');
    const started = await transfer(h, [move('wm0', 'wangwei', 'lina')]);
    expect(started[0]?.status).toBe('pending');
    expect(h.corp.transfers).toEqual([
      expect.objectContaining({
        externalUserId: 'wm0',
        handover: 'wangwei',
        takeover: 'lina',
        resigned: true,
        status: 2,
      }),
    ]);
  });

  it("never asks for a transfer over WeCom's limit per customer, and says so", async () => {
    const h = await start({ transfersPerCustomer: { count: 2, days: 90 } });
    await transfer(h, [move('wm0', 'wangwei', 'lina')], 'k1');
    h.corp.advance(86_400);
    await transfer(h, [move('wm0', 'lina', 'zhaoqiang')], 'k2');
    h.corp.advance(86_400);
    const calls = h.corp.calls.filter((c) => c.route === 'transfer').length;
    const third = await transfer(h, [move('wm0', 'zhaoqiang', 'lina')], 'k3');
    expect(third[0]).toMatchObject({ status: 'failed', code: 'TRANSFER_LIMIT', retryable: false });
    // The resigned endpoint answered 40097 (zhaoqiang has not left); the on-job one was never asked.
    expect(h.corp.calls.filter((c) => c.route === 'transfer')).toHaveLength(calls + 1);
    expect(h.corp.followersOf('wm0')).toEqual(['zhaoqiang']);
  });

  it("reports a refusal and the successor's limit as failures that need another successor", async () => {
    const h = await start({ customerLimit: 13 });
    h.corp.refuseTransfers('wm0');
    await h.seed({
      customers: Array.from({ length: 13 }, (_, i) => ({ externalId: `full${i}`, name: 'x', ownerUserId: 'lina' })),
    });
    const moves = [move('wm0', 'wangwei', 'zhaoqiang'), move('wm1', 'wangwei', 'lina')];
    await transfer(h, moves);
    h.corp.advance(86_400);
    const status = await h.connector.transferStatus?.('acme', moves);
    expect(status?.map((r) => r.status === 'failed' && [r.code, r.retryable])).toEqual([
      ['CUSTOMER_REFUSED', false],
      ['TAKEOVER_LIMIT', false],
    ]);
  });

  it('reports per-customer errcodes alone, and moves to nobody go to the pool member', async () => {
    const h = await start();
    h.corp.inject({ kind: 'customer-error', ids: ['wm1'], errcode: 40099 });
    const results = await transfer(h, [move('wm0', 'wangwei', null), move('wm1', 'wangwei', null)]);
    expect(results[0]).toMatchObject({ status: 'pending' });
    expect(results[1]).toMatchObject({ status: 'failed', code: 'TAKEOVER_LIMIT', retryable: false });
    h.corp.advance(86_400);
    expect(h.corp.followersOf('wm0')).toEqual([POOL]);
    const page = await listAll(h.connector);
    expect(page.items.find((c) => c.externalId === 'wm0')?.ownerUserId).toBeNull();
  });

  it('without a pool member, a move to nobody fails alone', async () => {
    const h = await start({}, { poolUserId: undefined });
    const results = await transfer(h, [move('wm0', 'wangwei', null), move('wm1', 'wangwei', 'lina')]);
    expect(results.map((r) => (r.status === 'failed' ? r.code : r.status))).toEqual(['NO_POOL_MEMBER', 'pending']);
  });
});

describe('wecom connector: users and options', () => {
  it('finds members by e-mail in any case, then by mobile', async () => {
    const h = await start();
    const mapped = await h.connector.mapUsers?.('acme', [
      { employeeId: 'e-1', email: 'WANG@acme.cn' },
      { employeeId: 'e-2', email: 'old@acme.cn', mobile: '13800000002' },
      { employeeId: 'e-3', email: 'nobody@acme.cn' },
    ]);
    expect(Object.fromEntries(mapped ?? [])).toEqual({ 'e-1': 'wangwei', 'e-2': 'lina', 'e-3': null });
  });

  it('refuses bad options with a ValidationError naming each', () => {
    const error = (() => {
      try {
        wecomConnector({
          corpId: 'ww 1',
          corpSecret: '',
          baseUrl: 'http://qyapi.weixin.qq.com',
          transferMessage: '长'.repeat(201),
        });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'baseUrl',
      'corpId',
      'corpSecret',
      'transferMessage',
    ]);
  });
});

describe('wecom connector: contact statistics', () => {
  it('reads each member per day, one call per member and 30 days, with null where WeCom leaves a value out', async () => {
    const h = await start();
    const connector = h.connector as import('../src/index.js').WecomConnector;
    h.corp.setContactStats('wangwei', '2026-11-01', {
      chatCount: 12,
      messageCount: 40,
      replyPercentage: 92.5,
      avgReplyMinutes: 7,
      negativeFeedbackCount: 3,
    });
    h.corp.setContactStats('lina', '2026-11-01', { newContactCount: 2, chatCount: 1 });
    const days = await connector.contactStats({ userIds: ['wangwei', 'lina'], from: '2026-09-10', to: '2026-11-01' });
    expect(days.filter((d) => d.userId === 'wangwei')).toHaveLength(53);
    expect(days.find((d) => d.userId === 'wangwei' && d.date === '2026-11-01')).toEqual({
      userId: 'wangwei',
      date: '2026-11-01',
      newApplyCount: 0,
      newContactCount: 0,
      chatCount: 12,
      messageCount: 40,
      replyPercentage: 92.5,
      avgReplyMinutes: 7,
      negativeFeedbackCount: 3,
    });
    expect(days.find((d) => d.userId === 'lina' && d.date === '2026-11-01')).toMatchObject({
      newContactCount: 2,
      replyPercentage: null,
      avgReplyMinutes: null,
    });
    expect(h.corp.calls.filter((c) => c.route === 'behavior')).toHaveLength(4);
  });

  it('surfaces a range WeCom no longer keeps as rejected, and refuses a backwards range before calling', async () => {
    const h = await start();
    const connector = h.connector as import('../src/index.js').WecomConnector;
    const error = await connectorErrorOf(
      connector.contactStats({ userIds: ['wangwei'], from: '2025-01-01', to: '2025-01-02' }),
    );
    expect(error.params.kind).toBe('rejected');
    expect(error.params.detail).toContain('40058');
    await expect(
      connector.contactStats({ userIds: ['wangwei'], from: '2026-11-02', to: '2026-11-01' }),
    ).rejects.toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
