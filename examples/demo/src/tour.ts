import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isLocale } from '@guard/core';
import { memoryDemoStore, sqliteDemoStore } from './stores.js';
import { playDemo } from './story.js';
import { playWorkflowStory } from './workflow-story.js';

// The guided tour of every protection on a small company, in the console:
// pnpm --filter @guard/example-demo tour                      on a fresh SQLite file, kept afterwards to inspect
// pnpm --filter @guard/example-demo tour -- --locale zh-CN    in Chinese
// pnpm --filter @guard/example-demo tour -- --memory          nothing written to disk
const argv = process.argv.slice(2);
const flag = argv.indexOf('--locale');
const requested = flag >= 0 ? argv[flag + 1] : undefined;
const locale = isLocale(requested) ? requested : 'en';
const file = fileURLToPath(new URL('../.demo-data/guard.db', import.meta.url));
// The story starts from an empty company every run (Li Lei cannot resign twice): the previous run's file goes.
const fresh = (path: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  return path;
};
const open = () => (argv.includes('--memory') ? memoryDemoStore() : sqliteDemoStore(fresh(file)));
const demo = await open();

console.log(
  locale === 'zh-CN'
    ? '\nGuard 演示：客户资源保护与审计\n'
    : '\nGuard demo: protected customers and a tamper-evident audit trail\n',
);
console.log(locale === 'zh-CN' ? `存储：${demo.description}\n` : `Store: ${demo.description}\n`);
const outcome = await playDemo(demo.store, demo.tamper, (line) => console.log(line), locale);
console.log(
  locale === 'zh-CN'
    ? '\n—— 流程：认领、公海、导出审批、批量删除拦截、离职交接、风险评分 ——\n'
    : '\n—— Workflows: claims, the public pool, export approval, a blocked bulk delete, offboarding, risk scoring ——\n',
);
const story = await playWorkflowStory(demo.store, (line) => console.log(line), locale);
await demo.store.close();
const f = story.findings;
const ok =
  outcome.verified.ok &&
  !outcome.afterTamper.ok &&
  outcome.afterRestore.ok &&
  outcome.frozenDenied !== null &&
  f.claimOutcome === 'owned' &&
  f.bulkDelete === 'ACTOR_BLOCKED' &&
  f.frozen === 'frozen' &&
  f.closed === 'closed' &&
  f.forgottenOwner === 'null' &&
  f.auditOk === true &&
  Number(f.exfiltrationRisk) >= 50 &&
  f.riskAlertsRaised === 1 &&
  f.poacherStatus === 'active' &&
  Number(f.poacherAlerts) >= 1 &&
  f.poacherTold === false &&
  f.leaverAlerts === 0 &&
  f.divertedFlagged === 4;
console.log(ok ? (locale === 'zh-CN' ? '\n✔ 演示完成\n' : '\n✔ demo finished\n') : '\n✖ demo found a problem\n');
process.exitCode = ok ? 0 : 1;
