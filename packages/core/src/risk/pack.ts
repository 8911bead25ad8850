import * as z from 'zod';
import { type Severity, severitySchema } from '../domain/vocabulary.js';
import { didYouMean } from '../errors/did-you-mean.js';
import type { ValidationIssue } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import { type CustomSignal, customKindOfFact } from './custom-signals.js';
import {
  builtInFacts,
  customFactDefinitions,
  type FactDefinition,
  type FactType,
  type LocalizedText,
} from './facts.js';
import type { RiskSubjectType } from './signals.js';

/**
 * The operators a condition may use: json-rules-engine's built-in set.
 * JSONPath (`path`), fact `params` and custom operators are not accepted.
 *
 * @example
 * ```ts
 * import { ruleOperators } from '@guard/core';
 * ruleOperators.includes('greaterThanInclusive'); // true
 * ```
 */
export const ruleOperators = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

/**
 * One of {@link ruleOperators}.
 *
 * @example
 * ```ts
 * import type { RuleOperator } from '@guard/core';
 * const op: RuleOperator = 'in';
 * ```
 */
export type RuleOperator = (typeof ruleOperators)[number];

/**
 * A scalar or a list a condition compares a fact with.
 *
 * @example
 * ```ts
 * import type { ConditionValue } from '@guard/core';
 * const v: ConditionValue = ['resigning', 'frozen'];
 * ```
 */
export type ConditionValue = number | boolean | string | readonly (number | boolean | string)[];

/**
 * A leaf condition: `fact operator value`. `value` may also name another
 * fact (`{ "fact": "exports30d" }`) to compare two facts; that form is
 * evaluated by json-rules-engine rather than the compiled fast path.
 *
 * @example
 * ```ts
 * import type { FactCondition } from '@guard/core';
 * const c: FactCondition = { fact: 'exports30d', operator: 'greaterThanInclusive', value: 500 };
 * ```
 */
export interface FactCondition {
  readonly fact: string;
  readonly operator: RuleOperator;
  readonly value: ConditionValue | { readonly fact: string };
}

/**
 * A condition tree: `all` (and), `any` (or), `not`, or a {@link FactCondition}.
 *
 * @example
 * ```ts
 * import type { RuleCondition } from '@guard/core';
 * const c: RuleCondition = { any: [{ fact: 'resumeUpdates30d', operator: 'greaterThan', value: 0 }, { not: { fact: 'status', operator: 'equal', value: 'active' } }] };
 * ```
 */
export type RuleCondition =
  | { readonly all: readonly RuleCondition[] }
  | { readonly any: readonly RuleCondition[] }
  | { readonly not: RuleCondition }
  | FactCondition;

/**
 * A rule's top-level condition: json-rules-engine requires `all`, `any` or `not` at the top.
 *
 * @example
 * ```ts
 * import type { TopLevelCondition } from '@guard/core';
 * const c: TopLevelCondition = { all: [{ fact: 'daysSinceResignation', operator: 'greaterThanInclusive', value: 0 }] };
 * ```
 */
export type TopLevelCondition = Exclude<RuleCondition, FactCondition>;

/**
 * One risk rule: a json-rules-engine rule whose event is `risk` and carries
 * the rule's weight, its tags and an explanation template. `{{factName}}` in
 * the explanation is replaced with the fact's value.
 *
 * @example
 * ```ts
 * import type { RiskRule } from '@guard/core';
 * const rule: RiskRule = {
 *   name: 'resume-activity',
 *   conditions: { all: [{ fact: 'resumeUpdates30d', operator: 'greaterThanInclusive', value: 2 }] },
 *   event: { type: 'risk', params: { weight: 25, tags: ['intent'], explanation: { en: '{{resumeUpdates30d}} résumé updates in 30 days', 'zh-CN': '30 天内更新简历 {{resumeUpdates30d}} 次' } } },
 * };
 * ```
 */
