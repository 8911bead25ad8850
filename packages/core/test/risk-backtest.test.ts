import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BacktestReport,
  backtest,
  defaultRulePacks,
  isGuardError,
  type LabelledSnapshot,
  parseRulePack,
  type RulePack,
} from '../src/index.js';

/** score = 60 × (exports30d ≥ 100) + 30 × (resumeUpdates30d ≥ 1); alert at `alert`, watch at 30. */
function testPack(alert = 60, version = '1.0.0'): RulePack {
  return parseRulePack({
    id: 'test-exfil',
    version,
    subject: 'employee',
    title: { en: 'Test', 'zh-CN': '测试' },
    thresholds: { alert, ...(alert > 30 ? { watch: 30 } : {}) },
    rules: [
      {
        name: 'big-export',
        conditions: { all: [{ fact: 'exports30d', operator: 'greaterThanInclusive', value: 100 }] },
        event: {
          type: 'risk',
          params: { weight: 60, explanation: { en: '{{exports30d}} rows', 'zh-CN': '{{exports30d}} 行' } },
        },
      },
      {
        name: 'resume',
        conditions: { all: [{ fact: 'resumeUpdates30d', operator: 'greaterThanInclusive', value: 1 }] },
        event: { type: 'risk', params: { weight: 30, explanation: { en: 'résumé', 'zh-CN': '简历' } } },
      },
    ],
  });
}

const POSITIVE_A = { positive: true, deadline: '2026-03-31T00:00:00.000Z' };
const POSITIVE_B = { positive: true, deadline: '2026-02-01T00:00:00.000Z' };
const NEGATIVE = { positive: false };

function snap(
  subject: string,
  day: string,
  facts: { exports30d?: number; resumeUpdates30d?: number },
  label: LabelledSnapshot['label'],
  group?: string,
): LabelledSnapshot {
  return { subject, at: `${day}T00:00:00.000Z`, facts, label, ...(group ? { group } : {}) };
}

/**
 * a: positive, caught (two episodes: Feb 1–15 and Mar 15); lead 58 days.
 * b: positive, only alerts after its deadline: late → FN.
 * c: negative, alerts (score 90) → FP.
 * d: negative, watch only → TN; no group.
 * e: positive without deadline, alerts in April → TP.
 * f: positive, never alerts → FN.
 * Deliberately out of order.
 */
const history: LabelledSnapshot[] = [
  snap('a', '2026-03-15', { exports30d: 120 }, POSITIVE_A, 'poacher'),
  snap('c', '2026-01-10', { exports30d: 500, resumeUpdates30d: 2 }, NEGATIVE, 'honest-leaver'),
  snap('a', '2026-01-01', { exports30d: 0 }, POSITIVE_A, 'poacher'),
  snap('b', '2026-03-01', { exports30d: 100 }, POSITIVE_B, 'poacher'),
  snap('a', '2026-02-15', { exports30d: 200 }, POSITIVE_A, 'poacher'),
  snap('d', '2026-01-01', { resumeUpdates30d: 1 }, NEGATIVE),
  snap('a', '2026-02-01', { exports30d: 150 }, POSITIVE_A, 'poacher'),
  snap('b', '2026-01-01', { exports30d: 0 }, POSITIVE_B, 'poacher'),
  snap('d', '2026-02-01', {}, NEGATIVE),
  snap('e', '2026-01-05', {}, { positive: true }, 'poacher'),
  snap('e', '2026-04-02', { exports30d: 999 }, { positive: true }, 'poacher'),
  snap('f', '2026-01-20', {}, POSITIVE_B, 'poacher'),
  snap('a', '2026-03-01', { exports30d: 0 }, POSITIVE_A, 'poacher'),
  snap('f', '2026-02-20', { resumeUpdates30d: 1 }, POSITIVE_B, 'poacher'),
];

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

