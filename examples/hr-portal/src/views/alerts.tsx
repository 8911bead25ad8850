/** @jsxRuntime automatic @jsxImportSource preact */
import type { AlertView } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export function AlertsPage(
  props: Omit<PageProps, 'title' | 'children'> & { alerts: readonly AlertView[]; names: ReadonlyMap<string, string> },
) {
  const t = texts(props.locale);
  const csrf = <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
  return (
    <Layout {...props} title={t.alerts}>
      <h1>{t.alerts}</h1>
      {props.alerts.length === 0 ? (
        <p class="muted">{t.noAlerts}</p>
      ) : (
        <table>
          <tbody>
            {props.alerts.map((a) => {
              const action = `/alerts/${encodeURIComponent(a.id)}`;
              return (
                <tr data-alert={a.id} data-kind={a.kind} data-status={a.status}>
                  <td>
                    <strong>{a.title}</strong>
                    <br />
                    <span class="muted">
                      {t.severity[a.severity] ?? a.severity} · {t.alertStatus[a.status]} ·{' '}
                      {formatTime(a.raisedAt, props.locale)}
                      {a.count > 1 ? ` · ${t.times(a.count)}` : ''}
                    </span>
                  </td>
                  <td data-section="employee">{a.employeeId ? (props.names.get(a.employeeId) ?? a.employeeId) : ''}</td>
                  <td data-section="summary">{a.summary}</td>
                  <td>
                    {a.status === 'open' && (
                      <form method="post" action={`${action}/acknowledge`}>
                        {csrf}
                        <button type="submit">{t.acknowledge}</button>
                      </form>
                    )}
                    <form method="post" action={`${action}/resolve`}>
                      {csrf}
                      <input name="note" placeholder={t.note} aria-label={`${t.resolve}: ${t.note}`} />
                      <button type="submit">{t.resolve}</button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
