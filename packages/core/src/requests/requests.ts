import * as z from 'zod';
import { assertNotBlocked, observeActivity } from '../anomaly/anomaly.js';
import { type ApprovalOutcomeHandler, type ApprovalView, startApproval } from '../approvals/approvals.js';
import type { Decision } from '../domain/decision.js';
import type { ActorRef, FieldValue, Json, SubjectRef } from '../domain/entities.js';
import { idSchema } from '../domain/entities.js';
import { ForbiddenError, NotFoundError, ValidationError, WorkflowRejectedError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { deferredText } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import {
  forbiddenOutsidePolicy,
  type GuardContext,
  inRefusableUnitOfWork,
  inUnitOfWork,
  type UnitOfWork,
} from '../kernel/context.js';
import { decideOn } from '../kernel/decide.js';
import { requireEmployee } from '../kernel/directory.js';
import { applyFieldLevels } from '../policy/index.js';
import type { CustomerRecord } from '../ports/store.js';
import { loadSettings, tenantPolicy } from '../settings/tenant-settings.js';
import { recordKind, type TypedRecord } from '../store/records.js';

/** Export requests are records of this kind; `ref` = the requester, `status` = {@link ExportRequestView.status}. */
/** The record kind of export requests. */
export const EXPORT_KIND = 'export';

/**
 * An export request as the host shows it.
 *
 * - `pending-approval` — waiting for the approval `approvalId`
 * - `ready` — the requester may download it, once
 * - `rejected` — the approval was rejected or withdrawn
 * - `delivered` — downloaded; it cannot be downloaded again
 *
 * @example
 * ```ts
 * const request = await acme.customers.requestExport({ actor: 'e-7', customerIds: ['c-1', 'c-2'], reason: 'quarterly review' });
 * if (request.status === 'pending-approval') console.log('waiting for approval', request.approvalId);
 * ```
 */
export interface ExportRequestView {
  readonly id: string;
  readonly status: 'pending-approval' | 'ready' | 'rejected' | 'delivered';
  /** The `customer-export` approval, or `null` when none was needed. */
  readonly approvalId: string | null;
  /** How many customers the export holds. */
  readonly count: number;
  /** The field classes asked for. */
  readonly classes: readonly string[];
}

/**
 * A delivered export: every row masked as the policy says for the requester
 * *at download time*, and the watermark to stamp on the file.
 *
 * @example
 * ```ts
 * const file = await acme.customers.downloadExport({ actor: 'e-7', exportId: request.id });
 * writeCsv(file.rows, { footer: file.watermark.text });
 * ```
 */
export interface ExportDownload {
  readonly exportId: string;
  /** One row per customer; only the classes asked for and visible, masked classes masked. */
  readonly rows: readonly {
    readonly id: string;
    readonly name: string;
    readonly ownerId: string | null;
    readonly unitId: string;
    readonly fields: Readonly<Record<string, Readonly<Record<string, FieldValue>>>>;
  }[];
  /** Stamp `text` on every page or sheet: it names the tenant, the person, the export and the instant. */
  readonly watermark: {
    readonly text: string;
    readonly by: string;
    readonly exportId: string;
    readonly at: string;
  };
}

/**
 * A delete request: Guard never deletes a customer itself. Once the
 * `customer-delete` approval is approved, a `customer.delete` outbox effect
 * asks the host to delete the customers in its own system.
 *
 * @example
 * ```ts
 * const request = await acme.customers.requestDelete({ actor: 'mgr', customerIds: ['c-1'], reason: 'duplicate' });
 * request.status; // 'pending-approval'
 * ```
 */
export interface DeleteRequestView {
  /** The `customer-delete` approval that tracks the request. */
  readonly approvalId: string;
  readonly customerIds: readonly string[];
  readonly status: 'pending-approval' | 'approved' | 'rejected';
}

/**
 * Bulk requests on customers: exports and deletes. Both are watched by the
 * anomaly detector (an employee over the limit is blocked and the manager
 * alerted) and both go through approvals; a blocked employee's requests are
 * refused with `ActorBlockedError` until a manager resolves the alert.
 *
 * @example
 * ```ts
 * const request = await acme.customers.requestExport({ actor: 'e-7', customerIds: ['c-1'], classes: ['public', 'contact'], reason: 'visit plan' });
 * // … the manager and then HR approve request.approvalId …
 * const file = await acme.customers.downloadExport({ actor: 'e-7', exportId: request.id });
 * ```
 */
export interface CustomerRequestsApi {
  /**
   * Requests an export of 1–10 000 customers. Refused with `ActorBlockedError`
   * while the actor is blocked, or when this request breaches the export
   * limit (the alert is committed); with `ForbiddenError` naming the first
   * customer the policy does not let the actor export (audited). It needs
   * approval (`customer-export`) when it has more rows than
   * `exports.approvalAboveRows`, includes the `contact` class while
   * `exports.contactFieldsNeedApproval`, or the policy asks for one.
   *
   * @example
   * ```ts
   * const request = await acme.customers.requestExport({
   *   actor: 'e-7',
   *   customerIds: ['c-1', 'c-2'],
   *   classes: ['public', 'contact'],
   *   reason: 'visit plan for next week',
   * });
   * request.status; // 'pending-approval'
   * ```
   */
  requestExport(input: {
    actor: string;
    customerIds: readonly string[];
    classes?: readonly string[];
    reason: string;
  }): Promise<ExportRequestView>;
  /**
   * One export request, or `NotFoundError`.
   *
   * @example
   * ```ts
   * const { status } = await acme.customers.getExport(exportId);
   * if (status === 'ready') showDownloadButton();
   * ```
   */
  getExport(exportId: string): Promise<ExportRequestView>;
  /**
   * Delivers a `ready` export to its requester, once (it becomes
   * `delivered`). Every customer is decided again now: if the policy no longer
   * lets the requester export one of them (e.g. they started resigning), the
   * download is refused with `ForbiddenError` (audited). Rows are masked per
   * the policy; the download is audited as `customer.export` with the row
   * count and the watermark, never the data.
   *
   * @example
   * ```ts
   * const file = await acme.customers.downloadExport({ actor: 'e-7', exportId });
   * file.rows[0]?.fields.contact?.phone; // '1******5678' for a sales rep
   * file.watermark.text; // 'acme/e-7/ex-1/2026-11-02T02:00:00.000Z'
   * ```
   */
  downloadExport(input: { actor: string; exportId: string }): Promise<ExportDownload>;
  /**
   * Requests deleting 1–1 000 customers; nothing is deleted by Guard. Refused
   * with `ActorBlockedError` while blocked or when the request breaches the
   * delete limit (default 5 per hour; the blocking `bulk-delete` alert is
   * committed and the manager notified) — attempts count, even ones the
   * policy would deny. Then `ForbiddenError` for the first customer the
   * policy does not let the actor delete (audited). Otherwise a
   * `customer-delete` approval starts; once approved, a `customer.delete`
   * outbox effect asks the host to delete them.
   *
   * @example
   * ```ts
   * const request = await acme.customers.requestDelete({ actor: 'mgr', customerIds: ['c-1'], reason: 'duplicate of c-2' });
   * await acme.approvals.approve({ actor: 'director', approvalId: request.approvalId });
   * // the worker's `customer.delete` handler deletes c-1 in the CRM
   * ```
   */
  requestDelete(input: { actor: string; customerIds: readonly string[]; reason: string }): Promise<DeleteRequestView>;
}

const exportDataSchema = z.object({
  requester: z.string(),
  customerIds: z.array(z.string()),
  classes: z.array(z.string()),
  reason: z.string(),
  approvalId: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
type ExportData = z.output<typeof exportDataSchema>;

/** Export requests, one record each, parsed on every read and write. */
const exportsKind = recordKind(EXPORT_KIND, exportDataSchema);

const uniqueIds = (max: number) =>
  z
    .array(idSchema)
    .min(1)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, { error: validationMessage('repeated-customer') });
const reasonSchema = z.string().trim().min(1).max(2000);
const exportSchema = z.strictObject({
  actor: idSchema,
  customerIds: uniqueIds(10_000),
  classes: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(64)
    .refine((c) => new Set(c).size === c.length, { error: validationMessage('repeated-class') })
    .optional(),
  reason: reasonSchema,
});
const downloadSchema = z.strictObject({ actor: idSchema, exportId: idSchema });
const deleteSchema = z.strictObject({ actor: idSchema, customerIds: uniqueIds(1000), reason: reasonSchema });

const employeeRef = (id: string): ActorRef => ({ type: 'employee', id });

function exportView(record: TypedRecord<ExportData>): ExportRequestView {
  const d = record.data;
  return {
    id: record.id,
    status: record.status as ExportRequestView['status'],
    approvalId: d.approvalId,
    count: d.customerIds.length,
    classes: d.classes,
  };
}

/** The customers, in the order asked; the first missing one is `NotFoundError`. */
async function requireCustomers(ctx: GuardContext, uow: UnitOfWork, ids: readonly string[]) {
  const found = new Map((await uow.tx.getCustomers(uow.tenant.id, ids)).map((c) => [c.id, c]));
  return ids.map((id) => {
    const customer = found.get(id);
    if (!customer) throw new NotFoundError({ entity: 'customer', id, tenantId: uow.tenant.id }, { locale: ctx.locale });
    return customer;
  });
}

/**
 * If any decision denies, audits the attempt and returns the `ForbiddenError`
 * naming the first denied customer (to throw after the audit commits).
 */
function denial(
  ctx: GuardContext,
  uow: UnitOfWork,
  actor: string,
  decided: readonly { customer: CustomerRecord; decision: Decision }[],
  action: string,
  data: Record<string, Json>,
): ForbiddenError | null {
  const denied = decided.find((d) => !d.decision.allow);
  if (!denied) return null;
  const { customer, decision } = denied;
  uow.session.record({
    actor: employeeRef(actor),
    action,
    subject: { type: 'customer', id: customer.id },
    data: { ...data, decision: { code: decision.reason.code, rules: [...decision.reason.rules] } },
  });
  return new ForbiddenError({ actorId: actor, resourceId: customer.id, decision }, { locale: ctx.locale });
}

const subjectFor = (ids: readonly string[]): SubjectRef | null =>
  ids.length === 1 && ids[0] !== undefined ? { type: 'customer', id: ids[0] } : null;

/**
 * Approval hook for `customer-export`: approved → `ready` (the approval
 * machine already told the requester with `approval.approved`) if the
 * requester may still export every customer of it — the policy is asked
 * again — else `rejected` with the refusal audited; rejected or withdrawn →
 * `rejected`. Only the export's own approval (same requester, same id)
 * changes it.
 *
 * @example
 * ```ts
 * import { approvalsModule } from '@guard/core';
 * const module = approvalsModule({ 'customer-export': exportDecided });
 * ```
 */
export const exportDecided: ApprovalOutcomeHandler = async (approval, c) => {
  const exportId = approval.payload.exportId;
  if (typeof exportId !== 'string') return;
  const record = await exportsKind.get(c.tx, c.tenantId, exportId);
  if (record?.status !== 'pending-approval') return;
  const data = record.data;
  // Only the export's own approval decides it.
  if (data.requester !== approval.requester || (data.approvalId !== null && data.approvalId !== approval.id)) return;
  let status: 'ready' | 'rejected' = approval.outcome === 'approved' ? 'ready' : 'rejected';
  let denied: Json = null;
  if (status === 'ready') {
    // Approved: decided again now, so a right lost while the request waited is not used.
    const refused = await refusedNow(approval, c, data.customerIds, 'export');
    if (refused) {
      status = 'rejected';
      denied = refused;
    }
  }
  await exportsKind.update(c.tx, record, { status }, c.at);
  c.session.record({
    actor: c.actor,
    action: status === 'ready' ? 'customer.export-approved' : 'customer.export-rejected',
    subject: null,
    data: {
      exportId,
      approvalId: approval.id,
      outcome: approval.outcome,
      requester: approval.requester,
      ...(denied === null ? {} : { denied }),
    },
  });
};

/**
 * Decides `action` again for an approval's requester on the customers, when
 * the approved outcome is carried out. Returns the first refusal (customer
 * and the policy's reason), or `null` when everything is still allowed.
 */
async function refusedNow(
  approval: ApprovalView,
  c: Parameters<ApprovalOutcomeHandler>[1],
  customerIds: readonly string[],
  action: 'export' | 'delete',
): Promise<{ customerId: string | null; code: string; rules: string[] } | null> {
  const tenant = await c.tx.getTenant(c.tenantId);
  const [requester] = await c.tx.getEmployees(c.tenantId, [approval.requester]);
  const customers = await c.tx.getCustomers(c.tenantId, customerIds);
  if (!tenant || !requester || customers.length !== new Set(customerIds).size) {
    return { customerId: null, code: 'not-found', rules: [] };
  }
  const decided = await decideOn(c.env, { tx: c.tx, tenant, now: c.at }, requester, customers, action);
  const first = decided.find((d) => !d.decision.allow);
  return first
    ? { customerId: first.customer.id, code: first.decision.reason.code, rules: [...first.decision.reason.rules] }
    : null;
}

/**
 * Approval hook for `customer-delete`: once approved, and if the requester
 * may still delete every customer of it (the policy is asked again; else
 * nothing happens and `customer.delete-skipped` says why), enqueues one
 * `customer.delete` outbox effect (idempotency key `<approvalId>:delete`)
 * for the host to delete the customers in its own system, and audits
 * `customer.delete-approved` per customer. Guard never removes the rows.
 *
 * @example
 * ```ts
 * import { approvalsModule } from '@guard/core';
 * const module = approvalsModule({ 'customer-delete': deleteDecided });
 * ```
 */
export const deleteDecided: ApprovalOutcomeHandler = async (approval, c) => {
  if (approval.outcome !== 'approved') return;
  const p = approval.payload as { customerIds?: unknown; reason?: unknown };
  const customerIds = Array.isArray(p.customerIds) ? p.customerIds.filter((id) => typeof id === 'string') : [];
  if (customerIds.length === 0) return;
  const reason = typeof p.reason === 'string' ? p.reason : null;
  const refused = await refusedNow(approval, c, customerIds, 'delete');
  if (refused) {
    // Nothing of the request is carried out: the requester may no longer delete all of it.
    c.session.record({
      actor: c.actor,
      action: 'customer.delete-skipped',
      subject: subjectFor(customerIds),
      data: { approvalId: approval.id, requestedBy: approval.requester, customerIds, denied: refused },
    });
    return;
  }
  await c.tx.enqueueEffects([
    {
      id: c.env.ids.next('fx'),
      tenantId: c.tenantId,
      idempotencyKey: `${approval.id}:delete`,
      kind: 'customer.delete',
      payload: { customerIds, reason, requestedBy: approval.requester, approvalId: approval.id },
      availableAt: c.at,
      createdAt: c.at,
    },
  ]);
  for (const id of customerIds) {
    c.session.record({
      actor: c.actor,
      action: 'customer.delete-approved',
      subject: { type: 'customer', id },
      data: { approvalId: approval.id, requestedBy: approval.requester, reason },
    });
  }
};

/**
 * The tenant-scoped export and delete requests; `createGuard` spreads them
 * into `guard.tenant(id).customers`.
 *
 * @example
 * ```ts
 * const requests = customerRequestsApi(ctx, 'acme');
 * await requests.requestDelete({ actor: 'mgr', customerIds: ['c-1'], reason: 'duplicate' });
 * ```
 */
export function customerRequestsApi(ctx: GuardContext, tenantId: string): CustomerRequestsApi {
  const { locale } = ctx;
  return {
    requestExport: async (input) => {
      const p = parseInput(exportSchema, input, { what: 'export request', locale });
      const count = p.customerIds.length;
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        // The classes are the tenant's policy's; an unknown one fails before anything is written.
        const { fieldClasses } = await tenantPolicy(ctx, uow.tx, tenantId);
        const classes = p.classes ?? [...fieldClasses];
        const unknown = classes.flatMap((cls, i) =>
          fieldClasses.includes(cls)
            ? []
            : [
                {
                  path: ['classes', i],
                  code: 'custom',
                  message: validationMessage('unknown-field-class', { name: cls, classes: fieldClasses.join(', ') }),
                },
              ],
        );
        if (unknown.length > 0) throw new ValidationError('export request', unknown, { locale });
        const employee = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        await assertNotBlocked(ctx, uow, employee.id, 'export');
        const customers = await requireCustomers(ctx, uow, p.customerIds);
        // The attempt counts (one export, whatever its size) before the policy is asked.
        const blocked = await observeActivity(ctx, uow, employee, 'export', 1, { rows: count, classes });
        if (blocked) {
          refuse(blocked);
          return undefined as never;
        }
        const decided = await decideOn(ctx, uow, employee, customers, 'export');
        const denied = denial(ctx, uow, employee.id, decided, 'customer.export-denied', { count, classes });
        if (denied) {
          refuse(denied);
          return undefined as never;
        }
        const settings = await loadSettings(uow.tx, tenantId);
        const why = [
          ...(count > settings.exports.approvalAboveRows ? ['rows'] : []),
          ...(classes.includes('contact') && settings.exports.contactFieldsNeedApproval ? ['contact'] : []),
          ...(decided.some((d) => d.decision.obligations.some((o) => o.type === 'approval')) ? ['policy'] : []),
        ];
        const id = ctx.ids.next('ex');
        const data: ExportData = {
          requester: employee.id,
          customerIds: [...p.customerIds],
          classes,
          reason: p.reason,
          approvalId: null,
          deliveredAt: null,
        };
        // Written before the approval starts: an approval can end at once (no eligible approver), and its hook updates this record.
        const status = why.length > 0 ? 'pending-approval' : 'ready';
        await exportsKind.insert(uow.tx, { tenantId, id, ref: employee.id, status, at: uow.now, data }, uow.now);
        let approvalId: string | null = null;
        if (why.length > 0) {
          const approval = await startApproval(ctx, uow, {
            requester: employee.id,
            kind: 'customer-export',
            title: deferredText('approvalTitles', 'export', { count }),
            subject: subjectFor(p.customerIds),
            payload: { exportId: id, count, classes, reason: p.reason },
            actor: employeeRef(employee.id),
          });
          approvalId = approval.id;
        }
        uow.session.record({
          actor: employeeRef(employee.id),
          action: 'customer.export-requested',
          subject: subjectFor(p.customerIds),
          data: { exportId: id, count, classes, approvalId, approvalBecause: why, reason: p.reason },
        });
        // Read again: the approval's hook may have decided it already.
        const current = await exportsKind.get(uow.tx, tenantId, id);
        if (!current) throw new NotFoundError({ entity: 'workflow', id, tenantId }, { locale });
        if (approvalId === null) return exportView(current);
        return exportView(
          await exportsKind.update(uow.tx, current, { data: { ...current.data, approvalId } }, uow.now),
        );
      });
    },

    getExport: async (exportId) => {
      const id = parseInput(idSchema, exportId, { what: 'export id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const record = await exportsKind.get(uow.tx, tenantId, id);
        if (!record) throw new NotFoundError({ entity: 'workflow', id, tenantId }, { locale });
        return exportView(record);
      });
    },

    downloadExport: async (input) => {
      const p = parseInput(downloadSchema, input, { what: 'export download', locale });
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        const employee = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        const record = await exportsKind.get(uow.tx, tenantId, p.exportId);
        if (!record) throw new NotFoundError({ entity: 'workflow', id: p.exportId, tenantId }, { locale });
        const data = record.data;
        if (data.requester !== employee.id) {
          throw await forbiddenOutsidePolicy(ctx, uow.tx, tenantId, employee.id, record.id, 'export');
        }
        await assertNotBlocked(ctx, uow, employee.id, 'export');
        if (record.status !== 'ready') {
          throw new WorkflowRejectedError(
            {
              workflowId: record.id,
              machine: 'customer-export',
              state: record.status ?? 'unknown',
              event: 'DOWNLOAD',
              actorId: employee.id,
            },
            { locale },
          );
        }
        // Customers the host removed since the request are left out: there is nothing to deliver.
        const found = new Map((await uow.tx.getCustomers(tenantId, data.customerIds)).map((c) => [c.id, c]));
        const customers = data.customerIds.flatMap((id) => found.get(id) ?? []);
        const decided = await decideOn(ctx, uow, employee, customers, 'export');
        const denied = denial(ctx, uow, employee.id, decided, 'customer.export-denied', {
          exportId: record.id,
          count: customers.length,
          classes: data.classes,
        });
        if (denied) {
          refuse(denied);
          return undefined as never;
        }
        const wanted = new Set(data.classes);
        const rows = decided.map(({ customer, decision }) => {
          const levels = Object.fromEntries(
            Object.entries(decision.fields).map(([cls, level]) => [cls, wanted.has(cls) ? level : 'hide']),
          );
          return {
            id: customer.id,
            name: customer.name,
            ownerId: customer.ownerId,
            unitId: customer.unitId,
            fields: applyFieldLevels(customer.fields, levels, ctx.masks).fields,
          };
        });
        const watermark = {
          text: `${tenantId}/${employee.id}/${record.id}/${uow.now}`,
          by: employee.id,
          exportId: record.id,
          at: uow.now,
        };
        await exportsKind.update(
          uow.tx,
          record,
          { status: 'delivered', data: { ...data, deliveredAt: uow.now } },
          uow.now,
        );
        uow.session.record({
          actor: employeeRef(employee.id),
          action: 'customer.export',
          subject: subjectFor(data.customerIds),
          data: {
            exportId: record.id,
            rows: rows.length,
            classes: data.classes,
            customerIds: rows.map((r) => r.id),
            approvalId: data.approvalId,
            watermark,
          },
        });
        return { exportId: record.id, rows, watermark };
      });
    },

    requestDelete: async (input) => {
      const p = parseInput(deleteSchema, input, { what: 'delete request', locale });
      const count = p.customerIds.length;
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        const employee = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        await assertNotBlocked(ctx, uow, employee.id, 'delete');
        const customers = await requireCustomers(ctx, uow, p.customerIds);
        // Attempts count before the policy is asked: a sales rep trying to delete 12 customers is the signal, allowed or not.
        const blocked = await observeActivity(ctx, uow, employee, 'delete', count, {
          customerIds: [...p.customerIds],
        });
        if (blocked) {
          refuse(blocked);
          return undefined as never;
        }
        const decided = await decideOn(ctx, uow, employee, customers, 'delete');
        const denied = denial(ctx, uow, employee.id, decided, 'customer.delete-denied', { count });
        if (denied) {
          refuse(denied);
          return undefined as never;
        }
        const approval = await startApproval(ctx, uow, {
          requester: employee.id,
          kind: 'customer-delete',
          title: deferredText('approvalTitles', 'delete', { count }),
          subject: subjectFor(p.customerIds),
          payload: { customerIds: [...p.customerIds], reason: p.reason },
          actor: employeeRef(employee.id),
        });
        uow.session.record({
          actor: employeeRef(employee.id),
          action: 'customer.delete-requested',
          subject: subjectFor(p.customerIds),
          data: { approvalId: approval.id, customerIds: [...p.customerIds], reason: p.reason },
        });
        const state = approval.state;
        return {
          approvalId: approval.id,
          customerIds: [...p.customerIds],
          status:
            state === 'approved'
              ? 'approved'
              : state === 'rejected' || state === 'withdrawn'
                ? 'rejected'
                : 'pending-approval',
        };
      });
    },
  };
}
