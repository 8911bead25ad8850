import * as z from 'zod';
import type { ActorRef, Json } from '../domain/entities.js';
import { idSchema, jsonSchema } from '../domain/entities.js';
import { type Severity, severitySchema } from '../domain/vocabulary.js';
import { NotFoundError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { DeferredText } from '../i18n/deferred-text.js';
import type { Locale } from '../i18n/locale.js';
import { alertTitle } from '../i18n/messages.js';
import { forbiddenOutsidePolicy, type GuardContext, inUnitOfWork, type UnitOfWork } from '../kernel/context.js';
import { managesEmployee, requireEmployee } from '../kernel/directory.js';
import { readableNow } from '../kernel/names.js';
import type { Page, StoreTransaction } from '../ports/store.js';
import { tenantLocale } from '../settings/tenant-settings.js';
import { recordIdOf, recordKind, type TypedRecord, upsertRecord } from '../store/records.js';

/** Alerts are records of this kind; `ref` is the employee the alert is about, `status` its status. */
export const ALERT_KIND = 'alert';
/** An active block of an employee's bulk actions; id = employee id. */
export const BLOCK_KIND = 'block';
/** The unresolved alert of a dedupe key (id = the key, `ref` = the alert id): a repeat updates it. */
const OPEN_ALERT_KIND = 'alert-open';

/**
 * An alert Guard raised (or the host raised through Guard): what happened,
 * about whom, the evidence, and where it stands.
 *
 * @example
 * ```ts
 * const { items } = await acme.alerts.list({ status: 'open' });
 * for (const a of items) console.log(a.severity, a.title, a.employeeId);
 * ```
 */
export interface AlertView {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly severity: Severity;
  /** The employee the alert is about, if any. */
  readonly employeeId: string | null;
  readonly status: 'open' | 'acknowledged' | 'resolved';
  readonly summary: string;
  readonly evidence: Readonly<Record<string, Json>>;
  /** Whether the alert blocks the employee's bulk actions until resolved. */
  readonly blocking: boolean;
  readonly raisedAt: string;
  /**
   * How many times it happened while the alert was unresolved: a repeat of
   * the same kind about the same subject updates this alert (count, last
   * seen, latest summary and evidence) instead of raising another one.
   */
  readonly count: number;
  /** When it last happened. */
  readonly lastSeenAt: string;
  readonly acknowledgedBy: string | null;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly version: number;
}

const alertDataSchema = z.object({
  kind: z.string(),
  severity: severitySchema,
  /** A catalog text rendered when read (`DeferredText`); alerts written before names were looked up at read time hold the text. */
  summary: jsonSchema,
  evidence: z.record(z.string(), jsonSchema),
  blocking: z.boolean(),
  notify: z.array(z.string()),
  acknowledgedBy: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.string().nullable(),
  /** Absent on alerts written before repeats were counted: 1. */
  count: z.int().min(1).optional(),
  /** Absent on alerts written before repeats were counted: the raise time. */
  lastSeenAt: z.string().optional(),
  /** The key repeats are matched by, if any. */
  dedupeKey: z.string().nullable().optional(),
});
type AlertData = z.output<typeof alertDataSchema>;

/** Alerts, one record each, parsed on every read and write. */
const alerts = recordKind(ALERT_KIND, alertDataSchema);

/** Alert views of records, their summaries rendered now in the tenant's language with current names. */
async function alertViews(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  records: readonly TypedRecord<AlertData>[],
): Promise<AlertView[]> {
  const locale = await tenantLocale(ctx, tx, tenantId);
  const summaries = await readableNow(
    tx,
    tenantId,
    locale,
    records.map((r) => r.data.summary),
  );
  return records.map((r, i) => alertView(locale, r, String(summaries[i])));
}

function alertView(locale: Locale, record: TypedRecord<AlertData>, summary: string): AlertView {
  const d = record.data;
  return {
    id: record.id,
    kind: d.kind,
    title: alertTitle(d.kind, locale),
    severity: d.severity,
    employeeId: record.ref,
    status: record.status as AlertView['status'],
    summary,
    evidence: d.evidence,
    blocking: d.blocking,
    raisedAt: record.at,
    count: d.count ?? 1,
    lastSeenAt: d.lastSeenAt ?? record.at,
    acknowledgedBy: d.acknowledgedBy,
    resolvedBy: d.resolvedBy,
    resolution: d.resolution,
    version: record.version,
  };
}

/**
 * Enqueues a `notify` effect outside any workflow; `key` makes it
 * idempotent per tenant.
 */
export async function enqueueNotification(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  n: { key: string; to: readonly string[]; template: string; data: Record<string, Json>; now: string },
): Promise<void> {
  if (n.to.length === 0) return;
  await tx.enqueueEffects([
    {
      id: ctx.ids.next('fx'),
      tenantId,
      idempotencyKey: n.key,
      kind: 'notify',
      payload: { template: n.template, to: [...new Set(n.to)], data: n.data },
      availableAt: n.now,
      createdAt: n.now,
    },
  ]);
}

/**
 * Raises an alert inside the unit of work: persisted as `open`, audited, and
 * the people in `notify` told through the outbox. With `blocking`, the
 * employee's bulk actions are refused until a manager resolves it.
 *
 * While an alert with the same `dedupeKey` is unresolved, raising again
 * updates that alert instead — count, last seen, the latest summary and
 * evidence — audits `alert.repeat` and notifies nobody again; its id is
 * returned. The key defaults to the kind and the employee
 * (`bulk-view:e-7`); pass one naming the subject when one employee can have
 * several of a kind at once (an agreement, a customer, a month), or `null`
 * to never merge.
 */
export async function raiseAlert(
  ctx: GuardContext,
  uow: Pick<UnitOfWork, 'tx' | 'now'> & {
    readonly tenantId: string;
    readonly record: (d: import('../audit/index.js').AuditDraft) => void;
  },
  alert: {
    readonly kind: string;
    readonly severity: Severity;
    readonly employeeId: string | null;
    /**
     * What happened, as a catalog text (`deferredText('summaries', …)`) that
     * names people and customers by reference: it is rendered when read, in
     * the tenant's language then, so an erasure or a rename reaches it.
     */
    readonly summary: DeferredText;
    readonly evidence: Record<string, Json>;
    readonly blocking?: boolean;
    readonly notify: readonly string[];
    readonly actor: ActorRef;
    readonly dedupeKey?: string | null;
  },
): Promise<string> {
  const { tx, tenantId, now } = uow;
  const key =
    alert.dedupeKey !== undefined ? alert.dedupeKey : alert.employeeId ? `${alert.kind}:${alert.employeeId}` : null;
  const dedupeKey = key === null ? null : recordIdOf(key);
  const summary = alert.summary;
  if (dedupeKey !== null) {
    const repeated = await repeatOpenAlert(uow, dedupeKey, alert);
    if (repeated) return repeated;
  }
  const id = ctx.ids.next('al');
  const data: AlertData = {
    kind: alert.kind,
    severity: alert.severity,
    summary,
    evidence: alert.evidence,
    blocking: alert.blocking ?? false,
    notify: [...alert.notify],
    acknowledgedBy: null,
    resolvedBy: null,
    resolution: null,
    count: 1,
    lastSeenAt: now,
    dedupeKey,
  };
  await alerts.insert(tx, { tenantId, id, ref: alert.employeeId, status: 'open', at: now, data }, now);
  if (dedupeKey !== null) {
    const index = { tenantId, kind: OPEN_ALERT_KIND, id: dedupeKey, ref: id, status: null, at: now };
    await upsertRecord(tx, { ...index, data: { alertId: id } }, now);
  }
  if (alert.blocking && alert.employeeId) {
    const block = { tenantId, kind: BLOCK_KIND, id: alert.employeeId, ref: id, status: 'active', at: now };
    await upsertRecord(tx, { ...block, data: { alertId: id, kind: alert.kind } }, now);
  }
  uow.record({
    actor: alert.actor,
    action: 'alert.raise',
    subject: alert.employeeId ? { type: 'employee', id: alert.employeeId } : null,
    data: {
      alertId: id,
      kind: alert.kind,
      severity: alert.severity,
      blocking: data.blocking,
      evidence: alert.evidence,
    },
  });
  await enqueueNotification(ctx, tx, tenantId, {
    key: `alert:${id}`,
    to: alert.notify,
    template: 'alert.raised',
    data: { alertId: id, kind: alert.kind, summary },
    now,
  });
  return id;
}

/** Updates the unresolved alert of `dedupeKey`, if there is one, and returns its id. */
async function repeatOpenAlert(
  uow: Parameters<typeof raiseAlert>[1],
  dedupeKey: string,
  alert: Parameters<typeof raiseAlert>[2],
): Promise<string | null> {
  const { tx, tenantId, now } = uow;
  const index = await tx.getRecord(tenantId, OPEN_ALERT_KIND, dedupeKey);
  const current = index?.ref ? await alerts.get(tx, tenantId, index.ref) : null;
  if (!current || current.status === 'resolved') return null;
  const count = (current.data.count ?? 1) + 1;
  const next: AlertData = { ...current.data, summary: alert.summary, evidence: alert.evidence, count, lastSeenAt: now };
  await alerts.update(tx, current, { data: next }, now);
  uow.record({
    actor: alert.actor,
    action: 'alert.repeat',
    subject: alert.employeeId ? { type: 'employee', id: alert.employeeId } : null,
    data: { alertId: current.id, kind: alert.kind, count, evidence: alert.evidence },
  });
  return current.id;
}

/** The id of the alert blocking the employee's bulk actions, or `null`. */
export async function activeBlock(tx: StoreTransaction, tenantId: string, employeeId: string): Promise<string | null> {
  const block = await tx.getRecord(tenantId, BLOCK_KIND, employeeId);
  return block && block.status === 'active' ? (block.data as { alertId: string }).alertId : null;
}

const listSchema = z.strictObject({
  status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  employeeId: idSchema.optional(),
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});
const changeSchema = z.strictObject({
  actor: idSchema,
  alertId: idSchema,
  note: z.string().max(2000).optional(),
});

/**
 * The alerts of a tenant: list, acknowledge, resolve. Resolving a blocking
 * alert lifts the block; only the employee's manager (up the chain) or HR
 * may resolve it, and never the employee themself.
 *
 * @example
 * ```ts
 * const [alert] = (await acme.alerts.list({ status: 'open' })).items;
 * await acme.alerts.acknowledge({ actor: 'mgr', alertId: alert.id });
 * await acme.alerts.resolve({ actor: 'mgr', alertId: alert.id, note: 'spoke to the employee; cleanup of duplicates' });
 * ```
 */
export interface AlertsApi {
  list(input?: {
    status?: AlertView['status'];
    employeeId?: string;
    cursor?: string;
    limit?: number;
  }): Promise<Page<AlertView>>;
  get(alertId: string): Promise<AlertView>;
  acknowledge(input: { actor: string; alertId: string; note?: string }): Promise<AlertView>;
  resolve(input: { actor: string; alertId: string; note?: string }): Promise<AlertView>;
}

/** Whether `actor` manages `employeeId` (directly or further up) or is HR. */
async function mayClear(tx: StoreTransaction, tenantId: string, actor: string, employeeId: string | null) {
  const [me] = await tx.getEmployees(tenantId, [actor]);
  if (!me || (me.status !== 'active' && me.status !== 'resigning')) return false;
  if (employeeId === null) return me.roles.includes('hr-admin') || me.roles.includes('manager');
  if (actor === employeeId) return false;
  if (me.roles.includes('hr-admin')) return true;
  return managesEmployee(tx, tenantId, actor, employeeId);
}

/** The tenant-scoped alerts API. */
export function alertsApi(ctx: GuardContext, tenantId: string): AlertsApi {
  const { locale } = ctx;
  const change = (to: 'acknowledged' | 'resolved') => async (input: unknown) => {
    const { actor, alertId, note } = parseInput(changeSchema, input, {
      what: to === 'acknowledged' ? 'alert acknowledgement' : 'alert resolution',
      locale,
    });
    return inUnitOfWork(ctx, tenantId, async (uow) => {
      await requireEmployee(ctx, uow.tx, tenantId, actor);
      const record = await alerts.get(uow.tx, tenantId, alertId);
      if (!record) throw new NotFoundError({ entity: 'alert', id: alertId, tenantId }, { locale });
      if (!(await mayClear(uow.tx, tenantId, actor, record.ref))) {
        throw await forbiddenOutsidePolicy(ctx, uow.tx, tenantId, actor, alertId, 'update');
      }
      const data = record.data;
      const next: AlertData =
        to === 'resolved'
          ? { ...data, resolvedBy: actor, resolution: note ?? null }
          : { ...data, acknowledgedBy: actor };
      const status = record.status === 'resolved' ? 'resolved' : to;
      const updated = await alerts.update(uow.tx, record, { status, data: next }, uow.now);
      if (to === 'resolved' && typeof data.dedupeKey === 'string') {
        const index = await uow.tx.getRecord(tenantId, OPEN_ALERT_KIND, data.dedupeKey);
        if (index?.ref === alertId) await uow.tx.deleteRecord(tenantId, OPEN_ALERT_KIND, data.dedupeKey);
      }
      if (to === 'resolved' && record.ref) {
        const block = await uow.tx.getRecord(tenantId, BLOCK_KIND, record.ref);
        if (block && block.status === 'active' && block.ref === alertId) {
          await uow.tx.putRecord(
            { ...block, status: 'cleared', version: block.version + 1, updatedAt: uow.now },
            block.version,
          );
        }
      }
      uow.session.record({
        actor: { type: 'employee', id: actor },
        action: to === 'resolved' ? 'alert.resolve' : 'alert.acknowledge',
        subject: record.ref ? { type: 'employee', id: record.ref } : null,
        data: { alertId, note: note ?? null },
      });
      return (await alertViews(ctx, uow.tx, tenantId, [updated]))[0] as AlertView;
    });
  };
  return {
    list: async (input = {}) => {
      const q = parseInput(listSchema, input, { what: 'alert query', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const page = await alerts.list(
          uow.tx,
          tenantId,
          {
            ...(q.status === undefined ? {} : { status: q.status }),
            ...(q.employeeId === undefined ? {} : { ref: q.employeeId }),
            order: 'desc',
          },
          { limit: q.limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) },
        );
        return { items: await alertViews(ctx, uow.tx, tenantId, page.items), nextCursor: page.nextCursor };
      });
    },
    get: async (alertId) => {
      const id = parseInput(idSchema, alertId, { what: 'alert id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const record = await alerts.get(uow.tx, tenantId, id);
        if (!record) throw new NotFoundError({ entity: 'alert', id, tenantId }, { locale });
        return (await alertViews(ctx, uow.tx, tenantId, [record]))[0] as AlertView;
      });
    },
    acknowledge: change('acknowledged'),
    resolve: change('resolved'),
  };
}
