import { ValidationError } from '../errors/guard-error.js';
import { validationMessage } from '../i18n/keys.js';
import { type RiskScore, riskEvaluator } from './evaluate.js';
import type { Facts } from './facts.js';
import type { LabelledSnapshot } from './history.js';
import type { RulePack } from './pack.js';
import type { RiskSubjectType } from './signals.js';

/**
 * Subjects counted by outcome: predicted positive (an alert episode started
 * in time) or not, against the label.
 *
 * @example
 * ```ts
 * import type { ConfusionMatrix } from '@guard/core';
 * const m: ConfusionMatrix = { tp: 27, fp: 9, fn: 3, tn: 81 };
 * const precision = m.tp / (m.tp + m.fp); // 0.75
 * ```
 */
export interface ConfusionMatrix {
  /** Positive subjects with an alert episode in time: true catches. */
  readonly tp: number;
  /** Negative subjects with an alert episode in time: false alarms. */
  readonly fp: number;
  /** Positive subjects without an alert episode in time (missed or late). */
  readonly fn: number;
  /** Negative subjects without an alert episode in time. */
  readonly tn: number;
}

/**
 * Days between the first alert and the deadline of each caught positive
 * subject that has a deadline (subjects without a deadline have no lead
 * time). Quartiles interpolate linearly; all `null` when `count` is 0.
 *
 * @example
 * ```ts
 * import type { LeadTime } from '@guard/core';
 * const lead: LeadTime = { count: 27, median: 21, p25: 10, p75: 33.5 };
 * ```
 */
export interface LeadTime {
  readonly count: number;
  readonly median: number | null;
  readonly p25: number | null;
  readonly p75: number | null;
}

/**
 * The headline numbers of one pack over one history.
 *
 * - `precision` = tp ÷ (tp + fp), `null` when nothing was predicted;
 *   `recall` = tp ÷ (tp + fn), `null` when there are no positives; `f1`
 *   their harmonic mean (`null` when either is `null`, 0 when both are 0).
 * - `alertsPer100StaffPerMonth` = alert episodes ÷ staff-months × 100, where
 *   staff-months are the distinct (subject, UTC calendar month) pairs among
 *   the snapshots: the alert load an analyst would have carried.
 * - `late` counts the positives whose only alert episodes started after
 *   their deadline (they are in `fn`).
 *
 * @example
 * ```ts
 * import { backtest } from '@guard/core';
 * const { metrics } = await backtest(pack, history);
 * console.log(metrics.precision, metrics.recall, metrics.alertsPer100StaffPerMonth);
 * ```
 */
export interface BacktestMetrics {
  readonly pack: { readonly id: string; readonly version: string };
  readonly snapshots: number;
  readonly subjects: number;
  readonly positives: number;
  readonly confusion: ConfusionMatrix;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** Alert episodes, including those after a deadline. */
  readonly episodes: number;
  readonly staffMonths: number;
  readonly alertsPer100StaffPerMonth: number;
  readonly late: number;
  readonly leadDays: LeadTime;
}

/**
 * One alert episode: the snapshot where a subject's band became `alert`
 * after a snapshot that was not (or after no snapshot at all).
 *
 * @example
 * ```ts
 * import type { BacktestAlert } from '@guard/core';
 * const a: BacktestAlert = {
 *   subject: 'e-7', at: '2026-10-01T00:00:00.000Z', score: 65,
 *   rules: ['competitor-contact', 'resume-updated', 'job-site-visits'],
 *   positive: true, group: 'poacher', inTime: true,
 * };
 * ```
 */
export interface BacktestAlert {
  readonly subject: string;
  /** The snapshot's `at`, as given in the history. */
  readonly at: string;
  readonly score: number;
  /** The rules that fired, highest points first. */
  readonly rules: readonly string[];
  readonly positive: boolean;
  readonly group: string | null;
  /** At or before the subject's deadline (always true without a deadline). */
  readonly inTime: boolean;
}

