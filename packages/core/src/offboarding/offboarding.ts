import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import { startApproval } from '../approvals/approvals.js';
import type { ActorRef } from '../domain/entities.js';
import { idSchema, isoDateSchema, isoDateTimeSchema } from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import { NotFoundError, ValidationError, WorkflowRejectedError } from '../errors/guard-error.js';
import { issueSummary, parseInput } from '../errors/validate.js';
import { deferredText, employeeName } from '../i18n/deferred-text.js';
import type { Locale } from '../i18n/locale.js';
import { type InputName, type MessageCatalog, messages, validationMessage } from '../i18n/messages.js';
import {
  forbiddenOutsidePolicy,
  type GuardContext,
  HOST_ACTOR,
  inRefusableUnitOfWork,
  inUnitOfWork,
  type UnitOfWork,
} from '../kernel/context.js';
import { requireEmployee } from '../kernel/directory.js';
import { employeesWithRole } from '../kernel/roles.js';
import { ORDER_KIND } from '../orders/orders.js';
import { changeOwner, FOLLOW_UP_KIND } from '../ownership/ownership.js';
import { DAY_MS, zoneOffsetMs } from '../policy/local-time.js';
import type { EmployeeRecord, StoreTransaction, WorkflowRecord } from '../ports/store.js';
import { departureRisk, recordOwnSignals } from '../risk/service.js';
import { loadSettings, tenantLocale } from '../settings/tenant-settings.js';
import { pagedItems } from '../store/pages.js';
import { APPROVAL_MACHINE_ID, approvalMachine } from '../workflows/approval/index.js';
import {
  type HandoverItem,
  type HandoverItemKind,
  type NonCompetePayment,
  type NonCompeteTerms,
  type NonCompeteTermsInput,
  nonCompeteTermsSchema,
  OFFBOARDING_MACHINE_ID,
  OFFBOARDING_MACHINE_VERSION,
  type OffboardingContext,
  type OffboardingInput,
  offboardingInputSchema,
  offboardingMachine,
} from '../workflows/offboarding/index.js';
import {
  defineWorkflow,
  type WorkflowCommandContext,
  type WorkflowCommandHandler,
  type WorkflowInputEvent,
  type WorkflowModule,
  WorkflowSession,
} from '../workflows/runtime/index.js';

/**
 * The `data` of an `ORDER_KIND` record as the offboarding checklist
 * reads it: the status (`open` orders become handover items; the record's
 * own `status` column is used when `data.status` is missing), the amounts in
 * integer minor units of `currency`, and an optional title.
 *
 * @example
 * ```ts
 * const order = orderRecordSchema.parse({ status: 'open', amountMinor: 12_000_00, receivableMinor: 6_000_00, currency: 'CNY' });
 * order.title; // undefined → shown as "Order o-9"
 * ```
 */
export const orderRecordSchema = z.looseObject({
  status: z.string().min(1).max(64).optional(),
  amountMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  receivableMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: validationMessage('currency') }),
  title: z.string().trim().min(1).max(500).optional(),
});

/** One open case per employee: a marker record (id = employee id) created atomically with the case. */
const OPEN_CASE_KIND = 'offboarding-open';
/** States in which the handover is still in progress. */
const IN_PROGRESS = new Set(['handover', 'review', 'signOff']);

/**
 * Who acts on an offboarding case: an employee id, or an explicit actor —
 * an employee or the host application (HR systems acting for the company).
 * What each actor may do is decided by the offboarding machine: the leaver
 * submits, the manager, HR or the host review, HR or the host cancel.
 *
 * @example
 * ```ts
 * import type { OffboardingActor } from '@guard/core';
 * const hr: OffboardingActor = 'e-9';
 * const hrApp: OffboardingActor = { type: 'host', id: 'hr-app' };
 * ```
 */
export type OffboardingActor = string | { readonly type: 'employee' | 'host'; readonly id: string };

/**
 * An offboarding case (离职交接) as the host shows it, built from the
 * workflow's machine context.
 *
 * @example
 * ```ts
 * const view = await acme.offboarding.get(caseId);
 * const pending = view.items.filter((i) => i.status !== 'accepted');
 * console.log(view.state, `${pending.length} items left`, view.escalated ? 'escalated' : '');
 * ```
 */
