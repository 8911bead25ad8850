import {
  createGuard,
  type Guard,
  hmacKeys,
  type IdGenerator,
  isGuardError,
  type Locale,
  memoryNotifier,
  type Notification,
  type Store,
} from '@guard/core';
import { customers, employees, people, poolCustomers, tenant, units } from './company.js';
import { diversionWatch, earlyWarning, riskWatch } from './risk-story.js';
import type { StoryMemo, StoryStep } from './story-types.js';

export type { StoryMemo, StoryStep } from './story-types.js';

/** The customer nobody follows up with. */
const FORGOTTEN = 'c-006';
const POOL = 'c-041';
const DAY = 86_400_000;

/** A Guard for one step: the story's clock and ids live in the memo, so they survive restarts. */
export function storyGuard(store: Store, memo: StoryMemo, locale: Locale): Guard {
  // The story's time is the memo's: the worker moves it on, a restart keeps it.
  const clock = { now: () => new Date(memo.now) };
  const ids: IdGenerator = {
    next(prefix) {
      const n = (memo.ids[prefix] ?? 0) + 1;
      memo.ids[prefix] = n;
      return `${prefix}-${memo.runTag}-${n}`;
    },
  };
  const guard = createGuard({
    store,
    locale,
    clock,
    ids,
    keys: hmacKeys({ current: 'demo-2026', keys: { 'demo-2026': 'demo-only secret: use a KMS in production!' } }),
  });
  return guard;
}

/** The fake CRM and mailbox of the demo: what the worker delivered. */
export const delivered = { notifications: [] as Notification[], transfers: [] as string[] };

async function work(guard: Guard, memo: StoryMemo, untilMs: number, stepDays = 1) {
  const notifier = memoryNotifier();
  const worker = guard.worker({
    notifier,
    workerId: 'demo-worker',
    effects: {
      'crm.transfer': async (effect) => {
        const p = effect.payload as { customerId: string; from: string; to: string };
        delivered.transfers.push(`${p.customerId}:${p.from}→${p.to}`);
      },
      'customer.delete': async () => {},
    },
  });
  let now = Date.parse(memo.now);
  do {
    memo.now = new Date(now).toISOString();
    const result = await worker.runDue(new Date(now));
    // A failing timer is retried after its lease; in the demo it is a bug.
    if (result.timerErrors.length > 0) throw new Error(result.timerErrors.join('\n'));
    now = Math.min(untilMs, now + stepDays * DAY);
  } while (now < untilMs);
  memo.now = new Date(untilMs).toISOString();
  const last = await worker.runDue(new Date(untilMs));
  if (last.timerErrors.length > 0) throw new Error(last.timerErrors.join('\n'));
  memo.now = new Date(untilMs).toISOString();
  delivered.notifications.push(...notifier.sent);
  return notifier.sent;
}

const t = (guard: Guard) => guard.tenant(tenant.id);

/** Every follow-up the diligent reps record, so that only the forgotten customer is forgotten. */
async function diligentFollowUps(guard: Guard) {
  for (const rep of [people.rep, people.teammate, 'e-liuyang', people.poacher]) {
    const owned = await t(guard).customers.list({ actor: rep, scope: 'own', limit: 200 });
    for (const c of owned.items) {
      if (c.id === FORGOTTEN) continue;
      await t(guard).ownership.recordFollowUp({ actor: rep, customerId: c.id, channel: 'call' });
    }
  }
}

