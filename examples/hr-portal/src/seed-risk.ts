// Five months of what the HR product knows about its sales staff, fed to
// Guard day by day, with the worker's nightly scan over the last two: enough
// for scores with a history to chart. 韩梅梅 starts reading far more customer records,
// exports at night and updates her résumé; 李雷 and 刘洋 just work.
import type { Guard, ManualClock, SignalInput } from '@guard/core';
import { TENANT } from './seed.js';

const DAY = 86_400_000;
const STEADY = ['e-lilei', 'e-liuyang', 'e-hanmeimei'] as const;
export const POACHER = 'e-hanmeimei';

/** A small deterministic generator: the same history every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The signals of day `d` (0 = the first of `days`), at `dayStart` (midnight in Shanghai). */
function signalsOf(d: number, days: number, dayStart: number, random: () => number): SignalInput[] {
  const at = (hours: number) => new Date(dayStart + hours * 3_600_000).toISOString();
  const out: SignalInput[] = [];
  const weekday = new Date(dayStart + 8 * 3_600_000).getUTCDay();
  if (weekday === 0 || weekday === 6) return out;
  const late = d >= days - 25; // 韩梅梅's last 25 days
  for (const e of STEADY) {
    out.push({ kind: 'login', employeeId: e, at: at(8.5), id: `login:${e}:${d}` });
    const views = Math.round((15 + random() * 10) * (e === POACHER && late ? 3.2 : 1));
    out.push({ kind: 'view', employeeId: e, at: at(10), value: views, id: `view:${e}:${d}` });
  }
  if (d === days - 20) out.push({ kind: 'export', employeeId: POACHER, at: at(21), value: 420, id: `export:${d}` });
  if (d === days - 8) out.push({ kind: 'export', employeeId: POACHER, at: at(22), value: 640, id: `export:${d}` });
  if (late && d % 3 === 0) out.push({ kind: 'after-hours', employeeId: POACHER, at: at(21.5), id: `night:${d}` });
  if (d === days - 15) out.push({ kind: 'resume-update', employeeId: POACHER, at: at(12), id: `resume:${d}` });
  if (d === days - 10) out.push({ kind: 'competitor-contact', employeeId: POACHER, at: at(15), id: `rival:${d}` });
  return out;
}

/** Days of signals before the first scan: trends compare 30 days with the 60 before, so scans start on day 90. */
const WARM_UP = 90;

/**
 * Records `WARM_UP + days` days of signals ending the day before `until`,
 * scanning every employee each evening of the last `days` as the worker's
 * daily scan would, then sets the clock to `until`. Guard is fed only
 * through `signals.record` and `risk.scan`, as a host does.
 */
export async function seedRiskHistory(guard: Guard, clock: ManualClock, until: Date, scanDays = 60): Promise<void> {
  const days = WARM_UP + scanDays;
  const acme = guard.tenant(TENANT.id);
  const random = rng(20_261_130);
  // Midnight in Shanghai (UTC+8), `days` days back.
  const firstMidnight = Math.floor((until.getTime() + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000 - days * DAY;
  for (let d = 0; d < days; d++) {
    const dayStart = firstMidnight + d * DAY;
    clock.set(dayStart + 23 * 3_600_000);
    const signals = signalsOf(d, days, dayStart, random);
    if (signals.length > 0) await acme.signals.record(signals);
    if (d < WARM_UP) continue;
    let cursor: string | undefined;
    do {
      const page = await acme.risk.scan({ subject: 'employee', cursor, limit: 200 });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  clock.set(until);
}
