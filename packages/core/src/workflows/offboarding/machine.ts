import { assign, emit, enqueueActions, setup } from 'xstate';
import type { ActorRef, Json } from '../../domain/entities.js';
import type { WorkflowEmitted } from '../protocol.js';
import type {
  AcceptItemsEvent,
  ApprovalDoneEvent,
  AssignSuccessorEvent,
  CompensationCheckEvent,
  CompensationDueEvent,
  HandoverItem,
  NonCompeteTerms,
  OffboardingContext,
  OffboardingEvent,
  OffboardingInput,
  RecordPaymentEvent,
  ReturnItemsEvent,
  SubmitItemEvent,
  SubmitItemsEvent,
} from './types.js';

/**
 * The id the durable runtime files offboarding workflows under.
 *
 * @example
 * ```ts
 * import { OFFBOARDING_MACHINE_ID, offboardingMachine } from '@guard/core';
 * offboardingMachine.id === OFFBOARDING_MACHINE_ID; // true
 * ```
 */
export const OFFBOARDING_MACHINE_ID = 'offboarding';

/**
 * The version of {@link offboardingMachine}'s states and context; persisted
 * with every snapshot so that a future version can migrate old ones.
 *
 * @example
 * ```ts
 * import { OFFBOARDING_MACHINE_VERSION } from '@guard/core';
 * const row = { machine: 'offboarding', version: OFFBOARDING_MACHINE_VERSION };
 * ```
 */
export const OFFBOARDING_MACHINE_VERSION = 1;

const DAY_MS = 86_400_000;
/** Ten years of monthly periods plus a prorated last one. */
const MAX_MONTHS = 121;

// ---------------------------------------------------------------------------
// Time: pure arithmetic on ISO instants (the machine never reads a clock).

/** `iso` plus `months` calendar months in UTC, the day of month clamped (Jan 31 + 1 → Feb 28/29). */
function addMonthsUtc(iso: string, months: number): string {
  const d = new Date(iso);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const t = new Date(0);
  t.setUTCFullYear(year, month, Math.min(d.getUTCDate(), lastDay));
  t.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return t.toISOString();
}

