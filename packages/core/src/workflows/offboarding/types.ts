import * as z from 'zod';
import { actorRefSchema, idSchema, isoDateSchema, isoDateTimeSchema } from '../../domain/entities.js';
import { validationMessage } from '../../i18n/keys.js';
import type { WorkflowEventBase } from '../protocol.js';

/**
 * What a handover item stands for: a customer relationship to transfer, an
 * open order, a receivable still to collect, a conversation in progress, the
 * signed handover confirmation (交接确认函) or a planned customer visit.
 *
 * @example
 * ```ts
 * import type { HandoverItemKind } from '@guard/core';
 * const needsSuccessor = (kind: HandoverItemKind) => kind === 'customer';
 * ```
 */
export type HandoverItemKind = 'customer' | 'order' | 'receivable' | 'communication' | 'confirmation' | 'visit';

/**
 * Where a handover item stands: `open` (nothing done yet), `submitted` (the
 * leaver or a reviewer says it is handed over), `accepted` (a reviewer
 * accepted it) or `returned` (a reviewer sent it back with a reason).
 *
 * @example
 * ```ts
 * import type { HandoverItemStatus } from '@guard/core';
 * const pending = (s: HandoverItemStatus) => s !== 'accepted';
 * ```
 */
export type HandoverItemStatus = 'open' | 'submitted' | 'accepted' | 'returned';

/**
 * One thing the leaving employee hands over. Customer items need a successor
 * (never the leaver) before they can be submitted, and the confirmation item
 * needs the signed document's `fileRef`.
 *
 * @example
 * ```ts
 * import type { HandoverItem } from '@guard/core';
 * const item: HandoverItem = {
 *   id: 'i-1', kind: 'customer', ref: 'c-1001', customerId: 'c-1001', title: 'ACME Ltd',
 *   amountMinor: null, currency: null, successorId: null, fileRef: null, note: null,
 *   status: 'open', returnReason: null,
 * };
 * ```
 */
export interface HandoverItem {
  /** Unique within the offboarding. */
  readonly id: string;
  readonly kind: HandoverItemKind;
  /** The id of what the item stands for (customer, order, receivable, …). */
  readonly ref: string;
  /** The customer it concerns; required for `customer` items. */
  readonly customerId: string | null;
  readonly title: string;
  /** Amount in minor units of `currency` (orders, receivables), else `null`. */
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** Who takes it over; never the leaving employee. */
  readonly successorId: string | null;
  /** A stored file (e.g. the signed confirmation letter). */
  readonly fileRef: string | null;
  readonly note: string | null;
  readonly status: HandoverItemStatus;
  /** Why it was last returned; kept after resubmission so the reviewer sees what was asked. */
  readonly returnReason: string | null;
}

/**
 * The terms of a post-employment non-compete. Compensation is owed monthly in
 * arrears: month `k` covers `[start + (k-1) months, min(start + k months, end))`
 * and is due at the end of that period (a last, shorter period is prorated).
 *
 * @example
 * ```ts
 * import type { NonCompeteTerms } from '@guard/core';
 * const terms: NonCompeteTerms = {
 *   start: '2026-12-01T00:00:00Z', end: '2027-12-01T00:00:00Z',
 *   monthlyCompensationMinor: 3_000_00, currency: 'CNY', graceDays: 7, remindBeforeEndDays: 30,
 * };
 * ```
 */
export interface NonCompeteTerms {
  /** ISO instant the restriction starts. */
  readonly start: string;
  /** ISO instant it ends (after `start`). */
  readonly end: string;
  /** Compensation per full month, in minor units of `currency` (positive). */
  readonly monthlyCompensationMinor: number;
  /** ISO 4217 code, e.g. `CNY`. */
  readonly currency: string;
  /** Days after a month's due date before an unpaid month counts as overdue. */
  readonly graceDays: number;
  /** Days before `end` to remind HR and the manager. */
  readonly remindBeforeEndDays: number;
}

