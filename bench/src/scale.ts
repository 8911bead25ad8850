import {
  type AuditDraft,
  AuditLog,
  type CustomerRecord,
  createGuard,
  type EmployeeInput,
  type Guard,
  hmacKeys,
  manualClock,
  type OrgUnitInput,
  type Store,
} from '@guard/core';
import { onPostgres, onSqlite } from './databases.js';
import { BENCH_SECRET } from './plain-crypto.js';
import { prng } from './random.js';

/** How much work the section does. */
export interface ScaleBenchSize {
  /** Customers at each point of the curve, ascending; the company grows in place from one to the next. */
  readonly points: readonly number[];
  /** Pages timed per page kind and point. */
  readonly pages: number;
}

/** The pages a host shows most, each through Guard's public API. */
export type ScalePage = 'my customers' | "my team's customers" | "my branch's customers" | 'audit by actor';

/** Latency of one page kind at one point of the curve, in milliseconds. */
export interface ScaleBenchRow {
  readonly database: 'SQLite' | 'Postgres';
  readonly customers: number;
  readonly staff: number;
  readonly page: ScalePage;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Rows on the pages timed, on average (a page holds at most {@link PAGE}). */
  readonly rows: number;
}

/** Rows per page. */
export const PAGE = 50;
/** Customers per member of staff: the company grows with its customer base. */
const CUSTOMERS_PER_HEAD = 50;
const TEAM = 10;
const TEAMS_PER_BRANCH = 20;
const BRANCHES_PER_REGION = 10;

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
/** Monday 09:00 in Shanghai. */
const START = '2026-11-02T01:00:00.000Z';

const teamOf = (k: number) => Math.floor(k / TEAM);
const branchOf = (team: number) => Math.floor(team / TEAMS_PER_BRANCH);
/** Employee `k` is a branch manager (every 200th), a team manager (every 10th) or a sales rep. */
const kindOf = (k: number) => (k % (TEAM * TEAMS_PER_BRANCH) === 0 ? 'branch' : k % TEAM === 0 ? 'team' : 'rep');
const unitOfEmployee = (k: number) => (kindOf(k) === 'branch' ? `b-${branchOf(teamOf(k))}` : `t-${teamOf(k)}`);

/** The org of a company with `staff` people: HQ, regions of 10 branches, branches of 20 teams, teams of 10. */
function org(staff: number): { units: OrgUnitInput[]; employees: EmployeeInput[] } {
  const teams = Math.ceil(staff / TEAM);
  const branches = branchOf(teams - 1) + 1;
  const regions = Math.floor((branches - 1) / BRANCHES_PER_REGION) + 1;
  const units: OrgUnitInput[] = [
    { id: 'hq', name: 'HQ', kind: 'hq', parentId: null },
    ...Array.from({ length: regions }, (_, r) => ({
      id: `r-${r}`,
      name: `Region ${r}`,
      kind: 'region' as const,
      parentId: 'hq',
    })),
    ...Array.from({ length: branches }, (_, b) => ({
      id: `b-${b}`,
      name: `Branch ${b}`,
      kind: 'branch' as const,
      parentId: `r-${Math.floor(b / BRANCHES_PER_REGION)}`,
    })),
    ...Array.from({ length: teams }, (_, t) => ({
      id: `t-${t}`,
      name: `Team ${t}`,
      kind: 'team' as const,
      parentId: `b-${branchOf(t)}`,
    })),
  ];
  const employees: EmployeeInput[] = Array.from({ length: staff }, (_, k) => ({
    id: `e-${k}`,
    name: `Employee ${k}`,
    unitId: unitOfEmployee(k),
    roles: [kindOf(k) === 'rep' ? 'sales' : 'manager'],
    hireDate: '2020-01-01',
  }));
  return { units, employees };
}

