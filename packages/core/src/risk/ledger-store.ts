import * as z from 'zod';
import type { StoreTransaction } from '../ports/store.js';
import { pagedItems } from '../store/pages.js';
import { recordKind } from '../store/records.js';
import { FACT_HISTORY_DAYS } from './facts.js';
import {
  addToDay,
  type DayTotals,
  type RiskSubjectRef,
  type SignalInput,
  type SignalKind,
  type SignalLedger,
  signalKindSchema,
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
  z.partialRecord(signalKindSchema, z.strictObject({ count: z.number(), sum: z.number() })),
);
const signalSubjectRecords = recordKind(
  SIGNAL_SUBJECT_KIND,
  z.strictObject({ last: z.partialRecord(signalKindSchema, z.string()) }),
);
const seenSignals = recordKind(SIGNAL_SEEN_KIND, z.strictObject({ kind: signalKindSchema }));

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
  const days = new Map<string, { subject: string; day: string; totals: DayTotals }>();
  const lasts = new Map<string, Partial<Record<SignalKind, string>>>();
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
    const day = utcDay(signal.at);
    const at = new Date(signal.at).toISOString();
    for (const subject of signalSubjects(signal)) {
      const key = subjectKey(subject);
      const slot = `${key}:${day}`;
      const entry = days.get(slot) ?? { subject: key, day, totals: {} };
      entry.totals = addToDay(entry.totals, signal.kind, signal.value ?? 1);
      days.set(slot, entry);
      const last = lasts.get(key) ?? {};
      if ((last[signal.kind] ?? '') < at) last[signal.kind] = at;
      lasts.set(key, last);
    }
  }
  for (const [id, { subject, day, totals }] of days) {
    const current = await signalDays.get(tx, tenantId, id);
    let merged: DayTotals = current?.data ?? {};
    for (const [kind, t] of Object.entries(totals) as [SignalKind, { count: number; sum: number }][]) {
      const before = merged[kind];
      merged = { ...merged, [kind]: { count: (before?.count ?? 0) + t.count, sum: (before?.sum ?? 0) + t.sum } };
    }
    const at = current?.at ?? `${day}T00:00:00.000Z`;
    await signalDays.upsert(tx, { tenantId, id, ref: subject, status: null, at, data: merged }, now, current);
  }
  for (const [key, last] of lasts) {
    const current = await signalSubjectRecords.get(tx, tenantId, key);
    const merged: Partial<Record<SignalKind, string>> = { ...current?.data.last };
    for (const [kind, at] of Object.entries(last) as [SignalKind, string][]) {
      if ((merged[kind] ?? '') < at) merged[kind] = at;
    }
    const ref = key.split(':')[0] as string;
    const draft = { tenantId, id: key, ref, status: null, at: current?.at ?? now, data: { last: merged } };
    await signalSubjectRecords.upsert(tx, draft, now, current);
  }
  return recorded;
}

/** Reads a subject's ledger for the {@link FACT_HISTORY_DAYS} days up to `asOf`: one range scan. */
export async function readLedger(
  tx: StoreTransaction,
  tenantId: string,
  subject: RiskSubjectRef,
  asOf: Date,
): Promise<SignalLedger> {
  const key = subjectKey(subject);
  const from = new Date(Date.parse(utcDay(asOf.getTime())) - FACT_HISTORY_DAYS * DAY_MS).toISOString();
  const to = new Date(asOf.getTime() + 1).toISOString();
  const days: Record<string, DayTotals> = {};
  for await (const r of pagedItems((page) =>
    tx.listRecords(tenantId, { kind: SIGNAL_DAY_KIND, ref: key, from, to }, page),
  )) {
    days[r.at.slice(0, 10)] = signalDays.read(r).data;
  }
  const last = (await signalSubjectRecords.get(tx, tenantId, key))?.data.last ?? {};
  return { days, last };
}
