import { isDeepStrictEqual } from 'node:util';
import {
  defaultRulePacks,
  type EmployeeFactName,
  type Facts,
  type FactValue,
  parseRulePack,
  type RiskScore,
  type RuleCondition,
  type RulePack,
  riskEvaluator,
} from '@guard/core';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { prng } from './random.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface RuleBenchSize {
  /** Distinct fact vectors, precomputed and cycled through. */
  readonly vectors: number;
  /** Subjects scored per timed round on the compiled path. */
  readonly compiledSubjects: number;
  /** Subjects scored per timed round on the two json-rules-engine paths. */
  readonly engineSubjects: number;
  /** Untimed rounds before the timed ones, per path. */
  readonly warmups: number;
  readonly runs: number;
}

/** One row of the rule table: a way of evaluating the pack and the subjects per second it reached. */
export interface RuleBenchRow {
  readonly path: string;
  readonly how: string;
  readonly figure: Figure;
}

/** What the run measured, and on what. */
export interface RuleBenchResult {
  readonly pack: {
    readonly id: string;
    readonly rules: number;
    readonly modifiers: number;
    /** One line per modifier: name, factor, tags and description. */
    readonly modifierNotes: readonly string[];
  };
  readonly vectors: number;
  /** Mean rules fired per vector. */
  readonly meanFired: number;
  /** Share of vectors that fire at least 10 of the pack's rules. */
  readonly hotShare: number;
  /** Share of vectors with at least one missing (`null`) fact. */
  readonly withMissingShare: number;
  readonly compiled: RuleBenchRow;
  readonly reference: RuleBenchRow;
  readonly raw: RuleBenchRow;
  readonly hand: RuleBenchRow;
}

// ---------------------------------------------------------------- the pack

/**
 * The employee pack: the default flight-risk and data-exfiltration packs as
 * one (rule names prefixed `flight-` and `exfiltration-`, both packs'
 * modifiers), validated by `parseRulePack` like any pack a customer would
 * load.
 */
export function employeePack(): RulePack {
  const { flightRisk, exfiltration } = defaultRulePacks;
  const rules = [
    ...flightRisk.rules.map((r) => ({ ...r, name: `flight-${r.name}` })),
    ...exfiltration.rules.map((r) => ({ ...r, name: `exfiltration-${r.name}` })),
  ];
  return parseRulePack({
    id: `bench-employee-${rules.length}`,
    version: '1.0.0',
    subject: 'employee',
    title: { en: 'Flight risk and data exfiltration (benchmark)', 'zh-CN': '离职风险与数据外泄（基准测试）' },
    thresholds: { alert: 60, watch: 40 },
    severity: 'high',
    modifiers: [...(flightRisk.modifiers ?? []), ...(exfiltration.modifiers ?? [])],
    rules,
  });
}

/**
 * The same rules as plain json-rules-engine rules (stock operators): the
 * modifier's condition is a 16th rule, because Guard evaluates it too.
 */
export function plainRules(pack: RulePack): RuleProperties[] {
  return [
    ...pack.rules.map((r) => ({
      name: r.name,
      priority: r.priority ?? 1,
      conditions: r.conditions as RuleProperties['conditions'],
      event: { type: 'risk', params: { rule: r.name, weight: r.event.params.weight } },
    })),
    ...(pack.modifiers ?? []).map((m) => ({
      name: m.name,
      priority: 1,
      conditions: m.when as RuleProperties['conditions'],
      event: { type: 'modifier', params: { modifier: m.name, multiply: m.multiply } },
    })),
  ];
}

function hasNot(c: RuleCondition): boolean {
  if ('not' in c) return true;
  if ('all' in c) return c.all.some(hasNot);
  if ('any' in c) return c.any.some(hasNot);
  return c.operator === 'notEqual' || c.operator === 'notIn' || c.operator === 'doesNotContain';
}

// ---------------------------------------------------------------- the facts

/** The facts the default employee packs read (a fact left out is missing, as for a rule on it). */
type EmployeeFacts = Partial<Record<EmployeeFactName, FactValue>>;

/**
 * Employee facts as `employeeFacts` computes them: counts over 30 and 90
 * days (the windows the default packs read), trends (`null` when there is no baseline), and the resignation facts
 * (`null` unless the employee resigned). About 85% are steady, 7.5% have
 * resigned, and 7.5% are "hot": job hunting and moving data at once, which
 * fires most of the pack.
 */