/** Customer `i` of a company with `staff` people: owned by employee `i mod staff`, in that employee's unit. */
function customer(i: number, staff: number, at: string): CustomerRecord {
  const owner = i % staff;
  return {
    tenantId: 'acme',
    id: `c-${String(i).padStart(7, '0')}`,
    name: `Customer ${i}`,
    ownerId: `e-${owner}`,
    unitId: unitOfEmployee(owner),
    fields: {
      public: { industry: ['retail', 'logistics', 'finance'][i % 3] as string, city: '上海' },
      contact: { phone: `138${String(10_000_000 + i).slice(-8)}`, email: `buyer${i}@example.com` },
      commercial: { creditLimit: 50_000 + (i % 97) * 1000 },
    },
    externalRefs: {},
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/** The audit history of customer `i`: one read of it by its owner. */
function history(i: number, staff: number): AuditDraft {
  return {
    actor: { type: 'employee', id: `e-${i % staff}` },
    action: 'customer.read',
    subject: { type: 'customer', id: `c-${String(i).padStart(7, '0')}` },
    data: { via: 'read', shown: ['public', 'contact', 'commercial'], masked: [], hidden: [] },
  };
}

const SEED_BATCH = 10_000;
const AUDIT_BATCH = 1_000;

/**
 * Grows the company to `customers` customers (from `from`): its directory
 * through `directory.sync`, then the new customers and one audit entry each.
 * The customers go in through the store's bulk insert, not
 * `customers.upsert`: this section measures the pages on a big database, and
 * the first-sync section measures the public way in.
 */
async function grow(guard: Guard, store: Store, log: AuditLog, from: number, customers: number): Promise<void> {
  const staff = customers / CUSTOMERS_PER_HEAD;
  const { units, employees } = org(staff);
  const directory = guard.tenant('acme').directory;
  await directory.sync({ units });
  // New staff only, in syncs of at most 5,000 people.
  const hired = employees.slice(from / CUSTOMERS_PER_HEAD);
  for (let k = 0; k < hired.length; k += 5_000) await directory.sync({ employees: hired.slice(k, k + 5_000) });
  const at = START;
  for (let i = from; i < customers; i += SEED_BATCH) {
    const end = Math.min(customers, i + SEED_BATCH);
    const rows = Array.from({ length: end - i }, (_, j) => customer(i + j, staff, at));
    await store.transaction((tx) => tx.insertCustomers(rows));
    for (let a = i; a < end; a += AUDIT_BATCH) {
      const drafts = Array.from({ length: Math.min(AUDIT_BATCH, end - a) }, (_, j) => history(a + j, staff));
      await store.transaction((tx) => log.append(tx, 'acme', drafts));
    }
  }
  await (store as Store & { analyze?: () => Promise<void> }).analyze?.();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

/** Times `pages` pages of each kind by random actors of a company of `staff` people. */
async function timePages(
  guard: Guard,
  clock: ReturnType<typeof manualClock>,
  database: ScaleBenchRow['database'],
  customers: number,
  pages: number,
): Promise<ScaleBenchRow[]> {
  const staff = customers / CUSTOMERS_PER_HEAD;
  const t = guard.tenant('acme');
  const r = prng(customers);
  const pick = (n: number) => Math.floor(r() * n);
  const rep = () => {
    for (;;) {
      const k = pick(staff);
      if (kindOf(k) === 'rep') return `e-${k}`;
    }
  };
  const teamManager = () => {
    for (;;) {
      const k = pick(Math.ceil(staff / TEAM)) * TEAM;
      if (kindOf(k) === 'team') return `e-${k}`;
    }
  };
  const branchManager = () => `e-${pick(Math.ceil(staff / (TEAM * TEAMS_PER_BRANCH))) * TEAM * TEAMS_PER_BRANCH}`;
  const kinds: readonly [ScalePage, () => Promise<number>][] = [
    ['my customers', async () => (await t.customers.list({ actor: rep(), scope: 'own', limit: PAGE })).items.length],
    [
      "my team's customers",
      async () => (await t.customers.list({ actor: teamManager(), scope: 'team', limit: PAGE })).items.length,
    ],
    [
      "my branch's customers",
      async () => (await t.customers.list({ actor: branchManager(), scope: 'team', limit: PAGE })).items.length,
    ],
    ['audit by actor', async () => (await t.audit.query({ actorId: rep(), limit: PAGE, order: 'desc' })).items.length],
  ];
  const rows: ScaleBenchRow[] = [];
  for (const [page, once] of kinds) {
    for (let w = 0; w < Math.min(20, pages); w++) await once();
    const times: number[] = [];
    let seen = 0;
    for (let n = 0; n < pages; n++) {
      clock.advance({ minutes: 1 });
      const start = process.hrtime.bigint();
      seen += await once();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    rows.push({
      database,
      customers,
      staff,
      page,
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      max: times.at(-1) as number,
      rows: seen / pages,
    });
  }
  return rows;
}

async function curve(
  store: Store,
  database: ScaleBenchRow['database'],
  size: ScaleBenchSize,
  progress: (line: string) => void,
): Promise<ScaleBenchRow[]> {
  const clock = manualClock(START);
  const guard = createGuard({ store, keys, clock });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  // Pages by the same few managers would trip the bulk-view detector: this section times pages, not the detector.
  const wide = { limit: 1_000_000, windowMinutes: 60 };
  await guard.tenant('acme').settings.update({ anomaly: { view: wide, afterHours: wide } });
  const log = new AuditLog({ clock, keys, checkpointEvery: 10_000 });
  const rows: ScaleBenchRow[] = [];
  let from = 0;
  for (const customers of size.points) {
    const seeding = process.hrtime.bigint();
    await grow(guard, store, log, from, customers);
    from = customers;
    const took = (Number(process.hrtime.bigint() - seeding) / 1e9).toFixed(0);
    const timed = await timePages(guard, clock, database, customers, size.pages);
    rows.push(...timed);
    progress(
      `  ${database} ${customers.toLocaleString('en-US')} customers (grown in ${took} s): ${timed
        .map((x) => `${x.page} p95 ${x.p95.toFixed(1)} ms`)
        .join(', ')}`,
    );
  }
  const verified = await guard.tenant('acme').audit.verify();
  if (!verified.ok) throw new Error(`${database}: the audit chain does not verify after the scale run`);
  return rows;
}

/**
 * The pages a host shows most — "my customers", "my team's customers", a
 * branch manager's subtree and "audit by actor" — timed through the public
 * API as the company grows from the first point to the last, on SQLite and
 * Postgres.
 */
export async function scaleBench(
  size: ScaleBenchSize,
  postgresUrl: string,
  progress: (line: string) => void,
): Promise<ScaleBenchRow[]> {
  const sqlite = await onSqlite((store) => curve(store, 'SQLite', size, progress));
  const postgres = await onPostgres(postgresUrl, 'scale', (store) => curve(store, 'Postgres', size, progress));
  return [...sqlite, ...postgres];
}
