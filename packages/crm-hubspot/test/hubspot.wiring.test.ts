import { describeConnectorWiring } from '@guard/testkit';
import { expect } from 'vitest';
import { hubspotHarness } from './harness.js';

describeConnectorWiring('hubspot connector inside Guard, against the fake portal', {
  harness: () => hubspotHarness(),
  afterOffboarding: (h, n) => {
    // Batch updates of 100 companies each.
    const updates = h.portal.calls.filter((c) => c.route === 'batch-update').map((c) => c.records);
    // The worker's claim rounds may cut one batch short; never more than one.
    expect(Math.max(...updates.map((r) => r ?? 0))).toBeLessThanOrEqual(100);
    expect(updates.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(n);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(n / 100) + 1);
  },
});
