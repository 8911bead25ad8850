/**
 * The crash suite (issue #22): a child process drives a leaver's offboarding
 * through the public API — start, hand over every customer, submit, accept,
 * three sign-offs — and delivers the resulting CRM transfers to a fake CRM,
 * on a SQLite file. It is killed with SIGKILL at a step boundary (each one in
 * turn) or at a random moment, then started again. Afterwards every run has
 * completed, nothing is stuck in the outbox, each customer was moved in the
 * CRM by exactly one transfer (redeliveries after a kill carry the same
 * idempotency key), and the audit chain verifies. CI runs 16 runs (every
 * boundary once); `pnpm test:soak` 200.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard, type Guard } from '@guard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import { type KyselyStore, kyselyStore } from '../src/index.js';
import {
  CRASH_TENANT,
  CUSTOMERS_PER_LEAVER,
  crashKeys,
  customerOf,
  leaverId,
  successorOf,
} from '../test-support/crash-job.js';
import { connectRaw } from '../test-support/sql-harness.js';

const RUNS = soak({ ci: 16, soak: 200 });
/**
 * Step boundaries of a run: start, four items, submit, accept, three
 * sign-offs, delivery, and the first transfer applied by the CRM but not yet
 * recorded as delivered.
 */
const STEPS = 12;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const script = fileURLToPath(new URL('../test-support/crash-worker.ts', import.meta.url));

/** Where run `run` is killed: as it prints step `atStep`, or `afterMs` after its first step. */
type Kill = { readonly run: number } & ({ readonly atStep: number } | { readonly afterMs: number });

/**
 * Runs the worker from wherever the runs stand and kills it as the first of
 * `kills` it reaches says; resolves to the kill it carried out, or `null`
 * once every run is done.
 */
function runUntilKilled(db: string, runs: number, crm: string, kills: readonly Kill[]): Promise<Kill | null> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@guard/source', '--import', 'tsx', script, db, String(runs), crm],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let carriedOut: Kill | null = null;
    let timer: NodeJS.Timeout | undefined;
    const kill = (k: Kill) => {
      if (carriedOut === null) {
        carriedOut = k;
        child.kill('SIGKILL');
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const k of kills) {
        if ('atStep' in k && out.includes(`run ${k.run} step ${k.atStep} `)) kill(k);
        if ('afterMs' in k && timer === undefined && out.includes(`run ${k.run} step 1 `)) {
          timer = setTimeout(() => kill(k), k.afterMs);
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && carriedOut !== null) resolve(carriedOut);
      else if (code === 0 && out.includes('done\n')) resolve(null);
      else reject(new Error(`crash worker exited with ${String(code ?? signal)}:\n${out.slice(-2000)}\n${err}`));
    });
  });
}

describe(`${RUNS} offboardings killed with SIGKILL and restarted, on SQLite`, () => {
  let dir: string;
  let db: string;
  let crm: string;
  let store: KyselyStore;
  let guard: Guard;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'guard-crash-'));
    db = join(dir, 'guard.db');
    crm = join(dir, 'crm.tsv');
    writeFileSync(crm, '');
    store = kyselyStore({ db: connectRaw('sqlite', db), dialect: 'sqlite', destroyOnClose: true });
    await store.migrate();
    guard = createGuard({ store, keys: crashKeys });
    await guard.tenants.upsert({ id: CRASH_TENANT, name: '华东贸易', timeZone: 'Asia/Shanghai' });
    const t = guard.tenant(CRASH_TENANT);
    const staff = (id: string, roles: string[], managerId: string | null = null) => ({
      id,
      name: id,
      unitId: 'sh',
      managerId,
      roles,
      hireDate: '2020-01-01',
    });
    await t.directory.sync({
      units: [
        { id: 'hq', name: '总部', kind: 'hq', parentId: null },
        { id: 'sh', name: '上海', kind: 'branch', parentId: 'hq' },
      ],
      employees: [
        staff('mgr', ['manager']),
        staff('hr', ['hr-admin']),
        staff('fin', ['finance']),
        staff('mate-a', ['sales'], 'mgr'),
        staff('mate-b', ['sales'], 'mgr'),
        ...Array.from({ length: RUNS }, (_, r) => staff(leaverId(r), ['sales'], 'mgr')),
      ],
    });
    await t.customers.upsert(
      Array.from({ length: RUNS }, (_, r) =>
        Array.from({ length: CUSTOMERS_PER_LEAVER }, (_, i) => ({
          id: customerOf(r, i),
          name: `客户${r}-${i}`,
          ownerId: leaverId(r),
          unitId: 'sh',
        })),
      ).flat(),
    );
    // The crash worker runs its own guard; this one only reads.
    await store.close();
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'every run completes after its restart: nothing stuck, each transfer applied once, the chain intact',
    async () => {
      // One kill per run: at each step boundary in turn, every fourth run at a random moment instead.
      let plans: Kill[] = fc
        .sample(fc.integer({ min: 0, max: 1500 }), { numRuns: RUNS, seed: 22 })
        .map(
          (ms, run): Kill =>
            run % 4 === 3 ? { run, afterMs: ms } : { run, atStep: 1 + ((run - Math.floor(run / 4)) % STEPS) },
        );
      const killed = { atStep: 0, random: 0 };
      for (let starts = 0; ; starts++) {
        expect(starts, 'the runs never finished').toBeLessThan(RUNS * 2 + 5);
        const done = await runUntilKilled(db, RUNS, crm, plans);
        if (done === null) break;
        killed['atStep' in done ? 'atStep' : 'random']++;
        // The next process finishes this run and goes on; kill it in a later one.
        plans = plans.filter((k) => k.run > done.run);
      }
      // Most plans kill: a moment after the run is over does not.
      expect(killed.atStep + killed.random).toBeGreaterThan(RUNS / 2);

      store = kyselyStore({ db: connectRaw('sqlite', db), dialect: 'sqlite', destroyOnClose: true });
      guard = createGuard({ store, keys: crashKeys });
      const t = guard.tenant(CRASH_TENANT);
      try {
        for (let r = 0; r < RUNS; r++) {
          const view = await t.offboarding.forEmployee(leaverId(r));
          expect(view?.completedAt, `run ${r}`).not.toBeNull();
        }
        const backlog = await t.outbox.backlog();
        expect(backlog.effects, 'effects left in the outbox').toMatchObject({ pending: 0, dead: 0 });
        // The fake CRM: each customer moved by one transfer (one idempotency key), to its successor.
        const lines = readFileSync(crm, 'utf8').trim().split('\n');
        const byKey = new Map(lines.map((l) => [l.split('\t')[0], l.split('\t').slice(1)]));
        const moves = [...byKey.values()].map(([customerId, to]) => `${customerId}→${to}`).sort();
        const expected = Array.from({ length: RUNS }, (_, r) =>
          Array.from(
            { length: CUSTOMERS_PER_LEAVER },
            (_, i) => `${customerOf(r, i)}→${successorOf(customerOf(r, i))}`,
          ),
        )
          .flat()
          .sort();
        expect(moves).toEqual(expected);
        expect(await t.audit.verify()).toMatchObject({ ok: true });
        console.info(
          `[crash] ${RUNS} runs: killed at a step boundary ${killed.atStep}×, at a random moment ${killed.random}×; ` +
            `${lines.length} deliveries to the CRM, ${lines.length - byKey.size} of them repeated after a kill (same key); all complete, chain intact`,
        );
      } finally {
        await guard.close();
      }
    },
    soak({ ci: 600_000, soak: 4 * 3_600_000 }),
  );
});
