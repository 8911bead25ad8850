// The README's first command: `npm run demo`.
//   --locale zh-CN   tell the story in Chinese (the portal is Chinese first either way)
//   --no-serve       stop after the story (CI); otherwise serve the HR portal until Ctrl-C
//   --port N         the portal's port (default 3000; 0 picks a free one)
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isLocale } from '@guard/core';
import { DEMO_PASSWORD, PORTAL_KEYS, servePortal } from '@guard/example-hr-portal';
import { TENANT } from './chain/company.js';
import { seedChainDemo } from './chain/seed.js';
import { tellChainStory, unmetClaims } from './chain/story.js';

const { values } = parseArgs({
  options: {
    locale: { type: 'string', default: 'en' },
    'no-serve': { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
  },
});
const locale = isLocale(values.locale) ? values.locale : 'en';
const zh = locale === 'zh-CN';
const say = (line: string) => console.log(line);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const dataDir = new URL('../.demo-data/', import.meta.url);
const filesDir = fileURLToPath(new URL('files', dataDir));

say(
  zh ? '\nGuard 演示：华东贸易（连锁销售公司）\n' : '\nGuard demo: 华东贸易 Huadong Trading, a chain sales company\n',
);
const started = Date.now();
const demo = await seedChainDemo({
  file: fileURLToPath(new URL('portal.db', dataDir)),
  filesDir,
  today: new Date(),
  onMonth(m) {
    const resigned = m.resignations.length;
    say(
      zh
        ? `  ${m.month}  信号 ${m.signals.toLocaleString('zh-CN').padStart(7)} 条 · 风险警报 ${m.riskAlerts} 条 · 其他警报 ${m.otherAlerts} 条${resigned ? ` · ${resigned} 人提出离职` : ''}`
        : `  ${m.month}  ${m.signals.toLocaleString('en').padStart(7)} signals · ${plural(m.riskAlerts, 'risk alert')} · ${plural(m.otherAlerts, 'other alert')}${resigned ? ` · ${resigned} resigned` : ''}`,
    );
  },
});
const { company } = demo;
const staff = company.employees.length;
say(
  zh
    ? `\n  总部与 ${company.units.length - 1} 家分公司、${staff} 名员工、${company.customers.length.toLocaleString('zh-CN')} 个客户；${company.from} 至 ${company.to} 的历史（${demo.replay.signals.toLocaleString('zh-CN')} 条信号、${demo.replay.scans} 次夜间扫描），用时 ${Math.round((Date.now() - started) / 1000)} 秒。`
    : `\n  HQ and ${company.units.length - 1} branches, ${staff} staff, ${company.customers.length.toLocaleString('en')} customers; history from ${company.from} to ${company.to} (${demo.replay.signals.toLocaleString('en')} signals, ${demo.replay.scans} nightly scans), seeded in ${Math.round((Date.now() - started) / 1000)} s.`,
);
const findings = await tellChainStory(demo, say, locale);

const failed = unmetClaims(findings);
if (failed.length > 0) {
  say(`\n✖ demo found a problem: ${failed.join('; ')}\n`);
  process.exit(1);
}
say(zh ? '\n✔ 演示完成\n' : '\n✔ demo finished\n');

if (values['no-serve']) {
  demo.db.close();
} else {
  const portal = await servePortal({
    db: demo.db,
    store: demo.store,
    keys: PORTAL_KEYS,
    tenantId: TENANT.id,
    filesDir,
    port: Number(values.port),
  });
  say(
    zh
      ? `HR 门户：${portal.url}  （所有账号的密码：${DEMO_PASSWORD}；Ctrl-C 退出）`
      : `The HR portal: ${portal.url}  (every login's password: ${DEMO_PASSWORD}; Ctrl-C to stop)`,
  );
  for (const login of demo.logins) say(`  ${login.username.padEnd(10)} ${login.displayName}  ${login.role}`);
}