export interface OffboardingView {
  /** The case (workflow) id. */
  readonly id: string;
  readonly employeeId: string;
  readonly managerId: string | null;
  /** `handover`, `review`, `signOff`, `watch` (non-compete), `closed` or `cancelled`. */
  readonly state: string;
  readonly resignationDate: string;
  readonly lastWorkingDay: string;
  readonly reason: string;
  readonly items: readonly HandoverItem[];
  /** When an unfinished handover is escalated to the manager and HR. */
  readonly escalateAt: string;
  readonly escalated: boolean;
  readonly hrIds: readonly string[];
  readonly financeIds: readonly string[];
  /** The sign-off approval waiting for decisions (in `signOff`), else `null`. */
  readonly pendingApprovalId: string | null;
  /** The last sign-off approval that ended, and how. */
  readonly approvalId: string | null;
  readonly signOffOutcome: OffboardingContext['signOffOutcome'];
  readonly signOffReason: string | null;
  readonly completedAt: string | null;
  readonly nonCompete: NonCompeteTerms | null;
  readonly payments: readonly NonCompetePayment[];
  /** Compensation months found unpaid after their grace period. */
  readonly overdueMonths: readonly number[];
  readonly closedAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancelReason: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const actorSchema = z.union([idSchema, z.strictObject({ type: z.enum(['employee', 'host']), id: idSchema })]);
const caseIdSchema = idSchema;
const reasonText = z.string().trim().min(1).max(4000);

const startSchema = z
  .strictObject({
    actor: actorSchema.optional(),
    employeeId: idSchema,
    resignationDate: isoDateSchema,
    lastWorkingDay: isoDateSchema,
    reason: reasonText,
    nonCompete: nonCompeteTermsSchema.optional(),
  })
  .refine((s) => s.lastWorkingDay >= s.resignationDate, {
    error: validationMessage('before-resignation'),
    path: ['lastWorkingDay'],
  });
const assignSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  itemId: idSchema,
  successorId: idSchema,
});
const submitItemSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  itemId: idSchema,
  successorId: idSchema.optional(),
  fileRef: z.string().trim().min(1).max(1000).optional(),
  note: z.string().max(4000).optional(),
});
const submitItemsSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  items: z
    .array(
      z.strictObject({
        itemId: idSchema,
        successorId: idSchema.optional(),
        fileRef: z.string().trim().min(1).max(1000).optional(),
        note: z.string().max(4000).optional(),
      }),
    )
    .min(1)
    .max(10_000),
});
const caseActionSchema = z.strictObject({ actor: actorSchema, caseId: caseIdSchema });
const acceptSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  itemIds: z.array(idSchema).max(10_000),
});
const returnSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  items: z
    .array(z.strictObject({ itemId: idSchema, reason: reasonText }))
    .min(1)
    .max(10_000),
});
const signOffSchema = z.strictObject({
  actor: idSchema,
  caseId: caseIdSchema,
  receivablesConfirmed: z.boolean().optional(),
  comment: z.string().max(2000).optional(),
});
const rejectSignOffSchema = z.strictObject({ actor: idSchema, caseId: caseIdSchema, reason: reasonText });
const paymentSchema = z.strictObject({
  actor: actorSchema,
  caseId: caseIdSchema,
  month: z.int().min(1).max(121),
  amountMinor: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  paidAt: isoDateTimeSchema,
});
const cancelSchema = z.strictObject({ actor: actorSchema, caseId: caseIdSchema, reason: reasonText });

/**
 * Parameters of {@link OffboardingApi.start}.
 *
 * @example
 * ```ts
 * import type { OffboardingStartInput } from '@guard/core';
 * const input: OffboardingStartInput = {
 *   actor: { type: 'employee', id: 'hr' }, employeeId: 'e-7', resignationDate: '2026-11-02',
 *   lastWorkingDay: '2026-11-30', reason: 'relocation',
 *   nonCompete: { start: '2026-12-01T00:00:00Z', end: '2027-12-01T00:00:00Z', monthlyCompensationMinor: 3_000_00, currency: 'CNY' },
 * };
 * ```
 */
export interface OffboardingStartInput {
  /** HR or the host (default: the host). */
  readonly actor?: OffboardingActor | undefined;
  readonly employeeId: string;
  /** `YYYY-MM-DD`. */
  readonly resignationDate: string;
  /** `YYYY-MM-DD`, not before the resignation date. */
  readonly lastWorkingDay: string;
  readonly reason: string;
  readonly nonCompete?: NonCompeteTermsInput | undefined;
}

/**
 * The offboarding API of a tenant (离职交接): when a salesperson resigns,
 * Guard restricts their account at once, generates the handover checklist
 * from their customers, orders, receivables and visits, lets the manager or
 * HR review it item by item, has manager, HR and finance sign off, then moves
 * every customer to its successor (in Guard and, through `crm.transfer`
 * effects, in the CRM), freezes the account and watches the non-compete's
 * monthly compensation. Every call is one transaction and every step is
 * audited; a step the actor may not take is a `WorkflowRejectedError`.
 *
 * @example
 * ```ts
 * const acme = guard.tenant('acme');
 * const c = await acme.offboarding.start({ employeeId: 'rep', resignationDate: '2026-11-02', lastWorkingDay: '2026-11-30', reason: 'relocation' });
 * for (const item of c.items) {
 *   await acme.offboarding.submitItem({
 *     actor: 'rep', caseId: c.id, itemId: item.id,
 *     ...(item.kind === 'customer' ? { successorId: 'mate' } : {}),
 *     ...(item.kind === 'confirmation' ? { fileRef: 'files/handover-c-1.pdf' } : {}),
 *   });
 * }
 * await acme.offboarding.submitHandover({ actor: 'rep', caseId: c.id });
 * await acme.offboarding.acceptItems({ actor: 'mgr', caseId: c.id, itemIds: c.items.map((i) => i.id) });
 * await acme.offboarding.signOff({ actor: 'mgr', caseId: c.id });
 * await acme.offboarding.signOff({ actor: 'hr', caseId: c.id });
 * await acme.offboarding.signOff({ actor: 'fin', caseId: c.id, receivablesConfirmed: true });
 * ```
 */
