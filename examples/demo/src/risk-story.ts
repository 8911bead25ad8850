import { type Guard, memoryNotifier, type OrderInput, type SignalInput } from '@guard/core';
import { customers, employees, people, tenant } from './company.js';
import type { StoryStep } from './story-types.js';

const DAY = 86_400_000;
const t = (guard: Guard) => guard.tenant(tenant.id);
const iso = (ms: number) => new Date(ms).toISOString();

/** A score band in the story's language. */
const bandText = (band: 'alert' | 'watch' | 'normal', zh: boolean) =>
  zh ? { alert: '警报', watch: '关注', normal: '正常' }[band] : band;

/** Li Lei's customers when the story starts. */
const formerCustomers = () => customers().filter((c) => c.ownerId === people.rep);

/**
 * ⑫ While Li Lei works his notice, the HR product reports what only it knows
 * (résumé updates, job-site visits, a competitor contact, leave, and the
 * customer rows he exported late at night), and the CRM reports his
 * customers' orders of the last six months. Guard scores him with the
 * default packs: flight risk has nothing left to predict once he has
 * resigned, and the data-exfiltration pack, weighted up in the departing
 * window, raises one alert.
 */
export const riskWatch: StoryStep = {
  name: 'risk-watch',
  async run(guard, memo, say, zh) {
    const now = Date.parse(memo.now);
    const id = (name: string) => `${memo.runTag}:${name}`;
    const host: SignalInput[] = [
      { kind: 'resume-update', employeeId: people.rep, at: iso(now - 20 * DAY), id: id('cv-1') },
      { kind: 'resume-update', employeeId: people.rep, at: iso(now - 6 * DAY), id: id('cv-2') },
      ...[18, 15, 11, 8, 3].map((d) => ({
        kind: 'job-site-visit' as const,
        employeeId: people.rep,
        at: iso(now - d * DAY),
        id: id(`job-${d}`),
      })),
      { kind: 'competitor-contact', employeeId: people.rep, at: iso(now - 9 * DAY), id: id('rival-1') },
      { kind: 'leave', employeeId: people.rep, at: iso(now - 12 * DAY), value: 3, id: id('leave-1') },
      { kind: 'export', employeeId: people.rep, at: iso(now - 2 * DAY), value: 600, id: id('export-1') },
      ...[5, 4, 3, 2, 1].map((d) => ({
        kind: 'after-hours' as const,
        employeeId: people.rep,
        at: iso(now - d * DAY),
        id: id(`night-${d}`),
      })),
    ];
    // Six months of orders from the CRM: every former customer of Li Lei ordered monthly.
    const orders: OrderInput[] = formerCustomers().flatMap((c, i) =>
      Array.from({ length: 6 }, (_, m) => ({
        id: id(`order-${c.id}-${m}`),
        customerId: c.id,
        ownerId: people.rep,
        amountMinor: (20_000 + i * 5_000) * 100,
        currency: 'CNY',
        orderedAt: iso(now - (m * 30 + 5 + i) * DAY),
        status: 'won' as const,
      })),
    );
    const recorded = await t(guard).signals.record(host, { actor: { type: 'host', id: 'hr-product' } });
    const synced = await t(guard).orders.upsert(orders, { actor: { type: 'host', id: 'crm-sync' } });
    const scores = await t(guard).risk.score({ type: 'employee', id: people.rep });
    const scan = await t(guard).risk.scan({ subject: 'employee' });
    const flight = scores.find((s) => s.pack.id === 'employee-flight-risk');
    const exfiltration = scores.find((s) => s.pack.id === 'employee-data-exfiltration');
    memo.findings.flightRisk = flight?.score ?? -1;
    memo.findings.exfiltrationRisk = exfiltration?.score ?? -1;
    memo.findings.riskAlertsRaised = scan.alertsRaised;
    say('');
    say(
      zh
        ? `⑫ HR 系统上报 ${host.length} 条信号（新记录 ${recorded.recorded} 条）、CRM 同步 ${orders.length} 笔订单（新增 ${synced.created} 笔）；李雷的风险评分：`
        : `⑫ The HR product reports ${host.length} signals (${recorded.recorded} new) and the CRM syncs ${orders.length} orders (${synced.created} new); Li Lei's risk scores:`,
    );
    for (const s of scores) {
      say(`   ${s.pack.id}@${s.pack.version}: ${s.score} (${bandText(s.band, zh)})`);
      if (s.pack.id === 'employee-flight-risk' && s.score === 0 && s.fired.length > 0) {
        say(
          zh
            ? '     （已提出离职：离职风险不再预测，改由数据外泄规则监控）'
            : '     (he has resigned: flight risk has nothing left to predict; data exfiltration watches now)',
        );
      }
      for (const f of s.fired.filter((x) => x.points > 0)) {
        say(`     +${f.points} ${zh ? f.explanation['zh-CN'] : f.explanation.en}`);
      }
    }
    say(
      zh
        ? `   定时扫描评分 ${scan.scored} 名员工 → 新预警 ${scan.alertsRaised} 条（再扫描不会重复预警）`
        : `   The scheduled scan scores ${scan.scored} employees → ${scan.alertsRaised} new alert(s) (scanning again does not repeat them)`,
    );
  },
};

