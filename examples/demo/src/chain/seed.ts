// Puts 华东贸易 into the HR portal's database: the host's tables and logins,
// Guard's tables under the prefix `guard_`, the directory and customers
// through Guard's API, then the replayed history.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createGuard, manualClock, type TenantGuard } from '@guard/core';
import {
  addLogins,
  openHostDb,
  PORTAL_KEYS,
  type PortalLogin,
  publishAgreementAndTraining,
} from '@guard/example-hr-portal';
import { sqliteStore } from '@guard/store-sqlite';
import type Database from 'better-sqlite3';
import { type ChainCompany, chainCompany, TENANT } from './company.js';
import { type ReplayMonth, type ReplayResult, replayHistory } from './replay.js';

export interface SeededDemo {
  readonly db: Database.Database;
  readonly store: ReturnType<typeof sqliteStore>;
  readonly company: ChainCompany;
  readonly replay: ReplayResult;
  /** Guard for the tenant, on the demo's clock (now at `today`). */
  readonly acme: TenantGuard;
  readonly logins: readonly PortalLogin[];
}

/** Removes a SQLite file and its WAL files. */
function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Seeds a fresh database at `file` (a previous run's goes: the story starts
 * from the beginning every time) and returns it open.
 */
export async function seedChainDemo(options: {
  file: string;
  filesDir: string;
  today: Date;
  onMonth?: (month: ReplayMonth) => void;
}): Promise<SeededDemo> {
  mkdirSync(dirname(options.file), { recursive: true });
  removeDatabase(options.file);
  rmSync(options.filesDir, { recursive: true, force: true });
  const company = chainCompany(options.today);
  const db = openHostDb(options.file);
  const store = sqliteStore({ database: db, tablePrefix: 'guard_' });
  await store.migrate();
  const clock = manualClock(Date.parse(`${company.from}T00:00:00Z`));
  const guard = createGuard({ store, keys: PORTAL_KEYS, clock, locale: 'zh-CN' });
  await guard.tenants.upsert(TENANT);
  const acme = guard.tenant(TENANT.id);
  // A wholesaler's customers are followed up about monthly, not every three days (the default):
  // a reminder after a month without one, the manager told after two.
  await acme.settings.update({
    followUp: { remindAfterDays: 30, alertManagerAfterDays: 60, returnToPoolAfterDays: null },
  });
  await acme.directory.sync({ units: company.units, employees: company.employees });
  for (let i = 0; i < company.customers.length; i += 500) {
    await acme.customers.upsert(company.customers.slice(i, i + 500));
  }
  const replay = await replayHistory(guard, clock, company, {
    filesDir: options.filesDir,
    ...(options.onMonth ? { onMonth: options.onMonth } : {}),
  });
  clock.set(options.today);
  const { cast } = company;
  const sales = company.employees.filter((e) => e.roles?.includes('sales')).map((e) => e.id);
  const leavers = new Set(company.leavers.map((e) => e.id));
  await publishAgreementAndTraining(
    acme,
    sales.filter((id) => !leavers.has(id)),
    options.today.getTime(),
  );
  const logins: PortalLogin[] = [
    { ...login(cast.rep), role: 'sales rep / 销售' },
    { ...login(cast.poachersManager), role: 'branch manager / 分公司经理' },
    { ...login(cast.leaversManager), role: 'branch manager / 分公司经理' },
    { ...login(cast.hr), role: 'HR / 人事' },
    { ...login(cast.finance), role: 'finance / 财务' },
  ];
  await addLogins(db, logins);
  return { db, store, company, replay, acme, logins };
}

const login = (m: { employeeId: string; name: string; username: string }) => ({
  username: m.username,
  displayName: m.name,
  employeeId: m.employeeId,
});