export interface OffboardingApi {
  /**
   * Opens a case: sets the employee to `resigning` at once (policy then
   * denies exports and restricts reads), builds the checklist from data and
   * schedules the escalation. A second open case for the same employee is a
   * `ValidationError`.
   */
  start(input: OffboardingStartInput): Promise<OffboardingView>;
  /** One case, or `NotFoundError`. */
  get(caseId: string): Promise<OffboardingView>;
  /** The employee's open case, else their latest one, else `null`. */
  forEmployee(employeeId: string): Promise<OffboardingView | null>;
  /** The manager, HR or the host names who takes an item over (an active employee, never the leaver). */
  assignSuccessor(input: {
    actor: OffboardingActor;
    caseId: string;
    itemId: string;
    successorId: string;
  }): Promise<OffboardingView>;
  /** Marks an open or returned item as handed over (customers need a successor, the confirmation a `fileRef`). */
  submitItem(input: {
    actor: OffboardingActor;
    caseId: string;
    itemId: string;
    successorId?: string;
    fileRef?: string;
    note?: string;
  }): Promise<OffboardingView>;
  /**
   * Submits many items in one go (all of them, or none when one could not
   * be submitted alone): the wizard's "successor for each customer".
   */
  submitItems(input: {
    actor: OffboardingActor;
    caseId: string;
    items: { itemId: string; successorId?: string; fileRef?: string; note?: string }[];
  }): Promise<OffboardingView>;
  /** Sends the handover for review once every item is submitted. */
  submitHandover(input: { actor: OffboardingActor; caseId: string }): Promise<OffboardingView>;
  /** A reviewer accepts submitted items; when all are accepted the sign-off starts. `[]` re-requests a rejected sign-off. */
  acceptItems(input: { actor: OffboardingActor; caseId: string; itemIds: string[] }): Promise<OffboardingView>;
  /** A reviewer sends items back to the leaver, each with a reason. */
  returnItems(input: {
    actor: OffboardingActor;
    caseId: string;
    items: { itemId: string; reason: string }[];
  }): Promise<OffboardingView>;
  /**
   * Approves the pending sign-off as `actor` (manager, HR or finance; never
   * the leaver). Finance must pass `receivablesConfirmed: true`.
   */
  signOff(input: {
    actor: string;
    caseId: string;
    receivablesConfirmed?: boolean;
    comment?: string;
  }): Promise<OffboardingView>;
  /** Rejects the pending sign-off; the case returns to review. */
  rejectSignOff(input: { actor: string; caseId: string; reason: string }): Promise<OffboardingView>;
  /** HR, finance or the host records a non-compete compensation payment. */
  recordPayment(input: {
    actor: OffboardingActor;
    caseId: string;
    month: number;
    amountMinor: number;
    paidAt: string;
  }): Promise<OffboardingView>;
  /** HR or the host cancels a case before it completes; the employee becomes `active` again. */
  cancel(input: { actor: OffboardingActor; caseId: string; reason: string }): Promise<OffboardingView>;
}

// ---------------------------------------------------------------------------
// Helpers.

function contextOf(record: WorkflowRecord): OffboardingContext {
  return WorkflowSession.contextFor(record, offboardingMachine);
}

function invalid(what: InputName, path: (string | number)[], message: string, locale: Locale): ValidationError {
  return new ValidationError(what, [{ path, code: 'custom', message }], { locale });
}

/** The sign-off approval of a case that still waits for decisions, if any. */
async function pendingApproval(uow: Pick<UnitOfWork, 'tx' | 'session'>, tenantId: string, record: WorkflowRecord) {
  if (record.state !== 'signOff') return null;
  const employeeId = contextOf(record).employeeId;
  const listed = pagedItems((page) =>
    uow.tx.listWorkflows(
      tenantId,
      { machine: APPROVAL_MACHINE_ID, state: 'pending', subject: { type: 'employee', id: employeeId } },
      page,
    ),
  );
  for await (const approval of listed) {
    const current = (await uow.session.find(approval.id)) ?? approval;
    const c = WorkflowSession.contextFor(current, approvalMachine);
    if (c.parentId === record.id && current.state === 'pending') return current;
  }
  return null;
}

/** The kinds of handover item whose title names their customer. */
type NamingKind = 'customer' | 'communication' | 'confirmation' | 'visit';
const NAMING_KINDS: ReadonlySet<HandoverItemKind> = new Set<NamingKind>([
  'customer',
  'communication',
  'confirmation',
  'visit',
]);

function customerTitle(text: MessageCatalog['checklist'], kind: NamingKind, customer: string): string {
  switch (kind) {
    case 'customer':
      return customer;
    case 'communication':
      return text.communication({ customer });
    case 'confirmation':
      return text.confirmation({ customer });
    default:
      return text.visit({ customer });
  }
}

/**
 * The items as a view shows them: titles that name a customer rendered with
 * its current name. A case (and the audit entries of its transitions) stores
 * them with the customer's id, so that it never copies a customer's name — an
 * erased customer's name is gone from everywhere, and shows as its id.
 */
async function shownItems(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  items: readonly HandoverItem[],
): Promise<readonly HandoverItem[]> {
  const named = (item: HandoverItem): item is HandoverItem & { kind: NamingKind; customerId: string } =>
    NAMING_KINDS.has(item.kind) && item.customerId !== null;
  const ids = [...new Set(items.filter(named).map((item) => item.customerId))];
  if (ids.length === 0) return items;
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += NAME_PAGE) {
    for (const c of await tx.getCustomers(tenantId, ids.slice(i, i + NAME_PAGE))) names.set(c.id, c.name);
  }
  const text = messages(await tenantLocale(ctx, tx, tenantId)).checklist;
  return items.map((item) =>
    named(item)
      ? { ...item, title: clip(customerTitle(text, item.kind, names.get(item.customerId) ?? item.customerId)) }
      : item,
  );
}

const NAME_PAGE = 500;

