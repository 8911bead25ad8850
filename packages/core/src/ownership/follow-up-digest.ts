import * as z from 'zod';
import { enqueueNotification, raiseAlert } from '../alerts/alerts.js';
import type { ActorRef } from '../domain/entities.js';
import { customerName, deferredText, employeeName } from '../i18n/deferred-text.js';
import type { GuardContext } from '../kernel/context.js';
import { DAY_MS, zoneOffsetMs } from '../policy/local-time.js';
import type { StoreTransaction, TenantRecord } from '../ports/store.js';
import { pagedItems } from '../store/pages.js';
import { recordKind } from '../store/records.js';
import { timerKind } from '../workflows/runtime/timer-kind.js';
import { followUpTimer, followUpTimerKey } from './customer-hooks.js';

/**
 * Overdue follow-ups go out as one digest per owner and local day instead of
 * one alert per customer: a rep who let 40 customers slide raises one alert
 * (updated while it stays open), and the rep and the manager get one
 * notification the next morning listing the customers.
 */

/** The digest goes out at this local hour of the next day. */
const DIGEST_HOUR = 9;
/** A digest names at most this many customers; the count says how many there are. */
const NAMED = 20;

const digestEntrySchema = z.strictObject({
  customerId: z.string(),
  /** Kept by entries written before names were looked up when the digest goes out; not read. */
  customerName: z.string().optional(),
  days: z.int(),
  /** The follow-up clock's start when the customer went overdue: a later start means a follow-up since. */
  since: z.string(),
});
/**
 * One digest per owner and local day. Its customers are records of their
 * own (below), so adding one costs the same however long the list is;
 * `customers` is where digests written before that kept them.
 */
const digests = recordKind(
  'follow-up-digest',
  z.strictObject({ ownerId: z.string(), day: z.string(), customers: z.array(digestEntrySchema).optional() }),
);
/** One overdue customer of a digest: `id` = `<digest id>:<customer id>`, `ref` = the digest's id. */
const DIGEST_ENTRY_KIND = 'follow-up-digest-entry';
const digestEntries = recordKind(DIGEST_ENTRY_KIND, digestEntrySchema);
const digestTimer = timerKind(
  'follow-up.digest',
  z.strictObject({ type: z.literal('follow-up.digest'), ownerId: z.string(), day: z.string() }),
);

/** What the follow-up timer knows when a customer crosses the alert threshold. */
export interface OverdueFollowUp {
  readonly ownerId: string;
  readonly since: string;
  readonly customerId: string;
  readonly days: number;
}

/** `YYYY-MM-DD` of `at` in the tenant's time zone, and 09:00 local of the day after, as an instant. */
function localDay(tenant: TenantRecord, at: string): { day: string; nextMorning: string } {
  const ms = Date.parse(at);
  const offset = zoneOffsetMs(tenant.timeZone, ms);
  const day = new Date(ms + offset).toISOString().slice(0, 10);
  const nextMidnightLocal = Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
  return { day, nextMorning: new Date(nextMidnightLocal + DIGEST_HOUR * 3_600_000 - offset).toISOString() };
}

/**
 * Puts an overdue customer on its owner's digest of the local day (once) and
 * makes sure the digest goes out the next morning.
 */
export async function addToFollowUpDigest(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenant: TenantRecord,
  at: string,
  overdue: OverdueFollowUp,
): Promise<void> {
  const { day, nextMorning } = localDay(tenant, at);
  const id = `${overdue.ownerId}:${day}`;
  const current = await digests.get(tx, tenant.id, id);
  if (current?.data.customers?.some((c) => c.customerId === overdue.customerId)) return;
  const entry = {
    customerId: overdue.customerId,
    days: overdue.days,
    since: overdue.since,
  };
  // Once per customer and digest: a customer already on it keeps its first entry.
  const entryId = `${id}:${overdue.customerId}`;
  if (await digestEntries.get(tx, tenant.id, entryId)) return;
  await digestEntries.insert(tx, { tenantId: tenant.id, id: entryId, ref: id, status: null, at, data: entry }, at);
  if (current) return; // its timer is already set
  await digests.insert(
    tx,
    { tenantId: tenant.id, id, ref: overdue.ownerId, status: 'pending', at, data: { ownerId: overdue.ownerId, day } },
    at,
  );
  await tx.scheduleTimer({
    id: ctx.ids.next('tm'),
    tenantId: tenant.id,
    key: `follow-up-digest:${id}`,
    workflowId: null,
    event: digestTimer.event({ type: 'follow-up.digest', ownerId: overdue.ownerId, day }),
    dueAt: nextMorning,
    createdAt: at,
  });
}

/**
 * The digest timer: of the day's overdue customers, those the owner still
 * has go to the owner and the manager in one notification, and into the
 * owner's one open follow-up alert (raised, or updated when still open).
 */
export const followUpDigestHandler = digestTimer.handler<GuardContext>(async (event, c) => {
  const ctx = c.env;
  const id = `${event.ownerId}:${event.day}`;
  const digest = await digests.get(c.tx, c.tenantId, id);
  if (!digest || digest.status === 'sent') return;
  await digests.update(c.tx, digest, { status: 'sent' }, c.at);
  const listed = [...(digest.data.customers ?? [])];
  for await (const r of pagedItems((page) =>
    c.tx.listRecords(c.tenantId, { kind: DIGEST_ENTRY_KIND, ref: id }, page),
  )) {
    listed.push(digestEntries.read(r).data);
  }
  const owned = new Set(
    (
      await c.tx.getCustomers(
        c.tenantId,
        listed.map((x) => x.customerId),
      )
    )
      .filter((x) => x.ownerId === event.ownerId)
      .map((x) => x.id),
  );
  const customers: { customerId: string; days: number; since: string }[] = [];
  for (const { customerId, days, since } of listed) {
    if (!owned.has(customerId)) continue; // reassigned or returned to the pool since
    const clock = await c.tx.getTimer(c.tenantId, followUpTimerKey(customerId));
    if (clock && followUpTimer.read(clock.event).since !== since) continue; // followed up since
    customers.push({ customerId, days, since });
  }
  if (customers.length === 0) return;
  const [owner] = await c.tx.getEmployees(c.tenantId, [event.ownerId]);
  const managerId = owner?.managerId ?? null;
  const days = Math.min(...customers.map((x) => x.days));
  // Names are looked up when the texts are read: an erased customer shows as its id.
  const names = customers.slice(0, NAMED).map((x) => customerName(x.customerId, { withId: true }));
  const system: ActorRef = { type: 'system', id: 'follow-up-rules' };
  const evidence = { day: event.day, customers, count: customers.length };
  await enqueueNotification(ctx, c.tx, c.tenantId, {
    key: `follow-up-digest:${id}`,
    to: [event.ownerId, ...(managerId ? [managerId] : [])],
    template: 'follow-up.digest',
    data: {
      ownerId: event.ownerId,
      ownerName: employeeName(event.ownerId),
      count: customers.length,
      days,
      customers: names,
    },
    now: c.at,
  });
  await raiseAlert(
    ctx,
    { tx: c.tx, now: c.at, tenantId: c.tenantId, record: (d) => c.session.record(d) },
    {
      kind: 'follow-up-overdue',
      severity: 'medium',
      employeeId: event.ownerId,
      summary: deferredText('summaries', 'followUpOverdue', {
        ownerId: event.ownerId,
        ownerName: employeeName(event.ownerId),
        count: customers.length,
        customers: names,
        days,
      }),
      evidence,
      notify: [],
      actor: system,
      dedupeKey: `follow-up-overdue:${event.ownerId}`,
    },
  );
});
