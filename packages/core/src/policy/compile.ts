import type { Decision } from '../domain/decision.js';
import { type Action, actions, type FieldLevel, type Obligation } from '../domain/vocabulary.js';
import { parseInput } from '../errors/validate.js';
import type { AccessContext, AccessResource, AccessSubject, CompiledPolicy, CompilePolicyOptions } from './access.js';
import { type ConditionTest, compileConditions, Facts, hasAnyRole, inScope } from './conditions.js';
import {
  type CacheNode,
  DecisionCache,
  DecisionFactory,
  type Grant,
  levelRank,
  mergeObligations,
} from './decisions.js';
import { deepFreeze } from './freeze.js';
import { toEpochMs } from './local-time.js';
import { type Policy, type PolicyRule, policySchema, type Scope } from './policy-schema.js';

/** How many distinct outcomes one compiled policy remembers. */
const CACHE_LIMIT = 10_000;

const RESIGNING_FLAG: readonly Obligation[] = Object.freeze([
  Object.freeze({ type: 'flag', reason: 'resigning' } as const),
]);

/** A rule ready to evaluate: what it grants, and when it applies. */
interface CompiledRule extends Grant {
  readonly effect: PolicyRule['effect'];
  readonly actions: ReadonlySet<Action>;
  /** `null`: any role. */
  readonly roles: ReadonlySet<string> | null;
  readonly scope: Scope;
  /** `null`: no conditions. */
  readonly conditions: ConditionTest | null;
}

type Build = (path: readonly number[]) => Decision;

/** Everything `decide` needs for one action, precomputed. */
interface ActionTable {
  readonly denies: readonly CompiledRule[];
  readonly allows: readonly CompiledRule[];
  readonly denyRoot: CacheNode;
  readonly allowRoot: CacheNode;
  readonly buildDenied: Build;
  readonly buildAllowed: Build;
  readonly buildFlagged: Build;
  readonly noMatch: Decision;
  readonly frozen: Decision;
  readonly departed: Decision;
  readonly resigning: Decision;
}

/**
 * Validates a policy and compiles it into a pure, synchronous decision
 * function. Compile once (at start-up, or when the policy changes) and call
 * `decide` per request.
 *
 * Decisions follow these rules, in order:
 * 1. `frozen` and `departed` subjects are denied everything. A `resigning`
 *    subject may only `read` customers they own; such reads are flagged.
 * 2. A matching deny rule denies (`denied-by-rule`), whatever allows match.
 * 3. With no matching allow rule the answer is no (`no-matching-rule`).
 * 4. Otherwise allowed: per field class the most permissive level of the
 *    matching allows, the union of their obligations.
 *
 * Rule order never matters. Everything in a decision is sorted and frozen.
 *
 * @throws ValidationError naming every bad path when the policy is invalid.
 *
 * @example
 * ```ts
 * import { compilePolicy } from '@guard/core';
 * const policy = compilePolicy(JSON.parse(policyJson), { locale: 'zh-CN' });
 * const d = policy.decide(subject, 'export', customer, { now: new Date(), timeZone: 'Asia/Shanghai', exportSize: 40 });
 * if (!d.allow) console.log(d.reason.code, d.reason.rules);
 * ```
 */
export function compilePolicy(input: unknown, options: CompilePolicyOptions = {}): CompiledPolicy {
  const parsed = parseInput(policySchema, input, { what: 'policy', locale: options.locale ?? 'en' });
  const source: Policy = deepFreeze(parsed);
  const factory = new DecisionFactory(source.fieldClasses);
  const cache = new DecisionCache(CACHE_LIMIT);
  const tables = new Map<Action, ActionTable>();
  const rules = source.rules.map((rule) => compileRule(rule, source.fieldClasses));
  for (const action of actions) tables.set(action, tableFor(action, rules, factory, cache));
  return Object.freeze({
    fieldClasses: source.fieldClasses,
    source,
    decide: decider(tables, cache, source.rules.length),
  });
}