async function viewOf(
  ctx: GuardContext,
  uow: Pick<UnitOfWork, 'tx' | 'session'>,
  tenantId: string,
  record: WorkflowRecord,
): Promise<OffboardingView> {
  const c = contextOf(record);
  const pending = await pendingApproval(uow, tenantId, record);
  return {
    id: record.id,
    employeeId: c.employeeId,
    managerId: c.managerId,
    state: record.state,
    resignationDate: c.resignationDate,
    lastWorkingDay: c.lastWorkingDay,
    reason: c.reason,
    items: await shownItems(ctx, uow.tx, tenantId, c.items),
    escalateAt: c.escalateAt,
    escalated: c.escalated,
    hrIds: c.hrIds,
    financeIds: c.financeIds,
    pendingApprovalId: pending?.id ?? null,
    approvalId: c.approvalId,
    signOffOutcome: c.signOffOutcome,
    signOffReason: c.signOffReason,
    completedAt: c.completedAt,
    nonCompete: c.nonCompete,
    payments: c.payments,
    overdueMonths: c.overdueMonths,
    closedAt: c.closedAt,
    cancelledAt: c.cancelledAt,
    cancelReason: c.cancelReason,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** `lastWorkingDay − days` at 09:00 in the tenant's time zone, as an ISO instant. */
function escalationInstant(lastWorkingDay: string, days: number, timeZone: string): string {
  const [y, m, d] = lastWorkingDay.split('-').map(Number) as [number, number, number];
  const local = Date.UTC(y, m - 1, d, 9, 0, 0) - days * DAY_MS;
  const guess = local - zoneOffsetMs(timeZone, local);
  return new Date(local - zoneOffsetMs(timeZone, guess)).toISOString();
}

/** Writes the employee's status (if it changes) and audits it. */
async function setStatus(
  uow: Pick<UnitOfWork, 'tx' | 'now'> & { readonly tenantId: string; readonly record: UnitOfWork['session']['record'] },
  employee: EmployeeRecord,
  to: EmployeeRecord['status'],
  actor: ActorRef,
  caseId: string,
): Promise<void> {
  if (employee.status === to) return;
  await uow.tx.putEmployees([{ ...employee, status: to, updatedAt: uow.now }]);
  uow.record({
    actor,
    action: 'employee.status-changed',
    subject: { type: 'employee', id: employee.id },
    data: { from: employee.status, to, offboardingId: caseId },
  });
}

const clip = (text: string) => text.trim().slice(0, 500) || '—';

/** The system actor that adds items to a case. */
const CHECKLIST_ACTOR: ActorRef = Object.freeze({ type: 'system', id: 'offboarding-checklist' });

/**
 * Adds to a case in handover or review the items of customers (and orders)
 * that came to the leaver after its checklist was built — a customer synced
 * to them by the host, or sent to them as a manager when a successor left.
 * Returns the case as it is now.
 */
async function followArrivals(ctx: GuardContext, uow: UnitOfWork, record: WorkflowRecord): Promise<WorkflowRecord> {
  if (record.state !== 'handover' && record.state !== 'review') return record;
  const context = contextOf(record);
  // Only customers without a customer item are looked into: the others' items are on the checklist already.
  const listed = new Set(context.items.flatMap((item) => (item.kind === 'customer' ? [item.ref] : [])));
  const ids = new Set(context.items.map((item) => item.id));
  const arrived = (
    await buildChecklist(ctx, uow.tx, uow.tenant.id, context.employeeId, (customerId) => !listed.has(customerId))
  ).map((item, i) => (ids.has(item.id) ? { ...item, id: `${item.kind}@${context.items.length + i + 1}` } : item));
  if (arrived.length === 0) return record;
  const event = { type: 'ITEMS_ADDED', items: toJson(arrived) };
  return uow.session.send(record.id, event, { actor: CHECKLIST_ACTOR, at: uow.now });
}

/**
 * The handover checklist, from data: per customer the employee owns a
 * customer, a communication and a confirmation item (and a visit item when
 * visits are on record); per order an item when it is open and a receivable
 * item when money is still owed. `include` picks the customers to list (all
 * by default).
 */
async function buildChecklist(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  employeeId: string,
  include: (customerId: string) => boolean = () => true,
) {
  const locale = await tenantLocale(ctx, tx, tenantId);
  const text = messages(locale).checklist;
  const items: HandoverItem[] = [];
  const usedIds = new Set<string>();
  const nextId = (kind: HandoverItem['kind'], ref: string) => {
    const candidate = `${kind}:${ref}`;
    const id = candidate.length <= 128 && !usedIds.has(candidate) ? candidate : `${kind}@${items.length + 1}`;
    usedIds.add(id);
    return id;
  };
  const add = (
    kind: HandoverItem['kind'],
    ref: string,
    customerId: string,
    title: string,
    money: { amountMinor: number; currency: string } | null = null,
    note: string | null = null,
  ) => {
    items.push({
      id: nextId(kind, ref),
      kind,
      ref,
      customerId,
      title: clip(title),
      amountMinor: money?.amountMinor ?? null,
      currency: money?.currency ?? null,
      successorId: null,
      fileRef: null,
      note,
      status: 'open',
      returnReason: null,
    });
  };
  const customers = pagedItems((page) => tx.listCustomers(tenantId, { ownerId: employeeId }, page));
  for await (const customer of customers) {
    if (!include(customer.id)) continue;
    // Titles that name the customer are stored with its id and shown with its name (see shownItems).
    add('customer', customer.id, customer.id, customerTitle(text, 'customer', customer.id));
    add('communication', customer.id, customer.id, customerTitle(text, 'communication', customer.id));
    add('confirmation', customer.id, customer.id, customerTitle(text, 'confirmation', customer.id));
    const visits = await tx.listRecords(
      tenantId,
      { kind: FOLLOW_UP_KIND, ref: customer.id, status: 'visit' },
      { limit: 1 },
    );
    if (visits.items.length > 0) add('visit', customer.id, customer.id, customerTitle(text, 'visit', customer.id));
    const orders = pagedItems((page) => tx.listRecords(tenantId, { kind: ORDER_KIND, ref: customer.id }, page));
    for await (const order of orders) {
      const parsed = orderRecordSchema.safeParse(order.data, { reportInput: true });
      if (!parsed.success) {
        // Never drop an order from the checklist because its data is bad: list it for a human to check.
        const issue = issueSummary(parsed.error, locale);
        add(
          'order',
          order.id,
          customer.id,
          text.untitledOrder({ orderId: order.id }),
          null,
          text.unreadableOrder({ issue }).slice(0, 4000),
        );
        continue;
      }
      const o = parsed.data;
      const title = o.title ?? text.untitledOrder({ orderId: order.id });
      if ((o.status ?? order.status) === 'open') {
        add('order', order.id, customer.id, text.order({ title }), {
          amountMinor: o.amountMinor,
          currency: o.currency,
        });
      }
      if (o.receivableMinor > 0) {
        add('receivable', order.id, customer.id, text.receivable({ title }), {
          amountMinor: o.receivableMinor,
          currency: o.currency,
        });
      }
    }
  }
  return items;
}

/** Active employees among `ids`, without the leaver. */
async function activeAmong(tx: StoreTransaction, tenantId: string, ids: readonly string[], leaver: string) {
  const unique = [...new Set(ids)].filter((id) => id !== leaver);
  if (unique.length === 0) return [];
  const found = await tx.getEmployees(tenantId, unique);
  const ok = new Set(found.filter((e) => e.status === 'active').map((e) => e.id));
  return unique.filter((id) => ok.has(id)).sort();
}

/** Per-currency totals of the receivable items, and the number of open orders. */
function money(items: readonly HandoverItem[]) {
  const receivables: Record<string, number> = {};
  for (const item of items) {
    if (item.kind === 'receivable' && item.amountMinor !== null && item.currency !== null) {
      receivables[item.currency] = (receivables[item.currency] ?? 0) + item.amountMinor;
    }
  }
  return { receivables, openOrders: items.filter((i) => i.kind === 'order').length };
}

// ---------------------------------------------------------------------------
// The module: the machine and its commands.

type CommandContext = WorkflowCommandContext<GuardContext>;

async function unitOf(c: CommandContext): Promise<UnitOfWork | null> {
  const tenant = await c.tx.getTenant(c.tenantId);
  return tenant ? { tx: c.tx, tenant, session: c.session, now: c.at } : null;
}

const recorderOf = (c: CommandContext) => ({
  tx: c.tx,
  now: c.at,
  tenantId: c.tenantId,
  record: (d: Parameters<UnitOfWork['session']['record']>[0]) => c.session.record(d),
});

async function closeMarker(c: CommandContext, employeeId: string): Promise<void> {
  const marker = await c.tx.getRecord(c.tenantId, OPEN_CASE_KIND, employeeId);
  if (marker && (marker.data as { caseId?: string }).caseId === c.workflow.id) {
    await c.tx.deleteRecord(c.tenantId, OPEN_CASE_KIND, employeeId);
  }
}

const signOffCommand: WorkflowCommandHandler<GuardContext> = async (_payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, offboardingMachine);
  const uow = await unitOf(c);
  if (!uow) return [];
  const [_employee] = await c.tx.getEmployees(c.tenantId, [context.employeeId]);
  const { receivables, openOrders } = money(context.items);
  await startApproval(c.env, uow, {
    requester: context.employeeId,
    kind: 'offboarding-signoff',
    title: deferredText('approvalTitles', 'offboardingSignoff', { employee: employeeName(context.employeeId) }),
    subject: { type: 'employee', id: context.employeeId },
    payload: {
      caseId: c.workflow.id,
      employeeId: context.employeeId,
      lastWorkingDay: context.lastWorkingDay,
      receivablesMinor: receivables,
      openOrders,
      items: context.items.length,
    },
    parentId: c.workflow.id,
    actor: c.actor,
  });
  return [];
};

const completeCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, offboardingMachine);
  const uow = await unitOf(c);
  if (!uow) return [];
  const transfers = (Array.isArray(payload.transfers) ? payload.transfers : []) as {
    customerId: string;
    successorId: string;
  }[];
  const successors = new Map(
    (await c.tx.getEmployees(c.tenantId, [...new Set(transfers.map((t) => t.successorId))])).map((e) => [e.id, e]),
  );
  const fallbacks: { customerId: string; successorId: string | null; to: string | null }[] = [];
  /** The leaver's data-exfiltration peak, computed at the first customer moved. */
  let risk: number | undefined;
  for (const { customerId, successorId } of transfers) {
    const customer = await c.tx.getCustomer(c.tenantId, customerId);
    const successor = successors.get(successorId);
    // A successor who is no longer active (they resigned meanwhile) must not receive customers:
    // the customer goes to the leaver's manager (or the pool) for a new decision, with an alert.
    const fallback = successor?.status === 'active' ? null : await fallbackOwner(c, context);
    const to = fallback === null ? successorId : fallback.to;
    const moved =
      customer?.ownerId === context.employeeId
        ? await changeOwner(c.env, uow, customerId, {
            from: context.employeeId,
            to,
            reason: fallback === null ? 'handover' : 'handover-fallback',
            actor: c.actor,
            data: { offboardingId: c.workflow.id, ...(fallback === null ? {} : { plannedSuccessor: successorId }) },
            effectKey: `${c.workflow.id}:crm-transfer:${customerId}`,
          })
        : null;
    if (moved && fallback !== null) fallbacks.push({ customerId, successorId, to });
    if (moved) {
      risk ??= await departureRisk(c.env, uow, context.employeeId);
      await recordOwnSignals(uow, [{ kind: 'owner-left', customerId, at: c.at, value: risk }]);
    } else {
      c.session.record({
        actor: c.actor,
        action: 'offboarding.transfer-skipped',
        subject: { type: 'customer', id: customerId },
        data: {
          offboardingId: c.workflow.id,
          from: context.employeeId,
          to: successorId,
          owner: customer?.ownerId ?? null,
          reason: customer ? 'the owner is no longer the leaving employee' : 'the customer no longer exists',
        },
      });
    }
  }
  // Customers the leaver still owns had no successor: they came after the checklist was last brought up to
  // date (e.g. during sign-off). They never stay with a frozen account: the manager (or the pool) decides.
  const unplanned: string[] = [];
  for await (const customer of pagedItems((page) =>
    c.tx.listCustomers(c.tenantId, { ownerId: context.employeeId }, page),
  )) {
    unplanned.push(customer.id);
  }
  for (const customerId of unplanned) {
    const { to } = await fallbackOwner(c, context);
    const moved = await changeOwner(c.env, uow, customerId, {
      from: context.employeeId,
      to,
      reason: 'handover-fallback',
      actor: c.actor,
      data: { offboardingId: c.workflow.id, plannedSuccessor: null },
      effectKey: `${c.workflow.id}:crm-transfer:${customerId}`,
    });
    if (moved) {
      fallbacks.push({ customerId, successorId: null, to });
      risk ??= await departureRisk(c.env, uow, context.employeeId);
      await recordOwnSignals(uow, [{ kind: 'owner-left', customerId, at: c.at, value: risk }]);
    }
  }
  const [employee] = await c.tx.getEmployees(c.tenantId, [context.employeeId]);
  if (fallbacks.length > 0) {
    await raiseAlert(c.env, recorderOf(c), {
      kind: 'handover-successor-unavailable',
      severity: 'high',
      employeeId: context.employeeId,
      summary: deferredText('summaries', 'successorUnavailable', {
        count: fallbacks.length,
        unplanned: fallbacks.filter((f) => f.successorId === null).length,
        employeeId: context.employeeId,
        employeeName: employeeName(context.employeeId),
        to: fallbacks[0]?.to ?? null,
      }),
      evidence: { offboardingId: c.workflow.id, customers: toJson(fallbacks) },
      notify: [...new Set([...(context.managerId ? [context.managerId] : []), ...context.hrIds])].filter(
        (id) => id !== context.employeeId,
      ),
      actor: c.actor,
      dedupeKey: `handover-successor-unavailable:${c.workflow.id}`,
    });
  }
  if (employee) await setStatus(recorderOf(c), employee, 'frozen', c.actor, c.workflow.id);
  await closeMarker(c, context.employeeId);
  return [];
};

