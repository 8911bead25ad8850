import * as z from 'zod';
import { idSchema } from '../domain/entities.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { validationMessage } from '../i18n/keys.js';
import { type CustomSignalKind, isCustomSignalKind } from './custom-signals.js';

/**
 * What a risk signal says happened. Hosts record the first group through
 * `acme.signals.record` (only they know it); Guard records the data-access
 * kinds itself whenever it checks a view, export or delete.
 *
 * | kind | subject | `value` |
 * |---|---|---|
 * | `leave` | employee | days of leave taken |
 * | `resume-update` | employee | — (1) |
 * | `job-site-visit` | employee | — (1) |
 * | `competitor-contact` | employee | — (1) |
 * | `login` | employee | — (1) |
 * | `social-insurance-change` | employee | — (1); their social insurance (社保) moved to another employer, typically reported after departure |
 * | `follow-up` | customer, and the employee who made it | — (1) |
 * | `order` | customer, and the employee who booked it | amount in major units |
 * | `owner-left` | customer | the departing owner's highest data-exfiltration score of their last 90 days (Guard records it at the handover) |
 * | `view` / `export` / `delete` | employee | records viewed / rows exported / records deleted |
 * | `after-hours` | employee | — (1) |
 * | `contact-deleted` | employee, and the customer they deleted | — (1); the employee deleted the customer from the company's messaging account (WeCom `del_external_contact`), the classic way to take a customer along |
 * | `deleted-by-customer` | employee, and the customer who did it | — (1); the customer deleted or blocked the employee (WeCom `del_follow_user`) |
 * | `chat` | employee | chats with customers (a day's total from WeCom's contact statistics) |
 * | `new-contact` | employee | customers added as contacts (a day's total) |
 * | `x-…` | as declared | as declared: see {@link CustomSignal} |
 *
 * A host's own kinds ({@link CustomSignalKind}, `x-usb-copy`) are declared
 * per tenant in the settings under `risk.customSignals`.
 *
 * @example
 * ```ts
 * import type { SignalKind } from '@guard/core';
 * const kind: SignalKind = 'resume-update';
 * const own: SignalKind = 'x-usb-copy'; // declared in the tenant settings
 * ```
 */
export type SignalKind = BuiltInSignalKind | CustomSignalKind;

/**
 * A signal kind Guard defines (every {@link SignalKind} but the `x-` ones).
 *
 * @example
 * ```ts
 * import type { BuiltInSignalKind } from '@guard/core';
 * const kind: BuiltInSignalKind = 'competitor-contact';
 * ```
 */
export type BuiltInSignalKind = z.output<typeof signalKindSchema>;

/**
 * The built-in signal kinds, as a zod enum.
 *
 * @example
 * ```ts
 * import { signalKindSchema } from '@guard/core';
 * signalKindSchema.options; // ['leave', 'resume-update', …]
 * ```
 */
export const signalKindSchema = z.enum([
  'leave',
  'resume-update',
  'job-site-visit',
  'competitor-contact',
  'login',
  'social-insurance-change',
  'follow-up',
  'order',
  'owner-left',
  'view',
  'export',
  'delete',
  'after-hours',
  'contact-deleted',
  'deleted-by-customer',
  'chat',
  'new-contact',
]);

const CUSTOMER_KINDS = new Set<SignalKind>([
  'follow-up',
  'order',
  'owner-left',
  'contact-deleted',
  'deleted-by-customer',
]);
const CUSTOMER_ONLY = new Set<SignalKind>(['owner-left']);
const BUILT_IN = new Set<string>(signalKindSchema.options);

/**
 * Any {@link SignalKind}: a built-in kind, or a well-formed `x-` kind
 * (whether the tenant declared it is checked when signals are recorded).
 * An unknown kind's message names the closest built-in one.
 *
 * @example
 * ```ts
 * import { anySignalKindSchema } from '@guard/core';
 * anySignalKindSchema.safeParse('x-usb-copy').success; // true
 * anySignalKindSchema.safeParse('levae').success; // false: did you mean "leave"?
 * ```
 */
