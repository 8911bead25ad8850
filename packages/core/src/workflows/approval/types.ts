import * as z from 'zod';
import { idSchema, type Json, nameSchema, type SubjectRef } from '../../domain/entities.js';
import type { DeferredText } from '../../i18n/deferred-text.js';
import { validationMessage } from '../../i18n/keys.js';
import type { WorkflowEventBase } from '../protocol.js';

/**
 * Who may approve one slot of an approval level. The module that answers the
 * machine's `approval.resolve` command turns each spec into a group of
 * employee ids (applying delegation and removing the requester):
 *
 * - `manager` — the requester's line manager
 * - `skip-manager` — the manager's manager
 * - `role` — everyone holding the role (e.g. `finance`)
 * - `employee` — one named employee
 *
 * @example
 * ```ts
 * import type { ApproverSpec } from '@guard/core';
 * const specs: ApproverSpec[] = [{ type: 'manager' }, { type: 'role', role: 'finance' }];
 * ```
 */
export type ApproverSpec =
  | { readonly type: 'manager' }
  | { readonly type: 'skip-manager' }
  | { readonly type: 'role'; readonly role: string }
  | { readonly type: 'employee'; readonly id: string };

/**
 * The approval kinds, as a zod enum for untrusted JSON (tenant settings,
 * host requests).
 *
 * @example
 * ```ts
 * import { approvalKindSchema } from '@guard/core';
 * approvalKindSchema.parse('large-discount');
 * ```
 */
export const approvalKindSchema = z.enum([
  'customer-export',
  'large-discount',
  'special-terms',
  'ownership-claim',
  'ownership-transfer',
  'offboarding-signoff',
  'customer-delete',
]);

/**
 * What an approval is for; the module that starts it decides what happens
 * once it is approved.
 *
 * @example
 * ```ts
 * import type { ApprovalKind } from '@guard/core';
 * const kind: ApprovalKind = 'customer-export';
 * ```
 */
export type ApprovalKind = z.infer<typeof approvalKindSchema>;

/**
 * The kinds a host may start with `approvals.request`: Guard carries out
 * nothing when they end, the host reads the outcome. Every other kind
 * changes something in Guard when approved (an export, a delete, an owner,
 * an offboarding) and is started only by the feature that owns it, which
 * asks the policy first and takes the chain from the tenant settings.
 *
 * @example
 * ```ts
 * import { requestableApprovalKindSchema } from '@guard/core';
 * requestableApprovalKindSchema.options; // ['large-discount', 'special-terms']
 * requestableApprovalKindSchema.safeParse('ownership-transfer').success; // false
 * ```
 */
export const requestableApprovalKindSchema = z.enum(['large-discount', 'special-terms']);

/**
 * A kind the host may start with `approvals.request`; see {@link requestableApprovalKindSchema}.
 *
 * @example
 * ```ts
 * import type { RequestableApprovalKind } from '@guard/core';
 * const kind: RequestableApprovalKind = 'large-discount';
 * ```
 */
export type RequestableApprovalKind = z.infer<typeof requestableApprovalKindSchema>;

/** Which API starts each kind that carries an outcome. */
export const APPROVAL_KIND_OWNER: Readonly<Record<Exclude<ApprovalKind, RequestableApprovalKind>, string>> = {
  'customer-export': 'customers.requestExport',
  'customer-delete': 'customers.requestDelete',
  'ownership-claim': 'ownership.claim',
  'ownership-transfer': 'ownership.requestTransfer',
  'offboarding-signoff': 'offboarding',
};

/**
 * One level of an approval chain. Each entry of `approvers` becomes a group
 * of people; with `quorum: 'any'` one approval from any group completes the
 * level, with `'all'` every group needs an approval, each from a different
 * person (four-eyes: one person never counts twice). `timeout` says what
 * happens when nobody completes the level within `hours`:
 *
 * - `'approve'` — the level is approved automatically
 * - `'reject'` — the request is rejected (reason `timeout`)
 * - `'escalate'` — the owning module names escalation approvers, any one of
 *   whom can approve the whole level; if they too let `hours` pass, the
 *   request is rejected (reason `timeout`)
 *
 * @example
 * ```ts
 * import type { ApprovalLevel } from '@guard/core';
 * const level: ApprovalLevel = {
 *   name: 'manager and finance',
 *   approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }],
 *   quorum: 'all',
 *   timeout: { hours: 48, then: 'escalate' },
 * };
 * ```
 */
