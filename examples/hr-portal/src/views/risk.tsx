/** @jsxRuntime automatic @jsxImportSource preact */
import type { AlertView, RiskScore, RiskScorePoint } from '@guard/core';
import { formatTime, type PortalLocale, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export interface EmployeeRiskRow {
  readonly id: string;
  readonly name: string;
  readonly scores: readonly RiskScore[];
}

export interface RiskPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly employees: readonly EmployeeRiskRow[];
  /** Pack titles by id, in both languages. */
  readonly packTitles: ReadonlyMap<string, { en: string; 'zh-CN': string }>;
  readonly employeePacks: readonly string[];
  /** Open risk alerts about customers, with the customer's name. */
  readonly customerAlerts: readonly { alert: AlertView; customerId: string; customerName: string }[];
}

export function Band({ score, locale }: { score: RiskScore | RiskScorePoint | undefined; locale: PortalLocale }) {
  if (!score) return <span class="muted">—</span>;
  return (
    <span class={`band-${score.band}`} data-band={score.band}>
      {score.score} · {texts(locale).band[score.band]}
    </span>
  );
}

export function RiskPage(props: RiskPageProps) {
  const t = texts(props.locale);
  return (
    <Layout {...props} title={t.riskTitle}>
      <h1>{t.riskTitle}</h1>
      <h2>{t.employeesByScore}</h2>
      <table>
        <thead>
          <tr>
            <th>{t.employee}</th>
            {props.employeePacks.map((id) => (
              <th>{props.packTitles.get(id)?.[props.locale] ?? id}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.employees.map((e) => (
            <tr data-employee={e.id}>
              <td>
                <a href={`/risk/employees/${encodeURIComponent(e.id)}`}>{e.name}</a>
              </td>
              {props.employeePacks.map((id) => (
                <td data-pack={id}>
                  <Band score={e.scores.find((s) => s.pack.id === id)} locale={props.locale} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t.customersAtRisk}</h2>
      {props.customerAlerts.length === 0 ? (
        <p class="muted">{t.noAlerts}</p>
      ) : (
        <table>
          <tbody>
            {props.customerAlerts.map(({ alert, customerId, customerName }) => (
              <tr data-customer={customerId}>
                <td>
                  <a href={`/customers/${encodeURIComponent(customerId)}`}>{customerName}</a>
                </td>
                <td>{alert.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

export interface EmployeeRiskPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly name: string;
  readonly scores: readonly RiskScore[];
  readonly packTitles: ReadonlyMap<string, { en: string; 'zh-CN': string }>;
  readonly history: ReadonlyMap<string, readonly RiskScorePoint[]>;
}

/** JSON inside a script element: `<` escaped so the data can never close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Draws every `canvas.chart` from its `data-points` (score over time) with Chart.js. */
const DRAW_CHARTS = `
for (const canvas of document.querySelectorAll('canvas.chart')) {
  const points = JSON.parse(document.getElementById(canvas.dataset.points).textContent);
  new Chart(canvas, {
    type: 'line',
    data: { labels: points.map((p) => p.label), datasets: [{ label: canvas.dataset.title, data: points.map((p) => p.score), stepped: true, borderColor: '#cf1124', pointRadius: 2 }] },
    options: { animation: false, scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
  });
}`;

export function EmployeeRiskPage(props: EmployeeRiskPageProps) {
  const t = texts(props.locale);
  return (
    <Layout {...props} title={t.scoreOf(props.name)}>
      <p>
        <a href="/risk">{t.riskTitle}</a>
      </p>
      <h1>{t.scoreOf(props.name)}</h1>
      {props.scores.map((score) => {
        const id = score.pack.id;
        const title = props.packTitles.get(id)?.[props.locale] ?? id;
        const points = props.history.get(id) ?? [];
        return (
          <section data-pack={id}>
            <h2>
              {title} <Band score={score} locale={props.locale} />
            </h2>
            <h3>{t.reasons}</h3>
            {score.fired.length === 0 ? (
              <p class="muted">{t.noReasons}</p>
            ) : (
              <ul data-section="reasons">
                {score.fired.map((f) => (
                  <li data-rule={f.rule}>
                    +{f.points} {f.explanation[props.locale]}
                  </li>
                ))}
              </ul>
            )}
            <h3>{t.history}</h3>
            {points.length === 0 ? (
              <p class="muted">{t.noHistory}</p>
            ) : (
              <>
                <canvas
                  class="chart"
                  data-points={`points-${id}`}
                  data-title={title}
                  aria-label={`${title}: ${t.history}`}
                />
                <script
                  type="application/json"
                  id={`points-${id}`}
                  // Scores and times only, as JSON with `<` escaped.
                  dangerouslySetInnerHTML={{
                    __html: scriptJson(
                      points.map((p) => ({ label: formatTime(p.at, props.locale).slice(5), score: p.score })),
                    ),
                  }}
                />
                <details>
                  <summary>{t.history}</summary>
                  <table data-section="history">
                    <tbody>
                      {points.map((p) => (
                        <tr>
                          <td>{formatTime(p.at, props.locale)}</td>
                          <td>
                            <Band score={p} locale={props.locale} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              </>
            )}
          </section>
        );
      })}
      <script src="/assets/chart.umd.min.js" />
      <script dangerouslySetInnerHTML={{ __html: DRAW_CHARTS }} />
    </Layout>
  );
}
