// Runs the HR portal on localhost: `npx pnpm@10 --filter @guard/example-hr-portal start`.
import { mkdirSync } from 'node:fs';
import { createGuard, hmacKeys, manualClock, memoryNotifier } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { buildPortal } from './app.js';
import { openHostDb, users } from './host-db.js';
import { DEMO_PASSWORD, LOGINS, seedPortal, TENANT } from './seed.js';
import { seedRiskHistory } from './seed-risk.js';

const dir = new URL('../.portal-data/', import.meta.url);
mkdirSync(dir, { recursive: true });
const db = openHostDb(new URL('portal.db', dir).pathname);
// Guard's tables live in the host's database, under their own prefix.
const store = sqliteStore({ database: db, tablePrefix: 'guard_' });
await store.migrate();
const keys = hmacKeys({
  current: 'k1',
  keys: { k1: process.env.GUARD_AUDIT_KEY ?? 'portal-example-audit-key-32-chars!' },
});
if (users(db).count() === 0) {
  // A first run: the company, then 60 days of history, replayed on a clock of its own.
  const clock = manualClock(new Date());
  const seeding = createGuard({ store, keys, clock, locale: 'zh-CN' });
  await seedPortal(seeding, db);
  await seedRiskHistory(seeding, clock, new Date());
}
const guard = createGuard({ store, keys, locale: 'zh-CN' });

// The worker: timers and outbox effects, every 15 seconds. Notifications are kept in memory here;
// a real product sends them by e-mail or WeCom (a `Notifier` of its own).
const worker = guard.worker({ notifier: memoryNotifier() });
let lastRun: { at: string; effectsDelivered: number; timersFired: number } | null = null;
const runWorker = async () => {
  const result = await worker.runDue();
  lastRun = { at: new Date().toISOString(), ...result };
};
await runWorker();
setInterval(() => void runWorker().catch((error: unknown) => console.error('worker:', error)), 15_000).unref();

const app = await buildPortal({
  db,
  guard: guard.tenant(TENANT.id),
  sessionSecret: process.env.PORTAL_SESSION_SECRET ?? 'portal-example-session-secret-of-32+',
  filesDir: new URL('files', dir).pathname,
  keys,
  lastWorkerRun: () => lastRun,
});
const port = Number(process.env.PORT ?? 3000);
await app.listen({ host: '127.0.0.1', port });
console.log(`HR portal: http://127.0.0.1:${port}/  (password for every login: ${DEMO_PASSWORD})`);
for (const login of LOGINS) console.log(`  ${login.username.padEnd(10)} ${login.displayName}  ${login.role}`);