export interface RiskRule {
  readonly name: string;
  readonly description?: string | undefined;
  readonly priority?: number | undefined;
  readonly conditions: TopLevelCondition;
  readonly event: {
    readonly type: 'risk';
    readonly params: {
      /** Points the rule adds to the score (0–100), before modifiers. */
      readonly weight: number;
      readonly tags?: readonly string[] | undefined;
      readonly explanation: LocalizedText;
    };
  };
}

/**
 * A weight multiplier: while `when` holds, the weight of every fired rule
 * with one of `tags` is multiplied by `multiply`. The default exfiltration
 * pack doubles data-movement rules inside the departing window.
 *
 * @example
 * ```ts
 * import type { RiskModifier } from '@guard/core';
 * const m: RiskModifier = {
 *   name: 'departing-window', multiply: 2, tags: ['data-movement'],
 *   when: { all: [{ fact: 'daysSinceResignation', operator: 'greaterThanInclusive', value: 0 }] },
 * };
 * ```
 */
export interface RiskModifier {
  readonly name: string;
  readonly description?: string | undefined;
  readonly when: TopLevelCondition;
  readonly multiply: number;
  readonly tags: readonly string[];
}

/**
 * A rule pack: versioned risk rules for one subject, with the score at which
 * Guard raises an alert. Analysts keep packs as JSON; {@link parseRulePack}
 * validates them and `guard rules schema` prints the JSON Schema.
 *
 * @example
 * ```ts
 * import { parseRulePack, type RulePack } from '@guard/core';
 * const pack: RulePack = parseRulePack(JSON.parse(readFileSync('flight-risk.json', 'utf8')));
 * console.log(pack.id, pack.version, pack.rules.length);
 * ```
 */
export interface RulePack {
  readonly $schema?: string | undefined;
  readonly id: string;
  /** Semantic version, e.g. `1.2.0`. Bump it on every change. */
  readonly version: string;
  readonly subject: RiskSubjectType;
  readonly title: LocalizedText;
  readonly description?: LocalizedText | undefined;
  readonly thresholds: {
    /** A score at or above this raises one alert per subject. */
    readonly alert: number;
    /** Optional lower band shown as "watch" in reports; no alert. */
    readonly watch?: number | undefined;
  };
  /** The severity of the alert; `high` by default. */
  readonly severity?: Severity | undefined;
  readonly modifiers?: readonly RiskModifier[] | undefined;
  readonly rules: readonly RiskRule[];
}

/**
 * Limits that keep a pack small enough to evaluate fast and to review; a
 * pack over any of them is refused by {@link parseRulePack} with the path
 * at fault.
 *
 * @example
 * ```ts
 * import { RULE_PACK_LIMITS } from '@guard/core';
 * RULE_PACK_LIMITS.rules; // 200
 * RULE_PACK_LIMITS.depth; // 8 nested all/any/not levels
 * ```
 */
export const RULE_PACK_LIMITS = Object.freeze({
  /** Rules in one pack. */
  rules: 200,
  /** Nested `all`/`any`/`not` levels in one condition tree. */
  depth: 8,
  /** Leaf conditions in one pack. */
  conditions: 2000,
  /** Items in one `in`/`notIn` list. */
  listItems: 1000,
  /** The pack as JSON, in bytes. */
  bytes: 1_000_000,
});

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, { error: validationMessage('pack-id') });
const localizedText = z.strictObject({
  en: z.string().trim().min(1).max(500),
  'zh-CN': z.string().trim().min(1).max(500),
});
const scalar = z.union([
  z.number().refine(Number.isFinite, { error: validationMessage('finite-number') }),
  z.boolean(),
  z.string().max(500),
]);
const conditionValue = z.union(
  [scalar, z.array(scalar).max(RULE_PACK_LIMITS.listItems), z.strictObject({ fact: z.string().min(1).max(100) })],
  {
    error: validationMessage('fact-value', { listItems: RULE_PACK_LIMITS.listItems }),
  },
);
const operator = z.enum(ruleOperators, {
  error: (issue) =>
    validationMessage('unknown-operator', {
      operator: JSON.stringify(issue.input),
      operators: ruleOperators.join(', '),
    }),
});