export const anySignalKindSchema = z.custom<SignalKind>(
  (kind) => BUILT_IN.has(kind as string) || isCustomSignalKind(kind),
  {
    error: (issue) =>
      validationMessage('unknown-signal-kind', {
        kind: String(issue.input),
        suggestion: typeof issue.input === 'string' ? didYouMean(issue.input, signalKindSchema.options) : null,
      }),
  },
);

/**
 * One thing that happened, as a host (or the data generator) reports it.
 * `employeeId` is required for every built-in kind except `owner-left`;
 * `customerId` is required for `follow-up`, `order`, `owner-left`,
 * `contact-deleted` and `deleted-by-customer`; an
 * `x-` kind needs exactly the ids of its declared subjects.
 * A signal with an `id` is recorded at most once per tenant, so a host may
 * retry safely.
 *
 * @example
 * ```ts
 * import type { SignalInput } from '@guard/core';
 * const s: SignalInput = { kind: 'order', employeeId: 'e-7', customerId: 'c-1001', at: '2026-11-02T10:00:00Z', value: 12000, id: 'o-9' };
 * ```
 */
export interface SignalInput {
  readonly kind: SignalKind;
  readonly employeeId?: string | undefined;
  readonly customerId?: string | undefined;
  /** When it happened (ISO 8601). */
  readonly at: string;
  /** Days, rows or an amount, depending on the kind; 1 when omitted. */
  readonly value?: number | undefined;
  /** An idempotency key: a second signal with the same id is ignored. */
  readonly id?: string | undefined;
}

/**
 * Validates one {@link SignalInput}: the kind, a parseable time, a finite
 * non-negative value, and the subject ids each kind needs.
 *
 * @example
 * ```ts
 * import { parseInput, signalInputSchema } from '@guard/core';
 * const signal = parseInput(signalInputSchema, JSON.parse(line), { what: 'signal' });
 * ```
 */
export const signalInputSchema = z
  .strictObject({
    kind: anySignalKindSchema,
    employeeId: idSchema.optional(),
    customerId: idSchema.optional(),
    at: z.iso.datetime({ offset: true }),
    value: z.number().min(0).max(1e12).optional(),
    id: z.string().min(1).max(200).optional(),
  })
  .superRefine((s, ctx) => {
    if (isCustomSignalKind(s.kind)) return; // its subjects are declared per tenant: checked when recorded
    if (!CUSTOMER_ONLY.has(s.kind) && s.employeeId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['employeeId'],
        message: validationMessage('signal-needs-employee', { kind: s.kind }),
      });
    }
    if (CUSTOMER_KINDS.has(s.kind) && s.customerId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['customerId'],
        message: validationMessage('signal-needs-customer', { kind: s.kind }),
      });
    }
  }) satisfies z.ZodType<SignalInput>;

/** The subject a ledger is about. */
type SubjectKey = `employee:${string}` | `customer:${string}`;

/**
 * The subjects a signal counts for: the employee for every kind that names
 * one, and the customer for the customer kinds. An `x-` kind counts for the
 * subjects it names (recording checks them against its declaration).
 *
 * @example
 * ```ts
 * import { signalSubjects } from '@guard/core';
 * signalSubjects({ kind: 'order', employeeId: 'e-7', customerId: 'c-1', at: '2026-11-02T10:00:00Z' });
 * // [{ type: 'employee', id: 'e-7' }, { type: 'customer', id: 'c-1' }]
 * ```
 */
export function signalSubjects(signal: SignalInput): RiskSubjectRef[] {
  const out: RiskSubjectRef[] = [];
  const custom = isCustomSignalKind(signal.kind);
  if (signal.employeeId !== undefined && !CUSTOMER_ONLY.has(signal.kind)) {
    out.push({ type: 'employee', id: signal.employeeId });
  }
  if (signal.customerId !== undefined && (custom || CUSTOMER_KINDS.has(signal.kind))) {
    out.push({ type: 'customer', id: signal.customerId });
  }
  return out;
}

/**
 * Who a score is about: an employee or a customer.
 *
 * @example
 * ```ts
 * import type { RiskSubjectRef } from '@guard/core';
 * const who: RiskSubjectRef = { type: 'employee', id: 'e-7' };
 * ```
 */
