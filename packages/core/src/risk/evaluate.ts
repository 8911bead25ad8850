import { Engine, type RuleResult } from 'json-rules-engine';
import { canonicalJson } from '../audit/canonical-json.js';
import { sha256Hex } from '../audit/hash.js';
import type { Locale } from '../i18n/locale.js';
import type { Facts, FactValue, LocalizedText } from './facts.js';
import { negatedOperator, testLeaf } from './operators.js';
import {
  type FactCondition,
  factsRead,
  type RiskModifier,
  type RuleCondition,
  type RuleOperator,
  type RulePack,
  ruleOperators,
  type TopLevelCondition,
} from './pack.js';
import type { RiskSubjectType } from './signals.js';

/**
 * A rule that fired: its weight before and after modifiers, the values of
 * the facts it reads, and its explanation with those values filled in.
 *
 * @example
 * ```ts
 * const { fired } = await evaluator.score(facts);
 * for (const f of fired) console.log(`+${f.points}`, f.explanation['zh-CN']);
 * ```
 */
export interface RuleFiring {
  readonly rule: string;
  readonly weight: number;
  /** The weight after modifiers: what the rule added to the score. */
  readonly points: number;
  readonly tags: readonly string[];
  readonly facts: Readonly<Record<string, FactValue>>;
  readonly explanation: LocalizedText;
}

/**
 * Where a score sits against the pack's thresholds.
 *
 * @example
 * ```ts
 * import type { RiskBand } from '@guard/core';
 * const band: RiskBand = 'watch';
 * ```
 */
export type RiskBand = 'alert' | 'watch' | 'normal';

/**
 * The result of scoring one subject with one pack: the 0–100 score, the
 * band, the rules that fired (highest points first) and the modifiers that
 * were active, and the pack version that produced it.
 *
 * @example
 * ```ts
 * const s = await evaluator.score({ resumeUpdates30d: 3, exports30d: 900, daysSinceResignation: 4 });
 * if (s.band === 'alert') console.log(s.score, s.fired.map((f) => f.rule));
 * ```
 */
export interface RiskScore {
  readonly pack: { readonly id: string; readonly version: string };
  readonly subject: RiskSubjectType;
  readonly score: number;
  readonly band: RiskBand;
  readonly fired: readonly RuleFiring[];
  readonly modifiers: readonly string[];
}

/**
 * A leaf condition json-rules-engine found true, with the fact value that
 * made it true (after `not` was pushed down to the leaves).
 *
 * @example
 * ```ts
 * const x = await evaluator.explain(facts);
 * x.conditions['exfil-big-export']; // [{ fact: 'exports30d', operator: 'greaterThanInclusive', value: 500, factValue: 1200 }]
 * ```
 */
export interface MatchedCondition {
  readonly fact: string;
  readonly operator: string;
  readonly value: unknown;
  readonly factValue: FactValue;
}

/**
 * A {@link RiskScore} computed by json-rules-engine, with the leaf
 * conditions that made each fired rule (and modifier) true.
 *
 * @example
 * ```ts
 * const x = await evaluator.explain(facts);
 * console.log(x.score, x.conditions);
 * ```
 */
export interface RiskExplanation extends RiskScore {
  readonly conditions: Readonly<Record<string, readonly MatchedCondition[]>>;
}

/**
 * Scores facts with one rule pack. Built once per pack version and cached
 * (see {@link riskEvaluator}); it holds one json-rules-engine `Engine` —
 * the reference and the source of explanations — and, when the pack uses
 * only the compiled subset (all / any / not and the built-in operators on
 * constant values), a compiled evaluator that gives the same results
 * without promises or allocations per condition.
 *
 * @example
 * ```ts
 * import { defaultRulePacks, riskEvaluator } from '@guard/core';
 * const evaluator = riskEvaluator(defaultRulePacks.flightRisk);
 * const s = await evaluator.score({ resumeUpdates30d: 3, jobSiteVisits30d: 6, leaveDays30d: 4 });
 * ```
 */