/**
 * Subjects, positives and outcomes of one `group` of the history (the
 * generator's tag, e.g. `poacher`, `honest-leaver`); `group: null` holds
 * the subjects without one.
 *
 * @example
 * ```ts
 * import type { GroupCount } from '@guard/core';
 * const g: GroupCount = { group: 'honest-leaver', subjects: 40, positives: 0, predicted: 3, tp: 0, fp: 3, fn: 0, tn: 37 };
 * ```
 */
export interface GroupCount extends ConfusionMatrix {
  readonly group: string | null;
  readonly subjects: number;
  readonly positives: number;
  /** Subjects predicted positive (tp + fp). */
  readonly predicted: number;
}

/**
 * One bar pair of the score histogram: subjects whose highest score over
 * the history falls in `from`–`to` (0–9, 10–19, …, 90–100), positives and
 * negatives apart.
 *
 * @example
 * ```ts
 * import type { HistogramBucket } from '@guard/core';
 * const b: HistogramBucket = { from: 60, to: 69, positive: 12, negative: 4 };
 * ```
 */
export interface HistogramBucket {
  readonly from: number;
  readonly to: number;
  readonly positive: number;
  readonly negative: number;
}

/**
 * Alert episodes that started in one UTC calendar month, with the subjects
 * that had a snapshot in it (the month's staff).
 *
 * @example
 * ```ts
 * import type { MonthlyAlerts } from '@guard/core';
 * const m: MonthlyAlerts = { month: '2026-10', episodes: 4, subjects: 120 };
 * ```
 */
export interface MonthlyAlerts {
  /** `YYYY-MM`, UTC. */
  readonly month: string;
  readonly episodes: number;
  readonly subjects: number;
}

/**
 * Everything one pack did over one history: the metrics, every alert
 * episode (in time order), the per-group counts (empty when no snapshot
 * has a group), the histogram of each subject's highest score and the
 * episodes per month (every month with a snapshot, in order).
 *
 * @example
 * ```ts
 * import { backtest } from '@guard/core';
 * const report = await backtest(pack, history);
 * for (const a of report.alerts) console.log(a.at, a.subject, a.score, a.rules.join(', '));
 * ```
 */
export interface BacktestRun {
  readonly metrics: BacktestMetrics;
  readonly alerts: readonly BacktestAlert[];
  readonly groups: readonly GroupCount[];
  readonly scoreHistogram: readonly HistogramBucket[];
  readonly monthly: readonly MonthlyAlerts[];
}

/**
 * A subject one pack predicts positive and the other does not: with
 * `positive` it is a true catch gained or lost, without it a false alarm.
 * `firstAlertAt` and `score` are from the pack that predicts it: its first
 * alert episode in time.
 *
 * @example
 * ```ts
 * import type { SubjectChange } from '@guard/core';
 * const c: SubjectChange = { subject: 'e-12', positive: true, group: 'poacher', firstAlertAt: '2026-03-01T00:00:00.000Z', score: 65 };
 * ```
 */
export interface SubjectChange {
  readonly subject: string;
  readonly positive: boolean;
  readonly group: string | null;
  readonly firstAlertAt: string;
  readonly score: number;
}

/**
 * The result of {@link backtest}: the pack's {@link BacktestRun}, and with
 * a baseline the baseline's run and the subjects the change adds to or
 * removes from the predictions.
 *
 * @example
 * ```ts
 * import { backtest } from '@guard/core';
 * const r = await backtest(candidate, history, { baseline: current });
 * console.log(r.metrics.recall, r.baseline?.metrics.recall);
 * for (const c of r.changes?.added ?? []) console.log('+', c.subject, c.positive ? 'catch' : 'false alarm');
 * ```
 */
