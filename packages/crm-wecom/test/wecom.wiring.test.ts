import { describeConnectorWiring } from '@guard/testkit';
import { expect } from 'vitest';
import { wecomHarness } from './harness.js';

describeConnectorWiring('wecom connector inside Guard, against the fake corp', {
  harness: () => wecomHarness(),
  afterOffboarding: (h, n) => {
    // Calls of at most 100 customers (one pair of members); WeCom started one transfer per customer.
    const calls = h.corp.calls.filter((c) => c.route === 'transfer').map((c) => c.records ?? 0);
    expect(Math.max(...calls)).toBeLessThanOrEqual(100);
    const started = h.corp.transfers.map((t) => t.externalUserId);
    expect(started).toHaveLength(n);
    expect(new Set(started).size).toBe(n);
    expect(h.corp.transfers.every((t) => t.status === 1 && t.takeover === 'u-2')).toBe(true);
  },
});