export interface RiskEvaluator {
  readonly pack: RulePack;
  /** `id@version#sha256`: the cache key. */
  readonly key: string;
  /** Whether every rule and modifier runs on the compiled fast path. */
  readonly compiled: boolean;
  /** Scores on the fast path when {@link RiskEvaluator.compiled}, else with json-rules-engine. */
  score(facts: Facts): Promise<RiskScore>;
  /** Scores many subjects; synchronous work per subject on the fast path. */
  scoreMany(facts: readonly Facts[]): Promise<RiskScore[]>;
  /** The fast path alone; `null` when the pack is not {@link RiskEvaluator.compiled}. */
  readonly scoreSync: ((facts: Facts) => RiskScore) | null;
  /** Scores with json-rules-engine only: the reference the fast path must equal. */
  reference(facts: Facts): Promise<RiskScore>;
  /** Scores with json-rules-engine and reports the conditions that fired. */
  explain(facts: Facts): Promise<RiskExplanation>;
}

// ---------------------------------------------------------------- shared

const MODIFIER_EVENT = 'guard.modifier';

function isLeaf(c: RuleCondition): c is FactCondition {
  return 'fact' in c;
}

function isFactRef(v: FactCondition['value']): v is { readonly fact: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatValue(v: FactValue | undefined, locale: Locale): string {
  if (v === undefined || v === null) return locale === 'zh-CN' ? '（无）' : '(none)';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  if (Array.isArray(v)) return v.join(locale === 'zh-CN' ? '、' : ', ');
  return String(v);
}

/**
 * Fills `{{fact}}` placeholders with fact values.
 *
 * @example
 * ```ts
 * import { renderExplanation } from '@guard/core';
 * renderExplanation('{{exports30d}} rows exported', { exports30d: 1200 }, 'en'); // '1200 rows exported'
 * ```
 */
export function renderExplanation(template: string, facts: Facts, locale: Locale): string {
  return renderTemplate(compileTemplate(template), facts, locale);
}

/** A template split at its placeholders: `parts[0] facts[0] parts[1] … facts[n-1] parts[n]`. */
interface Template {
  readonly parts: readonly string[];
  readonly facts: readonly string[];
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

function compileTemplate(template: string): Template {
  const parts: string[] = [];
  const facts: string[] = [];
  let from = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(from, match.index));
    facts.push(match[1] as string);
    from = match.index + match[0].length;
  }
  parts.push(template.slice(from));
  return { parts, facts };
}

function renderTemplate(t: Template, facts: Facts, locale: Locale): string {
  let out = t.parts[0] as string;
  for (let i = 0; i < t.facts.length; i++) {
    const name = t.facts[i] as string;
    out += formatValue(Object.hasOwn(facts, name) ? facts[name] : undefined, locale) + (t.parts[i + 1] as string);
  }
  return out;
}

interface RuleMeta {
  readonly name: string;
  readonly weight: number;
  readonly tags: readonly string[];
  readonly reads: readonly string[];
  readonly en: Template;
  readonly zh: Template;
  /** The modifiers whose tags this rule carries: their factors apply to it while they are active. */
  readonly modifiers: readonly number[];
}

function ruleMeta(pack: RulePack): RuleMeta[] {
  const modifiers = pack.modifiers ?? [];
  return pack.rules.map((r) => {
    const tags = r.event.params.tags ?? [];
    return {
      name: r.name,
      weight: r.event.params.weight,
      tags,
      reads: factsRead(r.conditions),
      en: compileTemplate(r.event.params.explanation.en),
      zh: compileTemplate(r.event.params.explanation['zh-CN']),
      modifiers: modifiers.flatMap((m, i) => (m.tags.some((t) => tags.includes(t)) ? [i] : [])),
    };
  });
}