const factCondition = z.strictObject(
  { fact: z.string().min(1).max(100), operator, value: conditionValue },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeyMessage(issue.keys) : undefined) },
);

function unknownKeyMessage(keys: readonly string[]): string {
  if (keys.includes('path')) return validationMessage('jsonpath-not-evaluated');
  if (keys.includes('params')) return validationMessage('fact-params');
  return validationMessage('unknown-keys', { keys: keys.map((k) => JSON.stringify(k)).join(', ') });
}

const strict = {
  error: (issue: { code: string; keys?: readonly string[] }) =>
    issue.code === 'unrecognized_keys' ? unknownKeyMessage(issue.keys ?? []) : undefined,
};

const allCondition = z.strictObject(
  {
    get all() {
      return z.array(conditionSchema).min(1).max(100);
    },
  },
  strict,
);
const anyCondition = z.strictObject(
  {
    get any() {
      return z.array(conditionSchema).min(1).max(100);
    },
  },
  strict,
);
const notCondition = z.strictObject(
  {
    get not() {
      return conditionSchema;
    },
  },
  strict,
);

/** Picks the branch by key so errors point into the branch the author meant. */
const conditionSchema: z.ZodType<RuleCondition> = z.unknown().transform((input, ctx): RuleCondition => {
  const branch = pickBranch(input);
  if (branch === null) {
    ctx.addIssue({
      code: 'custom',
      message: validationMessage('condition-shape'),
      input,
    });
    return z.NEVER;
  }
  const result = branch.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({
        code: 'custom',
        message: issue.message,
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        input,
      });
    }
    return z.NEVER;
  }
  return result.data as RuleCondition;
}) as unknown as z.ZodType<RuleCondition>;

function pickBranch(input: unknown): z.ZodType | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const keys = ['all', 'any', 'not', 'fact'].filter((k) => Object.hasOwn(input, k));
  if (keys.length !== 1) return null;
  return { all: allCondition, any: anyCondition, not: notCondition, fact: factCondition }[
    keys[0] as 'all'
  ] as z.ZodType;
}

const topLevel = z.lazy(() =>
  conditionSchema.refine((c) => !('fact' in c), {
    error: validationMessage('top-level-group'),
  }),
) as unknown as z.ZodType<TopLevelCondition>;

const tags = z.array(name).max(20);

const riskRuleSchema = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  priority: z.int().min(1).max(100).optional(),
  conditions: topLevel,
  event: z.strictObject({
    type: z.literal('risk', { error: validationMessage('risk-event') }),
    params: z.strictObject({
      weight: z.number().min(0).max(100),
      tags: tags.optional(),
      explanation: localizedText,
    }),
  }),
});

const riskModifierSchema = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  when: topLevel,
  multiply: z.number().min(0).max(10),
  tags: tags.min(1),
});

const packShape = z.strictObject({
  $schema: z.string().max(2000).optional(),
  id: name,
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, { error: validationMessage('semver') }),
  subject: z.enum(['employee', 'customer']),
  title: localizedText,
  description: localizedText.optional(),
  thresholds: z
    .strictObject({ alert: z.number().min(1).max(100), watch: z.number().min(0).max(100).optional() })
    .refine((t) => t.watch === undefined || t.watch < t.alert, {
      error: validationMessage('watch-below-alert'),
      path: ['watch'],
    }),
  severity: severitySchema.optional(),
  modifiers: z.array(riskModifierSchema).max(20).optional(),
  rules: z.array(riskRuleSchema).min(1).max(RULE_PACK_LIMITS.rules),
});

