import type { Guard, OrderInput, SignalInput } from '@guard/core';
import { customers, people, tenant } from './company.js';
import type { StoryStep } from './story-types.js';

const DAY = 86_400_000;
const t = (guard: Guard) => guard.tenant(tenant.id);
const iso = (ms: number) => new Date(ms).toISOString();

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
      const band = zh ? { alert: '警报', watch: '关注', normal: '正常' }[s.band] : s.band;
      say(`   ${s.pack.id}@${s.pack.version}: ${s.score} (${band})`);
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

/**
 * ⑱ Nearly four months after Li Lei left, some of his former customers keep
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
        ? `⑱ 李雷离职近四个月后：${former.length} 个原客户中 ${loyal.length} 个继续向韩梅梅下单；离职后订单流失规则标记 ${flagged.length} 个（各客户规则包本次共新增预警 ${alerts} 条）：`
        : `⑱ Nearly four months after Li Lei left, ${loyal.length} of his ${former.length} former customers still order from Han Meimei; the order-diversion pack flags ${flagged.length} (the customer packs raised ${alerts} new alerts in all):`,
    );
    for (const line of flagged) say(`   • ${line}`);
  },
};
