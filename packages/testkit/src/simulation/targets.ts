import { defaultRulePacks, type LabelledSnapshot, type RulePack, riskEvaluator } from '@guard/core';
import { DAY_MS } from './calendar.js';
import { labelledHistory } from './history.js';
import type { SalesOrgSimulation } from './organisation.js';

/**
 * The packs {@link measureRiskTargets} scores: one per target. Defaults to
 * Guard's default packs.
 *
 * @example
 * ```ts
 * import { defaultRulePacks } from '@guard/core';
 * import type { TargetPacks } from '@guard/testkit';
 * const packs: TargetPacks = { ...defaultRulePacks, exfiltration: myTunedExfiltrationPack };
 * ```
 */
export interface TargetPacks {
  readonly exfiltration: RulePack;
  readonly flightRisk: RulePack;
  readonly diversion: RulePack;
  readonly churn: RulePack;
}

/**
 * What the risk packs achieve on one simulated organisation, measured as
 * the issue that introduced them defines its targets (see
 * {@link RISK_TARGETS}). Employees are scored at the end of every day, as
 * the worker's daily scan does; customers at the end of every week. An
 * *alert* is an episode: a subject entering the `alert` band after a day
 * (or week) outside it. Rates per 100 staff per month divide by the
 * non-poaching staff's months on the books after the three-month warm-up.
 *
 * @example
 * ```ts
 * import { measureRiskTargets, simulateSalesOrg } from '@guard/testkit';
 * const m = measureRiskTargets(simulateSalesOrg({ seed: 7 }));
 * console.log(m.poaching.caughtBeforeResignation, m.poaching.medianLeadDays);
 * ```
 */
export interface RiskTargetMeasures {
  readonly poaching: {
    readonly poachers: number;
    /** Share of poachers with an exfiltration alert on or before their resignation date. */
    readonly caughtBeforeResignation: number;
    /** Median days from a poacher's first alert to their resignation date; uncaught poachers count as never. */
    readonly medianLeadDays: number | null;
    /** Exfiltration alerts on everyone else, per 100 staff per month. */
    readonly falseAlertsPer100StaffMonths: number;
  };
  readonly flightRisk: {
    readonly leavers: number;
    /** Share of leavers (poachers and honest) flagged at least 14 days before their resignation date. */
    readonly flagged14DaysBefore: number;
    /** Flight-risk alerts on stayers (the risky-looking ones included), per 100 stayers per month. */
    readonly stayerFlagsPer100StaffMonths: number;
  };
  readonly diversion: {
    readonly diverted: number;
    /** Share of diverted customers flagged no later than 30 days after their orders were diverted. */
    readonly flaggedWithin30Days: number;
    /** Customers whose first owner was an honest leaver. */
    readonly honestLeaversCustomers: number;
    /** Share of those ever flagged for diversion. */
    readonly honestLeaversCustomersFlagged: number;
    /**
     * Of a poacher's customers ever flagged for diversion, the share that
     * were diverted (the others kept buying): how well the flags point HR at
     * the customers to win back. Reported, not a target.
     */
    readonly poachersCustomersFlaggedDiverted: number;
  };
  /** Alerts of every pack about anyone but poachers and their customers, per 100 non-poaching staff per month. */
  readonly alertVolume: {
    readonly byPack: Readonly<Record<keyof TargetPacks, number>>;
    readonly total: number;
  };
}

/**
 * The targets the default packs are held to: a test fails below them on
 * two simulator seeds the tuning did not use.
 *
 * @example
 * ```ts
 * import { RISK_TARGETS } from '@guard/testkit';
 * RISK_TARGETS.poaching.medianLeadDays; // 14
 * ```
 */
export const RISK_TARGETS = Object.freeze({
  poaching: { caughtBeforeResignation: 0.8, medianLeadDays: 14, falseAlertsPer100StaffMonths: 1 },
  flightRisk: { flagged14DaysBefore: 0.6, stayerFlagsPer100StaffMonths: 2 },
  diversion: { flaggedWithin30Days: 0.8, honestLeaversCustomersFlagged: 0.05 },
  alertVolume: { total: 10 },
});

