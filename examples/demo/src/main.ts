import { fileURLToPath } from 'node:url';
import { isLocale } from '@guard/core';
import { memoryDemoStore, sqliteDemoStore } from './stores.js';
import { playDemo } from './story.js';

// npm run demo                      the story on a SQLite file (run it again: it carries on)
// npm run demo -- --locale zh-CN    in Chinese
// npm run demo -- --memory          nothing written to disk
const argv = process.argv.slice(2);
const flag = argv.indexOf('--locale');
const requested = flag >= 0 ? argv[flag + 1] : undefined;
const locale = isLocale(requested) ? requested : 'en';
const file = fileURLToPath(new URL('../.demo-data/guard.db', import.meta.url));
const demo = argv.includes('--memory') ? memoryDemoStore() : await sqliteDemoStore(file);

console.log(
  locale === 'zh-CN'
    ? '\nGuard 演示：客户资源保护与审计\n'
    : '\nGuard demo: protected customers and a tamper-evident audit trail\n',
);
console.log(locale === 'zh-CN' ? `存储：${demo.description}\n` : `Store: ${demo.description}\n`);
const outcome = await playDemo(demo.store, demo.tamper, (line) => console.log(line), locale);
const ok = outcome.verified.ok && !outcome.afterTamper.ok && outcome.afterRestore.ok && outcome.frozenDenied !== null;
console.log(ok ? (locale === 'zh-CN' ? '\n✔ 演示完成\n' : '\n✔ demo finished\n') : '\n✖ demo found a problem\n');
process.exitCode = ok ? 0 : 1;
