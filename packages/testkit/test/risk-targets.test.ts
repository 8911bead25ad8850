import { defaultRulePacks, parseRulePack, type RulePack } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { measureRiskTargets, missedRiskTargets, RISK_TARGETS, simulateSalesOrg } from '../src/index.js';

// The measuring itself, on packs whose answers are known: one that alerts on
// everyone every day and one that never alerts.
const sim = simulateSalesOrg({ seed: 5, months: 9, branches: 1, repsPerBranch: 10, customersPerRep: 3 });

function constantPack(subject: 'employee' | 'customer', alert: boolean): RulePack {
  const fact = subject === 'employee' ? 'logins90d' : 'orders90d';
  return parseRulePack({
    id: `always-${subject}-${alert}`,
    version: '1.0.0',
    subject,
    title: { en: 'Test', 'zh-CN': '测试' },
    thresholds: { alert: 10 },
    rules: [
      {
        name: 'always',
        conditions: { all: [{ fact, operator: alert ? 'greaterThanInclusive' : 'lessThan', value: 0 }] },
        event: { type: 'risk', params: { weight: 50, explanation: { en: 'always', 'zh-CN': '总是' } } },
      },
    ],
  });
}

const everyone = {
  exfiltration: constantPack('employee', true),
  flightRisk: constantPack('employee', true),
  diversion: constantPack('customer', true),
  churn: constantPack('customer', true),
};
const nobody = {
  exfiltration: constantPack('employee', false),
  flightRisk: constantPack('employee', false),
  diversion: constantPack('customer', false),
  churn: constantPack('customer', false),
};

describe('measureRiskTargets', () => {
  it('counts a pack that always alerts as catching everyone, once per subject, from the first snapshot', () => {
    const m = measureRiskTargets(sim, everyone);
    const poachers = sim.employees.filter((e) => e.fate === 'poacher');
    expect(m.poaching.poachers).toBe(poachers.length);
    expect(m.poaching.poachers).toBeGreaterThan(0);
    expect(m.poaching.caughtBeforeResignation).toBe(1);
    // The first snapshot is the end of the first day of the fourth month: 2025-04-01.
    const leads = poachers
      .map((p) =>
        Math.round((Date.parse(`${p.resignationDate}T00:00:00Z`) - Date.parse('2025-04-01T00:00:00Z')) / 86_400_000),
      )
      .sort((a, b) => a - b);
    expect(m.poaching.medianLeadDays).toBe(leads[Math.floor((leads.length - 1) / 2)]);
    expect(m.flightRisk.flagged14DaysBefore).toBe(1);
    expect(m.diversion.flaggedWithin30Days).toBe(1);
    expect(m.diversion.honestLeaversCustomersFlagged).toBe(1);
    // Every customer of a poacher is flagged: the diverted share of them.
    const ofPoachers = sim.customers.filter((c) => poachers.some((p) => p.id === c.ownerId));
    expect(m.diversion.poachersCustomersFlaggedDiverted).toBe(
      Math.round((1000 * ofPoachers.filter((c) => c.fate === 'diverted').length) / ofPoachers.length) / 1000,
    );
    // One episode per subject: the volume is subjects ÷ staff-months.
    expect(m.alertVolume.byPack.exfiltration).toBe(m.alertVolume.byPack.flightRisk);
    expect(m.alertVolume.byPack.diversion).toBe(m.alertVolume.byPack.churn);
    expect(m.alertVolume.total).toBeGreaterThan(RISK_TARGETS.alertVolume.total);
    expect(missedRiskTargets(m)).toEqual([
      expect.stringMatching(/^false exfiltration alerts per 100 staff-months: /),
      expect.stringMatching(/^stayer flight-risk flags per 100 staff-months: /),
      expect.stringMatching(/^honest leavers' customers flagged: 1 > 0.05$/),
      expect.stringMatching(/^alerts per 100 non-poaching staff-months: /),
    ]);
  });

  it('counts a pack that never alerts as catching nobody and raising nothing', () => {
    const m = measureRiskTargets(sim, nobody);
    expect(m.poaching).toMatchObject({
      caughtBeforeResignation: 0,
      medianLeadDays: null,
      falseAlertsPer100StaffMonths: 0,
    });
    expect(m.flightRisk).toMatchObject({ flagged14DaysBefore: 0, stayerFlagsPer100StaffMonths: 0 });
    expect(m.diversion).toMatchObject({
      flaggedWithin30Days: 0,
      honestLeaversCustomersFlagged: 0,
      poachersCustomersFlaggedDiverted: 0,
    });
    expect(m.alertVolume.total).toBe(0);
    expect(missedRiskTargets(m)).toHaveLength(4);
  });

  it('uses the default packs when given none', () => {
    expect(measureRiskTargets(sim)).toEqual(measureRiskTargets(sim, defaultRulePacks));
  });
});
