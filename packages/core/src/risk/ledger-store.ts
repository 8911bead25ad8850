import type { Json } from '../domain/entities.js';
import type { StoredRecord, StoreTransaction } from '../ports/store.js';
import { pagedItems } from '../store/pages.js';
import { FACT_HISTORY_DAYS } from './facts.js';
import {
  addToDay,
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

async function upsert(
  tx: StoreTransaction,
  tenantId: string,
  kind: string,
  id: string,
  fields: { ref: string; at: string },
  now: string,
  update: (prior: Json | null) => Json,
): Promise<void> {
  const current = await tx.getRecord(tenantId, kind, id);
  const record: StoredRecord = {
    tenantId,
    kind,
    id,
    ref: fields.ref,
    status: null,
    at: current?.at ?? fields.at,
    data: update(current?.data ?? null),
    version: (current?.version ?? 0) + 1,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
  await tx.putRecord(record, current?.version ?? null);
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
  const days = new Map<string, { subject: string; day: string; totals: DayTotals }>();
  const lasts = new Map<string, Partial<Record<SignalKind, string>>>();
  let recorded = 0;
  const seenInBatch = new Set<string>();
  for (const signal of signals) {
    if (signal.id !== undefined) {
      if (seenInBatch.has(signal.id) || (await tx.getRecord(tenantId, SIGNAL_SEEN_KIND, signal.id))) continue;
      seenInBatch.add(signal.id);
      await tx.putRecord(
        {
          tenantId,
          kind: SIGNAL_SEEN_KIND,
          id: signal.id,
          ref: null,
          status: null,
          at: now,
          data: { kind: signal.kind },
          version: 1,
          createdAt: now,
          updatedAt: now,
        },
        null,
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
    await upsert(tx, tenantId, SIGNAL_DAY_KIND, id, { ref: subject, at: `${day}T00:00:00.000Z` }, now, (prior) => {
      let merged = (prior ?? {}) as DayTotals;
      for (const [kind, t] of Object.entries(totals) as [SignalKind, { count: number; sum: number }][]) {
        const before = merged[kind];
        merged = { ...merged, [kind]: { count: (before?.count ?? 0) + t.count, sum: (before?.sum ?? 0) + t.sum } };
      }
      return merged as unknown as Json;
    });
  }
  for (const [key, last] of lasts) {
    await upsert(
      tx,
      tenantId,
      SIGNAL_SUBJECT_KIND,
      key,
      { ref: key.split(':')[0] as string, at: now },
      now,
      (prior) => {
        const before = ((prior as { last?: Record<string, string> } | null)?.last ?? {}) as Record<string, string>;
        const merged: Record<string, string> = { ...before };
        for (const [kind, at] of Object.entries(last)) if ((merged[kind] ?? '') < at) merged[kind] = at;
        return { last: merged };
      },
    );
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
    days[r.at.slice(0, 10)] = r.data as unknown as DayTotals;
  }
  const summary = await tx.getRecord(tenantId, SIGNAL_SUBJECT_KIND, key);
  const last = ((summary?.data as { last?: Partial<Record<SignalKind, string>> } | undefined)?.last ?? {}) as Partial<
    Record<SignalKind, string>
  >;
  return { days, last };
}