/**
 * {@link NonCompeteTerms} as the host supplies them: `graceDays` (default 7)
 * and `remindBeforeEndDays` (default 30) may be left out.
 *
 * @example
 * ```ts
 * import type { NonCompeteTermsInput } from '@guard/core';
 * const terms: NonCompeteTermsInput = {
 *   start: '2026-12-01T00:00:00Z', end: '2027-12-01T00:00:00Z', monthlyCompensationMinor: 3_000_00, currency: 'CNY',
 * };
 * ```
 */
export type NonCompeteTermsInput = Omit<NonCompeteTerms, 'graceDays' | 'remindBeforeEndDays'> & {
  readonly graceDays?: number | undefined;
  readonly remindBeforeEndDays?: number | undefined;
};

/** At most ten years of monthly compensation are tracked. */
const MAX_NON_COMPETE_MONTHS = 120;

const currencySchema = z.string().regex(/^[A-Z]{3}$/, { error: validationMessage('currency') });

/**
 * Validates host-supplied {@link NonCompeteTerms} and fills in the defaults
 * (`graceDays` 7, `remindBeforeEndDays` 30). `end` must be after `start` and
 * at most ten years later.
 *
 * @example
 * ```ts
 * import { nonCompeteTermsSchema } from '@guard/core';
 * const terms = nonCompeteTermsSchema.parse({
 *   start: '2026-12-01T00:00:00Z', end: '2027-12-01T00:00:00Z', monthlyCompensationMinor: 3_000_00, currency: 'CNY',
 * });
 * terms.graceDays; // 7
 * ```
 */
export const nonCompeteTermsSchema: z.ZodType<NonCompeteTerms, NonCompeteTermsInput> = z
  .strictObject({
    start: isoDateTimeSchema,
    end: isoDateTimeSchema,
    monthlyCompensationMinor: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    currency: currencySchema,
    graceDays: z.int().min(0).max(365).default(7),
    remindBeforeEndDays: z.int().min(1).max(3650).default(30),
  })
  .superRefine((terms, ctx) => {
    const start = Date.parse(terms.start);
    const end = Date.parse(terms.end);
    if (!(end > start)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: validationMessage('end-after-start') });
      return;
    }
    const limit = new Date(start);
    limit.setUTCFullYear(limit.getUTCFullYear() + MAX_NON_COMPETE_MONTHS / 12);
    if (end > limit.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: validationMessage('end-within-ten-years') });
    }
  });

const shortText = z.string().trim().min(1).max(500);
const longText = z.string().max(4000);

/**
 * Validates one {@link HandoverItem} as the offboarding module computes it.
 * A `customer` item must name its `customerId`; amounts come with a currency.
 *
 * @example
 * ```ts
 * import { handoverItemSchema } from '@guard/core';
 * handoverItemSchema.parse({
 *   id: 'i-2', kind: 'receivable', ref: 'o-9', customerId: 'c-1001', title: 'Invoice 2026-118',
 *   amountMinor: 6_000_00, currency: 'CNY', successorId: null, fileRef: null, note: null,
 *   status: 'open', returnReason: null,
 * });
 * ```
 */
export const handoverItemSchema: z.ZodType<HandoverItem> = z
  .strictObject({
    id: idSchema,
    kind: z.enum(['customer', 'order', 'receivable', 'communication', 'confirmation', 'visit']),
    ref: idSchema,
    customerId: idSchema.nullable(),
    title: shortText,
    amountMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
    currency: currencySchema.nullable(),
    successorId: idSchema.nullable(),
    fileRef: z.string().min(1).max(1000).nullable(),
    note: longText.nullable(),
    status: z.enum(['open', 'submitted', 'accepted', 'returned']),
    returnReason: longText.nullable(),
  })
  .superRefine((item, ctx) => {
    if (item.kind === 'customer' && item.customerId === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['customerId'],
        message: validationMessage('customer-item-needs-customer'),
      });
    }
    if ((item.amountMinor === null) !== (item.currency === null)) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: validationMessage('currency-with-amount') });
    }
  });

