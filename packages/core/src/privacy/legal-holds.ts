import * as z from 'zod';
import { type ActorRef, actorRefSchema, idSchema } from '../domain/entities.js';
import type { DataSubject } from '../encryption/data-keys.js';
import { ValidationError } from '../errors/guard-error.js';
import { packCustomerIds } from '../evidence/evidence.js';
import type { Locale } from '../i18n/locale.js';
import { validationMessage } from '../i18n/messages.js';
import type { StoreTransaction } from '../ports/store.js';
import { allRecords, allWorkflows } from '../store/pages.js';
import { recordKind, type TypedRecord } from '../store/records.js';
import { OFFBOARDING_MACHINE_ID } from '../workflows/offboarding/index.js';
import { WorkflowSession } from '../workflows/runtime/index.js';

/**
 * What a legal hold is set on: an offboarding case, or an evidence pack
 * (named by the `seq` of its `evidence.export` audit entry,
 * `pack.audit.exportSeq`).
 *
 * @example
 * ```ts
 * import type { LegalHoldTarget } from '@guard/core';
 * const onCase: LegalHoldTarget = { type: 'offboarding', caseId: 'wf-12' };
 * const onPack: LegalHoldTarget = { type: 'evidence-pack', exportSeq: 4711 };
 * ```
 */
export type LegalHoldTarget =
  | { readonly type: 'offboarding'; readonly caseId: string }
  | { readonly type: 'evidence-pack'; readonly exportSeq: number };

/** Validates a {@link LegalHoldTarget}. */
export const legalHoldTargetSchema: z.ZodType<LegalHoldTarget> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offboarding'), caseId: idSchema }),
  z.strictObject({ type: z.literal('evidence-pack'), exportSeq: z.int().min(1).max(Number.MAX_SAFE_INTEGER) }),
]);

/**
 * A legal hold: while it is active, no subject it covers can be erased —
 * by a request or by retention.
 *
 * @example
 * ```ts
 * import type { LegalHold } from '@guard/core';
 * const show = (h: LegalHold) =>
 *   `${h.id}: ${h.status}, ${h.covers.customerIds.length} customers of ${h.covers.employeeId} — ${h.reason}`;
 * ```
 */
export interface LegalHold {
  readonly id: string;
  readonly on: LegalHoldTarget;
  /** Why, e.g. the matter or court case number. */
  readonly reason: string;
  readonly status: 'active' | 'released';
  readonly setAt: string;
  readonly setBy: ActorRef;
  /**
   * Who it covers, fixed when it was set: the case's or pack's employee, and
   * the customers they owned then or that were named in their handovers.
   */
  readonly covers: { readonly employeeId: string; readonly customerIds: readonly string[] };
  readonly released: { readonly at: string; readonly by: ActorRef; readonly reason: string } | null;
}

const LEGAL_HOLD_KIND = 'legal-hold';

const holds = recordKind(
  LEGAL_HOLD_KIND,
  z.strictObject({
    on: legalHoldTargetSchema,
    reason: z.string(),
    setBy: actorRefSchema,
    employeeId: z.string(),
    customerIds: z.array(z.string()),
    released: z.strictObject({ at: z.string(), by: actorRefSchema, reason: z.string() }).nullable(),
  }),
);

type HoldRecord = TypedRecord<ReturnType<typeof holds.read>['data']>;

/** The public view of a stored hold. */
export function legalHoldOf(record: HoldRecord): LegalHold {
  const { on, reason, setBy, employeeId, customerIds, released } = record.data;
  return {
    id: record.id,
    on,
    reason,
    status: released === null ? 'active' : 'released',
    setAt: record.at,
    setBy,
    covers: { employeeId, customerIds },
    released,
  };
}

