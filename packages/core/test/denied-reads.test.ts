import { describe, expect, it } from 'vitest';
import { isGuardError, memoryNotifier } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

/** @see issue #16, hole 10: a resigning rep opened teammates' customers 234 times and nobody heard of it. */
describe('reads the policy refuses', () => {
  it('raise one warning alert once they pass the limit, told to the manager, without blocking', async () => {
    const { guard, t, clock } = await seededGuard();
    for (let i = 0; i < 30; i++) {
      clock.advance({ minutes: 10 });
      expect(
        isGuardError(await rejection(t.customers.read({ actor: 'leaver', customerId: 'c-mate' })), 'FORBIDDEN'),
      ).toBe(true);
    }
    const alerts = (await t.alerts.list({ employeeId: 'leaver' })).items;
    expect(alerts.map((a) => a.kind)).toEqual(['repeated-denied-access']);
    // The limit is 10 a day, halved while resigning: the 6th refusal raised it, the rest were counted on it.
    expect(alerts[0]).toMatchObject({ blocking: false, count: 25, severity: 'critical', evidence: { limit: 5 } });
    // A warning, not a block: the leaver still reads their own customer in full.
    expect((await t.customers.read({ actor: 'leaver', customerId: 'c-leaver' })).restrictedBy).toBeNull();

    const notifier = memoryNotifier();
    await guard.worker({ notifier }).runDue();
    expect(notifier.sent.filter((n) => n.template === 'alert.raised').map((n) => n.to)).toEqual([['mgr']]);
  });

  it('stay below the alert when they are few', async () => {
    const { t } = await seededGuard();
    for (let i = 0; i < 3; i++) {
      expect(
        isGuardError(await rejection(t.customers.read({ actor: 'rep', customerId: 'c-other' })), 'FORBIDDEN'),
      ).toBe(true);
    }
    expect((await t.alerts.list({ employeeId: 'rep' })).items).toEqual([]);
  });
});
