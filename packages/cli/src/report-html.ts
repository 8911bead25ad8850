import type { BacktestMetrics, BacktestReport, HistogramBucket, MonthlyAlerts, SubjectChange } from '@guard/core';
import { day, fixed, type Labels, num, pct } from './labels.js';

const ALERTS_SHOWN = 1000;
const COLORS = { positive: '#c2410c', negative: '#64748b', pack: '#1d4ed8', baseline: '#94a3b8' } as const;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

function packName(m: BacktestMetrics): string {
  return `${m.pack.id}@${m.pack.version}`;
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const cell = (tag: 'td' | 'th', text: string, i: number) =>
    `<${tag}${numeric.includes(i) ? ' class="n"' : ''}>${text}</${tag}>`;
  return `<table><thead><tr>${header.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** A grouped bar chart as inline SVG; every bar has a <title> tooltip. */
function barChart(categories: readonly string[], series: readonly Series[], title: string): string {
  const W = 720;
  const H = 260;
  const left = 44;
  const right = 12;
  const top = 28;
  const bottom = 44;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const band = plotW / Math.max(1, categories.length);
  const barW = Math.max(1, (band * 0.8) / series.length);
  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e2e8f0"/>`,
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${num(v)}</text>`,
    );
  }
  const labelEvery = Math.ceil(categories.length / 24);
  categories.forEach((cat, i) => {
    const x0 = left + i * band + band * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const h = (v / yMax) * plotH;
      parts.push(
        `<rect x="${(x0 + k * barW).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${e(`${s.name} · ${cat}: ${num(v)}`)}</title></rect>`,
      );
    });
    if (i % labelEvery === 0) {
      parts.push(
        `<text x="${(left + i * band + band / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" class="axis">${e(cat)}</text>`,
      );
    }
  });
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#94a3b8"/>`);
  let lx = left;
  for (const s of series) {
    parts.push(
      `<rect x="${lx}" y="8" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="18" class="legend">${e(s.name)}</text>`,
    );
    lx += 28 + s.name.length * 8;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${e(title)}">${parts.join('')}</svg>`;
}

function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const n = raw / power;
  return Math.max(1, (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power);
}

function histogramChart(buckets: readonly HistogramBucket[], labels: Labels): string {
  return barChart(
    buckets.map((b) => `${b.from}–${b.to}`),
    [
      { name: labels.labelledPositive, color: COLORS.positive, values: buckets.map((b) => b.positive) },
      { name: labels.labelledNegative, color: COLORS.negative, values: buckets.map((b) => b.negative) },
    ],
    labels.histogram,
  );
}

function monthlyChart(report: BacktestReport, labels: Labels): string {
  const months = report.monthly.map((m) => m.month);
  const series: Series[] = [
    { name: packName(report.metrics), color: COLORS.pack, values: report.monthly.map((m) => m.episodes) },
  ];
  if (report.baseline) {
    const byMonth = new Map<string, MonthlyAlerts>(report.baseline.monthly.map((m) => [m.month, m]));
    series.push({
      name: `${labels.baseline} ${packName(report.baseline.metrics)}`,
      color: COLORS.baseline,
      values: months.map((m) => byMonth.get(m)?.episodes ?? 0),
    });
  }
  return barChart(months, series, labels.monthly);
}

function metricRows(report: BacktestReport, labels: Labels): string[][] {
  const rows: [string, (m: BacktestMetrics) => string][] = [
    [labels.precision, (m) => pct(m.precision)],
    [labels.recall, (m) => pct(m.recall)],
    [labels.f1, (m) => pct(m.f1)],
    [labels.alertRate(report.subject), (m) => fixed(m.alertsPer100StaffPerMonth, 2)],
    [labels.episodes, (m) => num(m.episodes)],
    [labels.staffMonths, (m) => num(m.staffMonths)],
    [labels.tp, (m) => num(m.confusion.tp)],
    [labels.fp, (m) => num(m.confusion.fp)],
    [labels.fn, (m) => num(m.confusion.fn)],
    [labels.late.trim(), (m) => num(m.late)],
    [labels.tn, (m) => num(m.confusion.tn)],
    [labels.leadMedian, (m) => fixed(m.leadDays.median)],
    [labels.leadQuartiles, (m) => (m.leadDays.count === 0 ? '–' : `${fixed(m.leadDays.p25)}–${fixed(m.leadDays.p75)}`)],
  ];
  const b = report.baseline?.metrics;
  return rows.map(([label, f]) => [e(label), e(f(report.metrics)), ...(b ? [e(f(b))] : [])]);
}

function changeTable(list: readonly SubjectChange[], labels: Labels): string {
  return table(
    [labels.alertsHeader[1], labels.alertsHeader[3], labels.alertsHeader[2], labels.firstAlert, labels.score].map((h) =>
      e(h ?? ''),
    ),
    list.map((c) => [
      e(c.subject),
      `<span class="${c.positive ? 'pos' : 'neg'}">${e(c.positive ? labels.positive : labels.negative)}</span>`,
      e(c.group ?? ''),
      e(day(c.firstAlertAt)),
      e(String(c.score)),
    ]),
    [4],
  );
}