/**
 * What the offboarding module passes to {@link offboardingMachine} when it
 * starts a workflow. `escalateAt` is computed by the module (e.g. the last
 * working day at 18:00 local time); the machine never reads a clock.
 *
 * @example
 * ```ts
 * import type { OffboardingInput } from '@guard/core';
 * const input: OffboardingInput = {
 *   id: 'off-1', employeeId: 'e-7', managerId: 'e-2', resignationDate: '2026-11-02',
 *   lastWorkingDay: '2026-11-30', reason: 'relocation', items: [],
 *   escalateAt: '2026-11-30T10:00:00Z', nonCompete: null, hrIds: ['e-9'], financeIds: ['e-11'],
 *   at: '2026-11-02T02:00:00Z',
 * };
 * ```
 */
export interface OffboardingInput {
  /** The workflow id. */
  readonly id: string;
  /** The leaving employee. */
  readonly employeeId: string;
  readonly managerId: string | null;
  /** `YYYY-MM-DD`. */
  readonly resignationDate: string;
  /** `YYYY-MM-DD`. */
  readonly lastWorkingDay: string;
  readonly reason: string;
  readonly items: readonly HandoverItem[];
  /** ISO instant at which an unfinished handover is escalated. */
  readonly escalateAt: string;
  readonly nonCompete: NonCompeteTerms | null;
  /** HR staff who review the handover and watch the non-compete. */
  readonly hrIds: readonly string[];
  /** Finance staff who pay the non-compete compensation. */
  readonly financeIds: readonly string[];
  /** ISO instant the workflow starts. */
  readonly at: string;
}

/**
 * Validates an {@link OffboardingInput}: every item `open`, item ids unique,
 * at most one customer item per customer, no successor who is the leaver
 * himself, and non-compete defaults filled in.
 *
 * @example
 * ```ts
 * import { offboardingInputSchema } from '@guard/core';
 * const input = offboardingInputSchema.parse({
 *   id: 'off-1', employeeId: 'e-7', managerId: 'e-2', resignationDate: '2026-11-02',
 *   lastWorkingDay: '2026-11-30', reason: 'relocation', items: [],
 *   escalateAt: '2026-11-30T10:00:00Z', nonCompete: null, hrIds: ['e-9'], financeIds: [],
 *   at: '2026-11-02T02:00:00Z',
 * });
 * ```
 */
export const offboardingInputSchema: z.ZodType<OffboardingInput, unknown> = z
  .strictObject({
    id: idSchema,
    employeeId: idSchema,
    managerId: idSchema.nullable(),
    resignationDate: isoDateSchema,
    lastWorkingDay: isoDateSchema,
    reason: longText,
    items: z.array(handoverItemSchema).max(10_000),
    escalateAt: isoDateTimeSchema,
    nonCompete: nonCompeteTermsSchema.nullable(),
    hrIds: z.array(idSchema).max(1000),
    financeIds: z.array(idSchema).max(1000),
    at: isoDateTimeSchema,
  })
  .superRefine((input, ctx) => {
    if (input.lastWorkingDay < input.resignationDate) {
      ctx.addIssue({ code: 'custom', path: ['lastWorkingDay'], message: validationMessage('before-resignation') });
    }
    if (input.managerId === input.employeeId) {
      ctx.addIssue({ code: 'custom', path: ['managerId'], message: validationMessage('not-the-leaver') });
    }
    const ids = new Set<string>();
    const customers = new Set<string>();
    input.items.forEach((item, i) => {
      if (ids.has(item.id))
        ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: validationMessage('not-unique') });
      ids.add(item.id);
      if (item.status !== 'open' || item.returnReason !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'status'],
          message: validationMessage('open-at-start'),
        });
      }
      if (item.successorId === input.employeeId) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'successorId'],
          message: validationMessage('not-the-leaver'),
        });
      }
      if (item.kind === 'customer' && item.customerId !== null) {
        if (customers.has(item.customerId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['items', i, 'customerId'],
            message: validationMessage('second-customer-item'),
          });
        }
        customers.add(item.customerId);
      }
    });
  });