/** Where a customer goes when its planned successor is no longer active: the leaver's manager if active, else the pool. */
async function fallbackOwner(c: CommandContext, context: OffboardingContext): Promise<{ to: string | null }> {
  if (context.managerId === null) return { to: null };
  const [manager] = await c.tx.getEmployees(c.tenantId, [context.managerId]);
  return { to: manager?.status === 'active' ? manager.id : null };
}

const escalateCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, offboardingMachine);
  const openItems = Number(payload.openItems ?? 0);
  await raiseAlert(c.env, recorderOf(c), {
    kind: 'offboarding-escalated',
    severity: 'high',
    employeeId: context.employeeId,
    summary: deferredText('summaries', 'offboardingEscalated', {
      employeeId: context.employeeId,
      employeeName: employeeName(context.employeeId),
      openItems,
      lastWorkingDay: context.lastWorkingDay,
    }),
    evidence: { offboardingId: c.workflow.id, lastWorkingDay: context.lastWorkingDay, openItems },
    notify: [...new Set([...(context.managerId ? [context.managerId] : []), ...context.hrIds])].filter(
      (id) => id !== context.employeeId,
    ),
    actor: c.actor,
    dedupeKey: `offboarding-escalated:${c.workflow.id}`,
  });
  return [];
};

const overdueCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, offboardingMachine);
  const month = Number(payload.month);
  const terms = context.nonCompete;
  await raiseAlert(c.env, recorderOf(c), {
    kind: 'non-compete-compensation-overdue',
    severity: 'high',
    employeeId: context.employeeId,
    summary: deferredText('summaries', 'compensationOverdue', {
      employeeId: context.employeeId,
      employeeName: employeeName(context.employeeId),
      month,
    }),
    evidence: {
      offboardingId: c.workflow.id,
      month,
      monthlyCompensationMinor: terms?.monthlyCompensationMinor ?? null,
      currency: terms?.currency ?? null,
      paidMinor: context.payments.filter((p) => p.month === month).reduce((sum, p) => sum + p.amountMinor, 0),
    },
    notify: [...new Set([...context.hrIds, ...context.financeIds])].filter((id) => id !== context.employeeId),
    actor: c.actor,
    dedupeKey: `non-compete-compensation-overdue:${c.workflow.id}:${month}`,
  });
  return [];
};

