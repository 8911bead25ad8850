import {
  type CustomerView,
  createGuard,
  hmacKeys,
  isGuardError,
  type Locale,
  manualClock,
  type Store,
  sequentialIds,
  type VerifyResult,
} from '@guard/core';
import { customers, employees, people, tenant, units } from './company.js';

/** What the demo showed, for the narrator and for the demo's own test. */
export interface DemoOutcome {
  readonly ownRead: CustomerView;
  readonly teammateRead: CustomerView;
  readonly hrRead: CustomerView;
  readonly frozenDenied: { code: string; message: string } | null;
  readonly ownPage: readonly CustomerView[];
  readonly verified: VerifyResult;
  readonly tamperedSeq: number;
  readonly afterTamper: VerifyResult;
  readonly afterRestore: VerifyResult;
}

/**
 * Someone with direct database access: rewrites who performed an audited
 * action, behind Guard's back. Returns a function that puts the original back
 * (the demo restores it so that it can run again on the same database).
 */
export interface Tamper {
  rewriteActor(tenantId: string, seq: number, actorId: string): Promise<() => Promise<void>>;
}

/**
 * Plays the demo story on a store: a rep reads an own customer in full and a
 * teammate's customer masked, HR sees contact details masked, a frozen
 * account is denied, the audit chain verifies, and an entry tampered with
 * directly in the database is found.
 */
