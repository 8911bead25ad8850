import { describe, expect, it } from 'vitest';
import { type ActorBlockedError, isGuardError, memoryNotifier } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

/** Blocks `mgr` the way the 12-delete story does: more deletes in an hour than the limit. */
async function blockedManager() {
  const setup = await seededGuard();
  const { t } = setup;
  await t.settings.update({ anomaly: { delete: { limit: 1, windowMinutes: 60 } } });
  const refused = await rejection(
    t.customers.requestDelete({ actor: 'mgr', customerIds: ['c-rep', 'c-mate'], reason: 'cleanup' }),
  );
  expect(isGuardError(refused, 'ACTOR_BLOCKED')).toBe(true);
  return { ...setup, alertId: (refused as ActorBlockedError).params.alertId };
}

/** @see issue #16, hole 6: blocks that did not bite, and alerts that did not stop. */
describe('a blocked employee', () => {
  it('reads only the public class, one by one, until the alert is resolved', async () => {
    const { t, alertId } = await blockedManager();
    const view = await t.customers.read({ actor: 'mgr', customerId: 'c-rep' });
    expect(view.fields).toEqual({ public: { industry: 'retail' } });
    expect(view.restrictedBy).toBe(alertId);
    const audit = await t.audit.query({ actorId: 'mgr', action: 'customer.read', limit: 5 });
    expect(audit.items.at(-1)?.data).toMatchObject({ restrictedBy: alertId, hidden: ['commercial', 'contact'] });

    await t.alerts.resolve({ actor: 'hr', alertId, note: 'duplicates, confirmed' });
    const after = await t.customers.read({ actor: 'mgr', customerId: 'c-rep' });
    expect(Object.keys(after.fields).sort()).toEqual(['commercial', 'contact', 'public']);
    expect(after.restrictedBy).toBeNull();
  });

  it('is refused every read when the tenant says so', async () => {
    const { t, alertId } = await blockedManager();
    await t.settings.update({
      anomaly: { delete: { limit: 1, windowMinutes: 60 }, whileBlocked: { reads: 'deny' } },
    });
    const error = await rejection(t.customers.read({ actor: 'mgr', customerId: 'c-rep' }));
    expect(isGuardError(error, 'ACTOR_BLOCKED')).toBe(true);
    expect((error as ActorBlockedError).params.alertId).toBe(alertId);
    const denied = await t.audit.query({ actorId: 'mgr', action: 'customer.read-denied', limit: 5 });
    expect(denied.items.map((e) => e.data)).toEqual([{ blockedBy: alertId }]);
  });

  it('sees what the tenant lists in readClasses, never more than the policy allows', async () => {
    const { t } = await blockedManager();
    await t.settings.update({
      anomaly: { delete: { limit: 1, windowMinutes: 60 }, whileBlocked: { readClasses: ['public', 'contact'] } },
    });
    const manager = await t.customers.read({ actor: 'mgr', customerId: 'c-rep' });
    expect(Object.keys(manager.fields).sort()).toEqual(['contact', 'public']);
  });
});

describe('a repeat of an open alert', () => {
  it('60 after-hours reads raise one alert, counted, and tell the manager once', async () => {
    const notifier = memoryNotifier();
    const { guard, t, clock } = await seededGuard();
    await t.settings.update({ anomaly: { afterHours: { limit: 19, windowMinutes: 24 * 60 } } });
    clock.set('2026-11-02T23:00:00+08:00');
    for (let i = 0; i < 60; i++) await t.customers.read({ actor: 'rep', customerId: 'c-rep' });

    const alerts = (await t.alerts.list({ employeeId: 'rep' })).items.filter((a) => a.kind === 'after-hours-access');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ count: 41, status: 'open', evidence: { limit: 19 } });
    expect(alerts[0]?.lastSeenAt).toBe(new Date('2026-11-02T23:00:00+08:00').toISOString());
    expect((await t.audit.query({ action: 'alert.repeat', limit: 100 })).items).toHaveLength(40);

    await guard.worker({ notifier }).runDue();
    const told = notifier.sent.filter((n) => n.template === 'alert.raised');
    expect(told).toHaveLength(1);
    expect(told[0]?.to).toEqual(['mgr']);
  });

  it('after the alert is resolved, the next breach raises a new one', async () => {
    const { t, clock } = await seededGuard();
    await t.settings.update({ anomaly: { afterHours: { limit: 1, windowMinutes: 24 * 60 } } });
    clock.set('2026-11-02T23:00:00+08:00');
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const [first] = (await t.alerts.list({ employeeId: 'rep' })).items;
    await t.alerts.resolve({ actor: 'mgr', alertId: first?.id as string, note: 'night shift' });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const all = (await t.alerts.list({ employeeId: 'rep' })).items;
    expect(all.map((a) => [a.status, a.count])).toEqual([
      ['open', 1],
      ['resolved', 1],
    ]);
  });
});
