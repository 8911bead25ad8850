import * as z from 'zod';
import { observeWindow, type WindowState } from '../anomaly/window.js';
import type { StoreTransaction } from '../ports/store.js';
import { pagedItems } from '../store/pages.js';
import { recordKind } from '../store/records.js';
import { FACT_HISTORY_DAYS } from './facts.js';
import {
  anySignalKindSchema,
  type DayTotals,
  type RiskSubjectRef,
  type SignalInput,
  type SignalKind,
  type SignalLedger,
  signalSubjects,
  subjectKey,
  utcDay,
} from './signals.js';

/** One record per subject and UTC day: `id` = `<subject>:<YYYY-MM-DD>`, `ref` = the subject, `data` = the day's totals. */
export const SIGNAL_DAY_KIND = 'risk-day';
/**
 * One record per subject that has signals: `id` = `employee:<id>` or
 * `customer:<id>`, `ref` = the subject type, `at` = the first signal's
 * recording time (stable, so scans page without skipping), `data.last` =
 * the latest time per signal kind, `data.windows` = the anomaly detector's
 * bucketed sliding windows of an employee's activity, by activity name.
 */
export const SIGNAL_SUBJECT_KIND = 'risk-subject';
/** Marks a signal id as recorded, so a retried signal is not counted twice. */
export const SIGNAL_SEEN_KIND = 'risk-signal';

const DAY_MS = 86_400_000;

const signalDays = recordKind(
  SIGNAL_DAY_KIND,
  z.partialRecord(anySignalKindSchema, z.strictObject({ count: z.number(), sum: z.number() })),
);
const windowSchema = z.strictObject({
  bucketMs: z.int().positive(),
  buckets: z.array(z.tuple([z.int(), z.number()]).readonly()).readonly(),
});
const signalSubjectRecords = recordKind(
  SIGNAL_SUBJECT_KIND,
  z.strictObject({
    last: z.partialRecord(anySignalKindSchema, z.string()),
    windows: z.record(z.string(), windowSchema).optional(),
  }),
);

/**
 * Events counted in one of a subject's sliding windows (the anomaly
 * detector's: `view`, `export`, …), with the window's length and limit.
 */
export interface WindowCount {
  readonly name: string;
  readonly count: number;
  readonly windowMs: number;
  readonly limit: number;
}

/** What a window holds after {@link WindowCount}'s events were added. */
export interface WindowResult {
  readonly name: string;
  readonly inWindow: number;
  readonly breach: boolean;
}

/** Windows to count in with the signals: whose they are, and what to add at which time. */
export interface WindowUpdate {
  readonly subject: RiskSubjectRef;
  /** Epoch ms. */
  readonly at: number;
  readonly counts: readonly WindowCount[];
}
const seenSignals = recordKind(SIGNAL_SEEN_KIND, z.strictObject({ kind: anySignalKindSchema }));

/**
 * A change to one subject's totals of one signal kind on one UTC day:
 * `+1` / `+value` when something is recorded, `-1` / `-value` when an
 * order that counted is cancelled or moved. `at` is when it happened; a
 * positive change moves the subject's latest time of the kind forward.
 */
export interface LedgerDelta {
  readonly subject: RiskSubjectRef;
  readonly kind: SignalKind;
  readonly at: string;
  readonly count: number;
  readonly sum: number;
}

/**
 * Adds signals to the subjects' ledgers inside the caller's transaction:
 * one write per subject and day touched, one per subject for the latest
 * times, one per signal id. Returns how many signals were new (signals whose
 * id was seen before are skipped).
 */
export async function appendSignals(
  tx: StoreTransaction,
  tenantId: string,
  now: string,
  signals: readonly SignalInput[],
): Promise<number> {
  return (await appendCounting(tx, tenantId, now, signals)).recorded;
}

/**
 * {@link appendSignals}, counting events in a subject's sliding windows in
 * the same write of its subject record: the anomaly detector's windows and
 * the risk ledger are one set of counters, updated together.
 */
export async function appendCounting(
  tx: StoreTransaction,
  tenantId: string,
  now: string,
  signals: readonly SignalInput[],
  windows?: WindowUpdate,
): Promise<{ readonly recorded: number; readonly windows: readonly WindowResult[] }> {
  const deltas: LedgerDelta[] = [];
  let recorded = 0;
  const seenInBatch = new Set<string>();
  for (const signal of signals) {
    if (signal.id !== undefined) {
      if (seenInBatch.has(signal.id) || (await seenSignals.get(tx, tenantId, signal.id))) continue;
      seenInBatch.add(signal.id);
      await seenSignals.insert(
        tx,
        { tenantId, id: signal.id, ref: null, status: null, at: now, data: { kind: signal.kind } },
        now,
      );
    }
    recorded++;
    const at = new Date(signal.at).toISOString();
    for (const subject of signalSubjects(signal)) {
      deltas.push({ subject, kind: signal.kind, at, count: 1, sum: signal.value ?? 1 });
    }
  }
  return { recorded, windows: await applyLedgerDeltas(tx, tenantId, now, deltas, windows) };
}

/**
 * Applies changes to the subjects' daily totals inside the caller's
 * transaction: one read and one write per subject and day touched, and per
 * subject whose latest times change. A kind whose count on a day falls to 0
 * is removed from that day; when that was the day of the subject's latest
 * signal of the kind, the latest is found again among the remaining days
 * (the start of that day; none when no day within {@link FACT_HISTORY_DAYS}
 * has one).
 */