export function employeeVectors(count: number, seed = 20261102): EmployeeFacts[] {
  const r = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(r() * (max - min + 1));
  const real = (min: number, max: number) => Math.round((min + r() * (max - min)) * 1000) / 1000;
  const chance = (p: number) => r() < p;
  const trendOr = (missing: number, usual: () => number) => (chance(missing) ? null : usual());

  const out: EmployeeFacts[] = [];
  for (let i = 0; i < count; i++) {
    const u = r();
    const hot = u < 0.075;
    const resigned = hot ? chance(0.6) : u < 0.15;
    const newHire = !resigned && chance(0.04); // no 60-day baseline yet: every trend is missing
    const daysSinceResignation = resigned ? int(0, 30) : null;
    const daysToLastDay = daysSinceResignation === null ? null : hot ? int(0, 7) : 30 - daysSinceResignation;
    const exports30d = hot ? int(300, 2500) : chance(0.7) ? 0 : chance(0.03) ? int(300, 900) : int(5, 160);
    const orderAmount90d = hot ? int(20_000, 400_000) : chance(0.1) ? 0 : int(5_000, 500_000);
    out.push({
      leaveDays30d: hot ? int(4, 9) : chance(0.05) ? int(4, 6) : int(0, 2),
      resumeUpdates90d: hot ? int(1, 5) : chance(resigned ? 0.3 : 0.05) ? int(1, 3) : 0,
      jobSiteVisits90d: hot ? int(3, 15) : chance(0.1) ? int(1, 4) : 0,
      competitorContacts90d: hot ? int(1, 4) : chance(0.03) ? 1 : 0,
      logins30d: hot ? int(20, 70) : int(60, 180),
      socialInsuranceChanges90d: 0,
      loginTrend: newHire ? null : hot ? real(0.3, 0.69) : chance(0.05) ? real(0.4, 0.7) : real(0.75, 1.3),
      followUps30d: hot ? int(0, 10) : int(10, 60),
      followUpTrend: newHire
        ? null
        : trendOr(0.08, () => (hot ? real(0.1, 0.59) : chance(0.05) ? real(0.3, 0.6) : real(0.7, 1.3))),
      orderAmount90d,
      orderAmountTrend:
        newHire || orderAmount90d === 0
          ? null
          : trendOr(0.1, () => (hot ? real(0.1, 0.59) : chance(0.06) ? real(0.3, 0.6) : real(0.6, 1.5))),
      views30d: hot ? int(400, 1500) : int(50, 400),
      viewsTrend: newHire
        ? null
        : trendOr(0.04, () => (hot ? real(1.8, 4) : chance(0.03) ? real(1.5, 2.5) : real(0.7, 1.4))),
      exports30d,
      exportsTrend:
        newHire || exports30d === 0
          ? null
          : hot
            ? real(3, 9)
            : chance(0.5)
              ? null
              : chance(0.05)
                ? real(3, 5)
                : real(0.5, 2),
      deletes30d: hot ? int(20, 80) : chance(0.01) ? int(20, 40) : int(0, 5),
      afterHours30d: hot ? int(4, 15) : chance(0.05) ? int(4, 8) : int(0, 3),
      status: resigned ? 'resigning' : 'active',
      daysSinceResignation,
      daysToLastDay,
      openHandoverItems: resigned ? (chance(0.2) ? null : hot ? int(10, 30) : int(0, 14)) : null,
      customersOwned: int(5, 80),
    });
  }
  return out;
}

/**
 * The facts for stock json-rules-engine: the missing facts left out rather
 * than `null`. Its stock operators compare `null` like JavaScript does
 * (`null < 0.7` is true), so a `null` trend would fire "logins falling";
 * an absent fact with `allowUndefinedFacts` is `undefined`, which fails
 * every comparison the pack makes (it has no `not` and no negated
 * operator), as Guard's fail-closed missing facts do.
 */