/**
 * One non-compete compensation payment recorded by HR or finance.
 *
 * @example
 * ```ts
 * import type { NonCompetePayment } from '@guard/core';
 * const p: NonCompetePayment = { month: 1, amountMinor: 3_000_00, paidAt: '2027-01-05T02:00:00Z' };
 * ```
 */
export interface NonCompetePayment {
  /** The compensation month it pays, counted from 1. */
  readonly month: number;
  readonly amountMinor: number;
  /** ISO instant of the payment. */
  readonly paidAt: string;
}

/**
 * The offboarding machine's context: the input plus the progress made. Plain
 * JSON, so the durable runtime can persist and restore it.
 *
 * @example
 * ```ts
 * import type { OffboardingContext } from '@guard/core';
 * const pending = (c: OffboardingContext) => c.items.filter((i) => i.status !== 'accepted').length;
 * ```
 */
export interface OffboardingContext {
  readonly id: string;
  readonly employeeId: string;
  readonly managerId: string | null;
  readonly resignationDate: string;
  readonly lastWorkingDay: string;
  readonly reason: string;
  readonly escalateAt: string;
  readonly nonCompete: NonCompeteTerms | null;
  readonly hrIds: readonly string[];
  readonly financeIds: readonly string[];
  /** ISO instant the workflow started (the input's `at`). */
  readonly startedAt: string;
  readonly items: readonly HandoverItem[];
  /** Whether the escalation timer fired with items still pending. */
  readonly escalated: boolean;
  /** How many times the handover was submitted for review (numbers notification keys). */
  readonly reviewRound: number;
  /** How many times items were returned (numbers notification keys). */
  readonly returnRound: number;
  /** The reason of the last rejected or withdrawn sign-off. */
  readonly signOffReason: string | null;
  /** The outcome of the last sign-off approval. */
  readonly signOffOutcome: 'approved' | 'rejected' | 'withdrawn' | null;
  /** The last sign-off approval that reported back. */
  readonly approvalId: string | null;
  /** ISO instant the sign-off was approved. */
  readonly completedAt: string | null;
  /** Non-compete compensation payments. */
  readonly payments: readonly NonCompetePayment[];
  /** The last compensation month whose due date has been handled (0 = none). */
  readonly dueMonth: number;
  /** Compensation months whose grace period has been checked. */
  readonly checkedMonths: readonly number[];
  /** Compensation months found unpaid after their grace period. */
  readonly overdueMonths: readonly number[];
  /** Whether the ending-soon reminder went out. */
  readonly endingSoonNotified: boolean;
  /** ISO instant the non-compete ended (the `END` timer). */
  readonly endedAt: string | null;
  readonly closedAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancelReason: string | null;
}

/**
 * A manager, HR or the host names who takes over an item (handover and review).
 *
 * @example
 * ```ts
 * import type { AssignSuccessorEvent } from '@guard/core';
 * const e: AssignSuccessorEvent = {
 *   type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: 'e-3', at: '2026-11-03T02:00:00Z', actor: { type: 'employee', id: 'e-2' },
 * };
 * ```
 */
export interface AssignSuccessorEvent extends WorkflowEventBase {
  readonly type: 'ASSIGN_SUCCESSOR';
  readonly itemId: string;
  readonly successorId: string;
}

/**
 * The leaver (or a reviewer) marks an open or returned item as handed over,
 * optionally naming the successor, the signed file and a note.
 *
 * @example
 * ```ts
 * import type { SubmitItemEvent } from '@guard/core';
 * const e: SubmitItemEvent = {
 *   type: 'SUBMIT_ITEM', itemId: 'i-4', fileRef: 'files/confirm.pdf', at: '2026-11-20T02:00:00Z', actor: { type: 'employee', id: 'e-7' },
 * };
 * ```
 */
export interface SubmitItemEvent extends WorkflowEventBase {
  readonly type: 'SUBMIT_ITEM';
  readonly itemId: string;
  readonly successorId?: string | null | undefined;
  readonly fileRef?: string | null | undefined;
  readonly note?: string | null | undefined;
}