function byPointsThenName(a: RuleFiring, b: RuleFiring): number {
  return b.points - a.points || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

function assemble(
  pack: RulePack,
  rules: readonly RuleMeta[],
  facts: Facts,
  firedRules: readonly boolean[],
  activeModifiers: readonly boolean[],
): RiskScore {
  const modifiers = pack.modifiers ?? [];
  const fired: RuleFiring[] = [];
  let total = 0;
  for (let i = 0; i < rules.length; i++) {
    if (!firedRules[i]) continue;
    const r = rules[i] as RuleMeta;
    let factor = 1;
    for (const m of r.modifiers) if (activeModifiers[m]) factor *= (modifiers[m] as RiskModifier).multiply;
    const points = Math.round(r.weight * factor * 100) / 100;
    total += points;
    const values: Record<string, FactValue> = {};
    for (const f of r.reads) values[f] = Object.hasOwn(facts, f) ? (facts[f] ?? null) : null;
    fired.push({
      rule: r.name,
      weight: r.weight,
      points,
      tags: r.tags,
      facts: values,
      explanation: { en: renderTemplate(r.en, facts, 'en'), 'zh-CN': renderTemplate(r.zh, facts, 'zh-CN') },
    });
  }
  if (fired.length > 1) fired.sort(byPointsThenName);
  const active: string[] = [];
  for (let i = 0; i < modifiers.length; i++) if (activeModifiers[i]) active.push((modifiers[i] as RiskModifier).name);
  const score = Math.min(100, Math.round(total));
  const band: RiskBand =
    score >= pack.thresholds.alert
      ? 'alert'
      : pack.thresholds.watch !== undefined && score >= pack.thresholds.watch
        ? 'watch'
        : 'normal';
  return {
    pack: { id: pack.id, version: pack.version },
    subject: pack.subject,
    score,
    band,
    fired,
    modifiers: active,
  };
}

// ---------------------------------------------------------------- reference: json-rules-engine

/**
 * Pushes `not` down to the leaves (De Morgan, negated operators). With
 * fail-closed leaves this is exactly "definitely true" under missing facts:
 * `not` of an unknown leaf is unknown, never true.
 */
function toNegationNormalForm(c: RuleCondition, negate: boolean): Record<string, unknown> {
  if ('not' in c) return toNegationNormalForm(c.not, !negate);
  if ('all' in c) {
    const parts = c.all.map((x) => toNegationNormalForm(x, negate));
    return negate ? { any: parts } : { all: parts };
  }
  if ('any' in c) {
    const parts = c.any.map((x) => toNegationNormalForm(x, negate));
    return negate ? { all: parts } : { any: parts };
  }
  return { fact: c.fact, operator: negate ? negatedOperator(c.operator) : c.operator, value: c.value };
}

function engineConditions(c: TopLevelCondition): Record<string, unknown> {
  const nnf = toNegationNormalForm(c, false);
  return 'fact' in nnf ? { all: [nnf] } : nnf;
}

function buildEngine(pack: RulePack): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, allowUndefinedConditions: false });
  for (const op of ruleOperators) {
    engine.removeOperator(op);
    engine.addOperator(op, (a: unknown, b: unknown) => testLeaf(op, a as FactValue, b as FactValue) === true);
  }
  pack.rules.forEach((rule, i) => {
    engine.addRule({
      name: `r${i}`,
      priority: rule.priority ?? 1,
      conditions: engineConditions(rule.conditions) as never,
      event: { type: 'risk', params: { index: i } },
    });
  });
  (pack.modifiers ?? []).forEach((m, i) => {
    engine.addRule({
      name: `m${i}`,
      conditions: engineConditions(m.when) as never,
      event: { type: MODIFIER_EVENT, params: { index: i } },
    });
  });
  return engine;
}

/** Own enumerable facts only, so nothing on Object.prototype can be read as a fact. */
function runtimeFacts(facts: Facts): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(facts)) out[key] = facts[key];
  return out;
}