async function validationMessage(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    expect(isGuardError(e, 'VALIDATION_FAILED')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('backtest', () => {
  it('counts subjects, not snapshots: TP, FP, FN (missed and late) and TN', async () => {
    const r = await backtest(testPack(), history);
    expect(r.subject).toBe('employee');
    expect(r.period).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z' });
    const m = r.metrics;
    expect(m.pack).toEqual({ id: 'test-exfil', version: '1.0.0' });
    expect(m.snapshots).toBe(14);
    expect(m.subjects).toBe(6);
    expect(m.positives).toBe(4);
    expect(m.confusion).toEqual({ tp: 2, fp: 1, fn: 2, tn: 1 });
    expect(m.late).toBe(1);
    expect(m.precision).toBeCloseTo(2 / 3, 10);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBeCloseTo(4 / 7, 10);
  });

  it('raises one alert per run of alerting snapshots, and marks those after the deadline', async () => {
    const r = await backtest(testPack(), history);
    expect(r.metrics.episodes).toBe(5);
    expect(r.alerts.map((a) => [a.subject, a.at.slice(0, 10), a.score, a.inTime])).toEqual([
      ['c', '2026-01-10', 90, true],
      ['a', '2026-02-01', 60, true],
      ['b', '2026-03-01', 60, false],
      ['a', '2026-03-15', 60, true],
      ['e', '2026-04-02', 60, true],
    ]);
    expect(r.alerts[0]).toEqual({
      subject: 'c',
      at: '2026-01-10T00:00:00.000Z',
      score: 90,
      rules: ['big-export', 'resume'],
      positive: false,
      group: 'honest-leaver',
      inTime: true,
    });
  });

  it('counts alerts per 100 staff-months over distinct (subject, UTC month) pairs', async () => {
    const r = await backtest(testPack(), history);
    // a: Jan Feb Mar; b: Jan Mar; c: Jan; d: Jan Feb; e: Jan Apr; f: Jan Feb
    expect(r.metrics.staffMonths).toBe(12);
    expect(r.metrics.alertsPer100StaffPerMonth).toBeCloseTo((5 / 12) * 100, 10);
    expect(r.monthly).toEqual([
      { month: '2026-01', episodes: 1, subjects: 6 },
      { month: '2026-02', episodes: 1, subjects: 3 },
      { month: '2026-03', episodes: 2, subjects: 2 },
      { month: '2026-04', episodes: 1, subjects: 1 },
    ]);
  });

  it('takes calendar months in UTC, whatever the offset the snapshot was written with', async () => {
    const r = await backtest(testPack(), [
      { subject: 'x', at: '2026-02-01T07:00:00+08:00', facts: {}, label: NEGATIVE }, // 2026-01-31T23:00Z
      { subject: 'x', at: '2026-01-15T00:00:00Z', facts: {}, label: NEGATIVE },
    ]);
    expect(r.metrics.staffMonths).toBe(1);
    expect(r.monthly).toEqual([{ month: '2026-01', episodes: 0, subjects: 1 }]);
  });

  it('measures lead time from the first alert in time to the deadline', async () => {
    const r = await backtest(testPack(), history);
    // a: 2026-03-31 − 2026-02-01 = 58 days; e has no deadline, so no lead time.
    expect(r.metrics.leadDays).toEqual({ count: 1, median: 58, p25: 58, p75: 58 });
  });

  it('interpolates the lead-time quartiles', async () => {
    const deadline = '2026-01-31T00:00:00.000Z';
    const lines = [1, 11, 21, 31].map((day, i) =>
      snap(`p${i}`, `2026-01-${String(day).padStart(2, '0')}`, { exports30d: 100 }, { positive: true, deadline }),
    );
    const { leadDays } = (await backtest(testPack(), lines)).metrics;
    // leads 30, 20, 10, 0
    expect(leadDays).toEqual({ count: 4, median: 15, p25: 7.5, p75: 22.5 });
  });

  it('counts per group, histograms each subject’s highest score, positives apart', async () => {
    const r = await backtest(testPack(), history);
    expect(r.groups).toEqual([
      { group: 'honest-leaver', subjects: 1, positives: 0, predicted: 1, tp: 0, fp: 1, fn: 0, tn: 0 },
      { group: 'poacher', subjects: 4, positives: 4, predicted: 2, tp: 2, fp: 0, fn: 2, tn: 0 },
      { group: null, subjects: 1, positives: 0, predicted: 0, tp: 0, fp: 0, fn: 0, tn: 1 },
    ]);
    expect(r.scoreHistogram).toHaveLength(10);
    expect(r.scoreHistogram[0]).toEqual({ from: 0, to: 9, positive: 0, negative: 0 });
    expect(r.scoreHistogram[3]).toEqual({ from: 30, to: 39, positive: 1, negative: 1 }); // f d
    expect(r.scoreHistogram[6]).toEqual({ from: 60, to: 69, positive: 3, negative: 0 }); // a b e
    expect(r.scoreHistogram[9]).toEqual({ from: 90, to: 100, positive: 0, negative: 1 }); // c
  });

  it('reports no groups when no snapshot has one, and null rates when there is nothing to divide', async () => {
    const r = await backtest(testPack(), [snap('x', '2026-01-01', {}, NEGATIVE)]);
    expect(r.groups).toEqual([]);
    expect(r.metrics.precision).toBeNull();
    expect(r.metrics.recall).toBeNull();
    expect(r.metrics.f1).toBeNull();
    expect(r.metrics.leadDays).toEqual({ count: 0, median: null, p25: null, p75: null });
    const missed = await backtest(testPack(), [snap('x', '2026-01-01', {}, { positive: true })]);
    expect(missed.metrics.recall).toBe(0);
    expect(missed.metrics.precision).toBeNull();
    expect(missed.metrics.f1).toBeNull();
  });

  it('lists the true catches and false alarms a change adds and removes against a baseline', async () => {
    const strict = testPack(90, '0.9.0'); // only c (score 90) alerts
    const r = await backtest(testPack(), history, { baseline: strict });
    expect(r.baseline?.metrics.pack).toEqual({ id: 'test-exfil', version: '0.9.0' });
    expect(r.baseline?.metrics.confusion).toEqual({ tp: 0, fp: 1, fn: 4, tn: 1 });
    expect(r.baseline?.alerts.map((a) => a.subject)).toEqual(['c']);
    expect(r.changes).toEqual({
      added: [
        { subject: 'a', positive: true, group: 'poacher', firstAlertAt: '2026-02-01T00:00:00.000Z', score: 60 },
        { subject: 'e', positive: true, group: 'poacher', firstAlertAt: '2026-04-02T00:00:00.000Z', score: 60 },
      ],
      removed: [],
    });
    const back = await backtest(strict, history, { baseline: testPack() });
    expect(back.changes?.added).toEqual([]);
    expect(back.changes?.removed.map((c) => c.subject)).toEqual(['a', 'e']);

    // At 30, d (watch) and f (résumé on Feb 20) alert too — but f's deadline was Feb 1: late, not a catch.
    const lenient = testPack(30, '2.0.0');
    const more = await backtest(lenient, history, { baseline: testPack() });
    expect(more.changes?.added).toEqual([
      { subject: 'd', positive: false, group: null, firstAlertAt: '2026-01-01T00:00:00.000Z', score: 30 },
    ]);
    expect(more.metrics.late).toBe(2);
  });

  it('has no baseline or changes without a baseline', async () => {
    const r: BacktestReport = await backtest(testPack(), history);
    expect(r.baseline).toBeUndefined();
    expect(r.changes).toBeUndefined();
  });

  it('reads async iterables, reports progress, and gives the same report', async () => {
    const seen: number[] = [];
    const a = await backtest(testPack(), slowly(history), { onProgress: (n) => seen.push(n) });
    expect(a).toEqual(await backtest(testPack(), history));
    expect(seen.at(-1)).toBe(history.length);
  });

  it('scores packs off the compiled path (fact-to-fact conditions) through json-rules-engine', async () => {
    const pack = parseRulePack({
      id: 'views-vs-exports',
      version: '1.0.0',
      subject: 'employee',
      title: { en: 'T', 'zh-CN': 'T' },
      thresholds: { alert: 50 },
      rules: [
        {
          name: 'exports-exceed-views',
          conditions: { all: [{ fact: 'exports30d', operator: 'greaterThan', value: { fact: 'views30d' } }] },
          event: { type: 'risk', params: { weight: 50, explanation: { en: 'x', 'zh-CN': 'x' } } },
        },
      ],
    });
    const r = await backtest(pack, [
      snap('x', '2026-01-01', { exports30d: 10, views30d: 5 } as never, { positive: true }),
      snap('y', '2026-01-01', { exports30d: 1, views30d: 5 } as never, NEGATIVE),
    ]);
    expect(r.metrics.confusion).toEqual({ tp: 1, fp: 0, fn: 0, tn: 1 });
  });

  it('keeps the input order of snapshots at the same instant', async () => {
    const label = { positive: true };
    const r = await backtest(testPack(), [
      snap('x', '2026-01-01', { exports30d: 0 }, label),
      snap('x', '2026-01-01', { exports30d: 100 }, label),
      snap('x', '2026-01-01', { exports30d: 0 }, label),
      snap('x', '2026-01-01', { exports30d: 100 }, label),
    ]);
    expect(r.metrics.episodes).toBe(2);
  });

  it('rejects an empty history, contradicting labels and a baseline for another subject with a ValidationError', async () => {
    expect(await validationMessage(() => backtest(testPack(), []))).toMatch(/history is empty/);
    expect(
      await validationMessage(() =>
        backtest(testPack(), [snap('x', '2026-01-01', {}, { positive: true }), snap('x', '2026-01-02', {}, NEGATIVE)]),
      ),
    ).toMatch(/subject "x" has another label/);
    expect(
      await validationMessage(() =>
        backtest(testPack(), [
          snap('x', '2026-01-01', {}, POSITIVE_A),
          {
            ...snap('x', '2026-01-02', {}, POSITIVE_A),
            label: { positive: true, deadline: '2026-03-31T08:00:00+08:00' },
          },
          snap('x', '2026-01-03', {}, POSITIVE_B),
        ]),
      ),
    ).toMatch(/^Invalid backtest history: 1 problem — \[2\]\.label: subject "x"/);
    expect(await validationMessage(() => backtest(testPack(), history, { baseline: defaultRulePacks.churn }))).toMatch(
      /scores customers but test-exfil@1.0.0 scores employees/,
    );
    expect(
      await validationMessage(() =>
        backtest(testPack(), [{ ...snap('x', '2026-01-01', {}, NEGATIVE), at: 'yesterday' }]),
      ),
    ).toMatch(/"yesterday" is not a date-time/);
  });
});

describe('backtest properties', () => {
  const day = fc.integer({ min: 0, max: 120 });
  const line = fc.record({
    subject: fc.constantFrom('s0', 's1', 's2', 's3', 's4', 's5'),
    day,
    exports30d: fc.constantFrom(0, 50, 100, 300),
    resumeUpdates30d: fc.constantFrom(0, 1),
  });
  const labels = fc.array(fc.record({ positive: fc.boolean(), deadline: fc.option(day, { nil: undefined }) }), {
    minLength: 6,
    maxLength: 6,
  });
  const histories = fc.tuple(fc.array(line, { minLength: 1, maxLength: 40 }), labels).map(([lines, ls]) =>
    lines.map((l): LabelledSnapshot => {
      const label = ls[Number(l.subject.slice(1))] as { positive: boolean; deadline: number | undefined };
      const iso = (d: number) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString();
      return {
        subject: l.subject,
        at: iso(l.day),
        facts: { exports30d: l.exports30d, resumeUpdates30d: l.resumeUpdates30d },
        label: { positive: label.positive, ...(label.deadline === undefined ? {} : { deadline: iso(label.deadline) }) },
      };
    }),
  );
  const thresholds = fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }));

  it('puts every subject in exactly one cell, and raising the alert threshold never raises recall or false alarms', async () => {
    await fc.assert(
      fc.asyncProperty(histories, thresholds, async (h, [x, y]) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const low = await backtest(testPack(lo), h);
        const high = await backtest(testPack(hi), h);
        for (const r of [low, high]) {
          const { tp, fp, fn, tn } = r.metrics.confusion;
          expect(tp + fp + fn + tn).toBe(r.metrics.subjects);
          expect(tp + fn).toBe(r.metrics.positives);
          expect(r.metrics.late).toBeLessThanOrEqual(fn);
          expect(r.alerts).toHaveLength(r.metrics.episodes);
          expect(r.scoreHistogram.reduce((n, b) => n + b.positive + b.negative, 0)).toBe(r.metrics.subjects);
          expect(r.monthly.reduce((n, m) => n + m.episodes, 0)).toBe(r.metrics.episodes);
        }
        expect(high.metrics.confusion.tp).toBeLessThanOrEqual(low.metrics.confusion.tp);
        expect(high.metrics.confusion.fp).toBeLessThanOrEqual(low.metrics.confusion.fp);
        if (low.metrics.recall !== null) expect(high.metrics.recall).toBeLessThanOrEqual(low.metrics.recall);
      }),
      { numRuns: 300 },
    );
  });

  it('reconciles the baseline diff with both confusion matrices', async () => {
    await fc.assert(
      fc.asyncProperty(histories, thresholds, async (h, [x, y]) => {
        const r = await backtest(testPack(x), h, { baseline: testPack(y, '0.1.0') });
        const now = r.metrics.confusion;
        const before = r.baseline?.metrics.confusion as typeof now;
        const added = r.changes?.added ?? [];
        const removed = r.changes?.removed ?? [];
        expect(now.tp - before.tp).toBe(
          added.filter((c) => c.positive).length - removed.filter((c) => c.positive).length,
        );
        expect(now.fp - before.fp).toBe(
          added.filter((c) => !c.positive).length - removed.filter((c) => !c.positive).length,
        );
        if (x === y) expect(added.length + removed.length).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
