import { activeBlock, raiseAlert } from '../alerts/alerts.js';
import type { ActorRef, Json } from '../domain/entities.js';
import { ActorBlockedError } from '../errors/guard-error.js';
import { deferredText, employeeName } from '../i18n/deferred-text.js';
import type { GuardContext, UnitOfWork } from '../kernel/context.js';
import { DAY_MS, isoWeekday, zoneOffsetMs } from '../policy/local-time.js';
import type { EmployeeRecord } from '../ports/store.js';
import { appendCounting } from '../risk/ledger-store.js';
import type { SignalKind } from '../risk/signals.js';
import type { TenantSettings } from '../settings/settings.js';
import { loadSettings } from '../settings/tenant-settings.js';

/**
 * What the anomaly detector counts per employee, each in its own sliding
 * window with a per-tenant limit (lower while the employee is resigning).
 *
 * @example
 * ```ts
 * import type { ActivitySignal } from '@guard/core';
 * const signal: ActivitySignal = 'delete';
 * ```
 */
export type ActivitySignal = 'view' | 'export' | 'delete' | 'ownershipChange' | 'afterHours' | 'denied';

const ALERT_KIND_OF: Readonly<Record<ActivitySignal, string>> = {
  view: 'bulk-view',
  export: 'bulk-export',
  delete: 'bulk-delete',
  ownershipChange: 'bulk-ownership-change',
  afterHours: 'after-hours-access',
  denied: 'repeated-denied-access',
};

/** Signals whose breach only warns: the action itself was allowed (after hours) or already refused (denied). */
const WARN_ONLY: ReadonlySet<ActivitySignal> = new Set(['afterHours', 'denied']);

/** Whether `at` falls outside the tenant's working hours, in its time zone. */
export function isAfterHours(settings: TenantSettings, timeZone: string, at: Date): boolean {
  const ms = at.getTime();
  const local = ms + zoneOffsetMs(timeZone, ms);
  const day = Math.floor(local / DAY_MS);
  const minutes = Math.floor((local - day * DAY_MS) / 60_000);
  const weekday = isoWeekday(day);
  const { start, end, weekdays } = settings.anomaly.workingHours;
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  if (!weekdays.includes(weekday)) return true;
  return minutes < toMin(start) || minutes >= toMin(end);
}

/** The limit for an employee: lower while resigning. */
function limitFor(settings: TenantSettings, signal: ActivitySignal, employee: EmployeeRecord) {
  const base = settings.anomaly[signal].limit;
  return employee.status === 'resigning' ? Math.max(1, Math.floor(base * settings.anomaly.resigningFactor)) : base;
}

/**
 * Refuses a bulk action of a blocked employee with `ActorBlockedError`.
 * (Call it before doing anything; nothing needs to commit.)
 */
export async function assertNotBlocked(ctx: GuardContext, uow: UnitOfWork, employeeId: string, action: string) {
  const alertId = await activeBlock(uow.tx, uow.tenant.id, employeeId);
  if (alertId) throw new ActorBlockedError({ actorId: employeeId, action, alertId }, { locale: ctx.locale });
}

/** How a single read by a blocked employee is narrowed; see {@link blockedRead}. */
export interface BlockedRead {
  /** The alert that blocks the employee. */
  readonly alertId: string;
  /** Refuse the read (`whileBlocked.reads: 'deny'`). */
  readonly deny: boolean;
  /** Otherwise, the field classes still shown, at most as the policy would. */
  readonly classes: readonly string[];
}

/**
 * What the tenant's `anomaly.whileBlocked` setting makes of a single read
 * by `employeeId`: `null` while the employee is not blocked.
 */
export async function blockedRead(
  _ctx: GuardContext,
  uow: UnitOfWork,
  employeeId: string,
): Promise<BlockedRead | null> {
  const alertId = await activeBlock(uow.tx, uow.tenant.id, employeeId);
  if (!alertId) return null;
  const { whileBlocked } = (await loadSettings(uow.tx, uow.tenant.id)).anomaly;
  return { alertId, deny: whileBlocked.reads === 'deny', classes: whileBlocked.readClasses };
}

/** The risk signal each observed activity feeds (ownership changes have none). */
const RISK_SIGNAL_OF: Readonly<Record<ActivitySignal, SignalKind | null>> = {
  view: 'view',
  export: 'export',
  delete: 'delete',
  afterHours: 'after-hours',
  denied: null,
  ownershipChange: null,
};

/**
 * Counts `count` events of `signal` by `employee` (plus one after-hours
 * event when outside working hours). On a breach it raises a blocking alert
 * (notifying the employee's manager) and returns the
 * `ActorBlockedError` the caller must throw after the transaction commits —
 * the alert must survive while the action is refused.
 */
export async function observeActivity(
  ctx: GuardContext,
  uow: UnitOfWork,
  employee: EmployeeRecord,
  signal: ActivitySignal,
  count: number,
  evidence: Record<string, Json>,
): Promise<ActorBlockedError | null> {
  const settings = await loadSettings(uow.tx, uow.tenant.id);
  const at = new Date(uow.now);
  const signals: [ActivitySignal, number][] = [[signal, count]];
  if (!WARN_ONLY.has(signal) && isAfterHours(settings, uow.tenant.timeZone, at)) signals.push(['afterHours', 1]);
  const counted = signals.filter(([, n]) => n > 0);
  // The risk ledger and the windows are one set of counters: one read and one write of the employee's record.
  const { windows } = await appendCounting(
    uow.tx,
    uow.tenant.id,
    uow.now,
    counted.flatMap(([s, n]) => {
      const kind = RISK_SIGNAL_OF[s];
      return kind ? [{ kind, employeeId: employee.id, at: uow.now, value: n }] : [];
    }),
    {
      subject: { type: 'employee', id: employee.id },
      at: at.getTime(),
      counts: counted.map(([s, n]) => ({
        name: s,
        count: n,
        windowMs: settings.anomaly[s].windowMinutes * 60_000,
        limit: limitFor(settings, s, employee),
      })),
    },
  );
  let blocked: ActorBlockedError | null = null;
  for (const [i, [s]] of counted.entries()) {
    const result = windows[i] as (typeof windows)[number];
    const limit = limitFor(settings, s, employee);
    if (!result.breach || blocked) continue;
    const existing = await activeBlock(uow.tx, uow.tenant.id, employee.id);
    const notify = employee.managerId ? [employee.managerId] : [];
    const actor: ActorRef = { type: 'system', id: 'anomaly-detector' };
    const alertId =
      existing ??
      (await raiseAlert(
        ctx,
        { tx: uow.tx, now: uow.now, tenantId: uow.tenant.id, record: (d) => uow.session.record(d) },
        {
          kind: ALERT_KIND_OF[s],
          severity: employee.status === 'resigning' ? 'critical' : 'high',
          employeeId: employee.id,
          summary: deferredText('summaries', 'anomaly', {
            name: employeeName(employee.id),
            employeeId: employee.id,
            activity: s,
            count: result.inWindow,
            windowMinutes: settings.anomaly[s].windowMinutes,
            limit,
            resigning: employee.status === 'resigning',
          }),
          evidence: {
            ...evidence,
            signal: s,
            count: result.inWindow,
            limit,
            windowMinutes: settings.anomaly[s].windowMinutes,
            status: employee.status,
          },
          blocking: !WARN_ONLY.has(s),
          notify,
          actor,
        },
      ));
    if (!WARN_ONLY.has(s)) {
      blocked = new ActorBlockedError({ actorId: employee.id, action: signal, alertId }, { locale: ctx.locale });
    }
  }
  return blocked;
}
