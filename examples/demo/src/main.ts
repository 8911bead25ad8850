import { isLocale, memoryStore } from '@guard/core';
import { playDemo } from './story.js';

// `npm run demo -- --locale zh-CN` tells the story in Chinese.
const flag = process.argv.indexOf('--locale');
const requested = flag >= 0 ? process.argv[flag + 1] : undefined;
const locale = isLocale(requested) ? requested : 'en';

console.log(
  locale === 'zh-CN'
    ? '\nGuard 演示：客户资源保护与审计\n'
    : '\nGuard demo: protected customers and a tamper-evident audit trail\n',
);
const outcome = await playDemo(memoryStore(), (line) => console.log(line), locale);
const ok = outcome.verified.ok && !outcome.afterTamper.ok && outcome.frozenDenied !== null;
console.log(ok ? (locale === 'zh-CN' ? '\n✔ 演示完成\n' : '\n✔ demo finished\n') : '\n✖ demo found a problem\n');
process.exitCode = ok ? 0 : 1;
