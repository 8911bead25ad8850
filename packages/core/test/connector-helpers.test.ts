import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ConnectorError,
  connectorBackoffMs,
  connectorOptionsShape,
  connectorUrlSchema,
  foreignCursorError,
  isGuardError,
  isNetworkFailure,
  parseConnectorOptions,
  parseCrmListRequest,
  parseCrmTransferRequest,
  retryConnectorCall,
} from '../src/index.js';

const failure = (kind: 'auth' | 'rate-limited' | 'unavailable' | 'rejected', retryAfterMs?: number) =>
  new ConnectorError({
    connector: 'demo',
    operation: 'listCustomers',
    kind,
    detail: kind,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return null;
};

describe('parseCrmListRequest', () => {
  it('lowers the limit to the page size the connector declares', () => {
    expect(parseCrmListRequest({ tenantId: 'acme', cursor: 'c', limit: 5000 }, { maxPageSize: 2000 })).toEqual({
      tenantId: 'acme',
      cursor: 'c',
      limit: 2000,
    });
  });

  it('refuses a malformed call with a ValidationError naming each field, in the locale asked for', () => {
    const error = thrown(() =>
      parseCrmListRequest(
        { tenantId: 'a b', cursor: 7, limit: 0, signal: 'soon' } as never,
        { maxPageSize: 100 },
        {
          locale: 'zh-CN',
        },
      ),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'cursor',
      'limit',
      'signal',
      'tenantId',
    ]);
    expect((error as Error).message).toContain('客户管理系统列表请求');
  });
});

describe('parseCrmTransferRequest', () => {
  const moves = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ customerExternalId: `c-${i}`, fromUserId: 'u-1', toUserId: null }));

  it('refuses a batch over maxBatch whole, as a ConnectorError of kind rejected', () => {
    expect(
      parseCrmTransferRequest({ tenantId: 'acme', idempotencyKey: 'k', moves: moves(3) }, { name: 'x', maxBatch: 3 })
        .moves,
    ).toHaveLength(3);
    const error = thrown(() =>
      parseCrmTransferRequest({ tenantId: 'acme', idempotencyKey: 'k', moves: moves(4) }, { name: 'x', maxBatch: 3 }),
    );
    expect(isGuardError(error, 'CONNECTOR_FAILURE')).toBe(true);
    expect((error as ConnectorError).params).toMatchObject({ kind: 'rejected', operation: 'transferOwnership' });
    expect((error as ConnectorError).retryable).toBe(false);
  });

  it('refuses ids with control characters and an empty idempotency key', () => {
    const error = thrown(() =>
      parseCrmTransferRequest(
        {
          tenantId: 'acme',
          idempotencyKey: '',
          moves: [{ customerExternalId: 'a\nb', fromUserId: '', toUserId: 'u' }],
        },
        { name: 'x', maxBatch: 10 },
      ),
    );
    expect((error as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'idempotencyKey',
      'moves.0.customerExternalId',
      'moves.0.fromUserId',
    ]);
  });
});

describe('retryConnectorCall', () => {
  const classify = (e: unknown) => (e instanceof ConnectorError ? e : failure('unavailable'));

  it('calls until success, a failure waiting cannot fix, or the tries run out', async () => {
    // Each run: what the call does on each try; the call count and the outcome follow from the policy.
    const outcome = fc.constantFrom('ok', 'rate-limited', 'unavailable', 'rejected', 'auth', 'crash');
    await fc.assert(
      fc.asyncProperty(
        fc.array(outcome, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        async (script, attempts) => {
          let calls = 0;
          const result = await retryConnectorCall(
            async () => {
              const step = script[Math.min(calls, script.length - 1)];
              calls += 1;
              if (step === 'ok') return 'ok';
              if (step === 'crash') throw new Error('socket hang up');
              throw failure(step as 'rate-limited' | 'unavailable' | 'rejected' | 'auth');
            },
            { classify, policy: { attempts, baseDelayMs: 0 } },
          ).then(
            (value) => value,
            (e: ConnectorError) => e.params.kind,
          );
          const steps = Array.from({ length: attempts }, (_, i) => script[Math.min(i, script.length - 1)]);
          const stop = steps.findIndex((s) => s === 'ok' || s === 'rejected' || s === 'auth');
          const expectedCalls = stop === -1 ? attempts : stop + 1;
          const last = steps[expectedCalls - 1];
          expect(calls).toBe(expectedCalls);
          expect(result).toBe(last === 'crash' ? 'unavailable' : last);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('waits what the CRM asks for, and fails at once when that is longer than maxDelayMs', async () => {
    let calls = 0;
    const started = Date.now();
    await retryConnectorCall(
      async () => {
        calls += 1;
        if (calls === 1) throw failure('rate-limited', 120);
        return 'ok';
      },
      { classify },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    calls = 0;
    const error = await retryConnectorCall(
      async () => {
        calls += 1;
        throw failure('rate-limited', 86_400_000);
      },
      { classify, policy: { maxDelayMs: 1000 } },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as ConnectorError).params.kind).toBe('rate-limited');
  });

  it('stops waiting as soon as the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(
      retryConnectorCall(
        async () => {
          throw failure('unavailable');
        },
        { classify, policy: { baseDelayMs: 10_000 }, signal: controller.signal },
      ),
    ).rejects.toThrow('shutting down');
  });

  it('backs off exponentially with jitter, within maxDelayMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 1, max: 20 }),
        (base, max, attempt) => {
          const full = Math.min(max, base * 2 ** (attempt - 1));
          const delay = connectorBackoffMs({ baseDelayMs: base, maxDelayMs: max }, attempt);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(delay).toBeLessThanOrEqual(full);
        },
      ),
    );
  });
});

describe('connector options and errors', () => {
  it('takes https URLs, and plain http on loopback only', () => {
    expect(connectorUrlSchema.safeParse('https://acme.my.salesforce.com').success).toBe(true);
    expect(connectorUrlSchema.safeParse('http://127.0.0.1:8080').success).toBe(true);
    expect(connectorUrlSchema.safeParse('http://localhost:8080/x').success).toBe(true);
    expect(connectorUrlSchema.safeParse('http://api.hubapi.com').success).toBe(false);
    expect(connectorUrlSchema.safeParse('ftp://127.0.0.1').success).toBe(false);
  });

  it('validates options with the common shape, in the language they ask for', () => {
    const schema = z.strictObject({ token: z.string().min(1), ...connectorOptionsShape });
    expect(parseConnectorOptions(schema, { token: 't', retry: { attempts: 2 } })).toEqual({
      token: 't',
      retry: { attempts: 2 },
    });
    const error = thrown(() =>
      parseConnectorOptions(schema, { token: '', callTimeoutMs: 0, locale: 'zh-CN', extra: 1 }),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('连接器配置');
    expect((error as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      '',
      'callTimeoutMs',
      'token',
    ]);
  });

  it('names a foreign cursor as rejected, and tells network failures from others', () => {
    const error = foreignCursorError('hubspot', 'listOrders', 'x'.repeat(500));
    expect(error.params).toMatchObject({ connector: 'hubspot', operation: 'listOrders', kind: 'rejected' });
    expect(error.params.detail.length).toBeLessThan(120);
    expect(isNetworkFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(
      isNetworkFailure(
        new TypeError('fetch failed', { cause: Object.assign(new Error(), { code: 'UND_ERR_SOCKET' }) }),
      ),
    ).toBe(true);
    expect(isNetworkFailure(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isNetworkFailure(new Error('HTTP 400'))).toBe(false);
    expect(isNetworkFailure(null)).toBe(false);
  });
});