function matchedLeaves(node: unknown, into: MatchedCondition[]): MatchedCondition[] {
  if (typeof node !== 'object' || node === null) return into;
  const n = node as Record<string, unknown>;
  for (const key of ['all', 'any'] as const) {
    if (Array.isArray(n[key])) for (const child of n[key] as unknown[]) matchedLeaves(child, into);
  }
  if (typeof n.fact === 'string' && n.result === true) {
    into.push({
      fact: n.fact,
      operator: String(n.operator),
      value: n.value,
      factValue: (n.factResult ?? null) as FactValue,
    });
  }
  return into;
}

// ---------------------------------------------------------------- compiled fast path

/** 0 = false, 1 = true, 2 = unknown (a missing or unusable fact). */
type Truth = 0 | 1 | 2;
type Compiled = (facts: Facts) => Truth;

/**
 * A numeric comparison with a finite number, as {@link testLeaf} decides it
 * (unknown unless the fact is a finite number), without its dispatch: most
 * conditions of real packs are these.
 */
function compileComparison(fact: string, operator: RuleOperator, value: number): Compiled | null {
  // `facts` is an own-properties object here (see `ownFacts`), so a plain read is an own read.
  switch (operator) {
    case 'greaterThanInclusive':
      return (facts) => {
        const v = facts[fact];
        return typeof v !== 'number' || !Number.isFinite(v) ? 2 : v >= value ? 1 : 0;
      };
    case 'greaterThan':
      return (facts) => {
        const v = facts[fact];
        return typeof v !== 'number' || !Number.isFinite(v) ? 2 : v > value ? 1 : 0;
      };
    case 'lessThanInclusive':
      return (facts) => {
        const v = facts[fact];
        return typeof v !== 'number' || !Number.isFinite(v) ? 2 : v <= value ? 1 : 0;
      };
    case 'lessThan':
      return (facts) => {
        const v = facts[fact];
        return typeof v !== 'number' || !Number.isFinite(v) ? 2 : v < value ? 1 : 0;
      };
    default:
      return null;
  }
}

/**
 * The facts with nothing inherited: a plain object (or one without a
 * prototype) as it is — every fact name a parsed pack reads is absent from
 * `Object.prototype` — and anything else copied, own properties only, as
 * the reference path reads them.
 */
function ownFacts(facts: Facts): Facts {
  const proto = Object.getPrototypeOf(facts);
  return proto === Object.prototype || proto === null ? facts : (runtimeFacts(facts) as Facts);
}

function compileCondition(c: RuleCondition): Compiled | null {
  if (isLeaf(c)) {
    if (isFactRef(c.value)) return null; // fact-to-fact comparisons stay with json-rules-engine
    const { fact, operator, value } = c;
    // A name Object.prototype has (never one of a parsed pack) keeps the generic own-property read.
    const comparison =
      typeof value === 'number' && Number.isFinite(value) && !(fact in Object.prototype)
        ? compileComparison(fact, operator, value)
        : null;
    if (comparison) return comparison;
    return (facts) => {
      const r = testLeaf(operator, Object.hasOwn(facts, fact) ? facts[fact] : undefined, value);
      return r === undefined ? 2 : r ? 1 : 0;
    };
  }
  if ('not' in c) {
    const inner = compileCondition(c.not);
    if (!inner) return null;
    return (facts) => {
      const r = inner(facts);
      return r === 2 ? 2 : r === 1 ? 0 : 1;
    };
  }
  const children = ('all' in c ? c.all : c.any).map(compileCondition);
  if (children.some((x) => x === null)) return null;
  const parts = children as Compiled[];
  const n = parts.length;
  if ('all' in c) {
    return (facts) => {
      let unknown = false;
      for (let i = 0; i < n; i++) {
        const r = (parts[i] as Compiled)(facts);
        if (r === 0) return 0;
        if (r === 2) unknown = true;
      }
      return unknown ? 2 : 1;
    };
  }
  return (facts) => {
    let unknown = false;
    for (let i = 0; i < n; i++) {
      const r = (parts[i] as Compiled)(facts);
      if (r === 1) return 1;
      if (r === 2) unknown = true;
    }
    return unknown ? 2 : 0;
  };
}

