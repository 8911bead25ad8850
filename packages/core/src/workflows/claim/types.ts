import type { WorkflowEventBase } from '../protocol.js';

/**
 * The workflow id prefix of ownership claims; the runtime stores it with each
 * claim workflow to pick the machine when restoring.
 *
 * @example
 * ```ts
 * import { CLAIM_MACHINE_ID } from '@guard/core';
 * CLAIM_MACHINE_ID; // 'claim'
 * ```
 */
export const CLAIM_MACHINE_ID = 'claim';

/**
 * The version of the claim machine's states, context and events. A change
 * that a persisted snapshot could not survive bumps it.
 *
 * @example
 * ```ts
 * import { CLAIM_MACHINE_VERSION } from '@guard/core';
 * CLAIM_MACHINE_VERSION; // 1
 * ```
 */
export const CLAIM_MACHINE_VERSION = 1;

/**
 * The kind of the child approval workflow that reviews a claim; an
 * `APPROVAL_DONE` of any other kind is not accepted.
 *
 * @example
 * ```ts
 * import { CLAIM_APPROVAL_KIND } from '@guard/core';
 * CLAIM_APPROVAL_KIND; // 'ownership-claim'
 * ```
 */
export const CLAIM_APPROVAL_KIND = 'ownership-claim';

/**
 * What starts a claim: an employee asks to own a customer of the public
 * pool (公海). `duplicates` are customers that look like the same company or
 * person; the reviewer sees them next to the claim.
 *
 * @example
 * ```ts
 * import type { ClaimInput } from '@guard/core';
 * const input: ClaimInput = {
 *   id: 'claim-1', customerId: 'c-1001', claimantId: 'e-7', reason: '老客户回访',
 *   duplicates: ['c-0999'], at: '2026-11-02T02:00:00.000Z',
 * };
 * ```
 */
export interface ClaimInput {
  /** The claim's (and its workflow's) id. */
  readonly id: string;
  readonly customerId: string;
  /** The employee who wants the customer. */
  readonly claimantId: string;
  /** Why the claimant wants the customer, as they wrote it. */
  readonly reason: string | null;
  /** Ids of likely-duplicate customers, flagged to the reviewer. */
  readonly duplicates: readonly string[];
  /** ISO instant the claim was made. */
  readonly at: string;
}

/**
 * How a claim ended: the claimant now owns the customer, the reviewer said
 * no, someone else got the customer first, or the claimant withdrew.
 *
 * @example
 * ```ts
 * import type { ClaimOutcome } from '@guard/core';
 * const outcome: ClaimOutcome = 'owned';
 * ```
 */
export type ClaimOutcome = 'owned' | 'rejected' | 'lost' | 'withdrawn';

/**
 * The claim machine's context: the input, the child approval's id once it
 * is known, and the outcome with its reason once the claim is over. Plain
 * JSON, as the runtime persists it.
 *
 * @example
 * ```ts
 * import type { ClaimContext } from '@guard/core';
 * const ended = (context: ClaimContext) => context.outcome !== null;
 * ```
 */
export interface ClaimContext extends ClaimInput {
  /** The child approval workflow (kind `ownership-claim`), once started. */
  readonly approvalId: string | null;
  /** `null` while the claim is open. */
  readonly outcome: ClaimOutcome | null;
  /**
   * The reason given with the outcome: the reviewer's comment, or why the
   * claim was lost. (`reason` is the claimant's own reason for claiming.)
   */
  readonly outcomeReason: string | null;
}

/**
 * The events of a claim. The runtime adds `at` and `actor` to each; all but
 * `WITHDRAW` must come from a `system` actor (command answers and signals).
 *
 * - `APPROVAL_STARTED` — the module started the child approval (answer to
 *   the `claim.review` command).
 * - `APPROVAL_DONE` — the child approval finished (a signal from it).
 * - `ASSIGNED` / `LOST` — the module's answer to `claim.assign`: the
 *   customer is now the claimant's, or someone else got it first.
 * - `WITHDRAW` — the claimant takes the claim back while it is in review.
 *
 * @example
 * ```ts
 * import type { ClaimEvent } from '@guard/core';
 * const done: ClaimEvent = {
 *   type: 'APPROVAL_DONE', approvalId: 'ap-1', kind: 'ownership-claim', outcome: 'approved', reason: null,
 *   at: '2026-11-03T02:00:00.000Z', actor: { type: 'system', id: 'workflow' },
 * };
 * ```
 */
export type ClaimEvent = WorkflowEventBase &
  (
    | { readonly type: 'APPROVAL_STARTED'; readonly approvalId: string }
    | {
        readonly type: 'APPROVAL_DONE';
        readonly approvalId: string;
        readonly kind: string;
        readonly outcome: 'approved' | 'rejected' | 'withdrawn';
        readonly reason: string | null;
      }
    | { readonly type: 'ASSIGNED' }
    | { readonly type: 'LOST'; readonly reason: string }
    | { readonly type: 'WITHDRAW' }
  );