/**
 * The zod schema of a {@link RulePack}, with the semantic checks: facts
 * exist for the pack's subject, values suit the fact's type and the
 * operator, rule names are unique, explanation placeholders name facts the
 * rule reads, modifier tags are used by some rule, and the size limits in
 * {@link RULE_PACK_LIMITS} hold.
 *
 * @example
 * ```ts
 * import { rulePackSchema } from '@guard/core';
 * const result = rulePackSchema.safeParse(json);
 * if (!result.success) console.log(result.error.issues);
 * ```
 */
export const rulePackSchema = buildPackSchema([]);

/** The pack schema whose semantic checks know the given custom signals' facts. */
function buildPackSchema(customSignals: readonly CustomSignal[]): z.ZodType<RulePack> {
  return packShape.superRefine((pack, ctx) => {
    for (const issue of semanticIssues(pack as RulePack, customSignals)) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    }
  }) as unknown as z.ZodType<RulePack>;
}

/** Pack schemas for tenants' custom signals, built once per declaration list. */
const schemas = new WeakMap<readonly CustomSignal[], z.ZodType<RulePack>>();

function packSchemaFor(customSignals: readonly CustomSignal[]): z.ZodType<RulePack> {
  if (customSignals.length === 0) return rulePackSchema;
  let schema = schemas.get(customSignals);
  if (!schema) {
    schema = buildPackSchema(customSignals);
    schemas.set(customSignals, schema);
  }
  return schema;
}

/**
 * Options of {@link parseRulePack} and {@link validateRulePack}.
 *
 * @example
 * ```ts
 * import { parseRulePack, type RulePackOptions } from '@guard/core';
 * const options: RulePackOptions = { locale: 'zh-CN', customSignals: settings.risk.customSignals };
 * const pack = parseRulePack(json, options);
 * ```
 */
export interface RulePackOptions {
  /** The language of the issues (default `en`). */
  readonly locale?: Locale | undefined;
  /**
   * The tenant's declared signal kinds (settings `risk.customSignals`): their
   * facts ({@link customFactDefinitions}) are valid in the pack. Without
   * them, only built-in facts are.
   */
  readonly customSignals?: readonly CustomSignal[] | undefined;
}

const NUMERIC = new Set<RuleOperator>(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST = new Set<RuleOperator>(['in', 'notIn']);
const MEMBER = new Set<RuleOperator>(['contains', 'doesNotContain']);

function valueIssue(def: FactDefinition, op: RuleOperator, value: FactCondition['value']): string | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return null; // fact-to-fact, checked separately
  const t: FactType = def.type;
  if (NUMERIC.has(op)) {
    if (t !== 'number') return `"${op}" compares numbers, but ${def.name} is a ${t}`;
    return typeof value === 'number' ? null : `"${op}" needs a number value`;
  }
  if (LIST.has(op)) {
    if (t === 'string[]') return `"${op}" tests one value; ${def.name} is a list — use contains/doesNotContain`;
    if (!Array.isArray(value)) return `"${op}" needs a list value, e.g. [1, 2]`;
    return value.every((v) => scalarType(v) === t) ? null : `every item of the list must be a ${t} like ${def.name}`;
  }
  if (MEMBER.has(op)) {
    if (t !== 'string[]') return `"${op}" looks inside a list, but ${def.name} is a ${t}`;
    return typeof value === 'string' ? null : `"${op}" needs a string value`;
  }
  if (t === 'string[]') return `"${op}" cannot compare the list ${def.name}; use contains/doesNotContain`;
  return scalarType(value) === t ? null : `${def.name} is a ${t}; the value must be a ${t} too`;
}