// ---------------------------------------------------------------- evaluator

function createEvaluator(pack: RulePack, key: string): RiskEvaluator {
  const rules = ruleMeta(pack);
  const modifiers = pack.modifiers ?? [];
  let engine: Engine | null = null;
  const engineOf = () => {
    engine ??= buildEngine(pack);
    return engine;
  };

  const runEngine = async (facts: Facts) => {
    const result = await engineOf().run(runtimeFacts(facts));
    const firedRules = new Array<boolean>(rules.length).fill(false);
    const activeModifiers = new Array<boolean>(modifiers.length).fill(false);
    const conditions: Record<string, MatchedCondition[]> = {};
    for (const r of result.results as RuleResult[]) {
      if (!r.event) continue;
      const index = (r.event.params as { index: number }).index;
      const isModifier = r.event.type === MODIFIER_EVENT;
      if (isModifier) activeModifiers[index] = true;
      else firedRules[index] = true;
      const name = isModifier ? (modifiers[index]?.name as string) : (rules[index]?.name as string);
      conditions[name] = matchedLeaves(r.conditions, []);
    }
    return { score: assemble(pack, rules, facts, firedRules, activeModifiers), conditions };
  };
  const reference = async (facts: Facts) => (await runEngine(facts)).score;

  const ruleCode = pack.rules.map((r) => compileCondition(r.conditions));
  const modifierCode = modifiers.map((m) => compileCondition(m.when));
  const compiled = ruleCode.every((x) => x !== null) && modifierCode.every((x) => x !== null);
  const scoreSync = compiled
    ? (input: Facts): RiskScore => {
        const facts = ownFacts(input);
        const firedRules = new Array<boolean>(ruleCode.length);
        for (let i = 0; i < ruleCode.length; i++) firedRules[i] = (ruleCode[i] as Compiled)(facts) === 1;
        const activeModifiers = new Array<boolean>(modifierCode.length);
        for (let i = 0; i < modifierCode.length; i++) activeModifiers[i] = (modifierCode[i] as Compiled)(facts) === 1;
        return assemble(pack, rules, facts, firedRules, activeModifiers);
      }
    : null;

  return {
    pack,
    key,
    compiled,
    scoreSync,
    score: scoreSync ? async (facts) => scoreSync(facts) : reference,
    scoreMany: async (all) => {
      if (scoreSync) return all.map(scoreSync);
      const out: RiskScore[] = [];
      for (const facts of all) out.push(await reference(facts));
      return out;
    },
    reference,
    explain: async (facts) => {
      const { score, conditions } = await runEngine(facts);
      return { ...score, conditions };
    },
  };
}

const cache = new Map<string, RiskEvaluator>();
const CACHE_LIMIT = 256;

/**
 * The evaluator of a pack version, built once and cached by pack id,
 * version and content hash: scoring 10,000 employees builds one engine.
 * Pass a pack that went through {@link parseRulePack}.
 *
 * @example
 * ```ts
 * import { parseRulePack, riskEvaluator } from '@guard/core';
 * const evaluator = riskEvaluator(parseRulePack(json));
 * const scores = await evaluator.scoreMany(factsOfEveryone);
 * ```
 */
export function riskEvaluator(pack: RulePack): RiskEvaluator {
  const key = `${pack.id}@${pack.version}#${sha256Hex(canonicalJson(pack)).slice(0, 16)}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const evaluator = createEvaluator(pack, key);
  cache.set(key, evaluator);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return evaluator;
}
