/** @jsxRuntime automatic @jsxImportSource preact */
import type { ApprovalView } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export interface ApprovalsPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly inbox: readonly ApprovalView[];
  /** Employee names by id: requesters, and the colleagues one may delegate to. */
  readonly names: ReadonlyMap<string, string>;
  readonly colleagues: readonly string[];
}

export function ApprovalsPage(props: ApprovalsPageProps) {
  const t = texts(props.locale);
  const csrf = <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
  return (
    <Layout {...props} title={t.approvals}>
      <h1>{t.inbox}</h1>
      {props.inbox.length === 0 ? (
        <p class="muted">{t.noApprovals}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t.subject}</th>
              <th>{t.requester}</th>
              <th>{t.requestedAt}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.inbox.map((a) => {
              const action = `/approvals/${encodeURIComponent(a.id)}`;
              return (
                <tr data-approval={a.id} data-kind={a.kind}>
                  <td>{a.title}</td>
                  <td>{props.names.get(a.requester) ?? a.requester}</td>
                  <td>{formatTime(a.createdAt, props.locale)}</td>
                  <td>
                    <form method="post" action={`${action}/approve`}>
                      {csrf}
                      <button type="submit">{t.approve}</button>
                    </form>
                    <form method="post" action={`${action}/reject`}>
                      {csrf}
                      <input name="reason" placeholder={t.reason} aria-label={`${t.reject}: ${t.reason}`} required />
                      <button type="submit">{t.reject}</button>
                    </form>
                    <form method="post" action={`${action}/send-back`}>
                      {csrf}
                      <input name="reason" placeholder={t.reason} aria-label={`${t.sendBack}: ${t.reason}`} required />
                      <button type="submit">{t.sendBack}</button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div class="actions">
        <form method="post" action="/approvals/delegate">
          <h2>{t.delegate}</h2>
          {csrf}
          <label>
            {t.delegateTo}{' '}
            <select name="to">
              {props.colleagues.map((id) => (
                <option value={id}>{props.names.get(id) ?? id}</option>
              ))}
            </select>
          </label>
          <label>
            {t.from} <input name="from" type="date" required />
          </label>
          <label>
            {t.until} <input name="until" type="date" required />
          </label>
          <button type="submit">{t.delegate}</button>
        </form>
      </div>
    </Layout>
  );
}
