import { describe, expect, it } from 'vitest';
import {
  ConnectorError,
  type CrmCapabilities,
  type CrmConnector,
  type CrmFeature,
  checkConnector,
  isGuardError,
} from '../src/index.js';
import { latinWords } from './latin.js';

const ALL: CrmCapabilities = {
  customers: true,
  orders: true,
  activities: true,
  users: true,
  transfer: { maxBatch: 200, completesLater: false },
  maxPageSize: 2000,
};

const page = async () => ({ items: [], cursor: 'c-0', caughtUp: true });

/** A connector with every method, and the given capabilities. */
function full(capabilities: CrmCapabilities = ALL): CrmConnector {
  return {
    name: 'salesforce',
    capabilities,
    listCustomers: page,
    listOrders: page,
    listActivities: page,
    mapUsers: async () => new Map(),
    transferOwnership: async () => [],
    transferStatus: async () => [],
  };
}

const FEATURES: readonly CrmFeature[] = ['customer-sync', 'order-sync', 'activity-sync', 'ownership-transfer'];

function refusal(connector: unknown, features: readonly CrmFeature[], locale: 'en' | 'zh-CN' = 'en') {
  try {
    checkConnector(connector as CrmConnector, features, { locale });
  } catch (error) {
    return error;
  }
  return null;
}

describe('checkConnector', () => {
  it('passes a connector that has what every enabled feature needs, and returns it', () => {
    const connector = full();
    expect(checkConnector(connector, FEATURES)).toBe(connector);
    // A feature that is not enabled needs nothing.
    const { listOrders: _, ...noOrders } = full({ ...ALL, orders: false });
    expect(checkConnector(noOrders, ['customer-sync', 'ownership-transfer'])).toBe(noOrders);
  });

  it('names each feature that cannot run and the method it needs, for a missing method or capability', () => {
    const { listActivities: _, ...noActivities } = full();
    const error = refusal({ ...noActivities, capabilities: { ...ALL, orders: false } }, FEATURES);
    expect(isGuardError(error, 'CONNECTOR_INCOMPLETE')).toBe(true);
    expect((error as { params: unknown }).params).toEqual({
      connector: 'salesforce',
      missing: [
        { feature: 'order-sync', method: 'listOrders' },
        { feature: 'activity-sync', method: 'listActivities' },
      ],
    });
    expect((error as Error).message).toBe(
      'Connector "salesforce" cannot do what the enabled features need: order sync needs `listOrders`; activity sync needs `listActivities`.',
    );
  });

  it('asks for transferStatus only of a connector whose transfers complete later (WeCom)', () => {
    const { transferStatus: _, ...noStatus } = full();
    expect(checkConnector(noStatus, ['ownership-transfer'])).toBe(noStatus);
    const later = { ...noStatus, capabilities: { ...ALL, transfer: { maxBatch: 100, completesLater: true } } };
    const error = refusal(later, ['ownership-transfer', 'ownership-transfer']);
    expect((error as { params: { missing: unknown } }).params.missing).toEqual([
      { feature: 'ownership-transfer', method: 'transferStatus' },
    ]);
  });

  it('every feature needs the user mapping: employees are matched to CRM users first', () => {
    const { mapUsers: _, ...noUsers } = full();
    const error = refusal(noUsers, FEATURES);
    expect((error as { params: { missing: { method: string }[] } }).params.missing.map((m) => m.method)).toEqual([
      'mapUsers',
      'mapUsers',
      'mapUsers',
      'mapUsers',
    ]);
  });

  it('refuses a malformed connector or feature list with a ValidationError naming the path', () => {
    for (const [bad, path] of [
      [null, '(root)'],
      [{ ...full(), name: '' }, 'name'],
      [
        { ...full(), capabilities: { ...ALL, transfer: { maxBatch: 0, completesLater: false } } },
        'capabilities.transfer.maxBatch',
      ],
      [{ ...full(), capabilities: { ...ALL, maxPageSize: 1.5 } }, 'capabilities.maxPageSize'],
      [{ ...full(), capabilities: { ...ALL, webhooks: true } }, 'capabilities'],
    ] as const) {
      const error = refusal(bad, ['customer-sync']);
      expect(isGuardError(error, 'VALIDATION_FAILED'), JSON.stringify(path)).toBe(true);
      expect((error as { params: { issues: { path: string }[] } }).params.issues.map((i) => i.path)).toContain(path);
    }
    const error = refusal(full(), ['order-sync', 'lead-sync' as CrmFeature]);
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
  });

  it('speaks zh-CN to a zh-CN operator', () => {
    const { listOrders: _, ...noOrders } = full();
    const error = refusal(noOrders, ['order-sync'], 'zh-CN') as Error & { hint: string };
    expect(error.message).toBe('连接器「salesforce」无法满足已启用功能的需要：「订单同步」需要 `listOrders`。');
    expect(latinWords(`${error.message} ${error.hint}`, ['salesforce'])).toEqual([]);
  });
});

describe('ConnectorError', () => {
  const kinds = ['auth', 'rate-limited', 'unavailable', 'rejected'] as const;

  it('says per kind whether a retry can help, and what to do, in both languages', () => {
    for (const kind of kinds) {
      const error = new ConnectorError({
        connector: 'hubspot',
        operation: 'transferOwnership',
        kind,
        detail: '429',
        ...(kind === 'rate-limited' ? { retryAfterMs: 10_000 } : {}),
      });
      expect(error.retryable, kind).toBe(kind === 'rate-limited' || kind === 'unavailable');
      expect(error.message).toBe('Connector "hubspot" failed to transfer ownership: 429');
      const zh = error.localize('zh-CN');
      expect(zh.message).toBe('连接器「hubspot」执行「转移客户归属」失败：429');
      expect(latinWords(`${zh.message} ${zh.hint}`, ['hubspot']), kind).toEqual([]);
    }
    const limited = new ConnectorError({
      connector: 'wecom',
      operation: 'listCustomers',
      kind: 'rate-limited',
      detail: '45009',
      retryAfterMs: 59_500,
    });
    expect(limited.hint).toMatch(/for about 60 s/);
    expect(limited.localize('zh-CN').hint).toMatch(/约 60 秒后恢复/);
  });
});