const cancelCommand: WorkflowCommandHandler<GuardContext> = async (_payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, offboardingMachine);
  const [employee] = await c.tx.getEmployees(c.tenantId, [context.employeeId]);
  if (employee?.status === 'resigning') await setStatus(recorderOf(c), employee, 'active', c.actor, c.workflow.id);
  await closeMarker(c, context.employeeId);
  return [];
};

/**
 * The offboarding machine and the commands it emits: starting the sign-off
 * approval (manager, HR and finance; the leaver is the requester, so never an
 * approver), moving the customers to their successors and freezing the
 * account on completion, raising the escalation and overdue-compensation
 * alerts, and restoring the account when a case is cancelled. Registered by
 * `createGuard`.
 *
 * @example
 * ```ts
 * import { workflowRegistry } from '@guard/core';
 * const registry = workflowRegistry(approvalsModule({}), offboardingModule());
 * registry.commands.has('offboarding.complete'); // true
 * ```
 */
export function offboardingModule(): WorkflowModule<GuardContext> {
  return {
    definitions: [defineWorkflow({ machine: offboardingMachine, version: OFFBOARDING_MACHINE_VERSION })],
    commands: {
      'offboarding.signoff': signOffCommand,
      'offboarding.complete': completeCommand,
      'offboarding.escalate': escalateCommand,
      'offboarding.compensation-overdue': overdueCommand,
      'offboarding.cancel': cancelCommand,
    },
  };
}

// ---------------------------------------------------------------------------
// The API.

/**
 * The tenant-scoped offboarding API; see {@link OffboardingApi}. Built by
 * `createGuard` as `guard.tenant(id).offboarding`.
 *
 * @example
 * ```ts
 * const offboarding = guard.tenant('acme').offboarding;
 * const open = await offboarding.forEmployee('rep');
 * if (open?.state === 'handover') console.log(open.items.length, 'items to hand over');
 * ```
 */
