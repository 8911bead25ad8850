import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  createGuard,
  defaultRulePacks,
  type EmployeeInput,
  type Facts,
  hmacKeys,
  manualClock,
  type RulePack,
  riskEvaluator,
  type SignalInput,
} from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { Engine } from 'json-rules-engine';
import { BENCH_SECRET } from './plain-crypto.js';
import { prng } from './random.js';
import { plainRules, withoutMissing } from './rules.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface ScoringBenchSize {
  readonly employees: number;
  /** Days of signals before the scoring day: the longest fact window is 90. */
  readonly days: number;
  readonly runs: number;
}

/** One row of the scoring table. */
export interface ScoringBenchRow {
  readonly path: string;
  readonly how: string;
  /** Employees scored per second, with every employee pack. */
  readonly figure: Figure;
}

/** What the run measured, and on what. */
export interface ScoringBenchResult {
  readonly employees: number;
  readonly days: number;
  /** Signals recorded through `signals.record`. */
  readonly signals: number;
  /** How long loading them through the public API took, in seconds, and its rate. */
  readonly loadSeconds: number;
  readonly packs: readonly string[];
  /** Employees at the alert threshold of some pack on the scoring day. */
  readonly alerting: number;
  readonly scan: ScoringBenchRow;
  readonly engine: ScoringBenchRow;
  readonly compiled: ScoringBenchRow;
}

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
const DAY = 86_400_000;
/** The scoring day: the scan runs at 02:00 UTC, after the last day of signals. */
const SCORED_AT = Date.parse('2026-11-02T02:00:00.000Z');
const BATCH = 10_000;

/**
 * A sales force of `count` reps in teams of 20 under 10 branches, all
 * reporting to a manager of their team.
 */
function org(count: number) {
  const teams = Math.ceil(count / 20);
  const units = [
    { id: 'hq', name: 'HQ', kind: 'hq' as const, parentId: null },
    ...Array.from({ length: 10 }, (_, b) => ({
      id: `b-${b}`,
      name: `Branch ${b}`,
      kind: 'branch' as const,
      parentId: 'hq',
    })),
    ...Array.from({ length: teams }, (_, t) => ({
      id: `t-${t}`,
      name: `Team ${t}`,
      kind: 'team' as const,
      parentId: `b-${t % 10}`,
    })),
  ];
  const managers: EmployeeInput[] = Array.from({ length: teams }, (_, t) => ({
    id: `m-${t}`,
    name: `Manager ${t}`,
    unitId: `t-${t}`,
    roles: ['manager'],
    hireDate: '2018-01-01',
  }));
  const reps: EmployeeInput[] = Array.from({ length: count }, (_, i) => ({
    id: `e-${i}`,
    name: `Rep ${i}`,
    unitId: `t-${Math.floor(i / 20)}`,
    managerId: `m-${Math.floor(i / 20)}`,
    roles: ['sales'],
    hireDate: '2022-01-01',
  }));
  return { units, employees: [...managers, ...reps] };
}

/**
 * Every rep's signals over `days` working and weekend days, oldest first:
 * logins and record views on working days, some after-hours access and
 * exports, a day of leave now and then. One rep in 40 starts job hunting and
 * moving data in the last three weeks, so the packs have something to fire on.
 */
function* signals(count: number, days: number, seed = 20261102): Generator<SignalInput> {
  const r = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(r() * (max - min + 1));
  const firstDay = SCORED_AT - days * DAY;
  for (let d = 0; d < days; d++) {
    const day = firstDay + d * DAY;
    const weekday = new Date(day).getUTCDay();
    const working = weekday !== 0 && weekday !== 6;
    const late = days - d <= 21;
    for (let i = 0; i < count; i++) {
      const employeeId = `e-${i}`;
      const hot = i % 40 === 7 && late;
      const at = (hour: number) => new Date(day + hour * 3_600_000).toISOString();
      if (working) {
        yield { kind: 'login', employeeId, at: at(1), value: int(1, 4) };
        yield { kind: 'view', employeeId, at: at(2), value: hot ? int(60, 150) : int(10, 50) };
      }
      if (hot || r() < 0.04) yield { kind: 'after-hours', employeeId, at: at(13), value: hot ? int(1, 3) : 1 };
      if (hot ? r() < 0.3 : r() < 0.02)
        yield { kind: 'export', employeeId, at: at(3), value: hot ? int(200, 900) : int(5, 60) };
      if (working && r() < (hot ? 0.1 : 0.01)) yield { kind: 'leave', employeeId, at: at(0), value: 1 };
      if (hot && r() < 0.15) yield { kind: 'resume-update', employeeId, at: at(12) };
      if (hot && r() < 0.1) yield { kind: 'competitor-contact', employeeId, at: at(5) };
    }
  }
}

/** The employee packs a scan scores: the default flight-risk and data-exfiltration packs. */
function employeePacks(): RulePack[] {
  return Object.values(defaultRulePacks).filter((p) => p.subject === 'employee');
}