/**
 * Submits many items at once — a successor for each of a leaver's
 * customers, chosen in one screen. All of them or none: the batch is
 * refused when any entry could not be submitted on its own as a
 * {@link SubmitItemEvent}, or names an item twice.
 *
 * @example
 * ```ts
 * import type { SubmitItemsEvent } from '@guard/core';
 * const e: SubmitItemsEvent = {
 *   type: 'SUBMIT_ITEMS',
 *   items: [{ itemId: 'customer:c-1', successorId: 'e-3' }, { itemId: 'confirmation:c-1', fileRef: 'files/c-1.pdf' }],
 *   at: '2026-11-20T02:00:00Z', actor: { type: 'employee', id: 'e-7' },
 * };
 * ```
 */
export interface SubmitItemsEvent extends WorkflowEventBase {
  readonly type: 'SUBMIT_ITEMS';
  readonly items: readonly {
    readonly itemId: string;
    readonly successorId?: string | null | undefined;
    readonly fileRef?: string | null | undefined;
    readonly note?: string | null | undefined;
  }[];
}

/**
 * Hands the whole handover over for review once every item is submitted.
 *
 * @example
 * ```ts
 * import type { SubmitHandoverEvent } from '@guard/core';
 * const e: SubmitHandoverEvent = { type: 'SUBMIT_HANDOVER', at: '2026-11-21T02:00:00Z', actor: { type: 'employee', id: 'e-7' } };
 * ```
 */
export interface SubmitHandoverEvent extends WorkflowEventBase {
  readonly type: 'SUBMIT_HANDOVER';
}

/**
 * Customers (and their orders) that came to the leaver after the checklist
 * was built, as new open items; sent by Guard (`{ type: 'system' }` actor)
 * whenever someone acts on the case. In review the case goes back to
 * handover, since the new items must be handed over too.
 *
 * @example
 * ```ts
 * import type { ItemsAddedEvent } from '@guard/core';
 * const e: ItemsAddedEvent = { type: 'ITEMS_ADDED', items: [], at: '2026-11-21T02:00:00Z', actor: { type: 'system', id: 'offboarding' } };
 * ```
 */
export interface ItemsAddedEvent extends WorkflowEventBase {
  readonly type: 'ITEMS_ADDED';
  readonly items: readonly HandoverItem[];
}

/**
 * The escalation timer (`{ type: 'system' }` actor). Accepted in every
 * non-final state; it only acts in handover or review with items pending.
 *
 * @example
 * ```ts
 * import type { EscalateEvent } from '@guard/core';
 * const e: EscalateEvent = { type: 'ESCALATE', at: '2026-11-30T10:00:00Z', actor: { type: 'system', id: 'timer' } };
 * ```
 */
export interface EscalateEvent extends WorkflowEventBase {
  readonly type: 'ESCALATE';
}

/**
 * A reviewer accepts submitted items. With `itemIds: []` it re-requests the
 * sign-off when every item is already accepted (after a rejected sign-off,
 * or for a handover without items).
 *
 * @example
 * ```ts
 * import type { AcceptItemsEvent } from '@guard/core';
 * const e: AcceptItemsEvent = { type: 'ACCEPT_ITEMS', itemIds: ['i-1'], at: '2026-11-22T02:00:00Z', actor: { type: 'employee', id: 'e-2' } };
 * ```
 */
export interface AcceptItemsEvent extends WorkflowEventBase {
  readonly type: 'ACCEPT_ITEMS';
  readonly itemIds: readonly string[];
}

/**
 * A reviewer sends submitted or accepted items back to the leaver, each with
 * a non-empty reason; the workflow returns to `handover`.
 *
 * @example
 * ```ts
 * import type { ReturnItemsEvent } from '@guard/core';
 * const e: ReturnItemsEvent = {
 *   type: 'RETURN_ITEMS', items: [{ itemId: 'i-2', reason: 'attach the invoice' }],
 *   at: '2026-11-22T02:00:00Z', actor: { type: 'employee', id: 'e-2' },
 * };
 * ```
 */
export interface ReturnItemsEvent extends WorkflowEventBase {
  readonly type: 'RETURN_ITEMS';
  readonly items: readonly { readonly itemId: string; readonly reason: string }[];
}

