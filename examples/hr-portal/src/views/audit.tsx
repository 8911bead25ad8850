/** @jsxRuntime automatic @jsxImportSource preact */
import type { AuditEntry, EmployeeRecord, VerifyResult } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export interface AuditPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly verified: VerifyResult;
  readonly entries: readonly AuditEntry[];
  readonly employees: readonly EmployeeRecord[];
}

export function AuditPage(props: AuditPageProps) {
  const t = texts(props.locale);
  const { verified } = props;
  return (
    <Layout {...props} title={t.auditTitle}>
      <h1>{t.auditTitle}</h1>
      <p class={verified.ok ? 'flash' : 'error'} data-section="verify" data-ok={String(verified.ok)}>
        {verified.ok
          ? t.chainOk(verified.entries, verified.head.seq)
          : t.chainBroken(verified.firstBadSeq, verified.reason)}
      </p>
      <h2>{t.evidence}</h2>
      <form method="get" action="/audit/evidence" class="actions">
        <label>
          {t.evidenceFor}{' '}
          <select name="employeeId">
            {props.employees.map((e) => (
              <option value={e.id}>{e.name}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t.download}</button>
      </form>
      <h2>{t.recentEntries}</h2>
      <table data-section="entries">
        <thead>
          <tr>
            <th>#</th>
            <th>{t.at}</th>
            <th>{t.actor}</th>
            <th>{t.action}</th>
            <th>{t.subject}</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr>
              <td>{e.seq}</td>
              <td>{formatTime(e.at, props.locale)}</td>
              <td>{e.actor.id}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.subject ? `${e.subject.type}:${e.subject.id}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
