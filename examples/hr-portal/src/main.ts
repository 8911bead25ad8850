// Runs the HR portal on localhost: `npx pnpm@10 --filter @guard/example-hr-portal start`.
// A first run seeds a small company; the demo (`npm run demo`) serves a bigger one.
import { mkdirSync } from 'node:fs';
import { createGuard, manualClock } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { openHostDb, users } from './host-db.js';
import { DEMO_PASSWORD, LOGINS, PORTAL_KEYS, seedPortal, TENANT } from './seed.js';
import { seedRiskHistory } from './seed-risk.js';
import { servePortal } from './serve.js';

const dir = new URL('../.portal-data/', import.meta.url);
mkdirSync(dir, { recursive: true });
const db = openHostDb(new URL('portal.db', dir).pathname);
// Guard's tables live in the host's database, under their own prefix.
const store = sqliteStore({ database: db, tablePrefix: 'guard_' });
await store.migrate();
if (users(db).count() === 0) {
  // A first run: the company, then 60 days of history, replayed on a clock of its own.
  const clock = manualClock(new Date());
  const seeding = createGuard({ store, keys: PORTAL_KEYS, clock, locale: 'zh-CN' });
  await seedPortal(seeding, db);
  await seedRiskHistory(seeding, clock, new Date());
}
const portal = await servePortal({
  db,
  store,
  keys: PORTAL_KEYS,
  tenantId: TENANT.id,
  filesDir: new URL('files', dir).pathname,
  port: Number(process.env.PORT ?? 3000),
});
console.log(`HR portal: ${portal.url}  (password for every login: ${DEMO_PASSWORD})`);
for (const login of LOGINS) console.log(`  ${login.username.padEnd(10)} ${login.displayName}  ${login.role}`);
