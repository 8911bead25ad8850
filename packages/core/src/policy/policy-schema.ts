import * as z from 'zod';
import { nameSchema } from '../domain/entities.js';
import { actionSchema, defaultFieldClasses, fieldLevelSchema, obligationSchema } from '../domain/vocabulary.js';
import { validationMessage } from '../i18n/keys.js';

/** The most rules a policy may have. */
const MAX_RULES = 1000;

const finite = z.number();

/**
 * A numeric comparison: every key present must hold (`{ gte: 3, lt: 8 }` is
 * `3 ≤ x < 8`). At least one key is required.
 *
 * @example
 * ```ts
 * import { numericComparisonSchema } from '@guard/core';
 * numericComparisonSchema.parse({ gte: 180 });
 * ```
 */
export const numericComparisonSchema = z
  .strictObject({
    gt: finite.optional(),
    gte: finite.optional(),
    lt: finite.optional(),
    lte: finite.optional(),
    eq: finite.optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    error: validationMessage('comparison-needs-operator'),
  });

/**
 * A numeric comparison; see {@link numericComparisonSchema}.
 *
 * @example
 * ```ts
 * import type { NumericComparison } from '@guard/core';
 * const seniorEnough: NumericComparison = { gte: 3 };
 * ```
 */
export type NumericComparison = z.infer<typeof numericComparisonSchema>;

const band = z.string().trim().min(1).max(16);
const bands = z.array(band).min(1).max(32);

const performanceBandSchema = z
  .strictObject({ in: bands.optional(), notIn: bands.optional() })
  .refine((c) => (c.in === undefined) !== (c.notIn === undefined), {
    error: validationMessage('in-or-not-in'),
  });

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  error: validationMessage('policy-time'),
});

const timeOfDaySchema = z.strictObject({ from: clockTime, to: clockTime }).refine((w) => w.from !== w.to, {
  error: validationMessage('empty-time-window'),
  path: ['to'],
});

const weekdaySchema = z.strictObject({
  in: z.array(z.int().min(1).max(7)).min(1).max(7),
});

/**
 * The attribute conditions of a rule. All conditions present must hold.
 *
 * - `rank` — the subject's rank
 * - `tenureDays` — whole days from the subject's hire date to the local date of `context.now`
 * - `performanceBand` — `in` or `notIn` a list; a `null` band never satisfies `in` and always satisfies `notIn`
 * - `timeOfDay` — local time in `context.timeZone` within `[from, to)`; wraps past midnight when `from > to`
 * - `weekday` — local ISO weekday, 1 = Monday … 7 = Sunday
 * - `exportSize` — `context.exportSize`; false when the context has none (fail closed)
 *
 * @example
 * ```ts
 * import { conditionsSchema } from '@guard/core';
 * conditionsSchema.parse({ timeOfDay: { from: '22:00', to: '06:00' }, weekday: { in: [6, 7] } });
 * ```
 */
export const conditionsSchema = z.strictObject({
  rank: numericComparisonSchema.optional(),
  tenureDays: numericComparisonSchema.optional(),
  performanceBand: performanceBandSchema.optional(),
  timeOfDay: timeOfDaySchema.optional(),
  weekday: weekdaySchema.optional(),
  exportSize: numericComparisonSchema.optional(),
});

/**
 * The conditions of a rule; see {@link conditionsSchema}.
 *
 * @example
 * ```ts
 * import type { PolicyConditions } from '@guard/core';
 * const afterHours: PolicyConditions = { timeOfDay: { from: '22:00', to: '06:00' } };
 * ```
 */
export type PolicyConditions = z.infer<typeof conditionsSchema>;

/**
 * Which customers a rule covers, relative to the subject:
 *
 * - `own` — customers the subject owns
 * - `team` — customers of the subject's unit and every unit below it
 * - `tenant` — every customer of the tenant
 * - `pool` — unowned customers in the public pool (公海)
 *
 * @example
 * ```ts
 * import { scopeSchema } from '@guard/core';
 * scopeSchema.parse('team');
 * ```
 */
export const scopeSchema = z.enum(['own', 'team', 'tenant', 'pool']);

/**
 * A rule's scope; see {@link scopeSchema}.
 *
 * @example
 * ```ts
 * import type { Scope } from '@guard/core';
 * const scope: Scope = 'own';
 * ```
 */
export type Scope = z.infer<typeof scopeSchema>;

/**
 * One rule of a policy. Allow rules grant actions and say how each field
 * class is shown (classes not listed are hidden) and what obligations come
 * with the grant; deny rules take neither `fields` nor `obligations`.
 *
 * @example
 * ```ts
 * import { ruleSchema } from '@guard/core';
 * ruleSchema.parse({
 *   id: 'sales-own-full', effect: 'allow', actions: ['read'], roles: ['sales'], scope: 'own',
 *   fields: { public: 'show', contact: 'show' },
 * });
 * ```
 */