function compileRule(rule: PolicyRule, fieldClasses: readonly string[]): CompiledRule {
  const fields: Readonly<Record<string, FieldLevel>> = rule.fields ?? {};
  return {
    id: rule.id,
    effect: rule.effect,
    actions: new Set(rule.actions),
    roles: rule.roles === undefined ? null : new Set(rule.roles),
    scope: rule.scope,
    conditions: compileConditions(rule.when),
    levels: Uint8Array.from(fieldClasses, (cls) =>
      levelRank(Object.hasOwn(fields, cls) ? (fields[cls] ?? 'hide') : 'hide'),
    ),
    obligations: mergeObligations([rule.obligations ?? []]),
  };
}

function tableFor(
  action: Action,
  rules: readonly CompiledRule[],
  factory: DecisionFactory,
  cache: DecisionCache,
): ActionTable {
  const withEffect = (effect: PolicyRule['effect']) =>
    rules.filter((rule) => rule.effect === effect && rule.actions.has(action));
  const denies = withEffect('deny');
  const allows = withEffect('allow');
  return {
    denies,
    allows,
    denyRoot: cache.root(),
    allowRoot: cache.root(),
    buildDenied: (path) =>
      factory.denied(
        action,
        'denied-by-rule',
        pick(denies, path).map((rule) => rule.id),
      ),
    buildAllowed: (path) => factory.allowed(action, pick(allows, path)),
    buildFlagged: (path) => factory.allowed(action, pick(allows, path), RESIGNING_FLAG),
    noMatch: factory.denied(action, 'no-matching-rule', []),
    frozen: factory.denied(action, 'subject-frozen', []),
    departed: factory.denied(action, 'subject-departed', []),
    resigning: factory.denied(action, 'resigning-restricted', []),
  };
}

function pick<T>(items: readonly T[], positions: readonly number[]): T[] {
  return positions.flatMap((i) => {
    const item = items[i];
    return item === undefined ? [] : [item];
  });
}

/** The decision a subject's status forces, if any. */
function statusDecision(
  table: ActionTable,
  subject: AccessSubject,
  action: Action,
  resource: AccessResource,
): Decision | undefined {
  switch (subject.status) {
    case 'frozen':
      return table.frozen;
    case 'departed':
      return table.departed;
    case 'resigning':
      return action === 'read' && resource.ownerId === subject.id ? undefined : table.resigning;
    default:
      return undefined;
  }
}

/** Whether a rule applies to a request (its actions are indexed, not checked here). */
function applies(
  rule: CompiledRule,
  subject: AccessSubject,
  resource: AccessResource,
  context: AccessContext,
  facts: Facts,
): boolean {
  return (
    (rule.roles === null || hasAnyRole(rule.roles, subject.roles)) &&
    inScope(rule.scope, subject, resource) &&
    (rule.conditions === null || rule.conditions(subject, resource, context, facts))
  );
}

function decider(
  tables: ReadonlyMap<Action, ActionTable>,
  cache: DecisionCache,
  ruleCount: number,
): CompiledPolicy['decide'] {
  // Scratch state reused across calls: `decide` is synchronous and calls no
  // user code, so two calls never interleave.
  const facts = new Facts();
  const matched = new Uint16Array(Math.max(1, ruleCount));
  const collect = (
    rules: readonly CompiledRule[],
    subject: AccessSubject,
    resource: AccessResource,
    context: AccessContext,
  ): number => {
    let count = 0;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule !== undefined && applies(rule, subject, resource, context, facts)) matched[count++] = i;
    }
    return count;
  };

  return (subject, action, resource, context) => {
    const nowMs = toEpochMs(context.now);
    const table = tables.get(action);
    if (table === undefined) {
      throw new RangeError(`unknown action ${JSON.stringify(action)}; expected one of ${actions.join(', ')}`);
    }
    const forced = statusDecision(table, subject, action, resource);
    if (forced !== undefined) return forced;
    facts.reset(nowMs, context.timeZone ?? 'UTC', subject.hireDate);
    const denied = collect(table.denies, subject, resource, context);
    if (denied > 0) return cache.get(table.denyRoot, matched, denied, 'plain', table.buildDenied);
    const allowed = collect(table.allows, subject, resource, context);
    if (allowed === 0) return table.noMatch;
    return subject.status === 'resigning'
      ? cache.get(table.allowRoot, matched, allowed, 'flagged', table.buildFlagged)
      : cache.get(table.allowRoot, matched, allowed, 'plain', table.buildAllowed);
  };
}