/**
 * The targets a measurement misses, in words (empty when it meets them
 * all).
 *
 * @example
 * ```ts
 * import { measureRiskTargets, missedRiskTargets, simulateSalesOrg } from '@guard/testkit';
 * const missed = missedRiskTargets(measureRiskTargets(simulateSalesOrg({ seed: 7 })));
 * if (missed.length > 0) console.log(missed.join('\n'));
 * ```
 */
export function missedRiskTargets(m: RiskTargetMeasures): string[] {
  const t = RISK_TARGETS;
  const missed: string[] = [];
  const atLeast = (what: string, value: number | null, min: number) => {
    if (value === null || value < min) missed.push(`${what}: ${value} < ${min}`);
  };
  const atMost = (what: string, value: number, max: number) => {
    if (value > max) missed.push(`${what}: ${value} > ${max}`);
  };
  atLeast('poachers caught before resignation', m.poaching.caughtBeforeResignation, t.poaching.caughtBeforeResignation);
  atLeast('median lead before resignation (days)', m.poaching.medianLeadDays, t.poaching.medianLeadDays);
  atMost(
    'false exfiltration alerts per 100 staff-months',
    m.poaching.falseAlertsPer100StaffMonths,
    t.poaching.falseAlertsPer100StaffMonths,
  );
  atLeast(
    'leavers flagged 14 days before resigning',
    m.flightRisk.flagged14DaysBefore,
    t.flightRisk.flagged14DaysBefore,
  );
  atMost(
    'stayer flight-risk flags per 100 staff-months',
    m.flightRisk.stayerFlagsPer100StaffMonths,
    t.flightRisk.stayerFlagsPer100StaffMonths,
  );
  atLeast(
    'diverted customers flagged within 30 days',
    m.diversion.flaggedWithin30Days,
    t.diversion.flaggedWithin30Days,
  );
  atMost(
    "honest leavers' customers flagged",
    m.diversion.honestLeaversCustomersFlagged,
    t.diversion.honestLeaversCustomersFlagged,
  );
  atMost('alerts per 100 non-poaching staff-months', m.alertVolume.total, t.alertVolume.total);
  return missed;
}

/** One subject's alert episodes (when each began) and the months it was scored over. */
interface Episodes {
  readonly starts: number[];
  months: number;
}

