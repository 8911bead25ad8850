import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CustomerInput,
  createGuard,
  type Guard,
  hmacKeys,
  MAX_CUSTOMER_BATCH,
  manualClock,
  memoryNotifier,
  memoryStore,
  type Store,
} from '@guard/core';
import { postgresStore } from '@guard/store-postgres';
import { freshTenant } from './bulk.js';
import { onPostgres, onSqlite, plainSqlite } from './databases.js';
import { BENCH_SECRET } from './plain-crypto.js';
import { type Figure, measure } from './stats.js';

/** How much work the section does. */
export interface WorkerBenchSize {
  /** Customers (each with a follow-up timer) per run, on memory and SQLite: a small and a large tenant. */
  readonly customers: readonly number[];
  /** Customers per run on Postgres. */
  readonly postgresCustomers: number;
  /** Worker processes on one Postgres, e.g. `[1, 4]`. */
  readonly processes: readonly number[];
  /** Tenants the Postgres customers are spread over (a vendor's worker serves all its tenants). */
  readonly postgresTenants: number;
  readonly runs: number;
}

/** Timers fired per second by Guard's worker, with the plain driver doing the same queue work where there is one. */
export interface WorkerBenchRow {
  readonly store: 'memory' | 'SQLite' | 'Postgres';
  readonly customers: number;
  readonly processes: number;
  readonly guard: Figure;
  readonly baseline?: { readonly figure: Figure; readonly label: string };
  /**
   * Worker processes only: the share of the drain each spent on a core (CPU
   * time ÷ wall time, on average), and how busy all the machine's cores were
   * (Postgres included; `null` where `/proc/stat` is missing).
   */
  readonly cpu?: { readonly process: number; readonly machine: number | null };
}

export const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
/** Monday 09:00 in Shanghai: the first sync. */
export const SYNCED = '2026-11-02T01:00:00.000Z';
/** Four days later: every customer's "remind the owner after 3 days" timer is due. */
export const DUE = '2026-11-06T01:00:00.000Z';
const REPS = 200;

function customer(i: number): CustomerInput {
  return {
    id: `c-${i}`,
    name: `Customer ${i}`,
    ownerId: `e-${i % REPS}`,
    unitId: `t-${i % 10}`,
    fields: { public: { city: '上海' }, contact: { phone: `138${String(10_000_000 + i).slice(-8)}` } },
  };
}

/**
 * A tenant after its first sync of `count` customers, each with the
 * follow-up timer Guard sets when a customer arrives.
 */
async function syncedTenant(store: Store, tenantId: string, count: number): Promise<void> {
  const t = await freshTenant(store, tenantId, SYNCED);
  for (let i = 0; i < count; i += MAX_CUSTOMER_BATCH) {
    const batch = Array.from({ length: Math.min(MAX_CUSTOMER_BATCH, count - i) }, (_, j) => customer(i + j));
    await t.customers.upsert(batch);
  }
}

/**
 * Runs the worker until nothing is due at {@link DUE}; returns the timers it
 * fired. Used by the bench and by each worker process.
 */
export async function drain(guard: Guard): Promise<number> {
  const notifier = memoryNotifier();
  const worker = guard.worker({ notifier, batchSize: 100 });
  let fired = 0;
  for (;;) {
    const r = await worker.runDue(new Date(DUE));
    if (r.timerErrors.length > 0) throw new Error(`worker: ${r.timerErrors.join('; ')}`);
    fired += r.timersFired + r.timersDropped;
    if (r.timersFired + r.timersDropped + r.effectsDelivered === 0) return fired;
  }
}

/** Timers per second of one drain of a fresh tenant of `count` customers, in this process. */
async function inProcess(store: Store, tenantId: string, count: number): Promise<number> {
  await syncedTenant(store, tenantId, count);
  const guard = createGuard({ store, keys, clock: manualClock(DUE) });
  const start = process.hrtime.bigint();
  const fired = await drain(guard);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (fired !== count) throw new Error(`the worker fired ${fired} timers, expected ${count}`);
  return fired / seconds;
}

/**
 * The plain driver's timer queue on SQLite: the same claim-then-settle shape
 * (claim 100 due timers in one transaction, then a transaction per timer
 * that completes it and writes what it did), without Guard's work in
 * between.
 */
function sqliteQueue(file: string, count: number): number {
  const db = plainSqlite(file);
  db.exec(`drop table if exists plain_timers; drop table if exists plain_done;
    create table plain_timers (id text primary key, due_at text not null, lease_until text, owner text, event text);
    create index plain_timers_due on plain_timers (due_at, id);
    create table plain_done (id text primary key, at text, outcome text)`);
  const add = db.prepare('insert into plain_timers values (?, ?, null, null, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++)
      add.run(`t-${i}`, DUE, JSON.stringify({ type: 'follow-up.due', customerId: `c-${i}` }));
  })();
  const due = db.prepare(
    'select id, event from plain_timers where due_at <= ? and (lease_until is null or lease_until < ?) order by due_at, id limit 100',
  );
  const lease = db.prepare('update plain_timers set lease_until = ?, owner = ? where id = ?');
  const complete = db.prepare('delete from plain_timers where id = ? and owner = ?');
  const done = db.prepare('insert into plain_done values (?, ?, ?)');
  const claim = db.transaction((now: string, until: string) => {
    const rows = due.all(now, now) as { id: string; event: string }[];
    for (const r of rows) lease.run(until, 'w', r.id);
    return rows;
  });
  const settle = db.transaction((id: string, event: string) => {
    if (complete.run(id, 'w').changes !== 1) throw new Error('lease lost');
    done.run(id, DUE, JSON.stringify({ reminded: JSON.parse(event).customerId }));
  });
  const start = process.hrtime.bigint();
  let fired = 0;
  for (;;) {
    const rows = claim.immediate(DUE, '2026-11-06T01:01:00.000Z');
    if (rows.length === 0) break;
    for (const r of rows) settle.immediate(r.id, r.event);
    fired += rows.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  if (fired !== count) throw new Error(`the plain queue fired ${fired}, expected ${count}`);
  return fired / seconds;
}

