// Guard's worker in a host process: `npx pnpm@10 --filter @guard/example-worker start`.
//   --db <file>    the SQLite file (default .worker-data/guard.db; a first run seeds a company in it)
//   --once         run until nothing is due, then exit (as a cron job would)
//   --every <s>    seconds between runs when looping (default 15)
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGuard, hmacKeys } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { company, seedOnce, TENANT } from './company.js';
import { workerLoop } from './loop.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: fileURLToPath(new URL('../.worker-data/guard.db', import.meta.url)) },
    once: { type: 'boolean', default: false },
    every: { type: 'string', default: '15' },
  },
});
const everyMs = Number(values.every) * 1000;
if (!(everyMs >= 1000)) {
  console.error(`--every takes a number of seconds, 1 or more; got "${values.every}"`);
  process.exit(2);
}
mkdirSync(dirname(values.db), { recursive: true });
const store = sqliteStore({ filename: values.db });
await store.migrate();
const guard = createGuard({
  store,
  keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY ?? 'worker-example-audit-key-32-chars' } }),
  locale: 'zh-CN',
});
const log = (line: string) => console.log(`${new Date().toISOString()}  ${line}`);
const today = new Date();
await seedOnce(guard, today, log);
const sim = company(today);
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
log(values.once ? 'worker: running what is due' : `worker: running every ${values.every} s (Ctrl-C to stop)`);
const result = await workerLoop({
  guard,
  totals: { employee: sim.employees.length, customer: sim.customers.length },
  once: values.once,
  everyMs,
  log,
  stream: process.stderr,
  signal: stop.signal,
});
const backlog = await guard.tenant(TENANT.id).outbox.backlog();
log(
  `worker: ${result.runs} run(s), ${result.timersFired} timer(s) fired, ${result.effectsDelivered} effect(s) delivered; ` +
    `next timer due ${backlog.timers.nextAt ?? 'never'}, ${backlog.effects.dead} dead effect(s)`,
);
await store.close();
