// Six months of 华东贸易, fed to Guard day by day as the HR product and the
// CRM would: the day's signals, resignations opening offboarding cases,
// customers handed over on the days the simulation hands them over, sign-offs
// on the last working day, the worker's timers and effects, a risk scan of
// every employee each night after the three-month warm-up and of every
// customer each week once someone has resigned. Guard is fed only through
// its public API, on a clock of the demo's own.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AlertView,
  type Guard,
  type ManualClock,
  memoryNotifier,
  type RiskSubjectType,
  type TenantGuard,
} from '@guard/core';
import type { SimulatedEmployee } from '@guard/testkit/simulation';
import { type ChainCompany, TENANT } from './company.js';

const DAY = 86_400_000;
/** Trends compare 30 days with the 60 before: nightly scans start after 90 days. */
const WARM_UP_DAYS = 90;
const HOST = { type: 'host', id: 'hr-product' } as const;

/** One month of the replay, for the progress lines. */
export interface ReplayMonth {
  readonly month: string;
  readonly signals: number;
  /** Risk alerts raised in the month (a score over its pack's threshold). */
  readonly riskAlerts: number;
  /** Other alerts raised in the month: follow-ups overdue, blocked actions, unsigned agreements. */
  readonly otherAlerts: number;
  readonly resignations: readonly string[];
}

export interface ReplayResult {
  readonly signals: number;
  readonly scans: number;
  readonly alerts: readonly AlertView[];
  /** Notifications the worker delivered: whom each alert was sent to. */
  readonly notified: ReadonlyMap<string, readonly string[]>;
  /** Offboarding case per leaver. */
  readonly cases: ReadonlyMap<string, string>;
  /** Employee alerts in the order they were raised, with that night's reasons. */
  readonly raised: readonly RaisedAlert[];
}

/** Scans every subject of a type; returns the alerts raised. */
async function scanAll(acme: TenantGuard, subject: RiskSubjectType): Promise<number> {
  let cursor: string | undefined;
  let raised = 0;
  do {
    const page = await acme.risk.scan({ subject, cursor, limit: 500 });
    raised += page.alertsRaised;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return raised;
}

/** An employee alert as it was raised: the score and its reasons that night, in both languages. */
export interface RaisedAlert {
  readonly alertId: string;
  readonly employeeId: string;
  readonly pack: string;
  readonly raisedAt: string;
  readonly score: number;
  readonly reasons: { readonly en: readonly string[]; readonly 'zh-CN': readonly string[] };
}

/**
 * Replays the company's history into `guard` (already holding its directory
 * and customers), ending with the clock at the end of its last day. Calls
 * `onMonth` as each month ends.
 */
export async function replayHistory(
  guard: Guard,
  clock: ManualClock,
  company: ChainCompany,
  options: { filesDir: string; onMonth?: (month: ReplayMonth) => void },
): Promise<ReplayResult> {
  const acme = guard.tenant(TENANT.id);
  const notifier = memoryNotifier();
  // 华东贸易 has no CRM connected: owner changes live in Guard alone.
  const worker = guard.worker({ notifier, crm: { connectors: [] } });
  const { cast } = company;
  const managerOf = new Map(company.employees.map((e) => [e.id, e.managerId ?? cast.ceo.employeeId]));
  const byDay = new Map<string, typeof company.signals>();
  for (const s of company.signals) {
    const key = s.at.slice(0, 10);
    const list = byDay.get(key) ?? [];
    list.push(s);
    byDay.set(key, list);
  }
  const resigning = new Map<string, SimulatedEmployee[]>();
  const leaving = new Map<string, SimulatedEmployee[]>();
  for (const e of company.leavers) {
    resigning.set(e.resignationDate as string, [...(resigning.get(e.resignationDate as string) ?? []), e]);
    leaving.set(e.lastWorkingDay as string, [...(leaving.get(e.lastWorkingDay as string) ?? []), e]);
  }
  const handedOver = new Map<string, typeof company.handovers>();
  for (const c of company.handovers) {
    const key = c.handedOverOn as string;
    handedOver.set(key, [...(handedOver.get(key) ?? []), c]);
  }
  const cases = new Map<string, string>();
  const raised: RaisedAlert[] = [];
  let signals = 0;
  let scans = 0;
  const newMonth = (key: string) => ({ month: key, signals: 0, resignations: [] as string[] });
  let month = newMonth(company.from.slice(0, 7));
  /** Alerts raised so far, risk and other: a month's are the difference. */
  let before = { risk: 0, other: 0 };
  const monthEnds = async () => {
    const alerts = await allAlerts(acme);
    const risk = alerts.filter((a) => a.kind === 'risk-threshold').length;
    const now = { risk, other: alerts.length - risk };
    options.onMonth?.({ ...month, riskAlerts: now.risk - before.risk, otherAlerts: now.other - before.other });
    before = now;
  };

  const start = Date.parse(`${company.from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${company.to}T00:00:00Z`) - start) / DAY);
  for (let d = 0; d < days; d++) {
    const key = new Date(start + d * DAY).toISOString().slice(0, 10);
    if (key.slice(0, 7) !== month.month) {
      await monthEnds();
      month = newMonth(key.slice(0, 7));
    }
    clock.set(Date.parse(`${key}T23:59:00Z`));
    const today = byDay.get(key) ?? [];
    for (let i = 0; i < today.length; i += 1_000) {
      await acme.signals.record(today.slice(i, i + 1_000), { actor: HOST });
    }
    signals += today.length;
    month.signals += today.length;

    // HR enters a resignation: the case opens and the account is restricted at once.
    for (const e of resigning.get(key) ?? []) {
      const kase = await acme.offboarding.start({
        actor: cast.hr.employeeId,
        employeeId: e.id,
        resignationDate: e.resignationDate as string,
        lastWorkingDay: e.lastWorkingDay as string,
        reason: e.fate === 'poacher' ? '个人原因' : '家庭原因，回老家发展',
      });
      cases.set(e.id, kase.id);
      month.resignations.push(e.id);
    }
    // The leaver names the colleague who takes each customer over, on the day the simulation hands it over.
    const byLeaver = new Map<string, string[][]>();
    for (const c of handedOver.get(key) ?? []) {
      if (!cases.has(c.ownerId)) continue;
      byLeaver.set(c.ownerId, [...(byLeaver.get(c.ownerId) ?? []), [c.id, c.newOwnerId as string]]);
    }
    for (const [leaverId, pairs] of byLeaver) {
      const caseId = cases.get(leaverId) as string;
      const view = await acme.offboarding.get(caseId);
      const successor = new Map(pairs.map(([c, s]) => [c, s]));
      const items = view.items
        .filter((i) => i.kind === 'customer' && i.status === 'open' && successor.has(i.customerId ?? ''))
        .map((i) => ({ itemId: i.id, successorId: successor.get(i.customerId ?? '') as string }));
      if (items.length > 0) await acme.offboarding.submitItems({ actor: leaverId, caseId, items });
    }
    // The last working day: the rest of the checklist, the review, three sign-offs; Guard moves the customers.
    for (const e of leaving.get(key) ?? []) {
      const caseId = cases.get(e.id) as string;
      await finishHandover(acme, caseId, e.id, managerOf.get(e.id) as string, company, options.filesDir);
    }

    await worker.runDue();
    if (d >= WARM_UP_DAYS) {
      if ((await scanAll(acme, 'employee')) > 0) await noteRaised(acme, raised);
      scans++;
    }
    const someoneResigned = company.leavers.some((e) => (e.resignationDate as string) <= key);
    if (someoneResigned && new Date(start + d * DAY).getUTCDay() === 0) {
      await scanAll(acme, 'customer');
      scans++;
    }
  }
  await worker.runDue();
  await monthEnds();
  const alerts = await allAlerts(acme);
  const notified = new Map<string, string[]>();
  for (const alert of alerts) {
    notified.set(
      alert.id,
      notifier.sent.filter((n) => JSON.stringify(n).includes(alert.id)).flatMap((n) => [...n.to]),
    );
  }
  return { signals, scans, alerts, notified, cases, raised };
}