function scalarType(v: unknown): FactType | 'other' {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function semanticIssues(pack: RulePack, customSignals: readonly CustomSignal[]): Omit<ValidationIssue, 'code'>[] {
  const issues: Omit<ValidationIssue, 'code'>[] = [];
  const facts: Readonly<Record<string, FactDefinition>> =
    customSignals.length === 0
      ? builtInFacts[pack.subject]
      : { ...builtInFacts[pack.subject], ...customFactDefinitions(customSignals, pack.subject) };
  const factNames = Object.keys(facts);
  let leaves = 0;
  const checkFact = (fact: string, path: (string | number)[]): FactDefinition | null => {
    const def = Object.hasOwn(facts, fact) ? facts[fact] : undefined;
    if (def) return def;
    const customKind = customKindOfFact(fact);
    if (customKind) {
      issues.push({ path, message: validationMessage('undeclared-custom-fact', { fact, kind: customKind }) });
      return null;
    }
    const other = pack.subject === 'employee' ? 'customer' : 'employee';
    const suggestion = didYouMean(fact, factNames);
    issues.push({
      path,
      message: validationMessage('unknown-fact', {
        subject: pack.subject,
        fact,
        otherSubject: Object.hasOwn(builtInFacts[other], fact) ? other : null,
        suggestion,
      }),
    });
    return null;
  };
  // `depth` counts groups (all / any / not): the top group is 1, leaves do not count.
  // Past the limit the walk goes on (the schema caps nesting at 64), so the
  // facts a rule reads are still known, but reports the limit once.
  let tooDeep = false;
  const walk = (c: RuleCondition, path: (string | number)[], depth: number, read: Set<string>): void => {
    if (!('fact' in c) && depth > RULE_PACK_LIMITS.depth && !tooDeep) {
      tooDeep = true;
      issues.push({ path, message: validationMessage('conditions-too-deep', { depth: RULE_PACK_LIMITS.depth }) });
    }
    if ('all' in c) {
      c.all.forEach((x, i) => {
        walk(x, [...path, 'all', i], depth + 1, read);
      });
    } else if ('any' in c) {
      c.any.forEach((x, i) => {
        walk(x, [...path, 'any', i], depth + 1, read);
      });
    } else if ('not' in c) walk(c.not, [...path, 'not'], depth + 1, read);
    else {
      leaves++;
      const def = checkFact(c.fact, [...path, 'fact']);
      if (def) read.add(def.name);
      const v = c.value;
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'fact' in v) {
        const other = checkFact(v.fact, [...path, 'value', 'fact']);
        if (other) read.add(other.name);
        if (def && other && def.type !== other.type) {
          issues.push({
            path: [...path, 'value'],
            message: validationMessage('fact-type-mismatch', {
              name: def.name,
              type: def.type,
              otherName: other.name,
              otherType: other.type,
            }),
          });
        } else if (def && other) {
          const problem = valueIssue(def, c.operator, sample(other.type));
          if (problem) issues.push({ path: [...path, 'operator'], message: problem });
        }
      } else if (def) {
        const problem = valueIssue(def, c.operator, v);
        if (problem) issues.push({ path: [...path, 'value'], message: problem });
      }
    }
  };
  const seen = new Map<string, number>();
  const usedTags = new Set<string>();
  pack.rules.forEach((rule, i) => {
    const read = new Set<string>();
    tooDeep = false;
    walk(rule.conditions, ['rules', i, 'conditions'], 1, read);
    const first = seen.get(rule.name);
    if (first !== undefined)
      issues.push({
        path: ['rules', i, 'name'],
        message: validationMessage('duplicate-rule-name', { name: rule.name, first }),
      });
    else seen.set(rule.name, i);
    for (const t of rule.event.params.tags ?? []) usedTags.add(t);
    for (const lang of ['en', 'zh-CN'] as const) {
      for (const match of rule.event.params.explanation[lang].matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
        const placeholder = match[1] as string;
        if (!read.has(placeholder)) {
          issues.push({
            path: ['rules', i, 'event', 'params', 'explanation', lang],
            message: validationMessage('unknown-placeholder', { placeholder, read: [...read].join(', ') }),
          });
        }
      }
    }
  });
  (pack.modifiers ?? []).forEach((m, i) => {
    tooDeep = false;
    walk(m.when, ['modifiers', i, 'when'], 1, new Set());
    m.tags.forEach((t, j) => {
      if (!usedTags.has(t))
        issues.push({ path: ['modifiers', i, 'tags', j], message: validationMessage('unknown-tag', { tag: t }) });
    });
  });
  if (leaves > RULE_PACK_LIMITS.conditions) {
    issues.push({
      path: ['rules'],
      message: validationMessage('too-many-conditions', { count: leaves, limit: RULE_PACK_LIMITS.conditions }),
    });
  }
  return issues;
}