export interface RiskSubjectRef {
  readonly type: RiskSubjectType;
  readonly id: string;
}

/**
 * The two kinds of subject a rule pack can score.
 *
 * @example
 * ```ts
 * import type { RiskSubjectType } from '@guard/core';
 * const subject: RiskSubjectType = 'customer';
 * ```
 */
export type RiskSubjectType = 'employee' | 'customer';

/** @internal */
export function subjectKey(ref: RiskSubjectRef): SubjectKey {
  return `${ref.type}:${ref.id}` as SubjectKey;
}

/**
 * A count and a sum of `value`s: one signal kind on one day.
 *
 * @example
 * ```ts
 * import type { SignalTotals } from '@guard/core';
 * const leave: SignalTotals = { count: 1, sum: 2 }; // one leave request, two days
 * ```
 */
export interface SignalTotals {
  readonly count: number;
  readonly sum: number;
}

/**
 * Everything Guard keeps about one subject's signals: per-day totals by
 * kind (UTC days, `YYYY-MM-DD`) and the time of the latest signal of each
 * kind. Facts are computed from a ledger; the store keeps one record per
 * subject and day, so reading a subject's 270-day history is one indexed
 * range scan.
 *
 * @example
 * ```ts
 * import { addSignal, emptyLedger } from '@guard/core';
 * let ledger = emptyLedger();
 * ledger = addSignal(ledger, { kind: 'login', employeeId: 'e-7', at: '2026-11-02T09:00:00Z' });
 * ledger.days['2026-11-02']?.login; // { count: 1, sum: 1 }
 * ```
 */
export interface SignalLedger {
  readonly days: Readonly<Record<string, DayTotals>>;
  readonly last: Readonly<Partial<Record<SignalKind, string>>>;
}

/**
 * One day of a {@link SignalLedger}: totals by signal kind.
 *
 * @example
 * ```ts
 * import type { DayTotals } from '@guard/core';
 * const day: DayTotals = { login: { count: 3, sum: 3 }, export: { count: 1, sum: 250 } };
 * ```
 */
export type DayTotals = Readonly<Partial<Record<SignalKind, SignalTotals>>>;

/**
 * A ledger with no signals.
 *
 * @example
 * ```ts
 * import { emptyLedger } from '@guard/core';
 * const ledger = emptyLedger();
 * ```
 */
export function emptyLedger(): SignalLedger {
  return { days: {}, last: {} };
}

/** @internal The UTC day (`YYYY-MM-DD`) of an ISO time. */
export function utcDay(at: string | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Adds one signal to one day's totals.
 *
 * @example
 * ```ts
 * import { addToDay } from '@guard/core';
 * addToDay({}, 'leave', 2); // { leave: { count: 1, sum: 2 } }
 * ```
 */
export function addToDay(day: DayTotals, kind: SignalKind, value: number): DayTotals {
  const prior = day[kind];
  return { ...day, [kind]: { count: (prior?.count ?? 0) + 1, sum: (prior?.sum ?? 0) + value } };
}

/**
 * Returns a new ledger with the signal added (the ledger is not changed).
 * Use it to build facts outside a store: in tests, in the data generator,
 * or to replay a history file.
 *
 * @example
 * ```ts
 * import { addSignal, emptyLedger, employeeFacts } from '@guard/core';
 * const ledger = addSignal(emptyLedger(), { kind: 'resume-update', employeeId: 'e-7', at: '2026-11-02T09:00:00Z' });
 * employeeFacts(ledger, { status: 'active' }, new Date('2026-11-03T00:00:00Z')).resumeUpdates30d; // 1
 * ```
 */
export function addSignal(ledger: SignalLedger, signal: SignalInput): SignalLedger {
  const day = utcDay(signal.at);
  const at = new Date(signal.at).toISOString();
  const prior = ledger.last[signal.kind];
  return {
    days: { ...ledger.days, [day]: addToDay(ledger.days[day] ?? {}, signal.kind, signal.value ?? 1) },
    last: prior !== undefined && prior >= at ? ledger.last : { ...ledger.last, [signal.kind]: at },
  };
}