export interface BacktestReport extends BacktestRun {
  readonly subject: RiskSubjectType;
  /** The history's first and last snapshot time (ISO, UTC). */
  readonly period: { readonly from: string; readonly to: string };
  readonly baseline?: BacktestRun | undefined;
  readonly changes?:
    | {
        /** Predicted positive by the pack but not by the baseline. */
        readonly added: readonly SubjectChange[];
        /** Predicted positive by the baseline but not by the pack. */
        readonly removed: readonly SubjectChange[];
      }
    | undefined;
}

/**
 * Options of {@link backtest}.
 *
 * @example
 * ```ts
 * import type { BacktestOptions } from '@guard/core';
 * const options: BacktestOptions = { baseline: currentPack, onProgress: (n) => bar.update(n) };
 * ```
 */
export interface BacktestOptions {
  /** The pack in production: compare against it (same history, one pass). */
  readonly baseline?: RulePack | undefined;
  /** Called with the number of snapshots scored so far, every 10,000 and at the end. */
  readonly onProgress?: ((done: number) => void) | undefined;
}

// ---------------------------------------------------------------- implementation

const DAY_MS = 86_400_000;
const PROGRESS_EVERY = 10_000;

/** One scored snapshot; `rules` is null unless the band is `alert`. */
interface Scored {
  readonly score: number;
  readonly rules: readonly string[] | null;
}

interface Entry {
  readonly at: number;
  /** UTC year × 12 + month. */
  readonly month: number;
  readonly iso: string;
  readonly seq: number;
  readonly scored: readonly Scored[];
}

interface SubjectState {
  readonly subject: string;
  readonly positive: boolean;
  readonly deadline: number | null;
  readonly deadlineIso: string | undefined;
  group: string | null;
  readonly entries: Entry[];
}

interface Outcome {
  readonly predicted: boolean;
  readonly first: { readonly iso: string; readonly score: number } | null;
}