function sample(t: FactType): ConditionValue {
  return t === 'number' ? 0 : t === 'boolean' ? false : t === 'string' ? '' : [''];
}

/**
 * Validates an untrusted rule pack (parsed JSON) and returns it typed, or
 * throws a `ValidationError` whose `issues` name every problem with its
 * path, e.g. `rules[2].conditions.all[0].operator: unknown operator
 * "greaterThen"`. Keys `__proto__`, `constructor` and `prototype`, nesting
 * and size beyond {@link RULE_PACK_LIMITS} are rejected too.
 *
 * @example
 * ```ts
 * import { parseRulePack } from '@guard/core';
 * const pack = parseRulePack(JSON.parse(text), { locale: 'zh-CN' });
 * ```
 */
export function parseRulePack(input: unknown, options: RulePackOptions = {}): RulePack {
  const { locale = 'en', customSignals = [] } = options;
  const bytes = safeSize(input);
  if (bytes > RULE_PACK_LIMITS.bytes) {
    return parseInput(
      z.never({ error: validationMessage('pack-too-large', { bytes, limit: RULE_PACK_LIMITS.bytes }) }),
      input,
      { what: 'rule pack', locale },
    );
  }
  return parseInput(packSchemaFor(customSignals), input, { what: 'rule pack', locale });
}

const utf8 = new TextEncoder();

/** The size of the input as UTF-8 JSON, in bytes (infinite when it cannot be serialised). */
function safeSize(input: unknown): number {
  try {
    const json = JSON.stringify(input);
    return json === undefined ? 0 : utf8.encode(json).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Like {@link parseRulePack}, but returns the issues instead of throwing.
 *
 * @example
 * ```ts
 * import { formatPath, validateRulePack } from '@guard/core';
 * const result = validateRulePack(json);
 * if (!result.ok) for (const i of result.issues) console.error(`${formatPath(i.path)}: ${i.message}`);
 * ```
 */
export function validateRulePack(
  input: unknown,
  options: RulePackOptions = {},
):
  | { readonly ok: true; readonly pack: RulePack }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] } {
  try {
    return { ok: true, pack: parseRulePack(input, options) };
  } catch (error) {
    if (error instanceof Error && 'issues' in error) {
      return { ok: false, issues: (error as { issues: readonly ValidationIssue[] }).issues };
    }
    throw error;
  }
}

/** @internal The facts a condition tree reads, in first-seen order. */
export function factsRead(c: RuleCondition, into: string[] = []): string[] {
  if ('all' in c) for (const x of c.all) factsRead(x, into);
  else if ('any' in c) for (const x of c.any) factsRead(x, into);
  else if ('not' in c) factsRead(c.not, into);
  else {
    if (!into.includes(c.fact)) into.push(c.fact);
    const v = c.value;
    if (typeof v === 'object' && v !== null && 'fact' in v && !into.includes(v.fact)) into.push(v.fact);
  }
  return into;
}

/**
 * Every fact a pack reads, in its rules and modifiers, in first-seen order.
 *
 * @example
 * ```ts
 * import { defaultRulePacks, packFacts } from '@guard/core';
 * packFacts(defaultRulePacks.churn); // ['ordersTrend', 'daysSinceLastOrder', …]
 * ```
 */
export function packFacts(pack: RulePack): string[] {
  const into: string[] = [];
  for (const r of pack.rules) factsRead(r.conditions, into);
  for (const m of pack.modifiers ?? []) factsRead(m.when, into);
  return into;
}
