import { describe, expect, it } from 'vitest';
import {
  measureRiskTargets,
  missedRiskTargets,
  RISK_TARGETS,
  type RiskTargetMeasures,
  simulateSalesOrg,
} from '../src/index.js';

// The targets the default packs are held to (issue #17), on two simulator
// seeds the tuning did not use (it used 3, 7, 11, 13, 17, 19, 23 and 42).
// Each organisation has 8 branches of 25 reps and a manager, 30 customers
// per rep and a year of history: 10 poachers and 30 leavers in all. See
// docs/guides/risk.md for the figures and how to reproduce them.
const UNSEEN_SEEDS = [2027, 4242] as const;

const measured = new Map<number, RiskTargetMeasures>();
function measure(seed: number): RiskTargetMeasures {
  let m = measured.get(seed);
  if (!m) {
    m = measureRiskTargets(simulateSalesOrg({ seed, branches: 8 }));
    measured.set(seed, m);
  }
  return m;
}

describe.each(UNSEEN_SEEDS)('the default packs on unseen seed %i', (seed) => {
  it('catch poachers well before they resign, with few false alerts', () => {
    const { poaching } = measure(seed);
    expect(poaching.poachers).toBe(10);
    expect(poaching.caughtBeforeResignation).toBeGreaterThanOrEqual(RISK_TARGETS.poaching.caughtBeforeResignation);
    expect(poaching.medianLeadDays).toBeGreaterThanOrEqual(RISK_TARGETS.poaching.medianLeadDays);
    expect(poaching.falseAlertsPer100StaffMonths).toBeLessThanOrEqual(
      RISK_TARGETS.poaching.falseAlertsPer100StaffMonths,
    );
  }, 120_000);

  it('flag diverted customers within a month, and few of an honest leaver', () => {
    const { diversion } = measure(seed);
    expect(diversion.diverted).toBeGreaterThan(100);
    expect(diversion.flaggedWithin30Days).toBeGreaterThanOrEqual(RISK_TARGETS.diversion.flaggedWithin30Days);
    expect(diversion.honestLeaversCustomers).toBe(600);
    expect(diversion.honestLeaversCustomersFlagged).toBeLessThanOrEqual(
      RISK_TARGETS.diversion.honestLeaversCustomersFlagged,
    );
  }, 120_000);

  it('raise at most 10 alerts of every kind together per 100 staff per month', () => {
    const m = measure(seed);
    expect(m.alertVolume.total).toBeLessThanOrEqual(RISK_TARGETS.alertVolume.total);
    expect(missedRiskTargets(m)).toEqual([]);
  }, 120_000);

  it('flag most leavers two weeks before they resign, and few stayers', () => {
    const { flightRisk } = measure(seed);
    expect(flightRisk.leavers).toBe(30);
    expect(flightRisk.flagged14DaysBefore).toBeGreaterThanOrEqual(RISK_TARGETS.flightRisk.flagged14DaysBefore);
    expect(flightRisk.stayerFlagsPer100StaffMonths).toBeLessThanOrEqual(
      RISK_TARGETS.flightRisk.stayerFlagsPer100StaffMonths,
    );
  }, 120_000);
});