function invalid(path: (string | number)[], message: string): ValidationError {
  return new ValidationError('backtest history', [{ path, message, code: 'custom' }]);
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return round(a + (b - a) * (pos - lo));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function monthKey(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function monthLabel(key: number): string {
  const year = Math.floor(key / 12);
  return `${String(year).padStart(4, '0')}-${String((key % 12) + 1).padStart(2, '0')}`;
}

function analyse(
  pack: RulePack,
  index: number,
  subjects: readonly SubjectState[],
  snapshots: number,
): { run: BacktestRun; outcomes: Map<string, Outcome> } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let late = 0;
  let positives = 0;
  let staffMonths = 0;
  const alerts: { at: number; alert: BacktestAlert }[] = [];
  const leads: number[] = [];
  const outcomes = new Map<string, Outcome>();
  const groups = new Map<
    string | null,
    { subjects: number; positives: number; tp: number; fp: number; fn: number; tn: number }
  >();
  const histogram = Array.from({ length: 10 }, () => ({ positive: 0, negative: 0 }));
  const monthEpisodes = new Map<number, number>();
  const monthSubjects = new Map<number, number>();

  for (const s of subjects) {
    let previousAlert = false;
    let first: { iso: string; score: number; at: number } | null = null;
    let anyEpisode = false;
    let max = 0;
    let lastMonth = Number.NaN;
    const months = new Set<number>();
    for (const e of s.entries) {
      const scored = e.scored[index] as Scored;
      if (scored.score > max) max = scored.score;
      const month = e.month;
      if (month !== lastMonth && !months.has(month)) {
        months.add(month);
        monthSubjects.set(month, (monthSubjects.get(month) ?? 0) + 1);
      }
      lastMonth = month;
      const isAlert = scored.rules !== null;
      if (isAlert && !previousAlert) {
        anyEpisode = true;
        const inTime = s.deadline === null || e.at <= s.deadline;
        if (inTime && first === null) first = { iso: e.iso, score: scored.score, at: e.at };
        alerts.push({
          at: e.at,
          alert: {
            subject: s.subject,
            at: e.iso,
            score: scored.score,
            rules: scored.rules as readonly string[],
            positive: s.positive,
            group: s.group,
            inTime,
          },
        });
        monthEpisodes.set(month, (monthEpisodes.get(month) ?? 0) + 1);
      }
      previousAlert = isAlert;
    }
    staffMonths += months.size;
    const predicted = first !== null;
    outcomes.set(s.subject, { predicted, first: first && { iso: first.iso, score: first.score } });
    const g = groups.get(s.group) ?? { subjects: 0, positives: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
    groups.set(s.group, g);
    g.subjects++;
    const bucket = histogram[Math.min(9, Math.floor(max / 10))] as { positive: number; negative: number };
    if (s.positive) {
      positives++;
      g.positives++;
      bucket.positive++;
      if (predicted) {
        tp++;
        g.tp++;
        if (s.deadline !== null && first) leads.push((s.deadline - first.at) / DAY_MS);
      } else {
        fn++;
        g.fn++;
        if (anyEpisode) late++;
      }
    } else {
      bucket.negative++;
      if (predicted) {
        fp++;
        g.fp++;
      } else {
        tn++;
        g.tn++;
      }
    }
  }

  alerts.sort((a, b) => a.at - b.at || compareText(a.alert.subject, b.alert.subject));
  leads.sort((a, b) => a - b);
  const precision = tp + fp === 0 ? null : tp / (tp + fp);
  const recall = tp + fn === 0 ? null : tp / (tp + fn);
  const f1 =
    precision === null || recall === null
      ? null
      : precision + recall === 0
        ? 0
        : (2 * precision * recall) / (precision + recall);
  const hasGroups = subjects.some((s) => s.group !== null);
  const groupCounts: GroupCount[] = hasGroups
    ? [...groups.entries()]
        .map(([group, g]) => ({ group, ...g, predicted: g.tp + g.fp }))
        .sort((a, b) =>
          a.group === b.group ? 0 : a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : 1,
        )
    : [];
  const monthly = [...monthSubjects.keys()]
    .sort((a, b) => a - b)
    .map((m) => ({ month: monthLabel(m), episodes: monthEpisodes.get(m) ?? 0, subjects: monthSubjects.get(m) ?? 0 }));

  return {
    outcomes,
    run: {
      metrics: {
        pack: { id: pack.id, version: pack.version },
        snapshots,
        subjects: subjects.length,
        positives,
        confusion: { tp, fp, fn, tn },
        precision,
        recall,
        f1,
        episodes: alerts.length,
        staffMonths,
        alertsPer100StaffPerMonth: staffMonths === 0 ? 0 : (alerts.length / staffMonths) * 100,
        late,
        leadDays: {
          count: leads.length,
          median: quantile(leads, 0.5),
          p25: quantile(leads, 0.25),
          p75: quantile(leads, 0.75),
        },
      },
      alerts: alerts.map((a) => a.alert),
      groups: groupCounts,
      scoreHistogram: histogram.map((b, i) => ({ from: i * 10, to: i === 9 ? 100 : i * 10 + 9, ...b })),
      monthly,
    },
  };
}

function changesBetween(
  subjects: readonly SubjectState[],
  mine: Map<string, Outcome>,
  theirs: Map<string, Outcome>,
): SubjectChange[] {
  const out: SubjectChange[] = [];
  for (const s of subjects) {
    const a = mine.get(s.subject) as Outcome;
    const b = theirs.get(s.subject) as Outcome;
    if (a.predicted && !b.predicted && a.first) {
      out.push({
        subject: s.subject,
        positive: s.positive,
        group: s.group,
        firstAlertAt: a.first.iso,
        score: a.first.score,
      });
    }
  }
  return out.sort(
    (x, y) =>
      Number(y.positive) - Number(x.positive) ||
      Date.parse(x.firstAlertAt) - Date.parse(y.firstAlertAt) ||
      compareText(x.subject, y.subject),
  );
}

function isSyncIterable<T>(x: Iterable<T> | AsyncIterable<T>): x is Iterable<T> {
  return typeof (x as Iterable<T>)[Symbol.iterator] === 'function';
}

/**
 * Replays a labelled history through a rule pack and measures how well its
 * alerts would have caught the true cases — before the pack goes live.
 *
 * How it counts:
 *
 * 1. Snapshots are grouped by subject and sorted by `at` (ties keep the
 *    input order). Every snapshot is scored with {@link riskEvaluator} —
 *    on the compiled fast path when the pack allows it, so a million
 *    snapshots take seconds.
 * 2. An **alert episode** starts at a snapshot whose band is `alert` when
 *    the subject's previous snapshot was not `alert`: Guard raises one
 *    alert per run of alerting snapshots, not one per snapshot.
 * 3. A subject is **predicted positive** when an episode starts at or
 *    before its `label.deadline` (at any time when it has none). Against
 *    `label.positive` that makes it TP, FP, FN or TN; a positive whose only
 *    episodes start after the deadline is FN and counted as `late`.
 * 4. Precision, recall and F1 follow (see {@link BacktestMetrics});
 *    alerts per 100 staff per month = episodes ÷ distinct (subject, UTC
 *    month) pairs × 100; lead days = deadline − first in-time episode, for
 *    each caught positive with a deadline (median, p25, p75).
 * 5. With `baseline`, the same history is scored by both packs in one pass;
 *    `changes.added` lists the subjects the pack predicts and the baseline
 *    does not, `changes.removed` the reverse — true catches and false
 *    alarms gained or lost.
 *
 * The history must hold snapshots of the pack's subject type; that is the
 * caller's concern. Every line of a subject must carry the same label.
 *
 * @param history - labelled snapshots in any order, e.g. lines of `labelled.jsonl` validated with {@link labelledSnapshotSchema}
 * @throws ValidationError when the history is empty, a snapshot's `at` or
 *   `deadline` is not a date, a subject's lines disagree on the label, or
 *   the baseline scores another subject type
 *
 * @example
 * ```ts
 * import { backtest, defaultRulePacks, parseRulePack } from '@guard/core';
 * const candidate = parseRulePack(JSON.parse(readFileSync('flight-risk.json', 'utf8')));
 * const report = await backtest(candidate, history, { baseline: defaultRulePacks.flightRisk });
 * console.log(report.metrics.recall, report.baseline?.metrics.recall, report.changes?.added.length);
 * ```
 */
export async function backtest(
  pack: RulePack,
  history: Iterable<LabelledSnapshot> | AsyncIterable<LabelledSnapshot>,
  options: BacktestOptions = {},
): Promise<BacktestReport> {
  const { baseline, onProgress } = options;
  if (baseline && baseline.subject !== pack.subject) {
    throw new ValidationError('backtest baseline', [
      {
        path: ['subject'],
        message: validationMessage('baseline-subject', {
          baseline: `${baseline.id}@${baseline.version}`,
          baselineSubject: baseline.subject,
          pack: `${pack.id}@${pack.version}`,
          packSubject: pack.subject,
        }),
        code: 'custom',
      },
    ]);
  }
  const evaluators = baseline ? [riskEvaluator(pack), riskEvaluator(baseline)] : [riskEvaluator(pack)];
  const allSync = evaluators.every((e) => e.scoreSync !== null);
  const toScored = (s: RiskScore): Scored => ({
    score: s.score,
    rules: s.band === 'alert' ? s.fired.map((f) => f.rule) : null,
  });
  const scoreSync = (facts: Facts): Scored[] =>
    evaluators.map((e) => toScored((e.scoreSync as (facts: Facts) => RiskScore)(facts)));
  const scoreAsync = async (facts: Facts): Promise<Scored[]> => {
    const out: Scored[] = [];
    for (const e of evaluators) out.push(toScored(e.scoreSync ? e.scoreSync(facts) : await e.score(facts)));
    return out;
  };
  const subjects = new Map<string, SubjectState>();
  let seq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;

  // Histories repeat the same few `at` values (one per snapshot date): parse each once.
  const times = new Map<string, { at: number; month: number }>();
  const time = (iso: string): { at: number; month: number } => {
    let t = times.get(iso);
    if (t === undefined) {
      const at = Date.parse(iso);
      if (Number.isNaN(at)) throw invalid([seq, 'at'], `"${iso}" is not a date-time`);
      if (times.size >= 100_000) times.clear();
      t = { at, month: monthKey(at) };
      times.set(iso, t);
    }
    return t;
  };

  /** Checks the snapshot against the subject's earlier lines and returns where to put it. */
  const admit = (snapshot: LabelledSnapshot): { state: SubjectState; at: number; month: number } => {
    const { at, month } = time(snapshot.at);
    const deadlineIso = snapshot.label.deadline;
    let state = subjects.get(snapshot.subject);
    if (!state) {
      const deadline = deadlineIso === undefined ? null : Date.parse(deadlineIso);
      if (deadline !== null && Number.isNaN(deadline)) {
        throw invalid([seq, 'label', 'deadline'], `"${deadlineIso}" is not a date-time`);
      }
      state = {
        subject: snapshot.subject,
        positive: snapshot.label.positive,
        deadline,
        deadlineIso,
        group: snapshot.group ?? null,
        entries: [],
      };
      subjects.set(snapshot.subject, state);
      return { state, at, month };
    }
    const sameDeadline =
      deadlineIso === state.deadlineIso ||
      (deadlineIso !== undefined && state.deadlineIso !== undefined && Date.parse(deadlineIso) === state.deadline);
    if (state.positive !== snapshot.label.positive || !sameDeadline) {
      throw invalid(
        [seq, 'label'],
        `subject "${snapshot.subject}" has another label on an earlier line (${JSON.stringify({ positive: state.positive, deadline: state.deadlineIso })}); every line of a subject must carry the same label`,
      );
    }
    if (state.group === null && snapshot.group !== undefined) state.group = snapshot.group;
    return { state, at, month };
  };
  const record = (
    snapshot: LabelledSnapshot,
    { state, at, month }: { state: SubjectState; at: number; month: number },
    scored: readonly Scored[],
  ): void => {
    state.entries.push({ at, month, iso: snapshot.at, seq, scored });
    if (at < min) min = at;
    if (at > max) max = at;
    seq++;
    if (onProgress && seq % PROGRESS_EVERY === 0) onProgress(seq);
  };

  if (isSyncIterable(history) && allSync) {
    // The fast path: no promise per snapshot.
    for (const snapshot of history) {
      record(snapshot, admit(snapshot), scoreSync(snapshot.facts));
    }
  } else {
    for await (const snapshot of history) {
      const place = admit(snapshot);
      record(snapshot, place, allSync ? scoreSync(snapshot.facts) : await scoreAsync(snapshot.facts));
    }
  }
  if (seq === 0) {
    throw invalid([], 'the history is empty; give at least one labelled snapshot (one JSON object per line)');
  }
  onProgress?.(seq);

  const states = [...subjects.values()];
  for (const s of states) s.entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const main = analyse(pack, 0, states, seq);
  const base = baseline ? analyse(baseline, 1, states, seq) : null;
  return {
    subject: pack.subject,
    period: { from: new Date(min).toISOString(), to: new Date(max).toISOString() },
    ...main.run,
    ...(base
      ? {
          baseline: base.run,
          changes: {
            added: changesBetween(states, main.outcomes, base.outcomes),
            removed: changesBetween(states, base.outcomes, main.outcomes),
          },
        }
      : {}),
  };
}