export async function playDemo(
  store: Store,
  tamper: Tamper,
  say: (line: string) => void,
  locale: Locale = 'en',
): Promise<DemoOutcome> {
  const zh = locale === 'zh-CN';
  const guard = createGuard({
    store,
    locale,
    // A fixed clock: 10:00 on a working day in Shanghai, so every run prints the same.
    clock: manualClock('2026-11-02T10:00:00+08:00'),
    ids: sequentialIds(),
    keys: hmacKeys({ current: 'demo-2026', keys: { 'demo-2026': 'demo-only secret: use a KMS in production!' } }),
  });

  await guard.tenants.upsert(tenant);
  const t = guard.tenant(tenant.id);
  const sync = await t.directory.sync({ units, employees });
  for (const c of customers()) await t.customers.upsert(c);
  say(
    zh
      ? `已同步 ${sync.units} 个组织单元、${sync.employees} 名员工、${customers().length} 个客户到「${tenant.name}」。`
      : `Synced ${sync.units} org units, ${sync.employees} employees and ${customers().length} customers into "${tenant.name}".`,
  );

  const mine = customers().find((c) => c.ownerId === people.rep)?.id as string;
  const theirs = customers().find((c) => c.ownerId === people.teammate)?.id as string;

  const ownRead = await t.customers.read({ actor: people.rep, customerId: mine });
  say('');
  say(
    zh
      ? `① 李雷打开自己的客户 ${ownRead.name}：完整可见`
      : `① Li Lei opens his own customer ${ownRead.name}: everything visible`,
  );
  say(`   ${describe(ownRead)}`);
  for (const notice of ownRead.notices) say(`   ⚠ ${notice}`);

  const teammateRead = await t.customers.read({ actor: people.rep, customerId: theirs });
  say('');
  say(
    zh
      ? `② 李雷打开同组同事韩梅梅的客户 ${teammateRead.name}：只见公开字段`
      : `② Li Lei opens ${teammateRead.name}, a customer of his teammate Han Meimei: public fields only`,
  );
  say(`   ${describe(teammateRead)}`);

  const hrRead = await t.customers.read({ actor: people.hr, customerId: theirs });
  say('');
  say(
    zh
      ? `③ HR 赵敏查看同一客户：联系方式已脱敏`
      : '③ HR admin Zhao Min opens the same customer: contact details masked',
  );
  say(`   ${describe(hrRead)}`);

  let frozenDenied: DemoOutcome['frozenDenied'] = null;
  try {
    await t.customers.read({ actor: people.frozen, customerId: 'c-004' });
  } catch (error) {
    if (!isGuardError(error, 'FORBIDDEN')) throw error;
    frozenDenied = { code: error.code, message: error.message };
  }
  say('');
  say(
    zh
      ? '④ 已冻结账号张伟试图查看自己原来的客户：'
      : '④ Zhang Wei, whose account is frozen, tries to open his former customer:',
  );
  say(`   ✖ ${frozenDenied?.code}: ${frozenDenied?.message}`);

  const ownPage = await t.customers.list({ actor: people.rep, scope: 'own', limit: 5 });
  say('');
  say(zh ? `⑤ 李雷的客户列表（第一页）：` : `⑤ Li Lei's customer list (first page):`);
  for (const c of ownPage.items) say(`   • ${c.id} ${c.name} — ${String(c.fields.contact?.phone)}`);

  const verified = await t.audit.verify();
  say('');
  say(
    zh
      ? `⑥ 审计链校验：${verified.ok ? '完好' : '已损坏'}，共 ${verified.entries} 条记录，链头 ${verified.head.hash.slice(0, 16)}…`
      : `⑥ Audit chain: ${verified.ok ? 'intact' : 'BROKEN'}, ${verified.entries} entries, head ${verified.head.hash.slice(0, 16)}…`,
  );
  const checkpoint = await t.audit.checkpoint();
  say(
    zh
      ? `   已签名检查点 #${checkpoint?.seq}（${checkpoint?.algorithm}）`
      : `   Signed checkpoint at #${checkpoint?.seq} (${checkpoint?.algorithm})`,
  );

  // Someone with database access rewrites who read a customer, to cover their tracks.
  const [target] = (await t.audit.query({ actorId: people.rep, action: 'customer.read', order: 'desc', limit: 1 }))
    .items;
  if (!target) throw new Error('demo: no read entry to tamper with');
  const restore = await tamper.rewriteActor(tenant.id, target.seq, people.teammate);
  let afterTamper: VerifyResult;
  try {
    afterTamper = await t.audit.verify();
  } finally {
    await restore();
  }
  say('');
  say(
    zh
      ? `⑦ 有人直接改了数据库中的第 #${target.seq} 条审计记录（把李雷改成韩梅梅）……`
      : `⑦ Someone edits audit entry #${target.seq} directly in the database (Li Lei → Han Meimei)…`,
  );
  say(
    afterTamper.ok
      ? '   ✖ not detected (this must never happen)'
      : zh
        ? `   ✔ 校验发现篡改：第一条损坏记录 #${afterTamper.firstBadSeq}（${afterTamper.reason}）`
        : `   ✔ verify() catches it: first bad entry #${afterTamper.firstBadSeq} (${afterTamper.reason})`,
  );
  const afterRestore = await t.audit.verify();
  say(
    zh
      ? `⑧ 从备份恢复原记录后，审计链再次校验：${afterRestore.ok ? '完好' : '已损坏'}`
      : `⑧ The original row is restored from a backup; the chain verifies again: ${afterRestore.ok ? 'intact' : 'BROKEN'}`,
  );

  return {
    ownRead,
    teammateRead,
    hrRead,
    frozenDenied,
    ownPage: ownPage.items,
    verified,
    tamperedSeq: target.seq,
    afterTamper,
    afterRestore,
  };
}

function describe(view: CustomerView): string {
  // in the policy's order of field classes: public, contact, commercial
  const parts = Object.keys(view.decision.fields).flatMap((cls) =>
    Object.entries(view.fields[cls] ?? {}).map(([name, value]) => `${cls}.${name}=${String(value)}`),
  );
  const hidden = Object.entries(view.decision.fields)
    .filter(([, level]) => level === 'hide')
    .map(([cls]) => cls);
  return `${parts.join('  ')}${hidden.length > 0 ? `  [hidden: ${hidden.join(', ')}]` : ''}`;
}