export function withoutMissing(facts: Facts): Record<string, FactValue> {
  const out: Record<string, FactValue> = {};
  for (const [k, v] of Object.entries(facts)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

// ---------------------------------------------------------------- the hand closure

/** A number fact, or NaN when it is missing: every comparison with NaN is false, so a rule on it fails closed. */
const num = (v: FactValue | undefined): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * The employee pack written by hand for these facts, as a developer would
 * without a rules engine: the score only, no fired rules, no explanations.
 * The bench checks it against the compiled path on every vector, so a
 * change to the default packs that this function does not follow stops the
 * bench rather than timing something else.
 */
export function handScore(f: EmployeeFacts): number {
  const viewsTrend = num(f.viewsTrend);
  const exports30d = num(f.exports30d);
  const competitors = num(f.competitorContacts90d);
  const jobSites = num(f.jobSiteVisits90d);
  let leaving = 0; // flight risk, tag leaving-signs
  if (num(f.resumeUpdates90d) >= 1) leaving += 20;
  if (jobSites >= 1) leaving += 15;
  if (jobSites >= 3) leaving += 10;
  if (competitors >= 1) leaving += 20;
  if (num(f.leaveDays30d) >= 3) leaving += 10;
  if (num(f.followUpTrend) < 0.6) leaving += 10;
  if (viewsTrend >= 1.8) leaving += 15;
  let movement = 0; // data exfiltration, tag data-movement
  if (viewsTrend >= 1.6) movement += 20;
  if (viewsTrend >= 2.3) movement += 15;
  if (viewsTrend >= 2.8) movement += 15;
  if (exports30d >= 300) movement += 25;
  if (num(f.afterHours30d) >= 4) movement += 15;
  if (num(f.deletes30d) >= 20) movement += 25;
  let other = 0; // data exfiltration, no modifier applies
  if (num(f.followUpTrend) < 0.7) other += 10;
  if (competitors >= 1 && (exports30d >= 200 || viewsTrend >= 2)) other += 20;
  if (num(f.openHandoverItems) >= 10 && num(f.daysToLastDay) <= 7) other += 15;
  const resigned = f.status === 'resigning' || f.status === 'frozen' || f.status === 'departed';
  const departing = num(f.daysSinceResignation) >= 0;
  return Math.min(100, Math.round((resigned ? 0 : leaving) + (departing ? movement * 1.5 : movement) + other));
}

// ---------------------------------------------------------------- the bench

/** One way of scoring: `round` scores `subjects` subjects (cycling through the vectors) and checks the total. */
interface TimedPath {
  readonly label: string;
  readonly subjects: number;
  readonly round: (subjects: number) => Promise<void>;
}

/**
 * Subjects per second on each path, the median of `runs` rounds after
 * `warmups` untimed ones. The paths take turns round by round rather than
 * one after the other, so a burst of load from elsewhere on a shared machine
 * slows all of them alike instead of one, and their ratios hold.
 */
async function interleaved(
  size: RuleBenchSize,
  paths: readonly TimedPath[],
  progress: (line: string) => void,
): Promise<Figure[]> {
  for (let w = 0; w < size.warmups; w++) for (const p of paths) await p.round(p.subjects);
  const rates = paths.map((): number[] => []);
  for (let run = 0; run < size.runs; run++) {
    const got: string[] = [];
    for (const [i, p] of paths.entries()) {
      const perSecond = await rate(p.subjects, () => p.round(p.subjects));
      rates[i]?.push(perSecond);
      got.push(`${p.label} ${Math.round(perSecond).toLocaleString('en-US')}/s`);
    }
    progress(`  round ${run + 1}/${size.runs}: ${got.join(', ')}`);
  }
  // `measure` over the recorded rates: the same median and spread as every other figure.
  return Promise.all(rates.map((r) => measure(r.length, async (run) => r[run] as number)));
}

/**
 * Checks the compiled path against json-rules-engine on every vector, then
 * times the three paths side by side; `progress` hears about each step.
 */
export async function ruleBench(
  size: RuleBenchSize,
  progress: (line: string) => void = () => {},
): Promise<RuleBenchResult> {
  const pack = employeePack();
  const { flightRisk, exfiltration } = defaultRulePacks;
  if (pack.rules.length !== flightRisk.rules.length + exfiltration.rules.length) {
    throw new Error(`bench: the employee pack has ${pack.rules.length} rules, not those of the two default packs`);
  }
  const evaluator = riskEvaluator(pack);
  const scoreSync = evaluator.scoreSync;
  if (!evaluator.compiled || !scoreSync) throw new Error('bench: the employee pack does not run on the compiled path');
  if ([...pack.rules.map((r) => r.conditions), ...(pack.modifiers ?? []).map((m) => m.when)].some(hasNot)) {
    throw new Error('bench: the pack negates a condition; stock json-rules-engine would not be fail-closed on it');
  }
  const vectors: Facts[] = employeeVectors(size.vectors);
  const rawVectors = vectors.map((v) => withoutMissing(v as EmployeeFacts));
  const engine = new Engine(plainRules(pack), { allowUndefinedFacts: true });

  // Correctness first: on every vector the compiled path gives exactly the
  // RiskScore of the json-rules-engine path, and stock json-rules-engine
  // fires the same rules.
  const expected: RiskScore[] = [];
  let fired = 0;
  let hot = 0;
  let withMissing = 0;
  for (const [i, facts] of vectors.entries()) {
    const reference = await evaluator.reference(facts);
    const compiled = scoreSync(facts);
    if (!isDeepStrictEqual(compiled, reference)) {
      throw new Error(
        `bench: vector ${i}: the compiled result differs from json-rules-engine's\n` +
          `facts: ${JSON.stringify(facts)}\ncompiled: ${JSON.stringify(compiled)}\nreference: ${JSON.stringify(reference)}`,
      );
    }
    const { events } = await engine.run(rawVectors[i] as Record<string, FactValue>);
    const plain = events.map((e) => String(e.params?.rule ?? `modifier:${e.params?.modifier}`)).sort();
    const guard = [...reference.fired.map((f) => f.rule), ...reference.modifiers.map((m) => `modifier:${m}`)].sort();
    if (!isDeepStrictEqual(plain, guard)) {
      throw new Error(
        `bench: vector ${i}: stock json-rules-engine fired ${plain.join(', ')}; Guard ${guard.join(', ')}`,
      );
    }
    const hand = handScore(facts as EmployeeFacts);
    if (hand !== reference.score) {
      throw new Error(
        `bench: vector ${i}: the hand closure scores ${hand}, Guard ${reference.score}; update handScore to the default packs`,
      );
    }
    expected.push(reference);
    fired += reference.fired.length;
    if (reference.fired.length >= 10) hot++;
    if (Object.values(facts).some((v) => v === null)) withMissing++;
  }
  progress(
    `  checked ${vectors.length} vectors: compiled = reference, json-rules-engine fires the same rules, the hand closure gives the same scores`,
  );

  // What a round must add up to, so no path can skip work unnoticed.
  const n = vectors.length;
  const scoreSum = (subjects: number) => {
    let sum = 0;
    for (let i = 0; i < subjects; i++) sum += (expected[i % n] as RiskScore).score;
    return sum;
  };
  const eventSum = (subjects: number) => {
    let sum = 0;
    for (let i = 0; i < subjects; i++) {
      const s = expected[i % n] as RiskScore;
      sum += s.fired.length + s.modifiers.length;
    }
    return sum;
  };
  const check = (what: string, got: number, want: number) => {
    if (got !== want) throw new Error(`bench: ${what} added up to ${got}, expected ${want}`);
  };

  const compiledWant = scoreSum(size.compiledSubjects);
  const handWant = scoreSum(size.compiledSubjects * 10);
  const engineScoreWant = scoreSum(size.engineSubjects);
  const engineEventWant = eventSum(size.engineSubjects);
  const [compiled, reference, raw, hand] = (await interleaved(
    size,
    [
      {
        label: 'compiled',
        subjects: size.compiledSubjects,
        round: async (subjects) => {
          let sum = 0;
          for (let i = 0; i < subjects; i++) sum += scoreSync(vectors[i % n] as Facts).score;
          check('the compiled scores', sum, compiledWant);
        },
      },
      {
        label: 'reference',
        subjects: size.engineSubjects,
        round: async (subjects) => {
          let sum = 0;
          for (let i = 0; i < subjects; i++) sum += (await evaluator.reference(vectors[i % n] as Facts)).score;
          check('the reference scores', sum, engineScoreWant);
        },
      },
      {
        label: 'json-rules-engine',
        subjects: size.engineSubjects,
        round: async (subjects) => {
          let sum = 0;
          for (let i = 0; i < subjects; i++) {
            sum += (await engine.run(rawVectors[i % n] as Record<string, FactValue>)).events.length;
          }
          check('the json-rules-engine events', sum, engineEventWant);
        },
      },
      {
        label: 'hand closure',
        subjects: size.compiledSubjects * 10,
        round: async (subjects) => {
          let sum = 0;
          for (let i = 0; i < subjects; i++) sum += handScore(vectors[i % n] as EmployeeFacts);
          check('the hand-closure scores', sum, handWant);
        },
      },
    ],
    progress,
  )) as [Figure, Figure, Figure, Figure];

  return {
    pack: {
      id: pack.id,
      rules: pack.rules.length,
      modifiers: pack.modifiers?.length ?? 0,
      modifierNotes: (pack.modifiers ?? []).map(
        (m) =>
          `\`${m.name}\`, ×${m.multiply} on rules tagged ${m.tags.map((t) => `\`${t}\``).join(', ')}` +
          (m.description ? ` (“${m.description.replace(/\.$/, '')}”)` : ''),
      ),
    },
    vectors: n,
    meanFired: fired / n,
    hotShare: hot / n,
    withMissingShare: withMissing / n,
    compiled: {
      path: 'Guard compiled',
      how: '`evaluator.scoreSync(facts)`: the whole `RiskScore`, explanations in both languages included',
      figure: compiled,
    },
    reference: {
      path: 'Guard reference',
      how: '`await evaluator.reference(facts)`: json-rules-engine with fail-closed operators, then the same `RiskScore`',
      figure: reference,
    },
    raw: {
      path: 'json-rules-engine 7.3.1',
      how: '`await engine.run(facts)` on one `new Engine(rules)` with stock operators: events only',
      figure: raw,
    },
    hand: {
      path: 'hand closure',
      how: '`handScore(facts)`: the pack written as one function for these facts; the score only',
      figure: hand,
    },
  };
}
