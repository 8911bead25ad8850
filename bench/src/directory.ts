import { createGuard, type EmployeeInput, hmacKeys, manualClock } from '@guard/core';
import { onSqlite } from './databases.js';
import { BENCH_SECRET } from './plain-crypto.js';
import { type Figure, formatRate, measure, rate, summarize } from './stats.js';

// What encrypting employees' e-mail and mobile costs a directory sync, on
// SQLite: the same directory synced with and without contacts, in the same
// run. `pnpm run build && pnpm bench:directory` (EMPLOYEES, RUNS to resize).

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
const BATCH = 1_000;

/** How much work one run does. */
export interface DirectoryBenchSize {
  readonly employees: number;
  readonly runs: number;
}

/** Employees per second: the first sync (new employees, new data keys) and a sync again (unchanged). */
export interface DirectoryBenchRow {
  readonly contacts: boolean;
  readonly first: Figure;
  readonly again: Figure;
}

function employee(i: number, contacts: boolean): EmployeeInput {
  return {
    id: `e-${i}`,
    name: `员工 ${i}`,
    unitId: 'hq',
    roles: ['sales'],
    hireDate: '2022-01-01',
    ...(contacts ? { email: `rep${i}@example.cn`, mobile: `+86139${String(10_000_000 + i).slice(-8)}` } : {}),
  };
}

/** Syncs the directory in batches of 1,000, twice per run, on a fresh SQLite file per run. */
export async function directoryBench(size: DirectoryBenchSize): Promise<DirectoryBenchRow[]> {
  const rows: DirectoryBenchRow[] = [];
  for (const contacts of [false, true]) {
    const directory = Array.from({ length: size.employees }, (_, i) => employee(i, contacts));
    const units = [{ id: 'hq', name: 'HQ', kind: 'hq' as const, parentId: null }];
    const again: number[] = [];
    const first = await measure(size.runs, () =>
      onSqlite(async (store) => {
        const guard = createGuard({ store, keys, clock: manualClock('2026-11-02T02:00:00.000Z') });
        await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
        const t = guard.tenant('acme');
        const sync = async () => {
          for (let i = 0; i < directory.length; i += BATCH) {
            await t.directory.sync({ units, employees: directory.slice(i, i + BATCH) });
          }
        };
        const firstRate = await rate(directory.length, sync);
        again.push(await rate(directory.length, sync));
        return firstRate;
      }),
    );
    rows.push({ contacts, first, again: summarize(again) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = { employees: Number(process.env.EMPLOYEES ?? 5_000), runs: Number(process.env.RUNS ?? 3) };
  const rows = await directoryBench(size);
  const [plain, sealed] = rows as [DirectoryBenchRow, DirectoryBenchRow];
  console.log(`directory sync of ${size.employees} employees on SQLite, ${size.runs} runs`);
  for (const r of rows) {
    console.log(
      `${r.contacts ? 'with e-mail and mobile' : 'without contacts     '}  first ${formatRate(r.first)}  again ${formatRate(r.again)}`,
    );
  }
  console.log(
    `with ÷ without: first ${(sealed.first.median / plain.first.median).toFixed(2)}×, again ${(sealed.again.median / plain.again.median).toFixed(2)}×`,
  );
}