/**
 * Scheduled scoring on SQLite: `employees` reps with `days` of signals,
 * loaded through `signals.record` in batches of 10,000, then scored by
 * `risk.scan` (read each employee's 90-day ledger and state, compute the
 * facts, score every employee pack, keep the score history and alert
 * state), page after page of 1,000, as the worker's timer does. Beside it,
 * json-rules-engine alone scores the same facts (read once through
 * `risk.facts`, one engine per pack, reused), and Guard's compiled path
 * scores them without the store.
 */
export async function scoringBench(size: ScoringBenchSize, log: (line: string) => void): Promise<ScoringBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'guard-bench-scoring-'));
  const store = sqliteStore({ filename: join(dir, 'guard.db') });
  const clock = manualClock(new Date(SCORED_AT).toISOString());
  try {
    const guard = createGuard({ store, keys, clock });
    await store.migrate();
    await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    const t = guard.tenant('acme');
    const { units, employees } = org(size.employees);
    await t.directory.sync({ units, employees: [] });
    for (let i = 0; i < employees.length; i += 5000)
      await t.directory.sync({ employees: employees.slice(i, i + 5000) });

    const loadStart = process.hrtime.bigint();
    let recorded = 0;
    let batch: SignalInput[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      recorded += (await t.signals.record(batch)).recorded;
      batch = [];
    };
    for (const s of signals(size.employees, size.days)) {
      batch.push(s);
      if (batch.length === BATCH) await flush();
    }
    await flush();
    const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
    log(`  loaded ${recorded.toLocaleString('en-US')} signals in ${loadSeconds.toFixed(1)} s`);

    const packs = employeePacks();
    const scanAll = async () => {
      let scored = 0;
      let cursor: string | undefined;
      do {
        const page = await t.risk.scan(
          cursor === undefined ? { subject: 'employee', limit: 1000 } : { subject: 'employee', cursor, limit: 1000 },
        );
        scored += page.scored;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return scored;
    };
    // The first scan writes every employee's first score point and raises the alerts; later ones find them in place.
    const firstScored = await scanAll();
    if (firstScored !== size.employees)
      throw new Error(`the scan scored ${firstScored} of ${size.employees} employees`);

    const facts: Facts[] = [];
    for (let i = 0; i < size.employees; i++) facts.push(await t.risk.facts({ type: 'employee', id: `e-${i}` }));
    const evaluators = packs.map((p) => riskEvaluator(p));
    const engines = packs.map((p) => {
      const engine = new Engine([], { allowUndefinedFacts: true });
      for (const rule of plainRules(p)) engine.addRule(rule);
      return engine;
    });
    const plain = facts.map((f) => withoutMissing(f));

    // The three paths agree on which rules fire, employee by employee, before anything is timed.
    let alerting = 0;
    for (const [i, f] of facts.entries()) {
      const scores = await t.risk.score({ type: 'employee', id: `e-${i}` });
      const compiled = evaluators.map((e) => e.scoreSync?.(f) ?? null);
      if (!isDeepStrictEqual(scores, compiled)) throw new Error(`e-${i}: the compiled score differs from the scan's`);
      if (scores.some((s) => s.band === 'alert')) alerting++;
      for (const [p, engine] of engines.entries()) {
        const { events } = await engine.run({ ...plain[i] });
        const fired = events
          .filter((e) => e.type === 'risk')
          .map((e) => e.params?.rule)
          .sort();
        const expected = (compiled[p]?.fired ?? []).map((x) => x.rule).sort();
        if (!isDeepStrictEqual(fired, expected)) throw new Error(`e-${i}: json-rules-engine fires ${fired.join(',')}`);
      }
    }

    const scan = await measure(size.runs, () =>
      rate(size.employees, async () => {
        if ((await scanAll()) !== size.employees) throw new Error('a scan missed employees');
      }),
    );
    const engine = await measure(size.runs, () =>
      rate(size.employees, async () => {
        for (const f of plain) for (const e of engines) await e.run({ ...f });
      }),
    );
    const compiled = await measure(size.runs, () =>
      rate(size.employees, async () => {
        for (const f of facts) for (const e of evaluators) e.scoreSync?.(f);
      }),
    );
    return {
      employees: size.employees,
      days: size.days,
      signals: recorded,
      loadSeconds,
      packs: packs.map((p) => `${p.id}@${p.version}`),
      alerting,
      scan: {
        path: 'Guard `risk.scan`, SQLite file',
        how: "read the employee's ledger rows and state, compute the facts, score both packs, keep score history and alert state",
        figure: scan,
      },
      engine: {
        path: 'json-rules-engine alone',
        how: 'the same facts, already in memory; one engine per pack, reused',
        figure: engine,
      },
      compiled: {
        path: "Guard's compiled scoring alone",
        how: 'the same facts, already in memory; `scoreSync` of both packs, a whole `RiskScore` each',
        figure: compiled,
      },
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
