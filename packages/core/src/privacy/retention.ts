import * as z from 'zod';
import { ALERT_KIND } from '../alerts/alerts.js';
import type { AuditDraft } from '../audit/index.js';
import type { ActorRef } from '../domain/entities.js';
import type { RetentionKind, RetentionReport } from '../domain/progress.js';
import type { GuardContext } from '../kernel/context.js';
import { ORDER_KIND } from '../orders/orders.js';
import { FOLLOW_UP_KIND } from '../ownership/ownership.js';
import type { StoredRecord, StoreTransaction } from '../ports/store.js';
import { EXPORT_KIND } from '../requests/requests.js';
import type { TenantSettings } from '../settings/settings.js';
import { loadSettings } from '../settings/tenant-settings.js';
import type { WorkflowModule } from '../workflows/runtime/index.js';
import { timerKind } from '../workflows/runtime/timer-kind.js';
import { activeLegalHolds } from './legal-holds.js';

/** The record kind in the store of each retention kind. */
const STORED: Readonly<Record<RetentionKind, string>> = {
  followUps: FOLLOW_UP_KIND,
  orders: ORDER_KIND,
  alerts: ALERT_KIND,
  exports: EXPORT_KIND,
};

/** Whether a record past its time may be erased (records still in use are kept). */
const FINISHED: Readonly<Record<RetentionKind, (record: StoredRecord) => boolean>> = {
  followUps: () => true,
  orders: (r) => {
    const data = r.data as { readonly receivableMinor?: unknown } | null;
    return (
      ['lost', 'cancelled'].includes(r.status ?? '') ||
      (['won', 'fulfilled'].includes(r.status ?? '') && data?.receivableMinor === 0)
    );
  },
  alerts: (r) => r.status === 'resolved',
  exports: (r) => r.status === 'delivered' || r.status === 'rejected',
};

/** Who a record is about, for legal holds: the customer of a follow-up or order, the employee of an alert or export. */
const HELD_BY: Readonly<Record<RetentionKind, 'customer' | 'employee'>> = {
  followUps: 'customer',
  orders: 'customer',
  alerts: 'employee',
  exports: 'employee',
};

/** Records erased per kind in one transaction. */
const PAGE = 500;
const DAY_MS = 86_400_000;

/** The instant before which a kind's records are past their time, or `null` when the tenant keeps them. */
function cutoff(settings: TenantSettings, kind: RetentionKind, now: string): string | null {
  const days = settings.retention[kind];
  return days === null ? null : new Date(Date.parse(now) - days * DAY_MS).toISOString();
}

/**
 * One bounded retention pass in `tx`: for every kind the tenant limits, up
 * to {@link PAGE} records past their time are erased (deleted), except those
 * still in use and those a legal hold covers. Returns the report and the
 * audit entry that records it (none when there was nothing to do).
 */
export async function retentionPass(
  tx: StoreTransaction,
  tenantId: string,
  now: string,
  actor: ActorRef,
): Promise<{ report: RetentionReport; audit: AuditDraft[] }> {
  const settings = await loadSettings(tx, tenantId);
  const holds = await activeLegalHolds(tx, tenantId);
  const held = {
    customer: new Set(holds.flatMap((h) => h.covers.customerIds)),
    employee: new Set(holds.map((h) => h.covers.employeeId)),
  };
  const kinds: Partial<Record<RetentionKind, { before: string; erased: number; held: number }>> = {};
  let more = false;
  for (const kind of Object.keys(STORED) as RetentionKind[]) {
    const before = cutoff(settings, kind, now);
    if (before === null) continue;
    const result = { before, erased: 0, held: 0 };
    kinds[kind] = result;
    let cursor: string | undefined;
    let full = false;
    do {
      const page = await tx.listRecords(
        tenantId,
        { kind: STORED[kind], to: before },
        { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) },
      );
      for (const record of page.items) {
        if (!FINISHED[kind](record)) continue;
        if (record.ref !== null && held[HELD_BY[kind]].has(record.ref)) {
          result.held++;
          continue;
        }
        if (result.erased === PAGE) {
          full = true;
          break;
        }
        await tx.deleteRecord(tenantId, record.kind, record.id);
        result.erased++;
      }
      cursor = full ? undefined : (page.nextCursor ?? undefined);
    } while (cursor !== undefined);
    more ||= full;
  }
  const report: RetentionReport = { ranAt: now, kinds, more };
  const erased = Object.values(kinds).reduce((n, k) => n + k.erased, 0);
  const audit: AuditDraft[] =
    erased === 0 && Object.values(kinds).every((k) => k.held === 0)
      ? []
      : [
          {
            actor,
            action: 'privacy.retention',
            subject: { type: 'tenant', id: tenantId },
            data: { kinds, more },
          },
        ];
  return { report, audit };
}

const RETENTION_TIMER = 'privacy.retention';
const RETENTION_KEY = 'privacy-retention';
const retentionTimer = timerKind(RETENTION_TIMER, z.strictObject({ type: z.literal(RETENTION_TIMER) }));

/**
 * Keeps the tenant's retention timer in step with its settings: scheduled
 * (first pass due now) while any kind is limited, cancelled when none is.
 */
export async function syncRetentionTimer(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  settings: TenantSettings,
  now: string,
): Promise<void> {
  const limited = Object.values(settings.retention).some((days) => days !== null);
  if (!limited) {
    await tx.cancelTimer(tenantId, RETENTION_KEY);
    return;
  }
  if ((await tx.getTimer(tenantId, RETENTION_KEY)) !== null) return;
  await scheduleRetention(ctx, tx, tenantId, now, now);
}

async function scheduleRetention(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  dueAt: string,
  now: string,
) {
  await tx.scheduleTimer({
    id: ctx.ids.next('tm'),
    tenantId,
    key: RETENTION_KEY,
    workflowId: null,
    event: retentionTimer.event({ type: RETENTION_TIMER }),
    dueAt,
    createdAt: now,
  });
}

/** The worker's side of retention: a pass per firing, again at once while records are left, else a day later. */
export function retentionModule(): WorkflowModule<GuardContext> {
  const run = retentionTimer.handler<GuardContext>(async (_event, c) => {
    const settings = await loadSettings(c.tx, c.tenantId);
    if (!Object.values(settings.retention).some((days) => days !== null)) return;
    const { report, audit } = await retentionPass(c.tx, c.tenantId, c.at, { type: 'system', id: 'retention' });
    for (const draft of audit) c.session.record(draft);
    c.progress({ kind: 'retention', tenantId: c.tenantId, report });
    const next = report.more ? c.at : new Date(Date.parse(c.at) + DAY_MS).toISOString();
    await scheduleRetention(c.env, c.tx, c.tenantId, next, c.at);
  });
  return { timers: run };
}