/**
 * The sign-off approval (started by the module on `offboarding.signoff`)
 * reports its outcome (`{ type: 'system' }` actor).
 *
 * @example
 * ```ts
 * import type { ApprovalDoneEvent } from '@guard/core';
 * const e: ApprovalDoneEvent = {
 *   type: 'APPROVAL_DONE', approvalId: 'ap-1', kind: 'offboarding.signoff', outcome: 'approved', reason: null,
 *   at: '2026-11-25T02:00:00Z', actor: { type: 'system', id: 'approval' },
 * };
 * ```
 */
export interface ApprovalDoneEvent extends WorkflowEventBase {
  readonly type: 'APPROVAL_DONE';
  readonly approvalId: string;
  readonly kind: string;
  readonly outcome: 'approved' | 'rejected' | 'withdrawn';
  readonly reason: string | null;
}

/**
 * Timer: compensation for `month` is due.
 *
 * @example
 * ```ts
 * import type { CompensationDueEvent } from '@guard/core';
 * const e: CompensationDueEvent = { type: 'COMPENSATION_DUE', month: 1, at: '2027-01-01T00:00:00Z', actor: { type: 'system', id: 'timer' } };
 * ```
 */
export interface CompensationDueEvent extends WorkflowEventBase {
  readonly type: 'COMPENSATION_DUE';
  readonly month: number;
}

/**
 * Timer: the grace period of `month` is over; unpaid months are reported.
 *
 * @example
 * ```ts
 * import type { CompensationCheckEvent } from '@guard/core';
 * const e: CompensationCheckEvent = { type: 'COMPENSATION_CHECK', month: 1, at: '2027-01-08T00:00:00Z', actor: { type: 'system', id: 'timer' } };
 * ```
 */
export interface CompensationCheckEvent extends WorkflowEventBase {
  readonly type: 'COMPENSATION_CHECK';
  readonly month: number;
}

/**
 * HR, finance or the host records a compensation payment.
 *
 * @example
 * ```ts
 * import type { RecordPaymentEvent } from '@guard/core';
 * const e: RecordPaymentEvent = {
 *   type: 'RECORD_PAYMENT', month: 1, amountMinor: 3_000_00, paidAt: '2027-01-05T02:00:00Z',
 *   at: '2027-01-05T02:00:00Z', actor: { type: 'employee', id: 'e-11' },
 * };
 * ```
 */
export interface RecordPaymentEvent extends WorkflowEventBase {
  readonly type: 'RECORD_PAYMENT';
  readonly month: number;
  readonly amountMinor: number;
  readonly paidAt: string;
}

/**
 * Timer: the non-compete ends in `remindBeforeEndDays` days.
 *
 * @example
 * ```ts
 * import type { EndingSoonEvent } from '@guard/core';
 * const e: EndingSoonEvent = { type: 'ENDING_SOON', at: '2027-11-01T00:00:00Z', actor: { type: 'system', id: 'timer' } };
 * ```
 */
export interface EndingSoonEvent extends WorkflowEventBase {
  readonly type: 'ENDING_SOON';
}

/**
 * Timer: the non-compete has ended.
 *
 * @example
 * ```ts
 * import type { EndEvent } from '@guard/core';
 * const e: EndEvent = { type: 'END', at: '2027-12-01T00:00:00Z', actor: { type: 'system', id: 'timer' } };
 * ```
 */
export interface EndEvent extends WorkflowEventBase {
  readonly type: 'END';
}

/**
 * HR or the host cancels the offboarding before it completes (e.g. the
 * resignation was withdrawn).
 *
 * @example
 * ```ts
 * import type { CancelEvent } from '@guard/core';
 * const e: CancelEvent = { type: 'CANCEL', reason: 'resignation withdrawn', at: '2026-11-05T02:00:00Z', actor: { type: 'host', id: 'hr-app' } };
 * ```
 */
export interface CancelEvent extends WorkflowEventBase {
  readonly type: 'CANCEL';
  readonly reason: string;
}

