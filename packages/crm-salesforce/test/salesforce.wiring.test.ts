import { describeConnectorWiring } from '@guard/testkit';
import { expect } from 'vitest';
import { salesforceHarness } from './harness.js';

describeConnectorWiring('salesforce connector inside Guard, against the fake org', {
  harness: () => salesforceHarness(),
  afterOffboarding: (h, n) => {
    // sObject Collections updates of 200 accounts each.
    const updates = h.org.calls.filter((c) => c.route === 'update').map((c) => c.records);
    // The worker's claim rounds may cut one batch short; never more than one.
    expect(Math.max(...updates.map((r) => r ?? 0))).toBeLessThanOrEqual(200);
    expect(updates.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(n);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(n / 200) + 1);
  },
});