export async function applyLedgerDeltas(
  tx: StoreTransaction,
  tenantId: string,
  now: string,
  deltas: readonly LedgerDelta[],
  windows?: WindowUpdate,
): Promise<WindowResult[]> {
  const results: WindowResult[] = [];
  const days = new Map<
    string,
    { subject: string; day: string; totals: Map<SignalKind, { count: number; sum: number }> }
  >();
  const latest = new Map<string, Partial<Record<SignalKind, string>>>();
  const emptied = new Map<string, Set<SignalKind>>();
  const subjects = new Map<string, RiskSubjectRef>();
  for (const d of deltas) {
    const key = subjectKey(d.subject);
    subjects.set(key, d.subject);
    const day = utcDay(d.at);
    const slot = `${key}:${day}`;
    const entry = days.get(slot) ?? { subject: key, day, totals: new Map() };
    const t = entry.totals.get(d.kind) ?? { count: 0, sum: 0 };
    entry.totals.set(d.kind, { count: t.count + d.count, sum: t.sum + d.sum });
    days.set(slot, entry);
    if (d.count > 0) {
      const last = latest.get(key) ?? {};
      if ((last[d.kind] ?? '') < d.at) last[d.kind] = d.at;
      latest.set(key, last);
    }
  }
  for (const [id, { subject, day, totals }] of days) {
    const current = await signalDays.get(tx, tenantId, id);
    const merged: Partial<Record<SignalKind, { count: number; sum: number }>> = { ...current?.data };
    for (const [kind, t] of totals) {
      const before = merged[kind];
      const count = (before?.count ?? 0) + t.count;
      if (count > 0) merged[kind] = { count, sum: (before?.sum ?? 0) + t.sum };
      else {
        delete merged[kind];
        const set = emptied.get(subject) ?? new Set();
        set.add(kind);
        emptied.set(subject, set);
      }
    }
    const at = current?.at ?? `${day}T00:00:00.000Z`;
    await signalDays.upsert(tx, { tenantId, id, ref: subject, status: null, at, data: merged }, now, current);
  }
  const windowKey = windows === undefined ? undefined : subjectKey(windows.subject);
  if (windows !== undefined && windowKey !== undefined) subjects.set(windowKey, windows.subject);
  const touched = [...latest.keys(), ...emptied.keys(), ...(windowKey === undefined ? [] : [windowKey])];
  for (const key of new Set(touched)) {
    const current = await signalSubjectRecords.get(tx, tenantId, key);
    const merged: Partial<Record<SignalKind, string>> = { ...current?.data.last };
    let kept = current?.data.windows;
    if (windows !== undefined && key === windowKey) {
      const next: Record<string, WindowState> = { ...kept };
      for (const w of windows.counts) {
        const result = observeWindow(next[w.name], windows.at, w.count, w.limit, w.windowMs);
        next[w.name] = result.state;
        results.push({ name: w.name, inWindow: result.inWindow, breach: result.breach });
      }
      kept = next;
    }
    for (const [kind, at] of Object.entries(latest.get(key) ?? {}) as [SignalKind, string][]) {
      if ((merged[kind] ?? '') < at) merged[kind] = at;
    }
    // A kind emptied on the day of its latest signal: the latest is the last day that still has one.
    const stale = [...(emptied.get(key) ?? [])].filter((kind) => merged[kind] !== undefined);
    if (stale.length > 0) {
      const asOf = stale
        .map((kind) => merged[kind] as string)
        .sort()
        .at(-1) as string;
      const history = await readDays(tx, tenantId, key, new Date(asOf));
      for (const kind of stale) {
        if (history[utcDay(merged[kind] as string)]?.[kind]) continue; // that day still has one
        const day = Object.keys(history)
          .filter((d) => (history[d]?.[kind]?.count ?? 0) > 0)
          .sort()
          .at(-1);
        if (day === undefined) delete merged[kind];
        else merged[kind] = `${day}T00:00:00.000Z`;
      }
    }
    const ref = (subjects.get(key) as RiskSubjectRef).type;
    const data = kept === undefined ? { last: merged } : { last: merged, windows: kept };
    const draft = { tenantId, id: key, ref, status: null, at: current?.at ?? now, data };
    await signalSubjectRecords.upsert(tx, draft, now, current);
  }
  return results;
}

/** A subject's daily totals for the {@link FACT_HISTORY_DAYS} days up to `asOf`: one range scan. */
async function readDays(
  tx: StoreTransaction,
  tenantId: string,
  key: string,
  asOf: Date,
): Promise<Record<string, DayTotals>> {
  const from = new Date(Date.parse(utcDay(asOf.getTime())) - FACT_HISTORY_DAYS * DAY_MS).toISOString();
  const to = new Date(asOf.getTime() + 1).toISOString();
  const days: Record<string, DayTotals> = {};
  for await (const r of pagedItems((page) =>
    tx.listRecords(tenantId, { kind: SIGNAL_DAY_KIND, ref: key, from, to }, page),
  )) {
    days[r.at.slice(0, 10)] = signalDays.read(r).data;
  }
  return days;
}

/** Reads a subject's ledger for the {@link FACT_HISTORY_DAYS} days up to `asOf`: one range scan. */
export async function readLedger(
  tx: StoreTransaction,
  tenantId: string,
  subject: RiskSubjectRef,
  asOf: Date,
): Promise<SignalLedger> {
  const key = subjectKey(subject);
  const days = await readDays(tx, tenantId, key, asOf);
  const last = (await signalSubjectRecords.get(tx, tenantId, key))?.data.last ?? {};
  return { days, last };
}