/** Whether an ISO time falls on a weekday in Shanghai. */
const workday = (ms: number) => {
  const day = new Date(ms + 8 * 3_600_000).getUTCDay();
  return day !== 0 && day !== 6;
};

/**
 * ⑬ Two colleagues in Hangzhou, two very different stories. Sun Li is still
 * on the job, but for three weeks she has read her customers' records at
 * three times her usual rate, exported her customer list at night, updated
 * her résumé and met a competitor. Zhou Jie updated his résumé once, weeks
 * ago, and resigns today with nothing else out of the ordinary. The
 * scheduled scan alerts on Sun Li before she has resigned — to her manager
 * and HR, not to her, while there is time to talk — and leaves Zhou Jie
 * alone: his account is restricted as every leaver's is, and that is all.
 */
export const earlyWarning: StoryStep = {
  name: 'early-warning',
  async run(guard, memo, say, zh) {
    const now = Date.parse(memo.now);
    const id = (name: string) => `${memo.runTag}:${name}`;
    // 90 days of record views from the host's access log: about 25 a working day each, until Sun Li's last three weeks.
    const history: SignalInput[] = [];
    for (let d = 90; d >= 1; d--) {
      const at = now - d * DAY;
      if (!workday(at)) continue;
      history.push(
        { kind: 'view', employeeId: people.poacher, at: iso(at), value: d <= 21 ? 75 : 25, id: id(`views-sl-${d}`) },
        { kind: 'view', employeeId: people.leaver, at: iso(at), value: 25, id: id(`views-zj-${d}`) },
      );
    }
    const night = (d: number) => iso(now - d * DAY + 12 * 3_600_000); // 22:00 in Shanghai
    const signs: SignalInput[] = [
      { kind: 'resume-update', employeeId: people.poacher, at: iso(now - 16 * DAY), id: id('cv-sl') },
      ...[14, 9].map((d) => ({
        kind: 'job-site-visit' as const,
        employeeId: people.poacher,
        at: iso(now - d * DAY),
        id: id(`job-sl-${d}`),
      })),
      { kind: 'competitor-contact', employeeId: people.poacher, at: iso(now - 6 * DAY), id: id('rival-sl') },
      { kind: 'export', employeeId: people.poacher, at: night(4), value: 350, id: id('export-sl') },
      ...[4, 3, 2, 1].map((d) => ({
        kind: 'after-hours' as const,
        employeeId: people.poacher,
        at: night(d),
        id: id(`night-sl-${d}`),
      })),
      { kind: 'resume-update', employeeId: people.leaver, at: iso(now - 50 * DAY), id: id('cv-zj') },
    ];
    await t(guard).signals.record([...history, ...signs], { actor: { type: 'host', id: 'hr-product' } });
    const lastDay = new Date(now + 30 * DAY).toISOString().slice(0, 10);
    await t(guard).offboarding.start({
      employeeId: people.leaver,
      resignationDate: memo.now.slice(0, 10),
      lastWorkingDay: lastDay,
      reason: '回老家发展',
    });

    const scan = await t(guard).risk.scan({ subject: 'employee' });
    const notifier = memoryNotifier();
    await guard.worker({ notifier, workerId: 'demo-worker' }).runDue(new Date(memo.now));
    const poacher = await t(guard).directory.employee(people.poacher);
    const poacherScores = await t(guard).risk.score({ type: 'employee', id: people.poacher });
    const leaverScores = await t(guard).risk.score({ type: 'employee', id: people.leaver });
    const alertsOn = async (employeeId: string) =>
      (await t(guard).alerts.list({ employeeId, limit: 50 })).items.filter((a) => a.kind === 'risk-threshold');
    const poacherAlerts = await alertsOn(people.poacher);
    const leaverAlerts = await alertsOn(people.leaver);
    const told = [
      ...new Set(
        notifier.sent.filter((n) => poacherAlerts.some((a) => JSON.stringify(n).includes(a.id))).flatMap((n) => n.to),
      ),
    ].sort();
    const names = told.map((e) => employees.find((x) => x.id === e)?.name ?? e);
    memo.findings.poacherStatus = poacher.status;
    memo.findings.poacherAlerts = poacherAlerts.length;
    memo.findings.poacherTold = told.includes(people.poacher);
    memo.findings.earlyWarningTold = told.join(',');
    memo.findings.leaverAlerts = leaverAlerts.length;

    const scores = (list: typeof poacherScores) =>
      list.map((s) => `${s.pack.id} ${s.score} (${bandText(s.band, zh)})`).join(zh ? '，' : ', ');
    const status = zh
      ? ({ active: '在职', resigning: '离职中', frozen: '已冻结', departed: '已离职' } as const)[poacher.status]
      : poacher.status;
    say('');
    say(
      zh
        ? `⑬ 杭州的两位同事：孙丽仍在职（${status}），周杰今天平静地提出离职；定时扫描新增预警 ${scan.alertsRaised} 条`
        : `⑬ Two colleagues in Hangzhou: Sun Li is still on the job (${status}); Zhou Jie resigns today, quietly. The scheduled scan raises ${scan.alertsRaised} new alert(s)`,
    );
    say(zh ? '   孙丽：' : '   Sun Li:');
    for (const s of poacherScores) {
      say(`     ${s.pack.id} ${s.score} (${bandText(s.band, zh)})`);
      for (const f of s.fired.filter((x) => x.points > 0).slice(0, 3)) {
        say(`       +${f.points} ${zh ? f.explanation['zh-CN'] : f.explanation.en}`);
      }
    }
    say(
      zh
        ? `   → 在她提出离职之前就发出预警，通知 ${names.join('、')}（她的主管与 HR，不通知她本人）：还有时间谈话、挽留或留意`
        : `   → caught before any resignation; told ${names.join(', ')} (her manager and HR, not her): there is time to talk, retain or watch`,
    );
    say(
      zh
        ? `   周杰：${scores(leaverScores)} → ${leaverAlerts.length === 0 ? '无预警' : `${leaverAlerts.length} 条预警`}；他的账号与所有离职者一样受限，仅此而已`
        : `   Zhou Jie: ${scores(leaverScores)} → ${leaverAlerts.length === 0 ? 'no alert' : `${leaverAlerts.length} alert(s)`}; his account is restricted as every leaver's is, nothing more`,
    );
  },
};

