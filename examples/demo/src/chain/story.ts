// What happened at 华东贸易, told from Guard's records: the poacher Guard
// caught before she resigned, the salesman who left cleanly, and the audit
// chain that holds it all. Every figure is read back through Guard's API.
import type { Locale } from '@guard/core';
import { texts } from '@guard/example-hr-portal';
import type { SeededDemo } from './seed.js';

const DAY = 86_400_000;
const EXFILTRATION = 'employee-data-exfiltration';
const FLIGHT = 'employee-flight-risk';
const DIVERSION = 'post-departure-order-diversion';

/** What the story claims; `main.ts` fails the run when a claim does not hold. */
export interface ChainFindings {
  readonly poacherAlertedOn: string | null;
  /** Days from the poacher's first data-exfiltration alert to her resignation (negative: after). */
  readonly poacherLeadDays: number | null;
  /** Who the worker told about that alert. */
  readonly poacherAlertSentTo: readonly string[];
  readonly poachersCustomers: number;
  /** Customers the poacher really took (the simulation knows). */
  readonly diverted: number;
  /** Of those, flagged by Guard's diversion pack. */
  readonly divertedFlagged: number;
  /** Customers flagged for diversion that were not taken. */
  readonly flaggedNotDiverted: number;
  readonly leaverAlerts: readonly string[];
  readonly leaversCustomers: number;
  /** The leaver's customers Guard now has under the successor the handover named. */
  readonly leaversCustomersMoved: number;
  readonly leaversCustomersFlagged: number;
  readonly leaverCase: string;
  readonly leaverStatus: string;
  readonly poacherCase: string;
  readonly auditOk: boolean;
  readonly auditEntries: number;
  /** Whom the poacher's alert must reach, and must not. */
  readonly poachersManager: string;
  readonly poacher: string;
}

/** The claims the story makes that the findings do not bear out (none, when the story is true). */
export function unmetClaims(f: ChainFindings): string[] {
  const claims: [string, boolean][] = [
    ['the poacher is alerted at least two weeks before she resigns', (f.poacherLeadDays ?? -1) >= 14],
    [
      'her manager is told and she is not',
      f.poacherAlertSentTo.includes(f.poachersManager) && !f.poacherAlertSentTo.includes(f.poacher),
    ],
    ['most customers she took are flagged', f.divertedFlagged * 2 > f.diverted],
    ['no data-exfiltration alert on the clean leaver', !f.leaverAlerts.includes('employee-data-exfiltration')],
    [
      'his customers are under their successors',
      f.leaversCustomers > 0 && f.leaversCustomersMoved === f.leaversCustomers,
    ],
    ['few of his customers are flagged for diversion', f.leaversCustomersFlagged * 10 <= f.leaversCustomers],
    ['his case is closed and his account frozen', f.leaverCase === 'closed' && f.leaverStatus === 'frozen'],
    ['the audit chain verifies', f.auditOk],
  ];
  return claims.filter(([, holds]) => !holds).map(([claim]) => claim);
}