/** Busy and total CPU time of the whole machine so far (Linux `/proc/stat`), or `null` elsewhere. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = (cpu ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th fields.
    return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** What a worker process tells the bench. */
interface WorkerReport {
  readonly type: string;
  readonly fired?: number;
  /** CPU time ÷ wall time of its drain. */
  readonly busy?: number;
  readonly error?: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Timers per second of `processes` worker processes draining one tenant on
 * one Postgres together: each process connects, says it is ready, drains
 * when told to and reports what it fired; the clock runs from "go" to the
 * last report.
 */
async function processes(
  url: string,
  prefix: string,
  count: number,
  n: number,
): Promise<{ rate: number; busy: number; machine: number | null }> {
  const children = Array.from({ length: n }, () =>
    fork(join(here, 'worker-process.ts'), [url, prefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    const message = (child: (typeof children)[number], type: string) =>
      new Promise<WorkerReport>((resolve, reject) => {
        const onMessage = (m: WorkerReport) => {
          if (m.type === 'error') reject(new Error(`worker process: ${m.error}`));
          else if (m.type === type) resolve(m);
          else return;
          child.off('message', onMessage);
        };
        child.on('message', onMessage);
        child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before "${type}"`)));
      });
    await Promise.all(children.map((c) => message(c, 'ready')));
    const ticks = machineTicks();
    const start = process.hrtime.bigint();
    const done = Promise.all(children.map((c) => message(c, 'done')));
    for (const c of children) c.send({ type: 'go' });
    const reports = await done;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const fired = reports.reduce((sum, r) => sum + (r.fired ?? 0), 0);
    if (fired !== count) throw new Error(`${n} worker processes fired ${fired} timers, expected ${count}`);
    const busy = reports.reduce((sum, r) => sum + (r.busy ?? 0), 0) / n;
    const after = machineTicks();
    const machine = ticks && after ? (after.busy - ticks.busy) / (after.total - ticks.total) : null;
    return { rate: fired / seconds, busy, machine };
  } finally {
    // Each process closes its store and exits; one that has not within 10 s is stopped.
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill(), 10_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}

/**
 * The worker draining a first sync's follow-up timers: in this process on
 * the memory store and SQLite (next to a plain-driver queue on SQLite), and
 * as 1 and more processes sharing one Postgres.
 */
export async function workerBench(
  size: WorkerBenchSize,
  postgresUrl: string,
  progress: (line: string) => void,
): Promise<WorkerBenchRow[]> {
  const rows: WorkerBenchRow[] = [];
  for (const count of size.customers) {
    const store = memoryStore();
    const guard = await measure(size.runs, (run) => inProcess(store, `mem-${count}-${run}`, count));
    rows.push({ store: 'memory', customers: count, processes: 1, guard });
    progress(`  memory, ${count} timers: ${guard.median.toFixed(0)}/s`);
  }
  for (const count of size.customers) {
    await onSqlite(async (store, dir) => {
      const guard = await measure(size.runs, (run) => inProcess(store, `sq-${count}-${run}`, count));
      const plain = await measure(size.runs, async () => sqliteQueue(join(dir, 'plain.db'), count));
      rows.push({
        store: 'SQLite',
        customers: count,
        processes: 1,
        guard,
        baseline: { figure: plain, label: 'better-sqlite3: claim 100, then a transaction per timer' },
      });
      progress(`  SQLite, ${count} timers: ${guard.median.toFixed(0)}/s, plain ${plain.median.toFixed(0)}/s`);
    });
  }
  await onPostgres(postgresUrl, 'workers', async (store, prefix) => {
    for (const n of size.processes) {
      const busy: number[] = [];
      const machine: number[] = [];
      const guard = await measure(size.runs, async (run) => {
        const each = size.postgresCustomers / size.postgresTenants;
        for (let t = 0; t < size.postgresTenants; t++) await syncedTenant(store, `pg-${n}-${run}-${t}`, each);
        const result = await processes(postgresUrl, prefix, size.postgresCustomers, n);
        busy.push(result.busy);
        if (result.machine !== null) machine.push(result.machine);
        return result.rate;
      });
      const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const cpu = { process: mean(busy), machine: machine.length > 0 ? mean(machine) : null };
      rows.push({ store: 'Postgres', customers: size.postgresCustomers, processes: n, guard, cpu });
      progress(
        `  Postgres, ${n} worker process(es), ${size.postgresCustomers} timers: ${guard.median.toFixed(0)}/s, each process on a core ${(cpu.process * 100).toFixed(0)}% of the time, the machine's cores ${cpu.machine === null ? '?' : (cpu.machine * 100).toFixed(0)}% busy`,
      );
    }
  });
  return rows;
}

/** Used by `worker-process.ts`: a Guard on the bench's Postgres tables, its clock at {@link DUE}. */
export function postgresGuard(url: string, prefix: string): Guard {
  const store = postgresStore({ connectionString: url, tablePrefix: prefix });
  return createGuard({ store, keys, clock: manualClock(DUE) });
}
