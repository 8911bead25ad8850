/** @jsxRuntime automatic @jsxImportSource preact */
import type { ExportRequestView } from '@guard/core';
import { texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export function ExportsPage(props: Omit<PageProps, 'title' | 'children'> & { exports: readonly ExportRequestView[] }) {
  const t = texts(props.locale);
  return (
    <Layout {...props} title={t.exports}>
      <h1>{t.exports}</h1>
      {props.exports.length === 0 ? (
        <p class="muted">{t.noExports}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t.customersCount}</th>
              <th>{t.status}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.exports.map((e) => (
              <tr data-export={e.id} data-status={e.status}>
                <td>{e.count}</td>
                <td>{t.exportStatus[e.status] ?? e.status}</td>
                <td>
                  {e.status === 'ready' && <a href={`/exports/${encodeURIComponent(e.id)}/download`}>{t.download}</a>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
