import { describe, expect, it } from 'vitest';
import { CRM_TRANSFER_EFFECT, memoryNotifier } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/** @see issue #16, hole 9: a dead effect was neither listed nor alerted. */
describe('an effect given up on after every retry', () => {
  it('is listed, raises one alert to HR per kind, and is audited', async () => {
    const { guard, t, clock } = await seededGuard();
    await t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    await t.ownership.release({ actor: 'mate', customerId: 'c-mate', reason: 'moved away' });
    const notifier = memoryNotifier();
    // Before any worker ran: two transfers (and their notifications) wait, all due.
    const waiting = await t.outbox.backlog();
    expect(waiting.effects).toMatchObject({ leased: 0, retrying: 0, dead: 0 });
    expect(waiting.effects.due).toBe(waiting.effects.pending);
    expect(waiting.effects.pending).toBeGreaterThanOrEqual(2);
    const worker = guard.worker({
      notifier,
      maxAttempts: 2,
      retryBaseMs: 1000,
      effects: {
        [CRM_TRANSFER_EFFECT]: async () => {
          throw new Error('CRM said 503');
        },
      },
    });
    const first = await worker.runDue();
    expect(first).toMatchObject({ effectsFailed: 2, effectsDead: 0 });
    // The two transfers wait for their retry, a second away: pending, not due, not leased.
    expect((await t.outbox.backlog()).effects).toMatchObject({ pending: 2, due: 0, leased: 0, retrying: 2, dead: 0 });
    clock.advance({ minutes: 1 });
    const second = await worker.runDue();
    expect(second).toMatchObject({ effectsDead: 2 });

    // Both dead; what waits now is the alert's notification to HR.
    expect((await t.outbox.backlog()).effects).toMatchObject({ pending: 1, due: 1, retrying: 0, dead: 2 });
    const dead = await t.outbox.dead();
    expect(dead.items.map((e) => [e.kind, e.attempts, e.lastError]).sort()).toEqual([
      [CRM_TRANSFER_EFFECT, 2, 'CRM said 503'],
      [CRM_TRANSFER_EFFECT, 2, 'CRM said 503'],
    ]);
    const payloads = dead.items.map((e) => e.payload as { customerId: string; to: string | null });
    expect(payloads.sort((a, b) => a.customerId.localeCompare(b.customerId))).toMatchObject([
      { customerId: 'c-mate', to: null },
      { customerId: 'c-rep', to: null },
    ]);

    const alerts = (await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'outbox-effect-dead');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ count: 2, severity: 'high', employeeId: null });
    expect((await t.audit.query({ action: 'alert.raise', limit: 10 })).items.map((e) => e.data.kind)).toContain(
      'outbox-effect-dead',
    );
    clock.advance({ minutes: 1 });
    await worker.runDue();
    expect(notifier.sent.filter((n) => n.data.kind === 'outbox-effect-dead').map((n) => n.to)).toEqual([['hr']]);
    expect((await t.audit.verify()).ok).toBe(true);
  });
});