/**
 * ⑲ Nearly four months after Li Lei left, some of his former customers keep
 * ordering from Han Meimei and some have gone quiet: the order-diversion
 * pack flags the quiet ones (跑单).
 */
export const diversionWatch: StoryStep = {
  name: 'diversion-watch',
  async run(guard, memo, say, zh) {
    const now = Date.parse(memo.now);
    const former = formerCustomers();
    // Every other former customer keeps ordering after the handover.
    const loyal = former.filter((_, i) => i % 2 === 0);
    const orders: OrderInput[] = loyal.flatMap((c, i) =>
      [80, 50, 20].map((d) => ({
        id: `${memo.runTag}:after-${c.id}-${d}`,
        customerId: c.id,
        ownerId: people.teammate,
        amountMinor: 25_000_00,
        currency: 'CNY',
        orderedAt: iso(now - (d + i) * DAY),
        status: 'won' as const,
      })),
    );
    await t(guard).orders.upsert(orders, { actor: { type: 'host', id: 'crm-sync' } });
    let cursor: string | undefined;
    let alerts = 0;
    do {
      const page = await t(guard).risk.scan({ subject: 'customer', ...(cursor ? { cursor } : {}) });
      alerts += page.alertsRaised;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const flagged: string[] = [];
    for (const c of former) {
      const [diversion] = await t(guard).risk.score(
        { type: 'customer', id: c.id },
        { pack: 'post-departure-order-diversion' },
      );
      if (diversion?.band === 'alert') {
        flagged.push(
          `${c.id} ${c.name}: ${zh ? diversion.fired[0]?.explanation['zh-CN'] : diversion.fired[0]?.explanation.en}`,
        );
      }
    }
    memo.findings.divertedFlagged = flagged.length;
    memo.findings.formerCustomers = former.length;
    say('');
    say(
      zh
        ? `⑲ 李雷离职近四个月后：${former.length} 个原客户中 ${loyal.length} 个继续向韩梅梅下单；离职后订单流失规则标记 ${flagged.length} 个（各客户规则包本次共新增预警 ${alerts} 条）：`
        : `⑲ Nearly four months after Li Lei left, ${loyal.length} of his ${former.length} former customers still order from Han Meimei; the order-diversion pack flags ${flagged.length} (the customer packs raised ${alerts} new alerts in all):`,
    );
    for (const line of flagged) say(`   • ${line}`);
  },
};
