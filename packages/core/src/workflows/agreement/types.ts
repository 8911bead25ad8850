import * as z from 'zod';
import { validationMessage } from '../../i18n/keys.js';
import type { WorkflowEventBase } from '../protocol.js';

/**
 * The machine id of onboarding agreements; the runtime stores it with each
 * agreement workflow to pick the machine when restoring.
 *
 * @example
 * ```ts
 * import { AGREEMENT_MACHINE_ID } from '@guard/core';
 * AGREEMENT_MACHINE_ID; // 'agreement'
 * ```
 */
export const AGREEMENT_MACHINE_ID = 'agreement';

/**
 * The version of the agreement machine's states, context and events. A
 * change that a persisted snapshot could not survive bumps it.
 *
 * @example
 * ```ts
 * import { AGREEMENT_MACHINE_VERSION } from '@guard/core';
 * AGREEMENT_MACHINE_VERSION; // 1
 * ```
 */
export const AGREEMENT_MACHINE_VERSION = 1;

/**
 * Hours between reminders when the input names none.
 *
 * @example
 * ```ts
 * import { AGREEMENT_DEFAULT_REMIND_EVERY_HOURS } from '@guard/core';
 * AGREEMENT_DEFAULT_REMIND_EVERY_HOURS; // 72
 * ```
 */
export const AGREEMENT_DEFAULT_REMIND_EVERY_HOURS = 72;

/**
 * How many reminders are sent, when the input names no number, before the
 * agreement is reported overdue.
 *
 * @example
 * ```ts
 * import { AGREEMENT_DEFAULT_MAX_REMINDERS } from '@guard/core';
 * AGREEMENT_DEFAULT_MAX_REMINDERS; // 10
 * ```
 */
export const AGREEMENT_DEFAULT_MAX_REMINDERS = 10;

/**
 * What an onboarding agreement is: a confidentiality agreement (保密协议), a
 * non-compete agreement (竞业限制协议) or a customer-ownership clause
 * (客户资源归属条款: the customers belong to the company, not the salesperson).
 *
 * @example
 * ```ts
 * import type { AgreementKind } from '@guard/core';
 * const kind: AgreementKind = 'customer-ownership';
 * ```
 */
export type AgreementKind = 'confidentiality' | 'non-compete' | 'customer-ownership';

/**
 * What starts an agreement workflow: one text, in one version, for one
 * employee to sign. `contentHash` pins the exact text: a signature over any
 * other text is refused.
 *
 * @example
 * ```ts
 * import type { AgreementInput } from '@guard/core';
 * const input: AgreementInput = {
 *   id: 'agr-1', employeeId: 'e-7', templateId: 'nda', templateVersion: 3, kind: 'confidentiality',
 *   title: '保密协议', contentHash: 'a'.repeat(64), at: '2026-11-02T02:00:00.000Z',
 * }; // reminders every 72 hours, at most 10
 * ```
 */
export interface AgreementInput {
  /** The agreement's (and its workflow's) id. */
  readonly id: string;
  /** Who must sign. */
  readonly employeeId: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly kind: AgreementKind;
  readonly title: string;
  /** SHA-256, lowercase hex, of the exact text the employee is asked to sign. */
  readonly contentHash: string;
  /** Hours between reminders, a finite number above 0; default {@link AGREEMENT_DEFAULT_REMIND_EVERY_HOURS}. */
  readonly remindEveryHours?: number | undefined;
  /** Reminders before the agreement is overdue, an integer ≥ 0; default {@link AGREEMENT_DEFAULT_MAX_REMINDERS}. */
  readonly maxReminders?: number | undefined;
  /** ISO instant the agreement was assigned. */
  readonly at: string;
}

/**
 * Where a signature was made.
 *
 * @example
 * ```ts
 * import type { SignatureChannel } from '@guard/core';
 * const channel: SignatureChannel = 'wecom';
 * ```
 */
export type SignatureChannel = (typeof SIGNATURE_CHANNELS)[number];

/**
 * The channels a signature can be given through.
 *
 * @example
 * ```ts
 * import { SIGNATURE_CHANNELS } from '@guard/core';
 * SIGNATURE_CHANNELS.includes('wecom'); // true
 * ```
 */