export function offboardingApi(ctx: GuardContext, tenantId: string): OffboardingApi {
  const { locale } = ctx;

  /** The actor as a reference; an employee must exist and still work here. */
  const resolveActor = async (uow: UnitOfWork, actor: OffboardingActor | undefined): Promise<ActorRef> => {
    if (actor === undefined) return HOST_ACTOR;
    const ref: ActorRef =
      typeof actor === 'string' ? { type: 'employee', id: actor } : { type: actor.type, id: actor.id };
    if (ref.type === 'employee') {
      const employee = await requireEmployee(ctx, uow.tx, tenantId, ref.id);
      if (employee.status !== 'active' && employee.status !== 'resigning') {
        throw invalid(
          'offboarding actor',
          ['actor'],
          `employee "${ref.id}" is ${employee.status} and cannot act`,
          locale,
        );
      }
    }
    return ref;
  };

  const requireCase = async (uow: UnitOfWork, caseId: string): Promise<WorkflowRecord> => {
    const record = await uow.session.find(caseId);
    if (!record || record.machine !== OFFBOARDING_MACHINE_ID) {
      throw new NotFoundError({ entity: 'workflow', id: caseId, tenantId }, { locale });
    }
    return record;
  };

  /** A successor must be an active employee other than the leaver. */
  const requireSuccessor = async (
    uow: UnitOfWork,
    context: OffboardingContext,
    successorId: string,
    what: InputName,
    path: readonly (string | number)[] = ['successorId'],
  ) => {
    const [successor] = await uow.tx.getEmployees(tenantId, [successorId]);
    if (!successor) throw new NotFoundError({ entity: 'employee', id: successorId, tenantId }, { locale });
    if (successorId === context.employeeId) {
      throw invalid(what, [...path], validationMessage('not-the-leaver'), locale);
    }
    if (successor.status !== 'active') {
      throw invalid(
        what,
        [...path],
        validationMessage('successor-not-active', { id: successorId, status: successor.status }),
        locale,
      );
    }
  };

  /**
   * Parses, then in one unit of work resolves the actor and case, brings the
   * checklist up to date with the customers the leaver owns now, and sends
   * the event to the case. When the event is refused, items just added are
   * kept: the case has them either way.
   */
  const act = <S extends z.ZodType<{ actor: OffboardingActor; caseId: string }>>(
    what: InputName,
    schema: S,
    event: (uow: UnitOfWork, parsed: z.output<S>, record: WorkflowRecord) => Promise<WorkflowInputEvent>,
  ) => {
    return async (input: unknown): Promise<OffboardingView> => {
      const parsed = parseInput(schema, input, { what, locale });
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        const actor = await resolveActor(uow, parsed.actor);
        const record = await followArrivals(ctx, uow, await requireCase(uow, parsed.caseId));
        const e = await event(uow, parsed, record);
        try {
          const updated = await uow.session.send(record.id, e, { actor, at: uow.now });
          return viewOf(ctx, uow, tenantId, updated);
        } catch (error) {
          if (
            !(error instanceof WorkflowRejectedError) ||
            record.version === (await requireCase(uow, record.id)).version
          ) {
            throw error;
          }
          refuse(error);
          return undefined as never;
        }
      });
    };
  };

  /** Sends a decision to the case's pending sign-off approval. */
  const decide = async (
    uow: UnitOfWork,
    actorId: string,
    record: WorkflowRecord,
    event: WorkflowInputEvent,
  ): Promise<OffboardingView> => {
    const approval = await pendingApproval(uow, tenantId, record);
    if (!approval) {
      throw new WorkflowRejectedError(
        { workflowId: record.id, machine: record.machine, state: record.state, event: event.type, actorId },
        { locale },
      );
    }
    await uow.session.send(approval.id, event, { actor: { type: 'employee', id: actorId }, at: uow.now });
    return viewOf(ctx, uow, tenantId, await uow.session.get(record.id));
  };

  return {
    start: async (input) => {
      const p = parseInput(startSchema, input, { what: 'offboarding', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const actor = await resolveActor(uow, p.actor);
        const employee = await requireEmployee(ctx, uow.tx, tenantId, p.employeeId);
        if (actor.type === 'employee') {
          const [starter] = await uow.tx.getEmployees(tenantId, [actor.id]);
          if (!starter?.roles.includes('hr-admin') || starter.id === employee.id) {
            // Only HR (never for themself) or the host opens a case: it restricts the employee at once.
            throw await forbiddenOutsidePolicy(ctx, uow.tx, tenantId, actor.id, employee.id, 'update');
          }
        }
        if (employee.status !== 'active' && employee.status !== 'resigning') {
          throw invalid(
            'offboarding',
            ['employeeId'],
            `employee "${employee.id}" is ${employee.status}; only active or resigning employees can be offboarded`,
            locale,
          );
        }
        const open = await uow.tx.getRecord(tenantId, OPEN_CASE_KIND, employee.id);
        if (open) {
          const caseId = (open.data as { caseId: string }).caseId;
          throw invalid(
            'offboarding',
            ['employeeId'],
            `employee "${employee.id}" already has an open offboarding case ("${caseId}")`,
            locale,
          );
        }
        const settings = await loadSettings(uow.tx, tenantId);
        const items = await buildChecklist(ctx, uow.tx, tenantId, employee.id);
        const id = ctx.ids.next('off');
        const managerId = employee.managerId !== null && employee.managerId !== employee.id ? employee.managerId : null;
        const machineInput: OffboardingInput = parseInput(
          offboardingInputSchema,
          {
            id,
            employeeId: employee.id,
            managerId,
            resignationDate: p.resignationDate,
            lastWorkingDay: p.lastWorkingDay,
            reason: p.reason,
            items,
            escalateAt: escalationInstant(
              p.lastWorkingDay,
              settings.offboarding.escalateDaysBefore,
              uow.tenant.timeZone,
            ),
            nonCompete: p.nonCompete ?? null,
            hrIds: await activeAmong(
              uow.tx,
              tenantId,
              await employeesWithRole(uow.tx, tenantId, 'hr-admin'),
              employee.id,
            ),
            financeIds: await activeAmong(
              uow.tx,
              tenantId,
              await employeesWithRole(uow.tx, tenantId, 'finance'),
              employee.id,
            ),
            at: uow.now,
          },
          { what: 'offboarding', locale },
        );
        // Created with "must not exist": a concurrent second start conflicts here and rolls back.
        await uow.tx.putRecord(
          {
            tenantId,
            kind: OPEN_CASE_KIND,
            id: employee.id,
            ref: id,
            status: 'open',
            at: uow.now,
            data: { caseId: id },
            version: 1,
            createdAt: uow.now,
            updatedAt: uow.now,
          },
          null,
        );
        await setStatus(
          { tx: uow.tx, now: uow.now, tenantId, record: (d) => uow.session.record(d) },
          employee,
          'resigning',
          actor,
          id,
        );
        const record = await uow.session.start(
          OFFBOARDING_MACHINE_ID,
          { ...machineInput },
          {
            actor,
            subject: { type: 'employee', id: employee.id },
            at: uow.now,
          },
        );
        return viewOf(ctx, uow, tenantId, record);
      });
    },

    get: async (caseId) => {
      const id = parseInput(caseIdSchema, caseId, { what: 'offboarding case id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => viewOf(ctx, uow, tenantId, await requireCase(uow, id)));
    },

    forEmployee: async (employeeId) => {
      const id = parseInput(idSchema, employeeId, { what: 'employee id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, id);
        let open: WorkflowRecord | null = null;
        let latest: WorkflowRecord | null = null;
        const listed = pagedItems((page) =>
          uow.tx.listWorkflows(tenantId, { machine: OFFBOARDING_MACHINE_ID, subject: { type: 'employee', id } }, page),
        );
        for await (const record of listed) {
          if (IN_PROGRESS.has(record.state)) open = record;
          if (
            latest === null ||
            record.createdAt > latest.createdAt ||
            (record.createdAt === latest.createdAt && record.id > latest.id)
          ) {
            latest = record;
          }
        }
        const chosen = open ?? latest;
        return chosen ? viewOf(ctx, uow, tenantId, chosen) : null;
      });
    },

    assignSuccessor: act('offboarding successor', assignSchema, async (uow, p, record) => {
      await requireSuccessor(uow, contextOf(record), p.successorId, 'offboarding successor');
      return { type: 'ASSIGN_SUCCESSOR', itemId: p.itemId, successorId: p.successorId };
    }),

    submitItem: act('offboarding item', submitItemSchema, async (uow, p, record) => {
      if (p.successorId !== undefined)
        await requireSuccessor(uow, contextOf(record), p.successorId, 'offboarding item');
      return {
        type: 'SUBMIT_ITEM',
        itemId: p.itemId,
        ...(p.successorId === undefined ? {} : { successorId: p.successorId }),
        ...(p.fileRef === undefined ? {} : { fileRef: p.fileRef }),
        ...(p.note === undefined ? {} : { note: p.note }),
      };
    }),

    submitItems: act('offboarding items', submitItemsSchema, async (uow, p, record) => {
      const context = contextOf(record);
      const checked = new Set<string>();
      for (const [i, item] of p.items.entries()) {
        if (item.successorId === undefined || checked.has(item.successorId)) continue;
        checked.add(item.successorId);
        await requireSuccessor(uow, context, item.successorId, 'offboarding items', ['items', i, 'successorId']);
      }
      return {
        type: 'SUBMIT_ITEMS',
        items: p.items.map((i) => ({
          itemId: i.itemId,
          ...(i.successorId === undefined ? {} : { successorId: i.successorId }),
          ...(i.fileRef === undefined ? {} : { fileRef: i.fileRef }),
          ...(i.note === undefined ? {} : { note: i.note }),
        })),
      };
    }),

    submitHandover: act('offboarding handover', caseActionSchema, async () => ({ type: 'SUBMIT_HANDOVER' })),

    acceptItems: act('offboarding acceptance', acceptSchema, async (_uow, p) => ({
      type: 'ACCEPT_ITEMS',
      itemIds: [...p.itemIds],
    })),

    returnItems: act('offboarding return', returnSchema, async (_uow, p) => ({
      type: 'RETURN_ITEMS',
      items: p.items.map((i) => ({ itemId: i.itemId, reason: i.reason })),
    })),

    signOff: async (input) => {
      const p = parseInput(signOffSchema, input, { what: 'offboarding sign-off', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await resolveActor(uow, p.actor);
        const employee = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        const record = await requireCase(uow, p.caseId);
        const context = contextOf(record);
        const isFinance = employee.roles.includes('finance') || context.financeIds.includes(employee.id);
        if (isFinance && employee.id !== context.employeeId) {
          if (p.receivablesConfirmed !== true) {
            throw invalid(
              'offboarding sign-off',
              ['receivablesConfirmed'],
              'finance confirms receivables: pass receivablesConfirmed: true once the outstanding receivables are confirmed',
              locale,
            );
          }
          uow.session.record({
            actor: { type: 'employee', id: employee.id },
            action: 'offboarding.receivables-confirmed',
            subject: { type: 'workflow', id: record.id },
            data: { employeeId: context.employeeId, receivablesMinor: money(context.items).receivables },
          });
        }
        return decide(uow, p.actor, record, {
          type: 'APPROVE',
          approver: p.actor,
          comment: p.comment ?? null,
        });
      });
    },

    rejectSignOff: async (input) => {
      const p = parseInput(rejectSignOffSchema, input, { what: 'offboarding sign-off rejection', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await resolveActor(uow, p.actor);
        const record = await requireCase(uow, p.caseId);
        return decide(uow, p.actor, record, { type: 'REJECT', approver: p.actor, reason: p.reason });
      });
    },

    recordPayment: act('non-compete payment', paymentSchema, async (_uow, p) => ({
      type: 'RECORD_PAYMENT',
      month: p.month,
      amountMinor: p.amountMinor,
      paidAt: new Date(p.paidAt).toISOString(),
    })),

    cancel: act('offboarding cancellation', cancelSchema, async (_uow, p) => ({ type: 'CANCEL', reason: p.reason })),
  };
}
