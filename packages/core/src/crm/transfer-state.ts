import * as z from 'zod';
import { recordIdOf, recordKind, type TypedRecord } from '../store/records.js';

/**
 * Where a customer's ownership stands in one connected CRM, as Guard's
 * transfers left it:
 * - `sending`: a move was about to be sent (written before the CRM call, so
 *   a worker that dies during the call knows to ask the CRM before sending
 *   again);
 * - `done`: the CRM shows the new owner;
 * - `pending`: the CRM accepted the move and completes it later (WeCom,
 *   after 24 hours unless the customer refuses); Guard asks again;
 * - `retrying`: the call failed in a way that may pass; the worker retries;
 * - `failed`: the CRM refused the move and a person must act (an alert says
 *   what to do);
 * - `superseded`: a later owner change in Guard carries this one;
 * - `skipped`: the customer has no id in this CRM (`externalRefs`).
 *
 * @example
 * ```ts
 * import type { CrmTransferStatus } from '@guard/core';
 * const status: CrmTransferStatus = 'pending';
 * ```
 */
export type CrmTransferStatus = 'sending' | 'done' | 'pending' | 'retrying' | 'failed' | 'superseded' | 'skipped';

const crmTransferStatusSchema = z.enum([
  'sending',
  'done',
  'pending',
  'retrying',
  'failed',
  'superseded',
  'skipped',
]) satisfies z.ZodType<CrmTransferStatus>;

const moveSchema = z.strictObject({
  customerExternalId: z.string(),
  fromUserId: z.string().nullable(),
  toUserId: z.string().nullable(),
});

/** The state record's data. */
export const transferStateSchema = z.strictObject({
  connector: z.string(),
  customerId: z.string(),
  /** The customer's version after the owner change this state is about. */
  version: z.int().min(1),
  from: z.string().nullable(),
  to: z.string().nullable(),
  reason: z.string(),
  /** The employee whose CRM user holds the customer there, as far as Guard knows (`null`: the pool). */
  crmOwner: z.string().nullable(),
  status: crmTransferStatusSchema,
  /** The move sent to the CRM (`null` when none was). */
  move: moveSchema.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  /** How many times Guard asked the CRM where a pending move stands. */
  checks: z.int().min(0),
  /** When Guard first sent this version's move. */
  since: z.string(),
  /** The outbox effect that carried this version. */
  effectKey: z.string(),
});

/** What Guard keeps per customer and CRM. */
export type TransferState = z.output<typeof transferStateSchema>;

/** Transfer states are records of this kind; `ref` is the customer, `status` the state's status. */
export const transferStates = recordKind('crm.transfer', transferStateSchema);

/** The id of the state of a customer in a CRM. */
export const transferStateId = (connector: string, customerId: string): string =>
  recordIdOf(`${connector}:${customerId}`);

/**
 * Where one customer's ownership stands in one connected CRM: the latest
 * owner change Guard sent there and what became of it.
 *
 * @example
 * ```ts
 * import type { CrmTransferView } from '@guard/core';
 * declare const t: CrmTransferView;
 * if (t.status === 'failed') console.log(`${t.connector}: ${t.customerId} → ${t.to ?? 'pool'} refused (${t.code})`);
 * ```
 */
export interface CrmTransferView {
  readonly connector: string;
  readonly customerId: string;
  /** The customer's version after the owner change. */
  readonly version: number;
  readonly from: string | null;
  readonly to: string | null;
  readonly status: CrmTransferStatus;
  /** The customer's id in the CRM and the CRM users of the move, when one was sent. */
  readonly move: {
    readonly customerExternalId: string;
    readonly fromUserId: string | null;
    readonly toUserId: string | null;
  } | null;
  /** The connector's code of a failure (`CUSTOMER_REFUSED`, `OWNER_CHANGED`…), or Guard's (`NO_CRM_USER`, `TIMED_OUT`). */
  readonly code: string | null;
  /** The connector's own words about a failure (as the CRM gave them, often English). */
  readonly message: string | null;
  /** When Guard first sent the move. */
  readonly since: string;
  /** When the state last changed. */
  readonly updatedAt: string;
}

/** The public view of a state record. */
export function transferView(record: TypedRecord<TransferState>): CrmTransferView {
  const d = record.data;
  return {
    connector: d.connector,
    customerId: d.customerId,
    version: d.version,
    from: d.from,
    to: d.to,
    status: d.status,
    move: d.move,
    code: d.code,
    message: d.message,
    since: d.since,
    updatedAt: record.updatedAt,
  };
}
