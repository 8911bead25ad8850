import { describe, expect, it } from 'vitest';
import { defaultRulePacks, isGuardError, type SignalInput } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

/** A big export in the departing window: 30 points doubled. */
const exfiltration = (employeeId: string, when: string): SignalInput[] => [
  { kind: 'export', employeeId, at: when, value: 800, id: `x-${employeeId}-${when}` },
  ...Array.from({ length: 5 }, (_, i) => ({
    kind: 'after-hours' as const,
    employeeId,
    at: when,
    id: `ah-${employeeId}-${when}-${i}`,
  })),
];

describe('signals.record', () => {
  it('validates signals with the path of the problem and writes nothing on error', async () => {
    const { t } = await seededGuard();
    const error = await rejection(
      t.signals.record([
        { kind: 'login', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
        { kind: 'order', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 10 } as SignalInput,
      ]),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('[1].customerId');
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).logins30d).toBe(0);
  });

  it('counts a signal with a known id once, even when the host retries', async () => {
    const { t } = await seededGuard();
    const leave: SignalInput = { kind: 'leave', employeeId: 'rep', at: '2026-10-30T09:00:00Z', value: 2, id: 'lv-1' };
    expect(await t.signals.record(leave)).toEqual({ recorded: 1, duplicates: 0 });
    expect(await t.signals.record([leave, leave])).toEqual({ recorded: 0, duplicates: 2 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).leaveDays30d).toBe(2);
  });

  it('feeds both the employee and the customer for orders and follow-ups', async () => {
    const { t } = await seededGuard();
    await t.signals.record([
      { kind: 'order', employeeId: 'rep', customerId: 'c-rep', at: '2026-09-01T09:00:00Z', value: 5000 },
      { kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: '2026-10-20T09:00:00Z' },
    ]);
    const customer = await t.risk.facts({ type: 'customer', id: 'c-rep' });
    expect(customer).toMatchObject({ orders90d: 1, orderAmount90d: 5000, daysSinceLastFollowUp: 13 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).followUps30d).toBe(1);
  });
});

describe('risk.score', () => {
  it("reads the departing window from the employee's offboarding case", async () => {
    const { t } = await seededGuard();
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-10-30',
      lastWorkingDay: '2026-11-30',
      reason: 'relocation',
    });
    await t.signals.record(exfiltration('rep', '2026-11-01T12:00:00Z'));
    const facts = await t.risk.facts({ type: 'employee', id: 'rep' });
    expect(facts).toMatchObject({ status: 'resigning', daysSinceResignation: 3, daysToLastDay: 28 });
    expect(facts.openHandoverItems).toBeGreaterThan(0);
    const [score] = await t.risk.score({ type: 'employee', id: 'rep' }, { pack: 'employee-data-exfiltration' });
    expect(score?.band).toBe('alert');
    expect(score?.modifiers).toEqual(['departing-window']);
    expect(score?.fired.map((f) => f.rule)).toEqual(['bulk-export', 'after-hours-access']);
  });

  it('counts views and exports Guard checks itself', async () => {
    const { t } = await seededGuard();
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).views30d).toBe(1);
  });

  it('says which subject or pack is unknown', async () => {
    const { t } = await seededGuard();
    expect(isGuardError(await rejection(t.risk.score({ type: 'employee', id: 'nobody' })), 'NOT_FOUND')).toBe(true);
    const error = await rejection(t.risk.score({ type: 'employee', id: 'rep' }, { pack: 'nope' }));
    expect(isGuardError(error, 'NOT_FOUND')).toBe(true);
  });
});

describe('risk.scan and alerts', () => {
  it('raises one alert when a score crosses the threshold, not one per scan', async () => {
    const { t } = await seededGuard();
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-10-30',
      lastWorkingDay: '2026-11-30',
      reason: 'x',
    });
    await t.signals.record(exfiltration('rep', '2026-11-01T12:00:00Z'));
    await t.signals.record({ kind: 'login', employeeId: 'mate', at: '2026-11-01T09:00:00Z' });
    const first = await t.risk.scan({ subject: 'employee' });
    expect(first).toMatchObject({ scored: 2, alertsRaised: 1, nextCursor: null });
    expect((await t.risk.scan({ subject: 'employee' })).alertsRaised).toBe(0);
    const alerts = (await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ employeeId: 'rep', severity: 'high' });
    expect(alerts[0]?.evidence).toMatchObject({
      pack: { id: 'employee-data-exfiltration', version: '1.0.0' },
      score: 90,
    });
  });

  it('pages through subjects with a cursor', async () => {
    const { t } = await seededGuard();
    for (const id of ['rep', 'mate', 'other']) {
      await t.signals.record({ kind: 'login', employeeId: id, at: '2026-11-01T09:00:00Z' });
    }
    const first = await t.risk.scan({ subject: 'employee', limit: 2 });
    expect(first.scored).toBe(2);
    const second = await t.risk.scan({ subject: 'employee', limit: 2, cursor: first.nextCursor as string });
    expect(second).toMatchObject({ scored: 1, nextCursor: null });
  });

  it('runs on a schedule through the worker', async () => {
    const { guard, t, clock } = await seededGuard();
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-10-30',
      lastWorkingDay: '2026-11-30',
      reason: 'x',
    });
    await t.risk.schedule({ everyHours: 24 });
    const worker = guard.worker();
    expect(await worker.runDue()).toMatchObject({ timersFired: 2, timerErrors: [] });
    expect((await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold')).toHaveLength(0);
    await t.signals.record(exfiltration('rep', '2026-11-02T01:00:00Z'));
    clock.advance({ hours: 25 });
    await worker.runDue();
    expect((await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold')).toHaveLength(1);
  });
});

describe('risk.installPack', () => {
  it('replaces a default pack, audited, and rejects a bad one with its path', async () => {
    const { t } = await seededGuard();
    const tuned = {
      ...defaultRulePacks.exfiltration,
      version: '1.1.0',
      thresholds: { alert: 95, watch: 50 },
    };
    await t.risk.installPack(tuned);
    const packs = await t.risk.packs();
    expect(packs.find((p) => p.id === 'employee-data-exfiltration')?.version).toBe('1.1.0');
    expect(packs).toHaveLength(4);
    const bad = JSON.parse(JSON.stringify(tuned));
    bad.rules[0].conditions.all[0].operator = 'greaterThen';
    const error = await rejection(t.risk.installPack(bad));
    expect((error as Error).message).toContain('rules[0].conditions.all[0].operator');
    const { items } = await t.audit.query({ action: 'risk.pack-install', limit: 10 });
    expect(items.map((e) => (e.data as { version: string }).version)).toEqual(['1.1.0']);
  });
});