export const ruleSchema = z
  .strictObject({
    id: nameSchema,
    description: z.string().max(500).optional(),
    effect: z.enum(['allow', 'deny']),
    actions: z.array(actionSchema).min(1).max(6),
    roles: z.array(nameSchema).min(1).max(64).optional(),
    scope: scopeSchema,
    when: conditionsSchema.optional(),
    fields: z.record(nameSchema, fieldLevelSchema).optional(),
    obligations: z.array(obligationSchema).max(16).optional(),
  })
  .superRefine(
    (rule, ctx) => {
      if (rule.effect !== 'deny') return;
      for (const key of ['fields', 'obligations'] as const) {
        if (rule[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: validationMessage('allow-only', { key }) });
        }
      }
    },
    { when: isObjectPayload },
  );

/**
 * A validated rule; see {@link ruleSchema}.
 *
 * @example
 * ```ts
 * import type { PolicyRule } from '@guard/core';
 * const rule: PolicyRule = { id: 'no-export', effect: 'deny', actions: ['export'], scope: 'tenant' };
 * ```
 */
export type PolicyRule = z.output<typeof ruleSchema>;

/**
 * An access policy, as JSON: a version, the field classes, and the rules.
 * Object keys are strict: an unknown key is an error. Rule ids and field
 * classes must be unique, and every class a rule names in `fields` must be
 * one of `fieldClasses`.
 *
 * @example
 * ```ts
 * import { policySchema } from '@guard/core';
 * const policy = policySchema.parse({ version: 1, rules: [] });
 * policy.fieldClasses; // ['public', 'contact', 'commercial']
 * ```
 */
export const policySchema = z
  .strictObject({
    version: z.literal(1),
    fieldClasses: z
      .array(nameSchema)
      .min(1)
      .max(64)
      .default(() => [...defaultFieldClasses]),
    rules: z.array(ruleSchema).max(MAX_RULES),
  })
  .superRefine(checkCrossReferences, { when: isObjectPayload });

/**
 * The checks that span several rules. They also run when other parts of the
 * policy are invalid, so that one error lists every problem; hence they read
 * the (possibly malformed) input defensively.
 */
function checkCrossReferences(policy: { fieldClasses?: unknown; rules?: unknown }, ctx: z.core.$RefinementCtx): void {
  const rules: unknown[] = Array.isArray(policy.rules) ? policy.rules : [];
  reportDuplicates(policy.fieldClasses, (i) => ['fieldClasses', i], ctx);
  reportDuplicates(
    rules.map((rule) => (isRecord(rule) ? rule.id : undefined)),
    (i) => ['rules', i, 'id'],
    ctx,
  );
  const classes = policy.fieldClasses === undefined ? defaultFieldClasses : policy.fieldClasses;
  if (Array.isArray(classes))
    checkFieldClassesExist(
      rules,
      classes.filter((c) => typeof c === 'string'),
      ctx,
    );
}

function checkFieldClassesExist(
  rules: readonly unknown[],
  classes: readonly string[],
  ctx: z.core.$RefinementCtx,
): void {
  rules.forEach((rule, i) => {
    const fields = isRecord(rule) && isRecord(rule.fields) ? rule.fields : {};
    for (const key of Object.keys(fields)) {
      if (classes.includes(key)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['rules', i, 'fields', key],
        message: validationMessage('not-a-policy-field-class', { key, classes: classes.join(', ') }),
      });
    }
  });
}

function reportDuplicates(
  values: unknown,
  pathOf: (index: number) => (string | number)[],
  ctx: z.core.$RefinementCtx,
): void {
  if (!Array.isArray(values)) return;
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (typeof value !== 'string') return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        message: validationMessage('duplicate', { value, first }),
      });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isObjectPayload(payload: z.core.ParsePayload): boolean {
  return isRecord(payload.value);
}

/**
 * A policy as authored (defaults not yet applied). Use {@link definePolicy}
 * to get type checking when writing one in TypeScript.
 *
 * @example
 * ```ts
 * import type { PolicyInput } from '@guard/core';
 * const policy: PolicyInput = { version: 1, rules: [] };
 * ```
 */
export type PolicyInput = z.input<typeof policySchema>;

/**
 * A validated policy, defaults applied.
 *
 * @example
 * ```ts
 * import { compilePolicy, type Policy } from '@guard/core';
 * const source: Policy = compilePolicy({ version: 1, rules: [] }).source;
 * ```
 */
export type Policy = z.output<typeof policySchema>;

/**
 * Returns its argument: a typed way to author a policy in TypeScript (the
 * editor checks actions, scopes, levels and obligations as you type).
 * Validation and cross-checks still happen in `compilePolicy`.
 *
 * @example
 * ```ts
 * import { compilePolicy, definePolicy } from '@guard/core';
 * const policy = definePolicy({
 *   version: 1,
 *   rules: [{ id: 'sales-own', effect: 'allow', actions: ['read'], roles: ['sales'], scope: 'own', fields: { public: 'show' } }],
 * });
 * const compiled = compilePolicy(policy);
 * ```
 */
export function definePolicy(policy: PolicyInput): PolicyInput {
  return policy;
}