/**
 * Every event {@link offboardingMachine} understands.
 *
 * @example
 * ```ts
 * import type { OffboardingEvent } from '@guard/core';
 * const e: OffboardingEvent = { type: 'SUBMIT_HANDOVER', at: '2026-11-21T02:00:00Z', actor: { type: 'employee', id: 'e-7' } };
 * ```
 */
export type OffboardingEvent =
  | AssignSuccessorEvent
  | SubmitItemEvent
  | SubmitItemsEvent
  | SubmitHandoverEvent
  | ItemsAddedEvent
  | EscalateEvent
  | AcceptItemsEvent
  | ReturnItemsEvent
  | ApprovalDoneEvent
  | CompensationDueEvent
  | CompensationCheckEvent
  | RecordPaymentEvent
  | EndingSoonEvent
  | EndEvent
  | CancelEvent;

const base = { at: isoDateTimeSchema, actor: actorRefSchema };
const month = z
  .int()
  .min(1)
  .max(MAX_NON_COMPETE_MONTHS + 1);

/**
 * Validates the shape of an {@link OffboardingEvent} (a request from the host
 * or a timer) before it is offered to the machine. Whether the event is
 * allowed now — who sent it, which state, which items — is the machine's
 * guards' business (`snapshot.can(event)`).
 *
 * @example
 * ```ts
 * import { offboardingEventSchema } from '@guard/core';
 * offboardingEventSchema.parse({
 *   type: 'SUBMIT_ITEM', itemId: 'i-1', successorId: 'e-3', at: '2026-11-20T02:00:00Z', actor: { type: 'employee', id: 'e-7' },
 * });
 * ```
 */
export const offboardingEventSchema: z.ZodType<OffboardingEvent> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ASSIGN_SUCCESSOR'), itemId: idSchema, successorId: idSchema, ...base }),
  z.strictObject({
    type: z.literal('SUBMIT_ITEM'),
    itemId: idSchema,
    successorId: idSchema.nullish(),
    fileRef: z.string().min(1).max(1000).nullish(),
    note: longText.nullish(),
    ...base,
  }),
  z.strictObject({
    type: z.literal('SUBMIT_ITEMS'),
    items: z
      .array(
        z.strictObject({
          itemId: idSchema,
          successorId: idSchema.nullish(),
          fileRef: z.string().min(1).max(1000).nullish(),
          note: longText.nullish(),
        }),
      )
      .min(1)
      .max(10_000),
    ...base,
  }),
  z.strictObject({ type: z.literal('SUBMIT_HANDOVER'), ...base }),
  z.strictObject({ type: z.literal('ITEMS_ADDED'), items: z.array(handoverItemSchema).max(100_000), ...base }),
  z.strictObject({ type: z.literal('ESCALATE'), ...base }),
  z.strictObject({ type: z.literal('ACCEPT_ITEMS'), itemIds: z.array(idSchema).max(10_000), ...base }),
  z.strictObject({
    type: z.literal('RETURN_ITEMS'),
    items: z
      .array(z.strictObject({ itemId: idSchema, reason: z.string().trim().min(1).max(4000) }))
      .min(1)
      .max(10_000),
    ...base,
  }),
  z.strictObject({
    type: z.literal('APPROVAL_DONE'),
    approvalId: idSchema,
    kind: z.string().min(1).max(200),
    outcome: z.enum(['approved', 'rejected', 'withdrawn']),
    reason: longText.nullable(),
    ...base,
  }),
  z.strictObject({ type: z.literal('COMPENSATION_DUE'), month, ...base }),
  z.strictObject({ type: z.literal('COMPENSATION_CHECK'), month, ...base }),
  z.strictObject({
    type: z.literal('RECORD_PAYMENT'),
    month,
    amountMinor: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    paidAt: isoDateTimeSchema,
    ...base,
  }),
  z.strictObject({ type: z.literal('ENDING_SOON'), ...base }),
  z.strictObject({ type: z.literal('END'), ...base }),
  z.strictObject({ type: z.literal('CANCEL'), reason: z.string().trim().min(1).max(4000), ...base }),
]);