/** The story of issue #4, step by step. */
export const workflowSteps: readonly StoryStep[] = [
  {
    name: 'setup',
    async run(guard, _memo, say, zh) {
      await guard.tenants.upsert(tenant);
      await t(guard).directory.sync({ units, employees });
      for (const c of [...customers(), ...poolCustomers()]) await t(guard).customers.upsert(c);
      await t(guard).settings.update({
        followUp: { remindAfterDays: 3, alertManagerAfterDays: 7, returnToPoolAfterDays: 14 },
        anomaly: { delete: { limit: 5, windowMinutes: 60 } },
      });
      say(
        zh
          ? '公海规则：3 天未跟进提醒负责人，7 天提醒主管，14 天退回公海；每小时最多删除 5 个客户。'
          : 'Pool rules: remind the owner after 3 days without follow-up, alert the manager after 7, back to the pool after 14; at most 5 deletions an hour.',
      );
    },
  },
  {
    name: 'claim',
    async run(guard, memo, say, zh) {
      const claim = await t(guard).ownership.claim({ actor: 'e-liuyang', customerId: POOL, reason: '展会上认识' });
      memo.claimId = claim.id;
      memo.claimApprovalId = claim.approvalId ?? '';
      let second = 'accepted';
      try {
        await t(guard).ownership.claim({ actor: people.teammate, customerId: POOL });
      } catch (error) {
        if (!isGuardError(error)) throw error;
        second = error.code;
      }
      memo.findings.secondClaim = second;
      say('');
      say(
        zh
          ? `⑨ 刘洋认领公海客户 ${POOL}（疑似重复：${claim.duplicates.join(', ') || '无'}）；韩梅梅同时认领：${second}`
          : `⑨ Liu Yang claims pool customer ${POOL} (likely duplicates: ${claim.duplicates.join(', ') || 'none'}); Han Meimei's claim at the same time: ${second}`,
      );
      memo.findings.duplicates = claim.duplicates.join(',');
    },
  },
  {
    name: 'claim-approved',
    async run(guard, memo, say, zh) {
      await t(guard).approvals.approve({ actor: people.manager, approvalId: memo.claimApprovalId as string });
      const claim = await t(guard).ownership.getClaim(memo.claimId as string);
      const customer = await t(guard).customers.read({ actor: 'e-liuyang', customerId: POOL });
      memo.findings.claimOutcome = String(claim.outcome);
      memo.findings.poolOwner = String(customer.ownerId);
      say(
        zh
          ? `   王经理批准 → 认领结果：${claim.outcome}，客户归属 ${customer.ownerId}`
          : `   Manager Wang approves → claim ${claim.outcome}; the customer now belongs to ${customer.ownerId}`,
      );
    },
  },
  {
    name: 'export-request',
    async run(guard, memo, say, zh) {
      const own = await t(guard).customers.list({ actor: people.teammate, scope: 'own', limit: 50 });
      const request = await t(guard).customers.requestExport({
        actor: people.teammate,
        customerIds: own.items.map((c) => c.id),
        classes: ['public', 'contact'],
        reason: '季度客户回访',
      });
      memo.exportId = request.id;
      memo.exportApprovalId = request.approvalId ?? '';
      say('');
      say(
        zh
          ? `⑩ 韩梅梅申请导出 ${request.count} 个客户（含联系方式）→ ${request.status}，需主管和 HR 两级审批`
          : `⑩ Han Meimei asks to export ${request.count} customers with contact details → ${request.status}: the manager, then HR must approve`,
      );
    },
  },
  {
    name: 'export-approved',
    async run(guard, memo, say, zh) {
      await t(guard).approvals.approve({ actor: people.manager, approvalId: memo.exportApprovalId as string });
      await t(guard).approvals.approve({ actor: people.hr, approvalId: memo.exportApprovalId as string });
      const file = await t(guard).customers.downloadExport({
        actor: people.teammate,
        exportId: memo.exportId as string,
      });
      const first = file.rows[0];
      memo.findings.exportRows = file.rows.length;
      memo.findings.exportPhone = String(first?.fields.contact?.phone);
      memo.findings.watermark = file.watermark.text;
      say(
        zh
          ? `   两级批准后交付：${file.rows.length} 行，电话 ${String(first?.fields.contact?.phone)}，水印 ${file.watermark.text}`
          : `   Approved twice and delivered: ${file.rows.length} rows, phone ${String(first?.fields.contact?.phone)}, watermark ${file.watermark.text}`,
      );
    },
  },
  {
    name: 'resignation',
    async run(guard, memo, say, zh) {
      const lastDay = new Date(Date.parse(memo.now) + 10 * DAY).toISOString().slice(0, 10);
      const start = new Date(Date.parse(`${lastDay}T00:00:00+08:00`) + DAY).toISOString();
      const end = new Date(Date.parse(start) + 91 * DAY).toISOString();
      const kase = await t(guard).offboarding.start({
        employeeId: people.rep,
        resignationDate: memo.now.slice(0, 10),
        lastWorkingDay: lastDay,
        reason: '个人发展',
        nonCompete: { start, end, monthlyCompensationMinor: 800_000, currency: 'CNY' },
      });
      memo.caseId = kase.id;
      const employee = await t(guard).directory.employee(people.rep);
      say('');
      say(
        zh
          ? `⑪ 李雷提出离职（最后工作日 ${lastDay}）：账号立即受限（${employee.status}），生成交接清单 ${kase.items.length} 项`
          : `⑪ Li Lei resigns (last working day ${lastDay}): restricted at once (${employee.status}); handover checklist of ${kase.items.length} items`,
      );
      memo.findings.statusAfterResignation = employee.status;
      memo.findings.handoverItems = kase.items.length;
    },
  },
  riskWatch,
  {
    name: 'handover',
    async run(guard, memo, say, zh) {
      const kase = await t(guard).offboarding.get(memo.caseId as string);
      for (const item of kase.items) {
        await t(guard).offboarding.submitItem({
          actor: people.rep,
          caseId: kase.id,
          itemId: item.id,
          ...(item.kind === 'customer' ? { successorId: people.teammate } : {}),
          ...(item.kind === 'confirmation' ? { fileRef: `files/handover/${item.ref}.pdf` } : {}),
          note: '已交接',
        });
      }
      await t(guard).offboarding.submitHandover({ actor: people.rep, caseId: kase.id });
      const back = kase.items.find((i) => i.kind === 'confirmation') ?? kase.items[0];
      await t(guard).offboarding.returnItems({
        actor: people.manager,
        caseId: kase.id,
        items: [{ itemId: back?.id as string, reason: '交接确认函缺客户盖章' }],
      });
      await t(guard).offboarding.submitItem({
        actor: people.rep,
        caseId: kase.id,
        itemId: back?.id as string,
        fileRef: `files/handover/${back?.ref}-stamped.pdf`,
      });
      await t(guard).offboarding.submitHandover({ actor: people.rep, caseId: kase.id });
      await t(guard).offboarding.acceptItems({
        actor: people.manager,
        caseId: kase.id,
        itemIds: kase.items.map((i) => i.id),
      });
      say(
        zh
          ? '   李雷逐项提交（继任人韩梅梅、交接确认函）；王经理退回一项后接受全部'
          : '   Li Lei submits every item (successor Han Meimei, the customers’ handover confirmations); Manager Wang sends one back, then accepts all',
      );
    },
  },
  earlyWarning,
  {
    name: 'sign-off',
    async run(guard, memo, say, zh) {
      const caseId = memo.caseId as string;
      await t(guard).offboarding.signOff({ actor: people.manager, caseId });
      await t(guard).offboarding.signOff({ actor: people.hr, caseId });
      let financeWithoutCheck = 'accepted';
      try {
        await t(guard).offboarding.signOff({ actor: people.finance, caseId });
      } catch (error) {
        if (!isGuardError(error)) throw error;
        financeWithoutCheck = error.code;
      }
      await t(guard).offboarding.signOff({ actor: people.finance, caseId, receivablesConfirmed: true });
      const kase = await t(guard).offboarding.get(caseId);
      const employee = await t(guard).directory.employee(people.rep);
      const left = await t(guard).customers.list({ actor: people.teammate, scope: 'own', limit: 200 });
      const sent = await work(guard, memo, Date.parse(memo.now) + 60_000);
      memo.findings.financeWithoutCheck = financeWithoutCheck;
      memo.findings.caseState = kase.state;
      memo.findings.frozen = employee.status;
      memo.findings.successorCustomers = left.items.length;
      say('');
      say(
        zh
          ? `⑭ 主管、HR、财务（确认应收款）三方会签 → ${kase.state}；客户移交韩梅梅（现有 ${left.items.length} 个），李雷账号 ${employee.status}，CRM 转移已投递 ${delivered.transfers.length} 条，通知 ${sent.length} 条`
          : `⑭ Manager, HR and finance (receivables confirmed) sign off → ${kase.state}; customers moved to Han Meimei (now ${left.items.length}), Li Lei's account ${employee.status}, ${delivered.transfers.length} CRM transfers delivered, ${sent.length} notifications`,
      );
    },
  },
  {
    name: 'bulk-delete',
    async run(guard, memo, say, zh) {
      const own = await t(guard).customers.list({ actor: people.teammate, scope: 'own', limit: 12 });
      const ids = own.items.map((c) => c.id);
      let refused = 'not refused';
      try {
        await t(guard).customers.requestDelete({ actor: people.teammate, customerIds: ids, reason: '清理' });
      } catch (error) {
        if (!isGuardError(error, 'ACTOR_BLOCKED')) throw error;
        refused = error.code;
        memo.deleteAlertId = error.params.alertId;
      }
      memo.findings.bulkDelete = refused;
      const alert = await t(guard).alerts.get(memo.deleteAlertId as string);
      say('');
      say(
        zh
          ? `⑮ 韩梅梅试图一次删除 ${ids.length} 个客户 → 被拦截（${refused}），预警：${alert.title}（${alert.severity}）`
          : `⑮ Han Meimei tries to delete ${ids.length} customers at once → stopped (${refused}); alert: ${alert.title} (${alert.severity})`,
      );
      let listed = 'allowed';
      try {
        await t(guard).customers.list({ actor: people.teammate, scope: 'own', limit: 5 });
      } catch (error) {
        if (!isGuardError(error)) throw error;
        listed = error.code;
      }
      await t(guard).alerts.resolve({
        actor: people.manager,
        alertId: memo.deleteAlertId as string,
        note: '已与员工确认',
      });
      say(
        zh
          ? `   拦截期间批量查看也被拒绝（${listed}）；王经理核实后解除预警`
          : `   While blocked, bulk listing is refused too (${listed}); Manager Wang reviews and resolves the alert`,
      );
      memo.findings.listWhileBlocked = listed;
    },
  },
  {
    name: 'time-passes',
    async run(guard, memo, say, zh) {
      // Two weeks: every rep follows up with their customers, except one forgotten customer.
      const start = Date.parse(memo.now);
      const notes: string[] = [];
      for (const day of [3, 7, 14]) {
        const sent = await work(guard, memo, start + day * DAY + 60_000);
        for (const n of sent) {
          if (String(n.data.customerId) === FORGOTTEN) notes.push(`${day}d: ${n.title}`);
        }
        if (day !== 14) await diligentFollowUps(guard);
      }
      const forgotten = await t(guard).customers.read({ actor: people.hr, customerId: FORGOTTEN });
      memo.findings.forgottenOwner = String(forgotten.ownerId);
      say('');
      say(zh ? `⑯ 客户 ${FORGOTTEN} 无人跟进：` : `⑯ Nobody follows up with ${FORGOTTEN}:`);
      for (const n of notes) say(`   ${n}`);
      say(zh ? `   → 归属：${forgotten.ownerId ?? '公海'}` : `   → owner: ${forgotten.ownerId ?? 'the public pool'}`);
    },
  },
  {
    name: 'non-compete',
    async run(guard, memo, say, zh) {
      const caseId = memo.caseId as string;
      // Month 1 is paid on time; month 2 is forgotten; the period ends after three months.
      const start = Date.parse(memo.now);
      const months: string[] = [];
      for (const [day, pay] of [
        [30, 1],
        [70, 0],
        [100, 0],
      ] as const) {
        const sent = await work(guard, memo, start + day * DAY, 5);
        for (const n of sent) if (n.template.startsWith('noncompete.')) months.push(n.title);
        if (pay > 0) {
          await t(guard).offboarding.recordPayment({
            actor: people.finance,
            caseId,
            month: pay,
            amountMinor: 800_000,
            paidAt: memo.now,
          });
        }
      }
      const kase = await t(guard).offboarding.get(caseId);
      const overdue = await t(guard).alerts.list({ status: 'open', employeeId: people.rep });
      memo.findings.closed = kase.state;
      memo.findings.overdueAlerts = overdue.items.filter((a) => a.kind === 'non-compete-compensation-overdue').length;
      say('');
      say(zh ? '⑰ 离职后竞业限制期：' : '⑰ The non-compete period after departure:');
      for (const m of [...new Set(months)]) say(`   • ${m}`);
      say(zh ? `   流程状态：${kase.state}` : `   case: ${kase.state}`);
    },
  },
  {
    name: 'evidence',
    async run(guard, memo, say, zh) {
      const verified = await t(guard).audit.verify();
      const pack = await t(guard).evidence.pack({ employeeId: people.rep });
      memo.findings.auditOk = verified.ok;
      memo.findings.evidenceEntries = pack.audit.entries.length;
      const redacted = pack.audit.entries.filter((e) => 'redacted' in e).length;
      say('');
      say(
        zh
          ? `⑱ 审计链：${verified.ok ? '完好' : '已损坏'}（${verified.entries} 条）；李雷的证据包含 ${pack.audit.entries.length} 条可离线校验的审计记录，其中他人的 ${redacted} 条已脱敏，仍可校验`
          : `⑱ Audit chain ${verified.ok ? 'intact' : 'BROKEN'} (${verified.entries} entries); Li Lei's evidence pack carries ${pack.audit.entries.length} audit entries verifiable offline, ${redacted} of them other people's, redacted and still verifiable`,
      );
    },
  },
  diversionWatch,
];

/** A memo for a fresh run: the first run starts on Monday 2026-11-09, each later run on the same database 52 weeks on. */
export async function newMemo(store: Store): Promise<StoryMemo> {
  // Each run starts with a settings update; later runs on the same database start a year later each.
  const runs = await store.transaction(
    async (tx) => (await tx.queryAudit(tenant.id, { action: 'settings.update', limit: 1000 })).items.length,
  );
  const start = new Date(Date.parse('2026-11-09T02:00:00.000Z') + runs * 364 * DAY).toISOString();
  return { now: start, ids: {}, runTag: `r${runs + 1}`, findings: {} };
}

/** Plays every step on one Guard. */
export async function playWorkflowStory(
  store: Store,
  say: (line: string) => void,
  locale: Locale = 'en',
): Promise<StoryMemo> {
  const memo = await newMemo(store);
  const guard = storyGuard(store, memo, locale);
  for (const step of workflowSteps) {
    await step.run(guard, memo, say, locale === 'zh-CN');
  }
  return memo;
}
