import type { Decision } from '../domain/decision.js';
import type { Action, EmployeeStatus } from '../domain/vocabulary.js';
import type { Locale } from '../i18n/locale.js';
import type { Policy } from './policy-schema.js';

/**
 * Who is asking: the facts about an employee the policy decides on.
 *
 * @example
 * ```ts
 * import type { AccessSubject } from '@guard/core';
 * const rep: AccessSubject = {
 *   id: 'e-7', status: 'active', unitId: 'sh-team-1', roles: ['sales'],
 *   rank: 2, hireDate: '2023-04-01', performanceBand: 'B',
 * };
 * ```
 */
export interface AccessSubject {
  readonly id: string;
  readonly status: EmployeeStatus;
  /** The subject's own org unit; `team` rules cover it and every unit below it. */
  readonly unitId: string;
  readonly roles: readonly string[];
  readonly rank: number;
  /** `YYYY-MM-DD`. */
  readonly hireDate: string;
  readonly performanceBand: string | null;
}

/**
 * Which customer: the facts about it the policy decides on.
 *
 * @example
 * ```ts
 * import type { AccessResource } from '@guard/core';
 * const customer: AccessResource = {
 *   id: 'c-1001', ownerId: 'e-7', unitId: 'sh-team-1', unitPath: ['hq', 'east', 'sh', 'sh-team-1'],
 * };
 * ```
 */
export interface AccessResource {
  readonly id: string;
  /** The owning employee, or `null` for the public pool (公海). */
  readonly ownerId: string | null;
  readonly unitId: string;
  /** The ids of the customer's unit and all its ancestors, root first, the unit itself last. */
  readonly unitPath: readonly string[];
}

/**
 * When and how: the facts about the request itself.
 *
 * @example
 * ```ts
 * import type { AccessContext } from '@guard/core';
 * const context: AccessContext = { now: new Date(), timeZone: 'Asia/Shanghai', exportSize: 250 };
 * ```
 */
export interface AccessContext {
  /** The instant of the request (a `Date` or epoch milliseconds). */
  readonly now: Date | number;
  /** IANA zone that `timeOfDay`, `weekday` and `tenureDays` are read in. Default `UTC`. */
  readonly timeZone?: string;
  /** How many customers an export covers; conditions on it fail when it is absent. */
  readonly exportSize?: number;
}

/**
 * A policy compiled into a decision function. Compile once, decide many
 * times: `decide` is pure, synchronous and allocation-free for outcomes it has
 * seen before (identical outcomes share one frozen {@link Decision}).
 *
 * @example
 * ```ts
 * import { compilePolicy, defaultPolicy } from '@guard/core';
 * const policy = compilePolicy(defaultPolicy);
 * const d = policy.decide(rep, 'read', customer, { now: Date.now(), timeZone: 'Asia/Shanghai' });
 * if (d.allow) render(d.fields);
 * ```
 */
export interface CompiledPolicy {
  /** The configured field classes, in policy order. */
  readonly fieldClasses: readonly string[];
  /** The validated policy, deeply frozen. */
  readonly source: Policy;
  /**
   * Decides whether `subject` may perform `action` on `resource`.
   *
   * @throws RangeError when `context.now` is not a valid instant, or when a
   * rule needs local time and `context.timeZone` is not a known zone.
   */
  decide(subject: AccessSubject, action: Action, resource: AccessResource, context: AccessContext): Decision;
}

/**
 * Options of `compilePolicy`.
 *
 * @example
 * ```ts
 * import { compilePolicy, type CompilePolicyOptions } from '@guard/core';
 * const options: CompilePolicyOptions = { locale: 'zh-CN' };
 * compilePolicy(json, options);
 * ```
 */
export interface CompilePolicyOptions {
  /** Language of validation messages; `en` by default. */
  readonly locale?: Locale;
}
