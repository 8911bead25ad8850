import type { Rng } from './rng.js';
/** Internal day arithmetic for the simulation: whole UTC days counted from the start. */

/** @internal Milliseconds in a day. */
export const DAY_MS = 86_400_000;
/** Seconds in an hour: signal times within a day are in seconds. */
export const HOUR = 3600;

/** @internal The simulated period, as day indices from the start (day 0). */
export interface Calendar {
  readonly startMs: number;
  /** Exclusive: the first day after the period. */
  readonly endMs: number;
  readonly days: number;
  /** `YYYY-MM-DD` of each day index. */
  readonly keys: readonly string[];
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: Uint8Array;
  /** The working (Monday–Friday) day indices, ascending. */
  readonly workingDays: readonly number[];
  /** The day index `months` calendar months after the start (may be past the end). */
  monthStart(months: number): number;
  /** `YYYY-MM-DD` of any day index, also outside the period. */
  key(day: number): string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** @internal Parses `YYYY-MM-DD` (or an ISO time, whose UTC day is taken) into that UTC midnight, in ms. */
export function parseDay(text: string, what: string): number {
  const fail = () => new RangeError(`${what} must be a date (YYYY-MM-DD), got ${JSON.stringify(text)}`);
  if (DATETIME.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw fail();
    return Math.floor(t / DAY_MS) * DAY_MS;
  }
  const m = DATE.exec(text);
  if (!m) throw fail();
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || dayKeyOf(ms) !== text) throw fail();
  return ms;
}

/** @internal `YYYY-MM-DD` of a time in ms. */
export function dayKeyOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
}

/** @internal The calendar of `months` months from `startMs` (UTC midnight). */
export function makeCalendar(startMs: number, months: number): Calendar {
  const endMs = addMonths(startMs, months);
  const days = Math.round((endMs - startMs) / DAY_MS);
  const keys: string[] = [];
  const weekday = new Uint8Array(days);
  const workingDays: number[] = [];
  for (let d = 0; d < days; d++) {
    const ms = startMs + d * DAY_MS;
    keys.push(dayKeyOf(ms));
    const wd = new Date(ms).getUTCDay();
    weekday[d] = wd;
    if (wd !== 0 && wd !== 6) workingDays.push(d);
  }
  return {
    startMs,
    endMs,
    days,
    keys,
    weekday,
    workingDays,
    monthStart: (n) => Math.round((addMonths(startMs, n) - startMs) / DAY_MS),
    key: (day) => keys[day] ?? dayKeyOf(startMs + day * DAY_MS),
  };
}

/** @internal The working days in [lo, hi] (inclusive), as a slice of `calendar.workingDays`. */
export function workingDaysIn(calendar: Calendar, lo: number, hi: number): readonly number[] {
  const wd = calendar.workingDays;
  let a = 0;
  let b = wd.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((wd[mid] as number) < lo) a = mid + 1;
    else b = mid;
  }
  let end = a;
  while (end < wd.length && (wd[end] as number) <= hi) end++;
  return wd.slice(a, end);
}

/** @internal `hh:mm:ss` of a number of seconds after midnight. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.min(86_399, Math.floor(seconds)));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:${ss < 10 ? '0' : ''}${ss}`;
}

/** 1 before `from`, falling (or rising) linearly to `target` at `to`, `target` after. */
export function ramp(day: number, from: number, to: number, target: number): number {
  if (day <= from) return 1;
  if (day >= to) return target;
  return 1 + ((target - 1) * (day - from)) / (to - from);
}

/** A time in working hours (08:00–18:00), in seconds after midnight. */
export const workTime = (rng: Rng): number => 8 * HOUR + rng.int(0, 10 * HOUR - 1);