export const SIGNATURE_CHANNELS = ['web', 'mobile', 'wecom', 'paper-scan', 'other'] as const;

/**
 * The part of a signature the host supplies when the employee signs: the
 * hash of the text they saw, the channel, and optionally the client's IP
 * address and user agent. Strict: unknown keys are refused. `ip` and
 * `userAgent` come out as `null` when left out.
 *
 * @example
 * ```ts
 * import { signatureInputSchema } from '@guard/core';
 * const input = signatureInputSchema.parse({ contentHash: 'a'.repeat(64), channel: 'web', ip: '203.0.113.7' });
 * input.userAgent; // null
 * ```
 */
export const signatureInputSchema = z.strictObject({
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, { error: validationMessage('sha256') }),
  channel: z.enum(SIGNATURE_CHANNELS),
  ip: z
    .union([z.ipv4(), z.ipv6()])
    .nullable()
    .optional()
    .transform((ip) => ip ?? null),
  userAgent: z
    .string()
    .max(1000)
    .nullable()
    .optional()
    .transform((ua) => ua ?? null),
});

/**
 * A validated signature input; see {@link signatureInputSchema}.
 *
 * @example
 * ```ts
 * import type { SignatureInput } from '@guard/core';
 * const input: SignatureInput = { contentHash: 'a'.repeat(64), channel: 'mobile', ip: null, userAgent: null };
 * ```
 */
export type SignatureInput = z.output<typeof signatureInputSchema>;

/**
 * A signature as the agreement keeps it: who signed which text, when (the
 * instant of the `SIGN` event) and through which channel. (A type alias
 * rather than an interface, so that it is assignable to `Json`.)
 *
 * @example
 * ```ts
 * import type { SignatureRecord } from '@guard/core';
 * const signature: SignatureRecord = {
 *   signerId: 'e-7', contentHash: 'a'.repeat(64), signedAt: '2026-11-02T03:00:00.000Z',
 *   channel: 'web', ip: '203.0.113.7', userAgent: 'Mozilla/5.0',
 * };
 * ```
 */
export type SignatureRecord = {
  readonly signerId: string;
  readonly contentHash: string;
  readonly signedAt: string;
  readonly channel: SignatureChannel;
  readonly ip: string | null;
  readonly userAgent: string | null;
};

/**
 * The agreement machine's context: the input with its defaults applied, the
 * reminders sent so far, whether the agreement was reported overdue, and the
 * signature or the reason it was revoked. Plain JSON, as the runtime
 * persists it.
 *
 * @example
 * ```ts
 * import type { AgreementContext } from '@guard/core';
 * const signed = (context: AgreementContext) => context.signature !== null;
 * ```
 */
export interface AgreementContext extends Omit<AgreementInput, 'remindEveryHours' | 'maxReminders'> {
  readonly remindEveryHours: number;
  readonly maxReminders: number;
  /** Reminders sent; never more than `maxReminders`. */
  readonly reminders: number;
  /** Set when `agreement.overdue` was emitted (after the last reminder); no reminder follows. */
  readonly overdue: boolean;
  readonly signature: SignatureRecord | null;
  readonly revokedReason: string | null;
}

/**
 * The events of an agreement. The runtime adds `at` and `actor` to each.
 *
 * - `REMIND` — the reminder timer fired (a `system` actor only).
 * - `SIGN` — the employee signs, through the host; the payload is a
 *   {@link SignatureInput}. Only the assigned employee may sign, and only
 *   the assigned text (`contentHash`).
 * - `REVOKE` — the host (or Guard itself) withdraws the agreement; an
 *   employee actor cannot.
 *
 * @example
 * ```ts
 * import { signatureInputSchema, type AgreementEvent } from '@guard/core';
 * const sign: AgreementEvent = {
 *   type: 'SIGN', ...signatureInputSchema.parse({ contentHash: 'a'.repeat(64), channel: 'web' }),
 *   at: '2026-11-02T03:00:00.000Z', actor: { type: 'employee', id: 'e-7' },
 * };
 * ```
 */
export type AgreementEvent = WorkflowEventBase &
  (
    | { readonly type: 'REMIND' }
    | ({ readonly type: 'SIGN' } & SignatureInput)
    | { readonly type: 'REVOKE'; readonly reason: string }
  );