function addDaysUtc(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

function minInstant(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? new Date(a).toISOString() : new Date(b).toISOString();
}

/** How many compensation months the terms span (a partial last month counts). */
function compensationMonths(terms: NonCompeteTerms): number {
  const end = Date.parse(terms.end);
  let months = 0;
  while (months < MAX_MONTHS && Date.parse(addMonthsUtc(terms.start, months)) < end) months += 1;
  return months;
}

interface CompensationPeriod {
  readonly month: number;
  readonly periodStart: string;
  readonly periodEnd: string;
  /** When it is due: the end of the period. */
  readonly dueAt: string;
  /** The monthly amount, prorated for a partial last month. */
  readonly amountMinor: number;
}

function compensationPeriod(terms: NonCompeteTerms, month: number): CompensationPeriod {
  const periodStart = addMonthsUtc(terms.start, month - 1);
  const fullEnd = addMonthsUtc(terms.start, month);
  const periodEnd = minInstant(fullEnd, terms.end);
  const full = Date.parse(fullEnd) <= Date.parse(terms.end);
  const amountMinor = full
    ? terms.monthlyCompensationMinor
    : Math.round(
        (terms.monthlyCompensationMinor * (Date.parse(periodEnd) - Date.parse(periodStart))) /
          (Date.parse(fullEnd) - Date.parse(periodStart)),
      );
  return { month, periodStart, periodEnd, dueAt: periodEnd, amountMinor };
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

// ---------------------------------------------------------------------------
// Who may do what. The leaver never acts as his own reviewer, even when he is
// listed as HR or finance.

function isPerson(context: OffboardingContext, actor: ActorRef, id: string | null): boolean {
  return actor.type === 'employee' && id !== null && actor.id === id && actor.id !== context.employeeId;
}

function isEmployee(context: OffboardingContext, actor: ActorRef): boolean {
  return actor.type === 'employee' && actor.id === context.employeeId;
}

function isManager(context: OffboardingContext, actor: ActorRef): boolean {
  return isPerson(context, actor, context.managerId);
}

function isHr(context: OffboardingContext, actor: ActorRef): boolean {
  return context.hrIds.some((id) => isPerson(context, actor, id));
}

function isFinance(context: OffboardingContext, actor: ActorRef): boolean {
  return context.financeIds.some((id) => isPerson(context, actor, id));
}

function isHost(actor: ActorRef): boolean {
  return actor.type === 'host';
}

function isSystem(actor: ActorRef): boolean {
  return actor.type === 'system';
}

/** Manager, HR or the host: assigns successors, accepts and returns items. */
function isReviewer(context: OffboardingContext, actor: ActorRef): boolean {
  return isManager(context, actor) || isHr(context, actor) || isHost(actor);
}

/** The leaver or a reviewer: submits items and the handover. */
function isParticipant(context: OffboardingContext, actor: ActorRef): boolean {
  return isEmployee(context, actor) || isReviewer(context, actor);
}

/** HR, finance or the host: records compensation payments. */
function isPayer(context: OffboardingContext, actor: ActorRef): boolean {
  return isHr(context, actor) || isFinance(context, actor) || isHost(actor);
}

function isValidSuccessor(context: OffboardingContext, successorId: unknown): successorId is string {
  return typeof successorId === 'string' && successorId.length > 0 && successorId !== context.employeeId;
}

function isNonEmpty(text: unknown): text is string {
  return typeof text === 'string' && text.trim().length > 0;
}

function unique<T>(values: readonly T[]): boolean {
  return new Set(values).size === values.length;
}

function recipients(...groups: readonly (readonly (string | null)[])[]): string[] {
  return [...new Set(groups.flat().filter((id): id is string => id !== null))];
}

// ---------------------------------------------------------------------------
// Items.

function findItem(context: OffboardingContext, itemId: unknown): HandoverItem | undefined {
  return context.items.find((item) => item.id === itemId);
}

function pendingItems(context: OffboardingContext): number {
  return context.items.filter((item) => item.status !== 'accepted').length;
}

/** The rule "offboarding never completes with an open item". */
function handoverComplete(context: OffboardingContext): boolean {
  return context.items.every(
    (item) => item.status === 'accepted' && (item.kind !== 'customer' || isValidSuccessor(context, item.successorId)),
  );
}

function canAssignSuccessor(context: OffboardingContext, event: AssignSuccessorEvent): boolean {
  return (
    isReviewer(context, event.actor) &&
    findItem(context, event.itemId) !== undefined &&
    isValidSuccessor(context, event.successorId)
  );
}

function canSubmitItem(context: OffboardingContext, event: SubmitItemEvent): boolean {
  const item = findItem(context, event.itemId);
  if (!isParticipant(context, event.actor) || item === undefined) return false;
  if (item.status !== 'open' && item.status !== 'returned') return false;
  if (event.successorId != null && !isValidSuccessor(context, event.successorId)) return false;
  if (event.fileRef != null && !isNonEmpty(event.fileRef)) return false;
  if (event.note != null && typeof event.note !== 'string') return false;
  const successorId = event.successorId ?? item.successorId;
  const fileRef = event.fileRef ?? item.fileRef;
  if (item.kind === 'customer' && !isValidSuccessor(context, successorId)) return false;
  if (item.kind === 'confirmation' && !isNonEmpty(fileRef)) return false;
  return true;
}

/** Each entry of a bulk submission as the single submission it stands for. */
const asSubmissions = (event: SubmitItemsEvent): SubmitItemEvent[] =>
  Array.isArray(event.items)
    ? event.items.map((entry) => ({ ...entry, type: 'SUBMIT_ITEM', at: event.at, actor: event.actor }))
    : [];

function canSubmitItems(context: OffboardingContext, event: SubmitItemsEvent): boolean {
  const submissions = asSubmissions(event);
  return (
    submissions.length > 0 &&
    unique(submissions.map((s) => s.itemId)) &&
    submissions.every((s) => canSubmitItem(context, s))
  );
}

/** The items with `submissions` applied: each submitted, with its successor, file and note. */
function submittedItems(context: OffboardingContext, submissions: readonly SubmitItemEvent[]): HandoverItem[] {
  const byId = new Map(submissions.map((s) => [s.itemId, s]));
  return context.items.map((item) => {
    const s = byId.get(item.id);
    return s === undefined
      ? item
      : {
          ...item,
          status: 'submitted',
          successorId: s.successorId ?? item.successorId,
          fileRef: s.fileRef ?? item.fileRef,
          note: s.note ?? item.note,
        };
  });
}

function canAcceptItems(context: OffboardingContext, event: AcceptItemsEvent): boolean {
  if (!isReviewer(context, event.actor) || !Array.isArray(event.itemIds) || !unique(event.itemIds)) return false;
  if (event.itemIds.length === 0) return context.items.every((item) => item.status === 'accepted');
  return event.itemIds.every((id) => findItem(context, id)?.status === 'submitted');
}

function acceptedItems(context: OffboardingContext, event: AcceptItemsEvent): HandoverItem[] {
  const ids = new Set(event.itemIds);
  return context.items.map((item) => (ids.has(item.id) ? { ...item, status: 'accepted' } : item));
}

function canReturnItems(context: OffboardingContext, event: ReturnItemsEvent): boolean {
  if (!isReviewer(context, event.actor) || !Array.isArray(event.items) || event.items.length === 0) return false;
  if (!unique(event.items.map((entry) => entry.itemId))) return false;
  return event.items.every((entry) => {
    const status = findItem(context, entry.itemId)?.status;
    return (status === 'submitted' || status === 'accepted') && isNonEmpty(entry.reason);
  });
}

// ---------------------------------------------------------------------------
// Non-compete.

function terms(context: OffboardingContext): NonCompeteTerms {
  if (context.nonCompete === null) throw new Error('offboarding: no non-compete terms');
  return context.nonCompete;
}

function isMonth(context: OffboardingContext, month: unknown): month is number {
  return (
    context.nonCompete !== null &&
    Number.isInteger(month) &&
    (month as number) >= 1 &&
    (month as number) <= compensationMonths(context.nonCompete)
  );
}

function isPaid(context: OffboardingContext, month: number): boolean {
  const paid = context.payments.filter((p) => p.month === month).reduce((sum, p) => sum + p.amountMinor, 0);
  return paid >= compensationPeriod(terms(context), month).amountMinor;
}

function isDueNext(context: OffboardingContext, event: CompensationDueEvent): boolean {
  return isSystem(event.actor) && isMonth(context, event.month) && event.month === context.dueMonth + 1;
}

function isCheckDue(context: OffboardingContext, event: CompensationCheckEvent): boolean {
  return (
    isSystem(event.actor) &&
    isMonth(context, event.month) &&
    event.month <= context.dueMonth &&
    !context.checkedMonths.includes(event.month)
  );
}

function canRecordPayment(context: OffboardingContext, event: RecordPaymentEvent): boolean {
  return (
    isPayer(context, event.actor) &&
    isMonth(context, event.month) &&
    Number.isSafeInteger(event.amountMinor) &&
    event.amountMinor > 0 &&
    isInstant(event.paidAt)
  );
}

/** Every compensation month handled and checked, and the term over. */
function watchDone(context: OffboardingContext): boolean {
  if (context.nonCompete === null || context.endedAt === null) return false;
  const months = compensationMonths(context.nonCompete);
  return context.dueMonth === months && context.checkedMonths.length === months;
}

function compensationData(context: OffboardingContext, month: number): { [key: string]: Json } {
  const t = terms(context);
  const period = compensationPeriod(t, month);
  return {
    offboardingId: context.id,
    employeeId: context.employeeId,
    month,
    amountMinor: period.amountMinor,
    currency: t.currency,
    periodStart: period.periodStart,
    periodEnd: period.periodEnd,
    dueAt: period.dueAt,
  };
}

/**
 * The offboarding workflow as a pure XState v5 machine: the leaver hands over
 * customers, orders, receivables, conversations, visits and the signed
 * confirmation letter to successors; the manager or HR reviews (accepting or
 * returning items); manager, HR and finance sign off through a child approval;
 * then the module transfers the CRM customers and, when there is a
 * non-compete, the machine watches its monthly compensation until it ends.
 *
 * States: `handover` → `review` → `signOff` → `completed` (transient) →
 * `watch` (non-compete only) → `closed`; `cancelled` from the first three.
 * It talks to the world only through {@link WorkflowEmitted} events (notify
 * keys are unique for the workflow's life) and reads time only from events.
 * It never completes while an item is not accepted or a customer item lacks a
 * successor other than the leaver. Events a guard refuses (wrong actor, wrong
 * state, unknown item) make `snapshot.can(event)` false; stale timers are
 * accepted as no-ops in every non-final state.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { offboardingMachine } from '@guard/core';
 * const actor = createActor(offboardingMachine, {
 *   input: {
 *     id: 'off-1', employeeId: 'e-7', managerId: 'e-2', resignationDate: '2026-11-02', lastWorkingDay: '2026-11-30',
 *     reason: 'relocation', items: [], escalateAt: '2026-11-30T10:00:00Z', nonCompete: null,
 *     hrIds: ['e-9'], financeIds: ['e-11'], at: '2026-11-02T02:00:00Z',
 *   },
 * });
 * actor.on('*', (emitted) => console.log(emitted)); // guard.notify 'offboarding.started', guard.schedule 'escalate'
 * actor.start();
 * actor.send({ type: 'SUBMIT_HANDOVER', at: '2026-11-03T02:00:00Z', actor: { type: 'employee', id: 'e-7' } });
 * actor.getSnapshot().value; // 'review'
 * ```
 */
export const offboardingMachine = setup({
  types: {
    context: {} as OffboardingContext,
    events: {} as OffboardingEvent,
    input: {} as OffboardingInput,
    emitted: {} as WorkflowEmitted,
  },
  guards: {
    fromSystem: ({ event }) => isSystem(event.actor),
    canEscalate: ({ context, event }) => isSystem(event.actor) && !context.escalated && pendingItems(context) > 0,
    canAssignSuccessor: ({ context, event }) => event.type === 'ASSIGN_SUCCESSOR' && canAssignSuccessor(context, event),
    canCancel: ({ context, event }) =>
      event.type === 'CANCEL' && (isHr(context, event.actor) || isHost(event.actor)) && isNonEmpty(event.reason),
  },
  actions: {
    /** Accepts a stale or duplicate timer without changing anything (a transition without actions would make `can()` false). */
    ignore: () => undefined,
    escalate: enqueueActions(({ context, enqueue }) => {
      const to = recipients([context.managerId], context.hrIds).filter((id) => id !== context.employeeId);
      const openItems = pendingItems(context);
      enqueue.assign({ escalated: true });
      if (to.length > 0) {
        enqueue.emit({
          type: 'guard.notify',
          key: 'escalated',
          to,
          template: 'offboarding.escalated',
          data: {
            offboardingId: context.id,
            employeeId: context.employeeId,
            lastWorkingDay: context.lastWorkingDay,
            openItems,
          },
        });
      }
      enqueue.emit({ type: 'guard.command', command: 'offboarding.escalate', payload: { openItems } });
    }),
    addItems: assign(({ context, event }) => {
      if (event.type !== 'ITEMS_ADDED') return {};
      const known = new Set(context.items.map((item) => item.id));
      return { items: [...context.items, ...event.items.filter((item) => !known.has(item.id)).map((i) => ({ ...i }))] };
    }),
    assignSuccessor: assign(({ context, event }) =>
      event.type === 'ASSIGN_SUCCESSOR'
        ? {
            items: context.items.map((item) =>
              item.id === event.itemId ? { ...item, successorId: event.successorId } : item,
            ),
          }
        : {},
    ),
    cancel: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'CANCEL') return;
      enqueue.assign({ cancelledAt: event.at, cancelReason: event.reason.trim() });
      enqueue.emit({ type: 'guard.command', command: 'offboarding.cancel', payload: {} });
      enqueue.emit({ type: 'guard.cancel', key: 'escalate' });
    }),
  },
}).createMachine({
  id: OFFBOARDING_MACHINE_ID,
  initial: 'handover',
  context: ({ input }) => ({
    id: input.id,
    employeeId: input.employeeId,
    managerId: input.managerId,
    resignationDate: input.resignationDate,
    lastWorkingDay: input.lastWorkingDay,
    reason: input.reason,
    escalateAt: input.escalateAt,
    nonCompete: input.nonCompete === null ? null : { ...input.nonCompete },
    hrIds: [...input.hrIds],
    financeIds: [...input.financeIds],
    startedAt: input.at,
    items: input.items.map((item) => ({ ...item })),
    escalated: false,
    reviewRound: 0,
    returnRound: 0,
    signOffReason: null,
    signOffOutcome: null,
    approvalId: null,
    completedAt: null,
    payments: [],
    dueMonth: 0,
    checkedMonths: [],
    overdueMonths: [],
    endingSoonNotified: false,
    endedAt: null,
    closedAt: null,
    cancelledAt: null,
    cancelReason: null,
  }),
  // Runs once, when the workflow starts (not when items are returned to
  // handover, and not on restore).
  entry: [
    emit(({ context }) => ({
      type: 'guard.notify',
      key: 'started',
      to: recipients([context.employeeId, context.managerId]),
      template: 'offboarding.started',
      data: {
        offboardingId: context.id,
        employeeId: context.employeeId,
        lastWorkingDay: context.lastWorkingDay,
        items: context.items.length,
        escalateAt: context.escalateAt,
      },
    })),
    emit(({ context }) => ({
      type: 'guard.schedule',
      key: 'escalate',
      at: context.escalateAt,
      event: { type: 'ESCALATE' },
    })),
  ],
  states: {
    handover: {
      on: {
        ASSIGN_SUCCESSOR: { guard: 'canAssignSuccessor', actions: 'assignSuccessor' },
        SUBMIT_ITEM: {
          guard: ({ context, event }) => canSubmitItem(context, event),
          actions: assign(({ context, event }) => ({ items: submittedItems(context, [event]) })),
        },
        SUBMIT_ITEMS: {
          guard: ({ context, event }) => canSubmitItems(context, event),
          actions: assign(({ context, event }) => ({ items: submittedItems(context, asSubmissions(event)) })),
        },
        ITEMS_ADDED: { guard: 'fromSystem', actions: 'addItems' },
        SUBMIT_HANDOVER: {
          guard: ({ context, event }) =>
            isParticipant(context, event.actor) &&
            context.items.every((item) => item.status === 'submitted' || item.status === 'accepted'),
          target: 'review',
          actions: [
            assign(({ context }) => ({ reviewRound: context.reviewRound + 1 })),
            emit(({ context }) => ({
              type: 'guard.notify',
              key: `review:${context.reviewRound}`,
              to: context.managerId === null ? recipients(context.hrIds) : [context.managerId],
              template: 'offboarding.review',
              data: {
                offboardingId: context.id,
                employeeId: context.employeeId,
                round: context.reviewRound,
                items: context.items.length,
              },
            })),
          ],
        },
        ESCALATE: [
          { guard: 'canEscalate', actions: 'escalate' },
          { guard: 'fromSystem', actions: 'ignore' },
        ],
        CANCEL: { guard: 'canCancel', target: 'cancelled', actions: 'cancel' },
      },
    },
    review: {
      on: {
        ASSIGN_SUCCESSOR: { guard: 'canAssignSuccessor', actions: 'assignSuccessor' },
        ACCEPT_ITEMS: [
          {
            guard: ({ context, event }) =>
              canAcceptItems(context, event) && handoverComplete({ ...context, items: acceptedItems(context, event) }),
            target: 'signOff',
            actions: assign(({ context, event }) => ({ items: acceptedItems(context, event) })),
          },
          {
            guard: ({ context, event }) => canAcceptItems(context, event),
            actions: assign(({ context, event }) => ({ items: acceptedItems(context, event) })),
          },
        ],
        ITEMS_ADDED: { guard: 'fromSystem', target: 'handover', actions: 'addItems' },
        RETURN_ITEMS: {
          guard: ({ context, event }) => canReturnItems(context, event),
          target: 'handover',
          actions: [
            assign(({ context, event }) => {
              const reasons = new Map(event.items.map((entry) => [entry.itemId, entry.reason.trim()]));
              return {
                returnRound: context.returnRound + 1,
                items: context.items.map((item) => {
                  const reason = reasons.get(item.id);
                  return reason === undefined ? item : { ...item, status: 'returned', returnReason: reason };
                }),
              };
            }),
            emit(({ context, event }) => ({
              type: 'guard.notify',
              key: `items-returned:${context.returnRound}`,
              to: [context.employeeId],
              template: 'offboarding.items-returned',
              data: {
                offboardingId: context.id,
                round: context.returnRound,
                items: event.items.map((entry) => ({
                  itemId: entry.itemId,
                  title: findItem(context, entry.itemId)?.title ?? entry.itemId,
                  reason: entry.reason.trim(),
                })),
              },
            })),
          ],
        },
        ESCALATE: [
          { guard: 'canEscalate', actions: 'escalate' },
          { guard: 'fromSystem', actions: 'ignore' },
        ],
        CANCEL: { guard: 'canCancel', target: 'cancelled', actions: 'cancel' },
      },
    },
    signOff: {
      entry: emit({ type: 'guard.command', command: 'offboarding.signoff', payload: {} }),
      on: {
        APPROVAL_DONE: [
          {
            guard: ({ context, event }) => isFreshApproval(context, event, 'approved') && handoverComplete(context),
            target: 'completed',
            actions: assign(({ event }) => ({
              approvalId: event.approvalId,
              signOffOutcome: 'approved',
              completedAt: event.at,
            })),
          },
          {
            guard: ({ context, event }) =>
              isFreshApproval(context, event, 'rejected') || isFreshApproval(context, event, 'withdrawn'),
            target: 'review',
            actions: assign(({ event }) => ({
              approvalId: event.approvalId,
              signOffOutcome: event.outcome,
              signOffReason: event.reason,
            })),
          },
        ],
        ESCALATE: { guard: 'fromSystem', actions: 'ignore' },
        CANCEL: { guard: 'canCancel', target: 'cancelled', actions: 'cancel' },
      },
    },
    completed: {
      entry: enqueueActions(({ context, enqueue }) => {
        const transfers = context.items.flatMap((item) =>
          item.kind === 'customer' && item.successorId !== null
            ? [{ customerId: item.customerId ?? item.ref, successorId: item.successorId }]
            : [],
        );
        // Completion moves each customer if it still can; the move itself queues the CRM transfer.
        enqueue.emit({ type: 'guard.command', command: 'offboarding.complete', payload: { transfers } });
        enqueue.emit({ type: 'guard.cancel', key: 'escalate' });
      }),
      always: [
        { guard: ({ context }) => context.nonCompete !== null, target: 'watch' },
        { target: 'closed', actions: assign(({ event }) => ({ closedAt: event.at })) },
      ],
    },
    watch: {
      entry: enqueueActions(({ context, enqueue }) => {
        const t = terms(context);
        const first = compensationPeriod(t, 1);
        enqueue.emit({
          type: 'guard.schedule',
          key: 'compensation-due:1',
          at: first.dueAt,
          event: { type: 'COMPENSATION_DUE', month: 1 },
        });
        enqueue.emit({
          type: 'guard.schedule',
          key: 'noncompete-ending-soon',
          at: addDaysUtc(t.end, -t.remindBeforeEndDays),
          event: { type: 'ENDING_SOON' },
        });
        enqueue.emit({
          type: 'guard.schedule',
          key: 'noncompete-end',
          at: new Date(t.end).toISOString(),
          event: { type: 'END' },
        });
      }),
      always: {
        guard: ({ context }) => watchDone(context),
        target: 'closed',
        actions: [
          assign(({ event }) => ({ closedAt: event.at })),
          enqueueActions(({ context, enqueue }) => {
            if (!context.endingSoonNotified) enqueue.emit({ type: 'guard.cancel', key: 'noncompete-ending-soon' });
          }),
        ],
      },
      on: {
        COMPENSATION_DUE: [
          {
            guard: ({ context, event }) => isDueNext(context, event),
            actions: [
              assign(({ event }) => ({ dueMonth: event.month })),
              enqueueActions(({ context, event, enqueue }) => {
                const t = terms(context);
                const period = compensationPeriod(t, event.month);
                const to = recipients(context.hrIds, context.financeIds);
                if (to.length > 0) {
                  enqueue.emit({
                    type: 'guard.notify',
                    key: `compensation-due:${event.month}`,
                    to,
                    template: 'noncompete.compensation-due',
                    data: compensationData(context, event.month),
                  });
                }
                enqueue.emit({
                  type: 'guard.schedule',
                  key: `compensation-check:${event.month}`,
                  at: addDaysUtc(period.dueAt, t.graceDays),
                  event: { type: 'COMPENSATION_CHECK', month: event.month },
                });
                if (event.month < compensationMonths(t)) {
                  const next = compensationPeriod(t, event.month + 1);
                  enqueue.emit({
                    type: 'guard.schedule',
                    key: `compensation-due:${next.month}`,
                    at: next.dueAt,
                    event: { type: 'COMPENSATION_DUE', month: next.month },
                  });
                }
              }),
            ],
          },
          {
            // A duplicate of a month already handled.
            guard: ({ context, event }) =>
              isSystem(event.actor) && isMonth(context, event.month) && event.month <= context.dueMonth,
            actions: 'ignore',
          },
        ],
        COMPENSATION_CHECK: [
          {
            guard: ({ context, event }) => isCheckDue(context, event) && isPaid(context, event.month),
            actions: assign(({ context, event }) => ({ checkedMonths: [...context.checkedMonths, event.month] })),
          },
          {
            guard: ({ context, event }) => isCheckDue(context, event),
            actions: [
              assign(({ context, event }) => ({
                checkedMonths: [...context.checkedMonths, event.month],
                overdueMonths: [...context.overdueMonths, event.month],
              })),
              enqueueActions(({ context, event, enqueue }) => {
                const to = recipients(context.hrIds, context.financeIds);
                if (to.length > 0) {
                  enqueue.emit({
                    type: 'guard.notify',
                    key: `compensation-overdue:${event.month}`,
                    to,
                    template: 'noncompete.compensation-overdue',
                    data: { ...compensationData(context, event.month), graceDays: terms(context).graceDays },
                  });
                }
                enqueue.emit({
                  type: 'guard.command',
                  command: 'offboarding.compensation-overdue',
                  payload: { month: event.month },
                });
              }),
            ],
          },
          {
            // A duplicate of a month already checked.
            guard: ({ context, event }) => isSystem(event.actor) && context.checkedMonths.includes(event.month),
            actions: 'ignore',
          },
        ],
        RECORD_PAYMENT: {
          guard: ({ context, event }) => canRecordPayment(context, event),
          actions: assign(({ context, event }) => ({
            payments: [
              ...context.payments,
              { month: event.month, amountMinor: event.amountMinor, paidAt: event.paidAt },
            ],
          })),
        },
        ENDING_SOON: [
          {
            guard: ({ context, event }) => isSystem(event.actor) && !context.endingSoonNotified,
            actions: [
              assign({ endingSoonNotified: true }),
              enqueueActions(({ context, enqueue }) => {
                const to = recipients(context.hrIds, [context.managerId]);
                if (to.length === 0) return;
                const t = terms(context);
                enqueue.emit({
                  type: 'guard.notify',
                  key: 'noncompete-ending-soon',
                  to,
                  template: 'noncompete.ending-soon',
                  data: {
                    offboardingId: context.id,
                    employeeId: context.employeeId,
                    end: new Date(t.end).toISOString(),
                    remindBeforeEndDays: t.remindBeforeEndDays,
                  },
                });
              }),
            ],
          },
          { guard: 'fromSystem', actions: 'ignore' },
        ],
        END: [
          {
            guard: ({ context, event }) => isSystem(event.actor) && context.endedAt === null,
            actions: assign(({ event }) => ({ endedAt: event.at })),
          },
          { guard: 'fromSystem', actions: 'ignore' },
        ],
        ESCALATE: { guard: 'fromSystem', actions: 'ignore' },
      },
    },
    closed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

function isFreshApproval(
  context: OffboardingContext,
  event: ApprovalDoneEvent,
  outcome: ApprovalDoneEvent['outcome'],
): boolean {
  return (
    isSystem(event.actor) &&
    event.outcome === outcome &&
    isNonEmpty(event.approvalId) &&
    event.approvalId !== context.approvalId
  );
}