const STYLE = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#0f172a;margin:2rem auto;max-width:960px;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #e2e8f0;padding-bottom:.25rem}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;padding:0 .25rem;border-radius:3px}
.meta{color:#475569;margin:0}table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .75rem;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}
th{font-weight:600;background:#f8fafc}.n{text-align:right;font-variant-numeric:tabular-nums}
.pos{color:${COLORS.positive};font-weight:600}.neg{color:${COLORS.negative}}.late{color:#a16207}
svg .axis{font-size:11px;fill:#475569}svg .legend{font-size:12px;fill:#0f172a}.note{color:#475569;font-size:13px}
`;

/**
 * The backtest report as one self-contained HTML page: inline CSS and SVG,
 * no scripts, fonts or other files. Every string from the pack or the
 * history is HTML-escaped.
 */
export function renderBacktestHtml(report: BacktestReport, labels: Labels): string {
  const m = report.metrics;
  const b = report.baseline?.metrics;
  const title = `${labels.backtestOf} ${packName(m)}${b ? ` ${labels.vsBaseline} ${packName(b)}` : ''}`;
  const body: string[] = [];
  body.push(
    `<h1>${e(labels.backtestOf)} <code>${e(packName(m))}</code>${b ? ` ${e(labels.vsBaseline)} <code>${e(packName(b))}</code>` : ''}</h1>`,
    `<p class="meta">${e(labels.history(m.snapshots, m.subjects, labels.subjects[report.subject], m.positives, day(report.period.from), day(report.period.to)))}</p>`,
  );
  body.push(
    `<h2>${e(labels.pack)}</h2>`,
    table(
      ['', e(packName(m)), ...(b ? [`${e(labels.baseline)} ${e(packName(b))}`] : [])],
      metricRows(report, labels),
      b ? [1, 2] : [1],
    ),
  );
  const c = m.confusion;
  body.push(
    `<h2>${e(labels.confusion)}</h2>`,
    table(
      ['', e(labels.labelledPositive), e(labels.labelledNegative)],
      [
        [e(labels.alertedInTime), `${num(c.tp)} TP`, `${num(c.fp)} FP`],
        [e(labels.notAlerted(m.late)), `${num(c.fn)} FN`, `${num(c.tn)} TN`],
      ],
      [1, 2],
    ),
  );
  body.push(`<h2>${e(labels.histogram)}</h2>`, histogramChart(report.scoreHistogram, labels));
  body.push(`<h2>${e(labels.monthly)}</h2>`, monthlyChart(report, labels));
  if (report.groups.length > 0) {
    body.push(
      `<h2>${e(labels.byGroup)}</h2>`,
      table(
        labels.groupHeader.map(e),
        report.groups.map((g) => [
          e(g.group ?? labels.noGroup),
          ...[g.subjects, g.positives, g.predicted, g.tp, g.fp, g.fn, g.tn].map(num),
        ]),
        [1, 2, 3, 4, 5, 6, 7],
      ),
    );
  }
  if (report.changes) {
    const { added, removed } = report.changes;
    const count = (list: readonly SubjectChange[]) =>
      [list.filter((x) => x.positive).length, list.filter((x) => !x.positive).length] as const;
    body.push(`<h2>${e(labels.changes)}</h2>`);
    if (added.length === 0 && removed.length === 0) body.push(`<p>${e(labels.noChanges)}</p>`);
    if (added.length > 0)
      body.push(`<h3>${e(labels.added(added.length, ...count(added)))}</h3>`, changeTable(added, labels));
    if (removed.length > 0)
      body.push(`<h3>${e(labels.removed(removed.length, ...count(removed)))}</h3>`, changeTable(removed, labels));
  }
  const shown = report.alerts.slice(0, ALERTS_SHOWN);
  body.push(
    `<h2>${e(labels.alerts)} (${num(report.alerts.length)})</h2>`,
    table(
      labels.alertsHeader.map(e),
      shown.map((a) => [
        `${e(day(a.at))}${a.inTime ? '' : ` <span class="late">${e(labels.lateMark)}</span>`}`,
        e(a.subject),
        e(a.group ?? ''),
        `<span class="${a.positive ? 'pos' : 'neg'}">${e(a.positive ? labels.positive : labels.negative)}</span>`,
        e(String(a.score)),
        e(a.rules.join(', ')),
      ]),
      [4],
    ),
  );
  if (report.alerts.length > ALERTS_SHOWN)
    body.push(`<p class="note">${e(labels.more(report.alerts.length - ALERTS_SHOWN))}</p>`);
  return `<!doctype html>
<html lang="${labels.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