/** Tells the story through `say` in `locale`; returns what it found. */
export async function tellChainStory(
  demo: SeededDemo,
  say: (line: string) => void,
  locale: Locale,
): Promise<ChainFindings> {
  const zh = locale === 'zh-CN';
  const t = texts(locale);
  const caseState = (state: string) => t.caseState[state] ?? state;
  const status = (s: string) => (t.employeeStatus as Record<string, string>)[s] ?? s;
  const { acme, company, replay } = demo;
  const { cast, simulation } = company;
  const names = new Map(company.employees.map((e) => [e.id, e.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const leaverOf = (id: string) => company.leavers.find((e) => e.id === id);
  const poacher = leaverOf(cast.poacher.employeeId);
  const leaver = leaverOf(cast.leaver.employeeId);
  if (!poacher || !leaver) throw new Error('the demo company has no poacher or no leaver');
  const dayOf = (iso: string) => iso.slice(0, 10);
  const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY);

  // ── the poacher ──
  const first = replay.raised.find((r) => r.employeeId === poacher.id && r.pack === EXFILTRATION) ?? null;
  const lead = first ? daysBetween(dayOf(first.raisedAt), poacher.resignationDate as string) : null;
  const sentTo = first ? [...new Set(replay.notified.get(first.alertId) ?? [])] : [];
  const ownedBy = (id: string) => simulation.customers.filter((c) => c.ownerId === id);
  const flagged = new Set(
    replay.alerts
      .filter((a) => (a.evidence as { pack?: { id?: string } }).pack?.id === DIVERSION)
      .map((a) => (a.evidence as { subject?: { id?: string } }).subject?.id),
  );
  const poachers = ownedBy(poacher.id);
  const diverted = poachers.filter((c) => c.fate === 'diverted');
  const divertedFlagged = diverted.filter((c) => flagged.has(c.id));
  const flaggedNotDiverted = poachers.filter((c) => c.fate !== 'diverted' && flagged.has(c.id)).length;
  const poacherCase = await acme.offboarding.get(replay.cases.get(poacher.id) as string);

  say('');
  say(
    zh
      ? `① ${nameOf(poacher.id)}（${nameOf(cast.poachersManager.employeeId)}的分公司，销售）悄悄转移客户。`
      : `① ${nameOf(poacher.id)} (a salesperson in ${nameOf(cast.poachersManager.employeeId)}'s branch) quietly moves her customers out.`,
  );
  if (first && lead !== null) {
    say(
      zh
        ? `   ${dayOf(first.raisedAt)}，Guard 的「客户数据外泄」规则包评分 ${first.score}，发出警报——比她 ${poacher.resignationDate} 提出离职早 ${lead} 天。`
        : `   On ${dayOf(first.raisedAt)} Guard's data-exfiltration pack scored her ${first.score} and raised an alert: ${lead} days before she resigned on ${poacher.resignationDate}.`,
    );
    say(zh ? '   当晚的理由：' : '   The reasons that night:');
    for (const reason of first.reasons[zh ? 'zh-CN' : 'en']) say(`     · ${reason}`);
    say(
      zh
        ? `   通知了：${sentTo.map(nameOf).join('、') || '（无）'}；她本人${sentTo.includes(poacher.id) ? '也收到了' : '没有收到'}。`
        : `   Told: ${sentTo.map(nameOf).join(', ') || '(nobody)'}; she herself was ${sentTo.includes(poacher.id) ? 'told too' : 'not told'}.`,
    );
  } else {
    say(zh ? '   Guard 没有在她离职前发出外泄警报。' : '   Guard raised no data-exfiltration alert on her.');
  }
  say(
    zh
      ? `   她于 ${poacher.lastWorkingDay} 离开，交接单${caseState(poacherCase.state)}。她的 ${poachers.length} 个客户中有 ${diverted.length} 个实际被带走（模拟数据知道真相）；Guard 的「离职后订单转移」规则包标记了其中 ${divertedFlagged.length} 个，另有 ${flaggedNotDiverted} 个被标记但仍在下单——这份名单交给 HR 逐一挽回。`
      : `   She left on ${poacher.lastWorkingDay}; her case is ${caseState(poacherCase.state)}. Of her ${poachers.length} customers, ${diverted.length} really went with her (the simulation knows); Guard's order-diversion pack flagged ${divertedFlagged.length} of them, and ${flaggedNotDiverted} that kept ordering: the list HR works through to win them back.`,
  );

  // ── the clean departure ──
  const leaverRaised = replay.raised.filter((r) => r.employeeId === leaver.id);
  const leaverCase = await acme.offboarding.get(replay.cases.get(leaver.id) as string);
  const leaverStatus = (await acme.directory.employee(leaver.id)).status;
  const his = ownedBy(leaver.id);
  const successors = new Map(company.handovers.map((c) => [c.id, c.newOwnerId]));
  let moved = 0;
  for (const c of his) {
    const view = await acme.customers.read({ actor: cast.hr.employeeId, customerId: c.id });
    if (view.ownerId !== null && view.ownerId === successors.get(c.id)) moved++;
  }
  const hisFlagged = his.filter((c) => flagged.has(c.id)).length;
  const takers = new Set(his.map((c) => successors.get(c.id)));
  say('');
  say(
    zh
      ? `② ${nameOf(leaver.id)}（${nameOf(cast.leaversManager.employeeId)}的分公司）${leaver.resignationDate} 提出离职，账号当即受限；${leaver.lastWorkingDay} 最后一天。`
      : `② ${nameOf(leaver.id)} (in ${nameOf(cast.leaversManager.employeeId)}'s branch) resigned on ${leaver.resignationDate}, restricted at once; his last day was ${leaver.lastWorkingDay}.`,
  );
  const flight = leaverRaised.find((r) => r.pack === FLIGHT);
  if (flight) {
    say(
      zh
        ? `   ${dayOf(flight.raisedAt)} Guard 给出「离职风险」警报（${flight.score} 分：${flight.reasons['zh-CN'].join('；')}）——一次留人谈话的提醒，不是指控。`
        : `   On ${dayOf(flight.raisedAt)} Guard raised a flight-risk alert (${flight.score}: ${flight.reasons.en.join('; ')}): a prompt for a conversation, not an accusation.`,
    );
  }
  const exfiltration = leaverRaised.some((r) => r.pack === EXFILTRATION);
  say(
    zh
      ? `   ${exfiltration ? '另有一条「客户数据外泄」警报，需要复核。' : '没有「客户数据外泄」警报。'}交接：${his.length} 个客户分给 ${takers.size} 位同事、客户确认函、主管/HR/财务三方会签 → ${caseState(leaverCase.state)}；账号${status(leaverStatus)}。`
      : `   ${exfiltration ? 'A data-exfiltration alert too, to review.' : 'No data-exfiltration alert.'} Handover: ${his.length} customers to ${takers.size} colleagues, the customers' confirmations, manager/HR/finance sign-offs → ${caseState(leaverCase.state)}; account ${status(leaverStatus)}.`,
  );
  say(
    zh
      ? `   Guard 中 ${moved}/${his.length} 个客户已归到交接时指定的继任人名下；被标记为订单转移的：${hisFlagged} 个。`
      : `   In Guard, ${moved} of his ${his.length} customers are now under the successor the handover named; flagged for diversion: ${hisFlagged}.`,
  );

  // ── the audit chain ──
  const verified = await acme.audit.verify();
  say('');
  say(
    zh
      ? `③ 审计链校验：${verified.ok ? '完整' : '已损坏'}，共 ${verified.entries.toLocaleString('zh-CN')} 条记录——每次查看、交接、会签、警报都在其中，可作为证据导出。`
      : `③ The audit chain verifies: ${verified.ok ? 'intact' : 'BROKEN'}, ${verified.entries.toLocaleString('en')} entries — every read, handover, sign-off and alert, exportable as evidence.`,
  );
  return {
    poacherAlertedOn: first ? dayOf(first.raisedAt) : null,
    poacherLeadDays: lead,
    poacherAlertSentTo: sentTo,
    poachersCustomers: poachers.length,
    diverted: diverted.length,
    divertedFlagged: divertedFlagged.length,
    flaggedNotDiverted,
    leaverAlerts: leaverRaised.map((r) => r.pack),
    leaversCustomers: his.length,
    leaversCustomersMoved: moved,
    leaversCustomersFlagged: hisFlagged,
    leaverCase: leaverCase.state,
    leaverStatus,
    poacherCase: poacherCase.state,
    auditOk: verified.ok,
    auditEntries: verified.entries,
    poachersManager: cast.poachersManager.employeeId,
    poacher: poacher.id,
  };
}
