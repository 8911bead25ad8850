import type { Action, DecisionReasonCode, FieldLevel, Obligation } from './vocabulary.js';

/**
 * The outcome of one access decision. Decisions are plain, frozen data: safe
 * to log, to audit and to send to a browser.
 *
 * @example
 * ```ts
 * import type { Decision } from '@guard/core';
 * function banner(d: Decision) {
 *   return d.allow ? 'ok' : `denied: ${d.reason.code}`;
 * }
 * ```
 */
export interface Decision {
  /** Whether the action may proceed (subject to {@link Decision.obligations}). */
  readonly allow: boolean;
  /** The action that was decided. */
  readonly action: Action;
  /**
   * Visibility per field class. Every configured class is present; when
   * `allow` is false every class is `hide`.
   */
  readonly fields: Readonly<Record<string, FieldLevel>>;
  /** What the host must also do. Empty when denied. */
  readonly obligations: readonly Obligation[];
  /** Why: a reason code and the ids of the rules that produced it, sorted. */
  readonly reason: DecisionReason;
}

/**
 * Why a decision was made.
 *
 * @example
 * ```ts
 * import type { DecisionReason } from '@guard/core';
 * const r: DecisionReason = { code: 'denied-by-rule', rules: ['no-after-hours-export'] };
 * ```
 */
export interface DecisionReason {
  readonly code: DecisionReasonCode;
  /** Ids of the rules that decided it (the matching denies, or the matching allows). */
  readonly rules: readonly string[];
}
