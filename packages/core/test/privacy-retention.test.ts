import { describe, expect, it } from 'vitest';
import { isGuardError, type OrderInput, type RetentionProgress } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/**
 * Retention (issue #22): a tenant keeps each kind of record for a number of
 * days; the worker erases what is past its time, except what is still in
 * use or under a legal hold, audited with a report.
 */

const order = (id: string, overrides: Partial<OrderInput> = {}): OrderInput => ({
  id,
  customerId: 'c-rep',
  ownerId: 'rep',
  amountMinor: 12_000_00,
  currency: 'CNY',
  orderedAt: '2026-06-01T02:00:00.000Z',
  status: 'fulfilled',
  receivableMinor: 0,
  ...overrides,
});

/** A tenant (clock at 2026-11-02) with follow-ups and orders from June and from last week. */
async function scenario() {
  const env = await seededGuard();
  const { t } = env;
  for (const [customerId, at] of [
    ['c-rep', '2026-06-01T02:00:00.000Z'],
    ['c-rep', '2026-10-28T02:00:00.000Z'],
    ['c-mate', '2026-06-02T02:00:00.000Z'],
  ] as const) {
    const actor = customerId === 'c-rep' ? 'rep' : 'mate';
    await t.ownership.recordFollowUp({ actor, customerId, channel: 'call', at, note: '客户说下月续约' });
  }
  await t.orders.upsert([
    order('o-old-done'),
    order('o-old-lost', { status: 'lost' }),
    order('o-old-open', { status: 'open' }),
    order('o-old-owed', { status: 'won', receivableMinor: 3_000_00 }),
    order('o-new', { orderedAt: '2026-10-30T02:00:00.000Z' }),
  ]);
  return env;
}

const followUpsOf = async (t: Awaited<ReturnType<typeof seededGuard>>['t'], customerId: string) =>
  (await t.ownership.followUps(customerId)).items.map((f) => f.at);

describe('retention', () => {
  it('erases follow-ups and finished orders past their time, and keeps what is in use or recent', async () => {
    const { t } = await scenario();
    await t.settings.update({ retention: { followUps: 90, orders: 90 } });

    const report = await t.privacy.applyRetention({ actor: { type: 'host', id: 'dpo' } });
    expect(report).toMatchObject({
      kinds: {
        followUps: { before: '2026-08-04T02:00:00.000Z', erased: 2, held: 0 },
        orders: { before: '2026-08-04T02:00:00.000Z', erased: 2, held: 0 },
      },
      more: false,
    });
    expect(await followUpsOf(t, 'c-rep')).toEqual(['2026-10-28T02:00:00.000Z']);
    expect(await followUpsOf(t, 'c-mate')).toEqual([]);

    const [entry] = (await t.audit.query({ action: 'privacy.retention', limit: 5 })).items;
    expect(entry).toMatchObject({ actor: { type: 'host', id: 'dpo' }, data: { kinds: report.kinds } });
    expect((await t.audit.verify()).ok).toBe(true);
    // Nothing left to do: a second pass erases nothing and is not audited.
    expect(await t.privacy.applyRetention()).toMatchObject({ kinds: { followUps: { erased: 0 } } });
    expect((await t.audit.query({ action: 'privacy.retention', limit: 5 })).items).toHaveLength(1);
  });

  it('keeps the records of customers under a legal hold, and says how many', async () => {
    const { t } = await scenario();
    const handover = await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'moving to a competitor',
    });
    await t.privacy.hold({ on: { type: 'offboarding', caseId: handover.id }, reason: '劳动仲裁' });
    await t.settings.update({ retention: { followUps: 90, orders: 90 } });

    const report = await t.privacy.applyRetention();
    expect(report.kinds.followUps).toMatchObject({ erased: 1, held: 1 }); // c-mate's erased, c-rep's held
    expect(report.kinds.orders).toMatchObject({ erased: 0, held: 2 });
    expect(await followUpsOf(t, 'c-rep')).toHaveLength(2);
  });

  it('runs in the worker once a day while a kind is limited, reporting each pass', async () => {
    const { guard, t, clock } = await scenario();
    await t.settings.update({ retention: { followUps: 90 } });
    const progress: RetentionProgress[] = [];
    const worker = guard.worker({ onProgress: (p) => p.kind === 'retention' && progress.push(p) });

    await worker.runDue();
    expect(progress.map((p) => [p.tenantId, p.report.kinds.followUps?.erased])).toEqual([['acme', 2]]);
    expect(await followUpsOf(t, 'c-rep')).toEqual(['2026-10-28T02:00:00.000Z']);

    // Not again the same day; the next day, what has come past its time since.
    await worker.runDue();
    expect(progress).toHaveLength(1);
    clock.advance({ days: 1 });
    await worker.runDue();
    expect(progress).toHaveLength(2);

    // Keeping everything again stops the daily pass.
    await t.settings.update({ retention: {} });
    clock.advance({ days: 1 });
    await worker.runDue();
    expect(progress).toHaveLength(2);
  });

  it('refuses settings outside 1 to 36,500 days and bad options, with a typed error', async () => {
    const { t } = await seededGuard();
    for (const retention of [{ followUps: 0 }, { followUps: 1.5 }, { invoices: 30 }]) {
      const error = await t.settings.update({ retention }).catch((e: unknown) => e);
      expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    const error = await t.privacy.applyRetention({ actor: 'dpo' } as never).catch((e: unknown) => e);
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
  });
});
