import type { BacktestMetrics, BacktestReport, SubjectChange } from '@guard/core';
import { columns, day, fixed, type Labels, num, pct, printable } from './labels.js';

const CHANGES_SHOWN = 50;

function signed(x: number, digits = 0): string {
  const s = x.toFixed(digits);
  return x > 0 ? `+${s}` : x < 0 ? `−${s.slice(1)}` : s;
}

/** Difference of two rates in percentage points; `–` when either is null. */
function deltaPts(a: number | null, b: number | null): string {
  return a === null || b === null ? '–' : `${signed((a - b) * 100, 1)} pts`;
}

function deltaNum(a: number | null, b: number | null, digits = 0): string {
  return a === null || b === null ? '–' : signed(a - b, digits);
}

interface Row {
  readonly label: string;
  readonly value: (m: BacktestMetrics) => string;
  readonly delta?: (m: BacktestMetrics, b: BacktestMetrics) => string;
}

function rows(labels: Labels, report: BacktestReport): Row[] {
  return [
    { label: labels.precision, value: (m) => pct(m.precision), delta: (m, b) => deltaPts(m.precision, b.precision) },
    { label: labels.recall, value: (m) => pct(m.recall), delta: (m, b) => deltaPts(m.recall, b.recall) },
    { label: labels.f1, value: (m) => pct(m.f1), delta: (m, b) => deltaPts(m.f1, b.f1) },
    {
      label: labels.alertRate(report.subject),
      value: (m) => fixed(m.alertsPer100StaffPerMonth, 2),
      delta: (m, b) => deltaNum(m.alertsPer100StaffPerMonth, b.alertsPer100StaffPerMonth, 2),
    },
    { label: labels.episodes, value: (m) => num(m.episodes), delta: (m, b) => deltaNum(m.episodes, b.episodes) },
    { label: labels.tp, value: (m) => num(m.confusion.tp), delta: (m, b) => deltaNum(m.confusion.tp, b.confusion.tp) },
    { label: labels.fp, value: (m) => num(m.confusion.fp), delta: (m, b) => deltaNum(m.confusion.fp, b.confusion.fp) },
    { label: labels.fn, value: (m) => num(m.confusion.fn), delta: (m, b) => deltaNum(m.confusion.fn, b.confusion.fn) },
    { label: labels.late, value: (m) => num(m.late), delta: (m, b) => deltaNum(m.late, b.late) },
    { label: labels.tn, value: (m) => num(m.confusion.tn), delta: (m, b) => deltaNum(m.confusion.tn, b.confusion.tn) },
    {
      label: labels.leadMedian,
      value: (m) => fixed(m.leadDays.median),
      delta: (m, b) => deltaNum(m.leadDays.median, b.leadDays.median, 1),
    },
    {
      label: labels.leadQuartiles,
      value: (m) => (m.leadDays.count === 0 ? '–' : `${fixed(m.leadDays.p25)}–${fixed(m.leadDays.p75)}`),
    },
  ];
}

function packName(m: BacktestMetrics): string {
  return `${m.pack.id}@${m.pack.version}`;
}

function changeLines(labels: Labels, list: readonly SubjectChange[], mark: string): string[] {
  const shown = list
    .slice(0, CHANGES_SHOWN)
    .map((c) => [
      `${mark} ${printable(c.subject)}`,
      c.positive ? labels.positive : labels.negative,
      c.group === null ? '' : printable(c.group),
      `${labels.firstAlert} ${day(c.firstAlertAt)}`,
      `${labels.score} ${c.score}`,
    ]);
  const out = columns(shown, [], '    ');
  if (list.length > CHANGES_SHOWN) out.push(`    ${labels.more(list.length - CHANGES_SHOWN)}`);
  return out;
}

/** The backtest report as text for a terminal. */
export function renderBacktestText(report: BacktestReport, labels: Labels): string {
  const m = report.metrics;
  const b = report.baseline?.metrics;
  const out: string[] = [];
  out.push(`${labels.backtestOf} ${packName(m)}${b ? ` ${labels.vsBaseline} ${packName(b)}` : ''}`);
  out.push(
    labels.history(
      m.snapshots,
      m.subjects,
      labels.subjects[report.subject],
      m.positives,
      day(report.period.from),
      day(report.period.to),
    ),
  );
  out.push('');
  const table = rows(labels, report).map((r) =>
    b ? [r.label, r.value(m), r.value(b), r.delta ? r.delta(m, b) : ''] : [r.label, r.value(m)],
  );
  const header = b ? ['', labels.pack, labels.baseline, labels.change] : [];
  out.push(...columns(b ? [header, ...table] : table, b ? [1, 2, 3] : [1]));

  const c = m.confusion;
  out.push('', labels.confusion);
  out.push(
    ...columns(
      [
        ['', labels.labelledPositive, labels.labelledNegative],
        [labels.alertedInTime, `${num(c.tp)} TP`, `${num(c.fp)} FP`],
        [labels.notAlerted(m.late), `${num(c.fn)} FN`, `${num(c.tn)} TN`],
      ],
      [1, 2],
      '  ',
    ),
  );

  if (report.groups.length > 0) {
    const baselineGroups = new Map((report.baseline?.groups ?? []).map((g) => [g.group, g]));
    const header = b
      ? [...labels.groupHeader, `${labels.baseline} ${labels.groupHeader[3]}`.toUpperCase()]
      : [...labels.groupHeader];
    const groupRows = report.groups.map((g) => {
      const row = [
        g.group === null ? labels.noGroup : printable(g.group),
        num(g.subjects),
        num(g.positives),
        num(g.predicted),
        num(g.tp),
        num(g.fp),
        num(g.fn),
        num(g.tn),
      ];
      if (b) row.push(num(baselineGroups.get(g.group)?.predicted ?? 0));
      return row;
    });
    out.push('', labels.byGroup, ...columns([header, ...groupRows], [1, 2, 3, 4, 5, 6, 7, 8], '  '));
  }

  if (report.changes) {
    const { added, removed } = report.changes;
    const count = (list: readonly SubjectChange[]) =>
      [list.filter((x) => x.positive).length, list.filter((x) => !x.positive).length] as const;
    out.push('', labels.changes);
    if (added.length === 0 && removed.length === 0) out.push(`  ${labels.noChanges}`);
    if (added.length > 0)
      out.push(`  ${labels.added(added.length, ...count(added))}`, ...changeLines(labels, added, '+'));
    if (removed.length > 0) {
      out.push(`  ${labels.removed(removed.length, ...count(removed))}`, ...changeLines(labels, removed, '−'));
    }
  }
  return `${out.join('\n')}\n`;
}
