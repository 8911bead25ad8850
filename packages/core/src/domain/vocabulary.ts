import * as z from 'zod';
import { validationMessage } from '../i18n/keys.js';

/**
 * What a subject may try to do to a customer.
 *
 * - `read` — open the customer (fields come back shown, masked or hidden)
 * - `update` — change the customer's fields
 * - `delete` — remove the customer (for sales staff this is a request, never a hard delete)
 * - `export` — take the customer out of the system (file, print, API)
 * - `transfer` — hand the customer to another owner
 * - `claim` — take an unowned customer from the public pool (公海)
 *
 * @example
 * ```ts
 * import { actionSchema } from '@guard/core';
 * actionSchema.parse('export'); // 'export'
 * ```
 */
export const actionSchema = z.enum(['read', 'update', 'delete', 'export', 'transfer', 'claim']);

/**
 * One of the six customer actions; see {@link actionSchema}.
 *
 * @example
 * ```ts
 * import type { Action } from '@guard/core';
 * const action: Action = 'read';
 * ```
 */
export type Action = z.infer<typeof actionSchema>;

/**
 * All actions, in a stable order.
 *
 * @example
 * ```ts
 * import { actions } from '@guard/core';
 * for (const action of actions) console.log(action);
 * ```
 */
export const actions: readonly Action[] = Object.freeze(actionSchema.options);

/**
 * Where an employee is in their employment life-cycle. Status overrides every
 * policy rule: `frozen` and `departed` are denied everything; `resigning` may
 * only read their own customers, may not export, and every access is flagged.
 *
 * @example
 * ```ts
 * import { employeeStatusSchema } from '@guard/core';
 * employeeStatusSchema.parse('resigning');
 * ```
 */
export const employeeStatusSchema = z.enum(['active', 'resigning', 'frozen', 'departed']);

/**
 * An employee's status; see {@link employeeStatusSchema}.
 *
 * @example
 * ```ts
 * import type { EmployeeStatus } from '@guard/core';
 * const status: EmployeeStatus = 'active';
 * ```
 */
export type EmployeeStatus = z.infer<typeof employeeStatusSchema>;

/**
 * How a class of customer fields is returned to a subject: in full, masked
 * (`1******5678`, `a***@e***.com`) or not at all.
 *
 * @example
 * ```ts
 * import { fieldLevelSchema } from '@guard/core';
 * fieldLevelSchema.parse('mask');
 * ```
 */
export const fieldLevelSchema = z.enum(['hide', 'mask', 'show']);

/**
 * A field class's visibility; see {@link fieldLevelSchema}. Ordered
 * `hide` < `mask` < `show`.
 *
 * @example
 * ```ts
 * import type { FieldLevel } from '@guard/core';
 * const level: FieldLevel = 'show';
 * ```
 */
export type FieldLevel = z.infer<typeof fieldLevelSchema>;

/**
 * The sensitivity classes customer fields are grouped in when a guard is not
 * configured otherwise.
 *
 * @example
 * ```ts
 * import { defaultFieldClasses } from '@guard/core';
 * defaultFieldClasses; // ['public', 'contact', 'commercial']
 * ```
 */
export const defaultFieldClasses: readonly string[] = Object.freeze(['public', 'contact', 'commercial']);

/**
 * Something the host must do along with an allowed action:
 *
 * - `confidentiality-notice` — show the confidentiality notice (保密提示) next to the data
 * - `approval` — the action needs an approved request of `approvalKind` first
 * - `watermark` — stamp the export with the subject's id
 * - `flag` — the access is flagged for review (e.g. the subject is resigning)
 *
 * @example
 * ```ts
 * import { obligationSchema } from '@guard/core';
 * obligationSchema.parse({ type: 'approval', approvalKind: 'customer-export' });
 * ```
 */
export const obligationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('confidentiality-notice') }),
  z.strictObject({
    type: z.literal('approval'),
    approvalKind: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/, { error: validationMessage('kebab-case', { example: 'customer-export' }) }),
  }),
  z.strictObject({ type: z.literal('watermark') }),
  z.strictObject({ type: z.literal('flag'), reason: z.enum(['resigning']) }),
]);