export interface ApprovalLevel {
  /** A label for people (shown in notifications), e.g. `finance`. */
  readonly name?: string;
  /** At least one. */
  readonly approvers: readonly ApproverSpec[];
  readonly quorum: 'any' | 'all';
  readonly timeout?: { readonly hours: number; readonly then: 'escalate' | 'approve' | 'reject' };
}

/**
 * Validates an {@link ApproverSpec} from untrusted JSON configuration:
 * strict objects, a role must be a name and an employee id an id.
 *
 * @example
 * ```ts
 * import { approverSpecSchema } from '@guard/core';
 * approverSpecSchema.parse({ type: 'role', role: 'finance' });
 * approverSpecSchema.safeParse({ type: 'manager', extra: 1 }).success; // false
 * ```
 */
export const approverSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('manager') }),
  z.strictObject({ type: z.literal('skip-manager') }),
  z.strictObject({ type: z.literal('role'), role: nameSchema }),
  z.strictObject({ type: z.literal('employee'), id: idSchema }),
]);

/**
 * Validates an {@link ApprovalLevel} from untrusted JSON configuration:
 * strict objects, 1–20 approver specs, and a timeout of a whole number of
 * hours between 1 and 8,760 (a year).
 *
 * @example
 * ```ts
 * import { approvalLevelSchema } from '@guard/core';
 * const level = approvalLevelSchema.parse({
 *   approvers: [{ type: 'manager' }],
 *   quorum: 'any',
 *   timeout: { hours: 24, then: 'escalate' },
 * });
 * approvalLevelSchema.safeParse({ approvers: [], quorum: 'any' }).success; // false
 * ```
 */
export const approvalLevelSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  approvers: z
    .array(approverSpecSchema)
    .min(1, { error: validationMessage('needs-approver') })
    .max(20),
  quorum: z.enum(['any', 'all']),
  timeout: z
    .strictObject({
      hours: z.number().int().min(1).max(8760),
      // biome-ignore lint/suspicious/noThenProperty: the field's name is part of the approval configuration format.
      then: z.enum(['escalate', 'approve', 'reject']),
    })
    .optional(),
});

/**
 * What starts an approval workflow (the machine's `input`). The runtime
 * creates the workflow with `id`; `at` is when the request was made.
 *
 * @example
 * ```ts
 * import type { ApprovalInput } from '@guard/core';
 * const input: ApprovalInput = {
 *   id: 'wf-1', kind: 'customer-export', requester: 'e-7',
 *   subject: { type: 'customer', id: 'c-1001' }, title: 'Export 120 customers',
 *   payload: { rows: 120 }, levels: [{ approvers: [{ type: 'manager' }], quorum: 'any' }],
 *   parentId: null, at: '2026-11-02T02:00:00.000Z',
 * };
 * ```
 */
export interface ApprovalInput {
  /** The workflow id. */
  id: string;
  kind: ApprovalKind;
  /** Employee id of the person asking; they can never approve their own request. */
  requester: string;
  subject: SubjectRef | null;
  /** The host's title, or a catalog text Guard renders when the approval is read (names looked up then). */
  title: string | DeferredText;
  payload: { [key: string]: Json };
  /** At least one. */
  levels: ApprovalLevel[];
  /** The workflow to signal `APPROVAL_DONE` to when this one ends, if any. */
  parentId: string | null;
  /** ISO instant of the request. */
  at: string;
}

/**
 * How an approval ended.
 *
 * @example
 * ```ts
 * import type { ApprovalOutcome } from '@guard/core';
 * const done = (o: ApprovalOutcome) => o === 'approved';
 * ```
 */
export type ApprovalOutcome = 'approved' | 'rejected' | 'withdrawn';

/**
 * One entry of an approval's decision history. `approver` is the person whose
 * decision counts, `by` who sent it (a delegate acting for the approver, or
 * `system` for the machine's own decisions). Machine decisions
 * (`auto-approve`, `auto-reject`, `escalate`) have `approver: 'system'` and
 * say why in `comment` (`timeout`, `blocked`, `no-eligible-approver`).
 *
 * @example
 * ```ts
 * import type { ApprovalDecision } from '@guard/core';
 * const d: ApprovalDecision = {
 *   round: 0, level: 0, approver: 'e-2', by: 'e-9', decision: 'approve',
 *   comment: 'approved on behalf of e-2', at: '2026-11-02T03:00:00.000Z',
 * };
 * ```
 */