/** Every alert of the tenant (or those with one status), page by page. */
async function allAlerts(acme: TenantGuard, only?: AlertView['status']): Promise<AlertView[]> {
  const out: AlertView[] = [];
  for (const status of only ? [only] : (['open', 'acknowledged', 'resolved'] as const)) {
    let cursor: string | undefined;
    do {
      const page = await acme.alerts.list({ status, limit: 200, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}

/** Adds the employee alerts raised since the last call, with the reasons their scores give now. */
async function noteRaised(acme: TenantGuard, raised: RaisedAlert[]): Promise<void> {
  const seen = new Set(raised.map((r) => r.alertId));
  for (const alert of await allAlerts(acme, 'open')) {
    const evidence = alert.evidence as { pack?: { id?: string }; subject?: { type?: string; id?: string } };
    if (seen.has(alert.id) || evidence.subject?.type !== 'employee' || !evidence.pack?.id || !alert.employeeId)
      continue;
    const [score] = await acme.risk.score({ type: 'employee', id: alert.employeeId }, { pack: evidence.pack.id });
    raised.push({
      alertId: alert.id,
      employeeId: alert.employeeId,
      pack: evidence.pack.id,
      raisedAt: alert.raisedAt,
      score: score?.score ?? 0,
      reasons: {
        en: score?.fired.map((f) => f.explanation.en) ?? [],
        'zh-CN': score?.fired.map((f) => f.explanation['zh-CN']) ?? [],
      },
    });
  }
}

/** Submits what is left (the customers' signed confirmations kept as files), then review and sign-offs. */
async function finishHandover(
  acme: TenantGuard,
  caseId: string,
  leaverId: string,
  managerId: string,
  company: ChainCompany,
  filesDir: string,
): Promise<void> {
  const view = await acme.offboarding.get(caseId);
  const successorOf = new Map(company.handovers.map((c) => [c.id, c.newOwnerId as string]));
  const items = [];
  for (const item of view.items.filter((i) => i.status === 'open')) {
    if (item.kind === 'customer') {
      items.push({ itemId: item.id, successorId: successorOf.get(item.customerId ?? '') ?? managerId });
    } else if (item.kind === 'confirmation') {
      // The host keeps the signed letter; Guard keeps a reference to it, in the audit chain.
      const fileRef = join(caseId, `${item.id}.txt`);
      await mkdir(join(filesDir, caseId), { recursive: true });
      await writeFile(join(filesDir, fileRef), `客户交接确认函\n${item.title}\n客户已确认由继任销售接手。\n`);
      items.push({ itemId: item.id, fileRef: `files/${fileRef}` });
    } else {
      items.push({ itemId: item.id, note: '已交接' });
    }
  }
  if (items.length > 0) await acme.offboarding.submitItems({ actor: leaverId, caseId, items });
  await acme.offboarding.submitHandover({ actor: leaverId, caseId });
  const submitted = (await acme.offboarding.get(caseId)).items.filter((i) => i.status === 'submitted');
  await acme.offboarding.acceptItems({ actor: managerId, caseId, itemIds: submitted.map((i) => i.id) });
  await acme.offboarding.signOff({ actor: managerId, caseId });
  await acme.offboarding.signOff({ actor: company.cast.hr.employeeId, caseId });
  await acme.offboarding.signOff({ actor: company.cast.finance.employeeId, caseId, receivablesConfirmed: true });
}
