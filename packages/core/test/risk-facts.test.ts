import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSignal,
  builtInFacts,
  customerFacts,
  dailyEmployeeFacts,
  employeeFacts,
  emptyLedger,
  type SignalInput,
  type SignalKind,
  signalKindSchema,
} from '../src/index.js';

const asOf = new Date('2026-11-02T12:00:00.000Z');
const DAY = 86_400_000;

/** A signal of `kind` `daysAgo` days before `asOf`, about e-1 and c-1. */
const signal = (kind: SignalKind, daysAgo: number, value: number): SignalInput => ({
  kind,
  employeeId: 'e-1',
  customerId: 'c-1',
  at: new Date(asOf.getTime() - daysAgo * DAY).toISOString(),
  value,
});

const windowedFacts = (subject: 'employee' | 'customer') =>
  Object.keys(builtInFacts[subject]).filter((name) => /\d+d$/.test(name));

describe('windowed facts', () => {
  it('exist over 7, 30 and 90 days for every signal kind but owner-left', () => {
    const moved = new Set<SignalKind>();
    for (const kind of signalKindSchema.options) {
      const ledger = addSignal(emptyLedger(), signal(kind, 1, 3));
      const facts = { ...employeeFacts(ledger, { status: 'active' }, asOf), ...customerFacts(ledger, asOf) };
      for (const days of [7, 30, 90]) {
        const names = [...windowedFacts('employee'), ...windowedFacts('customer')].filter((n) =>
          n.endsWith(`${days}d`),
        );
        if (names.some((n) => (facts as Record<string, unknown>)[n] !== 0)) moved.add(kind);
      }
    }
    expect([...signalKindSchema.options].filter((k) => !moved.has(k))).toEqual(['owner-left']);
    for (const subject of ['employee', 'customer'] as const) {
      const bases = new Set(windowedFacts(subject).map((n) => n.replace(/\d+d$/, '')));
      for (const base of bases) {
        expect(['7d', '30d', '90d'].map((w) => `${base}${w}` in builtInFacts[subject])).toEqual([true, true, true]);
      }
    }
  });

  it('count a signal in every window that reaches back to its day, and in no other', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...signalKindSchema.options.filter((k) => k !== 'owner-left')),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 1000 }),
        (kind, daysAgo, value) => {
          const ledger = addSignal(emptyLedger(), signal(kind, daysAgo, value));
          const facts: Record<string, unknown> = {
            ...employeeFacts(ledger, { status: 'active' }, asOf),
            ...customerFacts(ledger, asOf),
          };
          for (const days of [7, 30, 90]) {
            const inWindow = daysAgo < days;
            const values = Object.entries(facts)
              .filter(([n]) => n.endsWith(`${days}d`) && /\d+d$/.test(n))
              .map(([, v]) => v);
            // Sums are `value`, counts are 1, in window; everything is 0 outside it.
            if (inWindow) expect(values.some((v) => v === value || v === 1)).toBe(true);
            else expect(values.every((v) => v === 0)).toBe(true);
          }
        },
      ),
    );
  });

  it('compare a customer’s order frequency and amount with its own baseline', () => {
    // Four orders of 100 in the 180 days before the last 90, one of 400 in the last 90.
    let ledger = emptyLedger();
    for (const daysAgo of [100, 140, 200, 250]) ledger = addSignal(ledger, signal('order', daysAgo, 100));
    ledger = addSignal(ledger, signal('order', 10, 400));
    expect(customerFacts(ledger, asOf)).toMatchObject({ ordersTrend: 0.5, orderAmountTrend: 2, orders90d: 1 });
    expect(customerFacts(emptyLedger(), asOf).ordersTrend).toBeNull(); // no baseline: missing, never true
  });
});

describe('departures', () => {
  it('formerOwnerRisk is the score recorded with the latest owner-left, missing before any', () => {
    const left = (daysAgo: number, value: number): SignalInput => ({
      kind: 'owner-left',
      customerId: 'c-1',
      at: new Date(asOf.getTime() - daysAgo * DAY).toISOString(),
      value,
    });
    expect(customerFacts(emptyLedger(), asOf).formerOwnerRisk).toBeNull();
    let ledger = addSignal(emptyLedger(), left(200, 80));
    expect(customerFacts(ledger, asOf)).toMatchObject({ formerOwnerRisk: 80, daysSinceOwnerLeft: 200 });
    ledger = addSignal(ledger, left(3, 20));
    expect(customerFacts(ledger, asOf)).toMatchObject({ formerOwnerRisk: 20, daysSinceOwnerLeft: 3 });
  });

  it('dailyEmployeeFacts are the facts at now and at the end of each earlier day', () => {
    let ledger = emptyLedger();
    for (const daysAgo of [0, 1, 5, 40]) ledger = addSignal(ledger, signal('export', daysAgo, 100));
    const state = { status: 'resigning' as const, resignationDate: '2026-10-30' };
    const days = dailyEmployeeFacts(ledger, state, asOf, 10);
    expect(days).toHaveLength(10);
    expect(days[0]).toEqual(employeeFacts(ledger, state, asOf));
    const endOf = (daysAgo: number) => new Date(Date.parse('2026-11-02T00:00:00Z') - (daysAgo - 1) * DAY - 1);
    for (const k of [1, 2, 6, 9]) expect(days[k]).toEqual(employeeFacts(ledger, state, endOf(k)));
    expect(days.map((f) => f.exports7d)).toEqual([300, 200, 100, 100, 100, 100, 0, 0, 0, 0]);
    expect(days.map((f) => f.daysSinceResignation)).toEqual([3, 2, 1, 0, null, null, null, null, null, null]);
  });
});