export interface ApprovalDecision {
  readonly round: number;
  readonly level: number;
  readonly approver: string;
  readonly by: string;
  readonly decision: 'approve' | 'reject' | 'send-back' | 'auto-approve' | 'auto-reject' | 'escalate';
  readonly comment: string | null;
  readonly at: string;
}

/**
 * The approval machine's context: its input plus the progress of the
 * current level. Plain JSON, persisted with the snapshot.
 *
 * - `level` — index of the current level in `levels`
 * - `round` — 0, plus one per resubmission after a send-back
 * - `groups` — the resolved approver ids per {@link ApproverSpec} of the
 *   current level, requester removed (a group may be empty)
 * - `satisfied` — per group, whether it has its approval (all `true` once an
 *   escalation approver or a timeout approved the level)
 * - `escalation` — `none`; `requested` once `approval.escalate` was sent;
 *   `escalated` once `ESCALATED` named `escalatedTo` (requester removed)
 * - `decisions` — every decision of every round and level, oldest first
 * - `outcome`, `reason` — set when the approval ends
 *
 * @example
 * ```ts
 * import { approvalMachine, type ApprovalContext } from '@guard/core';
 * import { createActor } from 'xstate';
 * declare const actor: ReturnType<typeof createActor<typeof approvalMachine>>;
 * const context: ApprovalContext = actor.getSnapshot().context;
 * context.decisions.filter((d) => d.decision === 'approve');
 * ```
 */
export interface ApprovalContext {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly requester: string;
  readonly subject: SubjectRef | null;
  readonly title: string | DeferredText;
  readonly payload: { readonly [key: string]: Json };
  readonly levels: readonly ApprovalLevel[];
  readonly parentId: string | null;
  readonly at: string;
  readonly level: number;
  readonly round: number;
  readonly groups: readonly (readonly string[])[];
  readonly satisfied: readonly boolean[];
  readonly escalatedTo: readonly string[];
  readonly escalation: 'none' | 'requested' | 'escalated';
  readonly decisions: readonly ApprovalDecision[];
  readonly outcome: ApprovalOutcome | null;
  readonly reason: string | null;
}

/**
 * The events the approval machine accepts; the runtime adds `at` and
 * `actor` to each ({@link WorkflowEventBase}).
 *
 * - `APPROVERS` — the answer to `approval.resolve`: one group of employee ids
 *   per approver spec of `level` (system only)
 * - `APPROVE`, `REJECT`, `SEND_BACK` — a decision of `approver`; `actor` may be
 *   a delegate acting for them. `reason` must not be blank.
 * - `RESUBMIT` — the requester answers a send-back, optionally with a new payload
 * - `WITHDRAW` — the requester gives up
 * - `TIMEOUT` — the level's timer (system only); stale ones are ignored
 * - `ESCALATED` — the answer to `approval.escalate` (system only)
 *
 * @example
 * ```ts
 * import type { ApprovalEvent } from '@guard/core';
 * const approve: ApprovalEvent = {
 *   type: 'APPROVE', approver: 'e-2', comment: null,
 *   at: '2026-11-02T03:00:00.000Z', actor: { type: 'employee', id: 'e-2' },
 * };
 * ```
 */
export type ApprovalEvent =
  | (WorkflowEventBase & {
      readonly type: 'APPROVERS';
      readonly level: number;
      readonly groups: readonly (readonly string[])[];
    })
  | (WorkflowEventBase & { readonly type: 'APPROVE'; readonly approver: string; readonly comment?: string | null })
  | (WorkflowEventBase & { readonly type: 'REJECT'; readonly approver: string; readonly reason: string })
  | (WorkflowEventBase & { readonly type: 'SEND_BACK'; readonly approver: string; readonly reason: string })
  | (WorkflowEventBase & { readonly type: 'RESUBMIT'; readonly payload?: { readonly [key: string]: Json } })
  | (WorkflowEventBase & { readonly type: 'WITHDRAW'; readonly reason?: string | null })
  | (WorkflowEventBase & { readonly type: 'TIMEOUT'; readonly level: number; readonly round: number })
  | (WorkflowEventBase & {
      readonly type: 'ESCALATED';
      readonly level: number;
      readonly round: number;
      readonly approvers: readonly string[];
    });
