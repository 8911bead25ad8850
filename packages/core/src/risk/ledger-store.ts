import * as z from 'zod';
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
 * the latest time per signal kind.
 */
export const SIGNAL_SUBJECT_KIND = 'risk-subject';
/** Marks a signal id as recorded, so a retried signal is not counted twice. */
export const SIGNAL_SEEN_KIND = 'risk-signal';

const DAY_MS = 86_400_000;

const signalDays = recordKind(
  SIGNAL_DAY_KIND,
  z.partialRecord(anySignalKindSchema, z.strictObject({ count: z.number(), sum: z.number() })),
);
const signalSubjectRecords = recordKind(
  SIGNAL_SUBJECT_KIND,
  z.strictObject({ last: z.partialRecord(anySignalKindSchema, z.string()) }),
);
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
  await applyLedgerDeltas(tx, tenantId, now, deltas);
  return recorded;
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
): Promise<void> {
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
  for (const key of new Set([...latest.keys(), ...emptied.keys()])) {
    const current = await signalSubjectRecords.get(tx, tenantId, key);
    const merged: Partial<Record<SignalKind, string>> = { ...current?.data.last };
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
    const draft = { tenantId, id: key, ref, status: null, at: current?.at ?? now, data: { last: merged } };
    await signalSubjectRecords.upsert(tx, draft, now, current);
  }
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
