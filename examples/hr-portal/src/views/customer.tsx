import type { CustomerView } from '@guard/core';
import { texts } from '../i18n.js';
import { Notices } from './customers.js';
import { FieldCell, fieldLabel } from './fields.js';
import { Layout, type PageProps } from './layout.js';

const CLASSES = ['public', 'contact', 'commercial'] as const;

export function CustomerPage(
  props: Omit<PageProps, 'title' | 'children'> & { view: CustomerView; ownerName: string | null },
) {
  const t = texts(props.locale);
  const { view } = props;
  return (
    <Layout {...props} title={view.name}>
      <p>
        <a href="/customers">{t.back}</a>
      </p>
      <h1>{view.name}</h1>
      <p>
        {t.owner}: {props.ownerName ?? t.noOwner}
      </p>
      <Notices views={[view]} locale={props.locale} />
      {CLASSES.map((cls) => (
        <section data-class={cls}>
          <h2>
            {t.fieldClass[cls]}
            {view.decision.fields[cls] === 'mask' && <span class="muted"> · {t.masked}</span>}
          </h2>
          {view.fields[cls] === undefined ? (
            <p class="muted">{t.hidden}</p>
          ) : (
            <table>
              <tbody>
                {Object.keys(view.fields[cls] ?? {}).map((field) => (
                  <tr>
                    <th>{fieldLabel(t, field)}</th>
                    <td data-field={field}>
                      <FieldCell view={view} cls={cls} field={field} t={t} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </Layout>
  );
}
