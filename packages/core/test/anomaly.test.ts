import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketWidth, observeWindow, WINDOW_BUCKETS, type WindowState } from '../src/anomaly/window.js';
import { type ActorBlockedError, isGuardError } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

describe('observeWindow', () => {
  it('counts at least every event in the window and at most one bucket more, in bounded memory', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 70_000 }), count: fc.integer({ min: 0, max: 12 }) }), {
          maxLength: 80,
        }),
        (limit, windowMs, steps) => {
          let state: WindowState | undefined;
          const all: { at: number; count: number }[] = [];
          const bucketMs = bucketWidth(windowMs);
          let at = 1_000_000;
          for (const { gap, count } of steps) {
            at += gap;
            all.push({ at, count });
            const since = (from: number) =>
              all.filter((e) => e.at > from && e.at <= at).reduce((n, e) => n + e.count, 0);
            const result = observeWindow(state, at, count, limit, windowMs);
            expect(result.inWindow).toBeGreaterThanOrEqual(since(at - windowMs));
            expect(result.inWindow).toBeLessThanOrEqual(since(at - windowMs - bucketMs));
            expect(result.breach).toBe(result.inWindow > limit);
            expect(result.state.buckets.length).toBeLessThanOrEqual(WINDOW_BUCKETS + 1);
            const indexes = result.state.buckets.map(([index]) => index);
            expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
            expect(new Set(indexes).size).toBe(indexes.length);
            state = result.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('forgets events once the window and its oldest bucket have passed', () => {
    const full = observeWindow(undefined, 0, 3, 3, 60_000);
    expect(full.breach).toBe(false);
    expect(observeWindow(full.state, 59_999, 1, 3, 60_000).breach).toBe(true);
    expect(observeWindow(full.state, 61_000, 1, 3, 60_000)).toMatchObject({ breach: false, inWindow: 1 });
  });

  it('costs the same whatever the window holds', () => {
    const busy = observeWindow(undefined, 0, 5_000, 10_000, 3_600_000);
    expect(busy.inWindow).toBe(5_000);
    expect(busy.state.buckets).toEqual([[0, 5_000]]);
    let state: WindowState | undefined;
    for (let minute = 0; minute < 600; minute++)
      state = observeWindow(state, minute * 60_000, 100, 10_000, 3_600_000).state;
    expect(state?.buckets.length).toBeLessThanOrEqual(WINDOW_BUCKETS + 1);
  });

  it('carries a window over when its length changes', () => {
    const hour = observeWindow(undefined, 3_600_000, 4, 10, 3_600_000).state;
    expect(observeWindow(hour, 3_600_000, 1, 10, 24 * 3_600_000).inWindow).toBe(5);
  });
});

describe('anomaly detection on guarded reads', () => {
  const afterHoursAlerts = async (t: Awaited<ReturnType<typeof seededGuard>>['t'], employeeId: string) =>
    (await t.alerts.list({ employeeId })).items.filter((a) => a.kind === 'after-hours-access');

  it('counts reads outside working hours in the tenant time zone, and on weekends', async () => {
    const { t, clock } = await seededGuard();
    await t.settings.update({ anomaly: { afterHours: { limit: 2, windowMinutes: 7 * 24 * 60 } } });
    const read = () => t.customers.read({ actor: 'rep', customerId: 'c-rep' });

    // Monday 10:00 and 19:59 in Shanghai: working hours
    await read();
    clock.set('2026-11-02T19:59:00+08:00');
    await read();
    await read();
    expect(await afterHoursAlerts(t, 'rep')).toHaveLength(0);

    // 13:00 UTC is 21:00 in Shanghai: after hours there, although within 08–20 in UTC
    clock.set('2026-11-02T13:00:00Z');
    await read();
    // Saturday 10:00 in Shanghai
    clock.set('2026-11-07T10:00:00+08:00');
    await read();
    expect(await afterHoursAlerts(t, 'rep')).toHaveLength(0);
    await read();
    const [alert] = await afterHoursAlerts(t, 'rep');
    expect(alert).toMatchObject({ status: 'open', blocking: false, evidence: { count: 3, limit: 2 } });
    // after-hours alerts only warn: bulk actions go on
    expect((await t.customers.list({ actor: 'rep' })).items).toHaveLength(1);
  });

  it('a list counts the rows it returns; a breaching page is refused, the blocking alert kept, nothing audited as read', async () => {
    const { t } = await seededGuard();
    await t.settings.update({ anomaly: { view: { limit: 8, windowMinutes: 60 } } });
    expect((await t.customers.list({ actor: 'hr', scope: 'tenant' })).items).toHaveLength(6);
    const error = await rejection(t.customers.list({ actor: 'hr', scope: 'tenant' }));
    expect(isGuardError(error, 'ACTOR_BLOCKED')).toBe(true);
    const alert = await t.alerts.get((error as ActorBlockedError).params.alertId);
    expect(alert).toMatchObject({ kind: 'bulk-view', blocking: true, employeeId: 'hr', evidence: { count: 12 } });
    expect((await t.audit.query({ actorId: 'hr', action: 'customer.read', limit: 100 })).items).toHaveLength(6);
    // a single read is never blocked, but the list stays refused
    expect((await t.customers.read({ actor: 'hr', customerId: 'c-rep' })).id).toBe('c-rep');
    expect(isGuardError(await rejection(t.customers.list({ actor: 'hr', scope: 'own' })), 'ACTOR_BLOCKED')).toBe(true);
  });

  it('a single read over the limit is served, but raises the blocking alert', async () => {
    const { t } = await seededGuard();
    await t.settings.update({ anomaly: { view: { limit: 2, windowMinutes: 60 } } });
    for (let i = 0; i < 3; i++) await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const [alert] = (await t.alerts.list({ employeeId: 'rep' })).items;
    expect(alert).toMatchObject({ kind: 'bulk-view', blocking: true, evidence: { count: 3, limit: 2 } });
    expect(isGuardError(await rejection(t.customers.list({ actor: 'rep' })), 'ACTOR_BLOCKED')).toBe(true);
  });

  it('resigning lowers the limit', async () => {
    const { t } = await seededGuard();
    await t.settings.update({ anomaly: { view: { limit: 4, windowMinutes: 60 }, resigningFactor: 0.5 } });
    for (let i = 0; i < 3; i++) {
      await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
      await t.customers.read({ actor: 'leaver', customerId: 'c-leaver' });
    }
    expect((await t.alerts.list({ employeeId: 'rep' })).items).toHaveLength(0);
    const [alert] = (await t.alerts.list({ employeeId: 'leaver' })).items;
    expect(alert).toMatchObject({ kind: 'bulk-view', severity: 'critical', evidence: { count: 3, limit: 2 } });
    expect(isGuardError(await rejection(t.customers.list({ actor: 'leaver' })), 'ACTOR_BLOCKED')).toBe(true);
    expect((await t.customers.list({ actor: 'rep' })).items).toHaveLength(1);
  });

  it('the window slides: the same reads spread over time raise nothing', async () => {
    const { t, clock } = await seededGuard();
    await t.settings.update({ anomaly: { view: { limit: 2, windowMinutes: 60 } } });
    for (let i = 0; i < 5; i++) {
      await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
      clock.advance({ minutes: 31 });
    }
    expect((await t.alerts.list({ employeeId: 'rep' })).items).toHaveLength(0);
  });
});