/** Who a hold on `on` covers; a case or pack that does not exist is a `ValidationError` at `on`. */
async function coverage(
  tx: StoreTransaction,
  tenantId: string,
  on: LegalHoldTarget,
  locale: Locale,
): Promise<{ employeeId: string; customerIds: string[] }> {
  const unknown = (path: string, id: string | number) =>
    new ValidationError(
      'legal hold',
      [{ path: ['on', path], code: 'custom', message: validationMessage('unknown-hold-target', { id: String(id) }) }],
      { locale },
    );
  let employeeId: string;
  let handovers: Readonly<Record<string, unknown>>[];
  if (on.type === 'offboarding') {
    const record = await tx.getWorkflow(tenantId, on.caseId);
    if (record === null || record.machine !== OFFBOARDING_MACHINE_ID) throw unknown('caseId', on.caseId);
    const context = WorkflowSession.contextOf(record);
    employeeId = String(context.employeeId);
    handovers = [context];
  } else {
    const [entry] = await tx.readAudit(tenantId, on.exportSeq - 1, 1);
    if (entry?.seq !== on.exportSeq || entry.action !== 'evidence.export' || entry.subject?.type !== 'employee') {
      throw unknown('exportSeq', on.exportSeq);
    }
    employeeId = entry.subject.id;
    handovers = (
      await allWorkflows(tx, tenantId, {
        machine: OFFBOARDING_MACHINE_ID,
        subject: { type: 'employee', id: employeeId },
      })
    ).map((r) => WorkflowSession.contextOf(r));
  }
  return { employeeId, customerIds: await packCustomerIds(tx, tenantId, employeeId, handovers) };
}

/** Sets a hold on `on`, covering its employee and their customers now. */
export async function setLegalHold(
  tx: StoreTransaction,
  tenantId: string,
  input: { readonly id: string; readonly on: LegalHoldTarget; readonly reason: string; readonly actor: ActorRef },
  now: string,
  locale: Locale,
): Promise<LegalHold> {
  const covers = await coverage(tx, tenantId, input.on, locale);
  const record = await holds.insert(
    tx,
    {
      tenantId,
      id: input.id,
      ref: covers.employeeId,
      status: 'active',
      at: now,
      data: { on: input.on, reason: input.reason, setBy: input.actor, ...covers, released: null },
    },
    now,
  );
  return legalHoldOf(record);
}

/** The hold with this id, or `null`. */
export async function getLegalHold(tx: StoreTransaction, tenantId: string, id: string): Promise<HoldRecord | null> {
  return holds.get(tx, tenantId, id);
}

/** Releases an active hold. */
export async function releaseLegalHold(
  tx: StoreTransaction,
  record: HoldRecord,
  release: { readonly by: ActorRef; readonly reason: string },
  now: string,
): Promise<LegalHold> {
  const updated = await holds.update(
    tx,
    record,
    { status: 'released', data: { ...record.data, released: { at: now, ...release } } },
    now,
  );
  return legalHoldOf(updated);
}

/** A page of the tenant's holds, newest first, optionally only active or released ones. */
export async function listLegalHolds(
  tx: StoreTransaction,
  tenantId: string,
  status: LegalHold['status'] | undefined,
  page: { readonly cursor?: string | undefined; readonly limit: number },
) {
  const result = await holds.list(
    tx,
    tenantId,
    { order: 'desc', ...(status === undefined ? {} : { status }) },
    { limit: page.limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) },
  );
  return { items: result.items.map(legalHoldOf), nextCursor: result.nextCursor };
}

/** The tenant's active holds. */
export async function activeLegalHolds(tx: StoreTransaction, tenantId: string): Promise<LegalHold[]> {
  const active = await allRecords(tx, tenantId, { kind: LEGAL_HOLD_KIND, status: 'active' });
  return active.items.map((r) => legalHoldOf(holds.read(r)));
}

/** The active holds that cover `subject`. */
export async function holdsCovering(
  tx: StoreTransaction,
  tenantId: string,
  subject: DataSubject,
): Promise<LegalHold[]> {
  return (await activeLegalHolds(tx, tenantId)).filter((h) =>
    subject.type === 'employee' ? h.covers.employeeId === subject.id : h.covers.customerIds.includes(subject.id),
  );
}
