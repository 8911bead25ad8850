import { describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
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
// CI measures the first (about 90 s); `pnpm test:soak` both.
const UNSEEN_SEEDS: readonly number[] = soak({ ci: [2027], soak: [2027, 4242] });

const measured = new Map<string, RiskTargetMeasures>();
function measure(seed: number, contactChannel = false): RiskTargetMeasures {
  const key = `${seed} ${contactChannel}`;
  let m = measured.get(key);
  if (!m) {
    m = measureRiskTargets(simulateSalesOrg({ seed, branches: 8, contactChannel }));
    measured.set(key, m);
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

// The same organisations with WeCom's signals (chats, new contacts, contacts
// deleted either way), as @guard/crm-wecom records them: every target still
// holds, nothing gets worse for poachers or leavers, and at least as many
// diverted customers are flagged in time. docs/guides/risk.md has the figures.
describe.each(UNSEEN_SEEDS)('the default packs with a contact channel, on unseen seed %i', (seed) => {
  it('meet every target', () => {
    expect(missedRiskTargets(measure(seed, true))).toEqual([]);
  }, 120_000);

  it('catch poachers and leavers as well as without, and at least as many diverted customers', () => {
    const without = measure(seed);
    const withChannel = measure(seed, true);
    expect(withChannel.poaching).toEqual(without.poaching);
    expect(withChannel.flightRisk).toEqual(without.flightRisk);
    expect(withChannel.diversion.flaggedWithin30Days).toBeGreaterThanOrEqual(without.diversion.flaggedWithin30Days);
  }, 120_000);
});
