import { backtest, defaultRulePacks } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { labelledHistory, simulateSalesOrg } from '../src/index.js';

// The quality the rule-authoring guide promises, kept from regressing: the
// default employee packs replayed over a simulated organisation (a year,
// 100 reps, 5 poachers, 15 leavers). The full figures, on 24 months and two
// seeds, are in docs/guides/rule-authoring.md (`pnpm simulate`).
const sim = simulateSalesOrg({ seed: 42, customersPerRep: 10 });

describe('the default packs on a simulated sales organisation', () => {
  it('data exfiltration catches most poachers before their last day, with few false alarms', async () => {
    const report = await backtest(
      defaultRulePacks.exfiltration,
      labelledHistory(sim, { subject: 'employee', purpose: 'poaching' }),
    );
    const { confusion, positives, subjects } = report.metrics;
    expect(positives).toBe(sim.employees.filter((e) => e.fate === 'poacher').length);
    expect(positives).toBeGreaterThanOrEqual(4);
    expect(confusion.tp / positives).toBeGreaterThanOrEqual(0.75);
    expect(confusion.fp).toBeLessThanOrEqual(Math.ceil(0.02 * (subjects - positives)));
    // No alert came after the last working day of a poacher it counted as caught.
    expect(report.metrics.late).toBe(0);
  }, 60_000);

  it('flight risk warns about most leavers before they resign, without false alarms', async () => {
    const report = await backtest(
      defaultRulePacks.flightRisk,
      labelledHistory(sim, { subject: 'employee', purpose: 'leaving' }),
    );
    const { confusion, positives } = report.metrics;
    expect(positives).toBe(sim.employees.filter((e) => e.fate !== 'stayer').length);
    expect(confusion.tp / positives).toBeGreaterThanOrEqual(0.5);
    expect(confusion.fp).toBe(0);
  }, 60_000);
});