/**
 * An obligation attached to a decision; see {@link obligationSchema}.
 *
 * @example
 * ```ts
 * import type { Obligation } from '@guard/core';
 * const o: Obligation = { type: 'watermark' };
 * ```
 */
export type Obligation = z.infer<typeof obligationSchema>;

/**
 * Why a decision came out the way it did:
 *
 * - `allowed` — at least one allow rule matched and no deny rule did
 * - `no-matching-rule` — nothing granted the action (default deny)
 * - `denied-by-rule` — a deny rule matched (a deny always beats an allow)
 * - `subject-frozen`, `subject-departed` — the subject's status denies everything
 * - `resigning-restricted` — resigning staff may only read their own customers
 *
 * @example
 * ```ts
 * import type { DecisionReasonCode } from '@guard/core';
 * const code: DecisionReasonCode = 'no-matching-rule';
 * ```
 */
export type DecisionReasonCode =
  | 'allowed'
  | 'no-matching-rule'
  | 'denied-by-rule'
  | 'subject-frozen'
  | 'subject-departed'
  | 'resigning-restricted';

/**
 * How a follow-up (跟进) reached the customer: `visit` (上门拜访), `call`,
 * `wechat` (WeChat or WeCom), `message` (SMS and other chat), `email`,
 * `meeting`, `other`. One vocabulary for the follow-up schema and the
 * `ownership.recordFollowUp` API.
 *
 * @example
 * ```ts
 * import { followUpChannelSchema } from '@guard/core';
 * followUpChannelSchema.parse('wechat'); // 'wechat'
 * ```
 */
export const followUpChannelSchema = z.enum(['visit', 'call', 'wechat', 'message', 'email', 'meeting', 'other']);

/**
 * A follow-up channel; see {@link followUpChannelSchema}.
 *
 * @example
 * ```ts
 * import type { FollowUpChannel } from '@guard/core';
 * const channel: FollowUpChannel = 'visit';
 * ```
 */
export type FollowUpChannel = z.infer<typeof followUpChannelSchema>;

/**
 * How serious an alert is.
 *
 * @example
 * ```ts
 * import { severitySchema } from '@guard/core';
 * severitySchema.parse('high');
 * ```
 */
export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * An alert's severity; see {@link severitySchema}.
 *
 * @example
 * ```ts
 * import type { Severity } from '@guard/core';
 * const s: Severity = 'critical';
 * ```
 */
export type Severity = z.infer<typeof severitySchema>;

/**
 * Why audit verification failed at its first bad entry:
 *
 * | reason | meaning |
 * |---|---|
 * | `sequence-gap` | the entry at this position has a larger `seq`: entries are missing (deleted) |
 * | `sequence-disorder` | the entry at this position has a smaller or repeated `seq`: reordered or inserted |
 * | `broken-link` | `prevHash` is not the hash of the entry before: something before it was changed, inserted or removed |
 * | `wrong-tenant` | the entry belongs to another tenant |
 * | `hash-mismatch` | the entry's content does not match its `hash`: it was modified |
 * | `checkpoint-mismatch` | the entry is self-consistent but a signed checkpoint says the chain had another hash here: the chain was rewritten |
 * | `truncated` | the chain ends before a signed checkpoint: the tail was cut off |
 * | `checkpoint-signature` | a checkpoint's signature is invalid: the checkpoint itself was forged or altered |
 * | `seal-mismatch` | the entry's seal is missing, names an unknown key or does not match: Guard did not write it (added, or changed and re-hashed, by someone without the key) |
 * | `head-mismatch` | the chain's stored head disagrees with its last entry, or its seal does not match: entries were cut off or added after the head, or the head was moved. Reported at the first position the head no longer vouches for: after the last entry, or after the head when entries follow it |
 *
 * @example
 * ```ts
 * import type { VerifyFailureReason } from '@guard/core';
 * const tampered = (r: VerifyFailureReason) => r !== 'checkpoint-signature';
 * ```
 */
export type VerifyFailureReason =
  | 'sequence-gap'
  | 'sequence-disorder'
  | 'broken-link'
  | 'wrong-tenant'
  | 'hash-mismatch'
  | 'checkpoint-mismatch'
  | 'truncated'
  | 'checkpoint-signature'
  | 'seal-mismatch'
  | 'head-mismatch';
