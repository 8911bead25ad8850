// Runs the HR portal on localhost: `npx pnpm@10 --filter @guard/example-hr-portal start`.
import { mkdirSync } from 'node:fs';
import { createGuard, hmacKeys, manualClock } from '@guard/core';
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

const app = await buildPortal({
  db,
  guard: guard.tenant(TENANT.id),
  sessionSecret: process.env.PORTAL_SESSION_SECRET ?? 'portal-example-session-secret-of-32+',
  filesDir: new URL('files', dir).pathname,
  keys,
});
const port = Number(process.env.PORT ?? 3000);
await app.listen({ host: '127.0.0.1', port });
console.log(`HR portal: http://127.0.0.1:${port}/  (password for every login: ${DEMO_PASSWORD})`);
for (const login of LOGINS) console.log(`  ${login.username.padEnd(10)} ${login.displayName}  ${login.role}`);