/** Scores a history (sorted by subject, then time) with a pack and finds each subject's alert episodes. */
function episodesOf(pack: RulePack, history: readonly LabelledSnapshot[]): Map<string, Episodes> {
  const evaluator = riskEvaluator(pack);
  const score = evaluator.scoreSync;
  if (score === null) {
    throw new RangeError(
      `pack ${pack.id}@${pack.version} is not on the compiled fast path; measure it with backtest()`,
    );
  }
  const out = new Map<string, Episodes>();
  let current: Episodes | undefined;
  let subject: string | undefined;
  let inAlert = false;
  let previous = 0;
  for (const row of history) {
    const at = Date.parse(row.at);
    if (row.subject !== subject) {
      subject = row.subject;
      current = { starts: [], months: 0 };
      out.set(subject, current);
      inAlert = false;
      previous = at;
    }
    const episodes = current as Episodes;
    episodes.months += (at - previous) / DAY_MS / 30.4;
    previous = at;
    const alert = score(row.facts).band === 'alert';
    if (alert && !inAlert) episodes.starts.push(at);
    inAlert = alert;
  }
  return out;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;
const share = (part: number, whole: number) => (whole === 0 ? 0 : round(part / whole));
const endOf = (day: string) => Date.parse(`${day}T23:59:59Z`);

/**
 * Scores a simulated organisation with the risk packs and measures what the
 * targets in {@link RISK_TARGETS} measure. Deterministic for a simulation
 * and packs. Takes a few seconds for the default organisation (100 reps,
 * 3,000 customers, a year).
 *
 * @example
 * ```ts
 * import { measureRiskTargets, missedRiskTargets, simulateSalesOrg } from '@guard/testkit';
 * const m = measureRiskTargets(simulateSalesOrg({ seed: 7 }));
 * console.log(m.alertVolume.total, missedRiskTargets(m));
 * ```
 */
export function measureRiskTargets(sim: SalesOrgSimulation, packs: TargetPacks = defaultRulePacks): RiskTargetMeasures {
  const staff = labelledHistory(sim, { subject: 'employee', every: 'day' });
  const customers = labelledHistory(sim, { subject: 'customer', every: 'week', departureRiskPack: packs.exfiltration });
  const fate = new Map(sim.employees.map((e) => [e.id, e.fate]));
  const firstOwnerFate = new Map(sim.customers.map((c) => [c.id, fate.get(c.ownerId)]));
  const notPoacher = (id: string) => fate.get(id) !== 'poacher';
  const notPoached = (id: string) => firstOwnerFate.get(id) !== 'poacher';

  const exfiltration = episodesOf(packs.exfiltration, staff);
  const flight = episodesOf(packs.flightRisk, staff);
  const diversion = episodesOf(packs.diversion, customers);
  const churn = episodesOf(packs.churn, customers);

  const months = (keep: (id: string) => boolean) =>
    [...exfiltration].reduce((sum, [id, e]) => (keep(id) ? sum + e.months : sum), 0);
  const alerts = (episodes: Map<string, Episodes>, keep: (id: string) => boolean) =>
    [...episodes].reduce((sum, [id, e]) => (keep(id) ? sum + e.starts.length : sum), 0);
  const nonPoachingMonths = months(notPoacher);
  const per100 = (count: number, staffMonths: number) => (staffMonths === 0 ? 0 : round((100 * count) / staffMonths));

  const poachers = sim.employees.filter((e) => e.fate === 'poacher');
  const leadDays = (episodes: Map<string, Episodes>, id: string, resignation: string | undefined) => {
    const first = episodes.get(id)?.starts[0];
    if (first === undefined || resignation === undefined) return Number.NEGATIVE_INFINITY;
    return Math.round((endOf(resignation) - first) / DAY_MS);
  };
  const poacherLeads = poachers.map((p) => leadDays(exfiltration, p.id, p.resignationDate));
  const poachingMedian = median(poacherLeads);

  const leavers = sim.employees.filter((e) => e.fate !== 'stayer');
  const leaverLeads = leavers.map((e) => leadDays(flight, e.id, e.resignationDate));
  const isStayer = (id: string) => fate.get(id) === 'stayer';

  const diverted = sim.customers.filter((c) => c.fate === 'diverted');
  const caught = diverted.filter((c) => {
    const first = diversion.get(c.id)?.starts[0];
    return first !== undefined && c.divertedAt !== undefined && first <= endOf(c.divertedAt) + 30 * DAY_MS;
  });
  const honest = sim.customers.filter((c) => firstOwnerFate.get(c.id) === 'honest-leaver');
  const flagged = (c: { id: string }) => (diversion.get(c.id)?.starts.length ?? 0) > 0;
  const honestFlagged = honest.filter(flagged);
  const poachersFlagged = sim.customers.filter((c) => firstOwnerFate.get(c.id) === 'poacher' && flagged(c));

  const byPack = {
    exfiltration: per100(alerts(exfiltration, notPoacher), nonPoachingMonths),
    flightRisk: per100(alerts(flight, notPoacher), nonPoachingMonths),
    diversion: per100(alerts(diversion, notPoached), nonPoachingMonths),
    churn: per100(alerts(churn, notPoached), nonPoachingMonths),
  };
  return {
    poaching: {
      poachers: poachers.length,
      caughtBeforeResignation: share(poacherLeads.filter((d) => d >= 0).length, poachers.length),
      medianLeadDays: poachingMedian === null || !Number.isFinite(poachingMedian) ? null : poachingMedian,
      falseAlertsPer100StaffMonths: byPack.exfiltration,
    },
    flightRisk: {
      leavers: leavers.length,
      flagged14DaysBefore: share(leaverLeads.filter((d) => d >= 14).length, leavers.length),
      stayerFlagsPer100StaffMonths: per100(alerts(flight, isStayer), months(isStayer)),
    },
    diversion: {
      diverted: diverted.length,
      flaggedWithin30Days: share(caught.length, diverted.length),
      honestLeaversCustomers: honest.length,
      honestLeaversCustomersFlagged: share(honestFlagged.length, honest.length),
      poachersCustomersFlaggedDiverted: share(
        poachersFlagged.filter((c) => c.fate === 'diverted').length,
        poachersFlagged.length,
      ),
    },
    alertVolume: { byPack, total: round(Object.values(byPack).reduce((a, b) => a + b, 0)) },
  };
}
