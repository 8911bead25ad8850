/** @jsxRuntime automatic @jsxImportSource preact */
import { type CustomerView, type ListScope, messages } from '@guard/core';
import { texts } from '../i18n.js';
import { FieldCell } from './fields.js';
import { Layout, type PageProps } from './layout.js';

export const SCOPES: readonly ListScope[] = ['own', 'team', 'pool', 'tenant'];

export interface CustomersPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly scope: ListScope;
  readonly rows: readonly CustomerView[];
  readonly ownerNames: ReadonlyMap<string, string>;
  readonly nextCursor: string | null;
}

/** Notices Guard attached to what is shown, once each, in the reader's language. */
export function Notices({ views, locale }: { views: readonly CustomerView[]; locale: PageProps['locale'] }) {
  const types = [...new Set(views.flatMap((v) => v.decision.obligations.map((o) => o.type)))];
  const catalog = messages(locale).obligations;
  return (
    <>
      {types.map((type) => (
        <p class="notice" role="note" data-obligation={type}>
          {catalog[type]}
        </p>
      ))}
    </>
  );
}

export function CustomersPage(props: CustomersPageProps) {
  const t = texts(props.locale);
  const { rows, scope } = props;
  return (
    <Layout {...props} title={t.customers}>
      <h1>{t.customers}</h1>
      <nav class="tabs">
        {SCOPES.map((s) => (
          <a href={`/customers?scope=${s}`} aria-current={s === scope ? 'page' : undefined}>
            {t.scope[s]}
          </a>
        ))}
      </nav>
      <Notices views={rows} locale={props.locale} />
      {rows.length === 0 ? (
        <p class="muted">{t.noCustomers}</p>
      ) : (
        <form method="post" action="/exports" id="export-form">
          <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
        </form>
      )}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th />
              <th>{t.name}</th>
              <th>{t.owner}</th>
              <th>{t.city}</th>
              <th>{t.phone}</th>
              <th>{t.creditLimit}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr data-customer={c.id}>
                <td>
                  <input
                    type="checkbox"
                    name="customerIds"
                    value={c.id}
                    form="export-form"
                    aria-label={`${t.exports}: ${c.name}`}
                  />
                </td>
                <td>
                  <a href={`/customers/${encodeURIComponent(c.id)}`}>{c.name}</a>
                </td>
                <td>{c.ownerId === null ? t.noOwner : (props.ownerNames.get(c.ownerId) ?? c.ownerId)}</td>
                <td>
                  <FieldCell view={c} cls="public" field="city" t={t} />
                </td>
                <td data-field="phone">
                  <FieldCell view={c} cls="contact" field="phone" t={t} />
                </td>
                <td data-field="creditLimit">
                  <FieldCell view={c} cls="commercial" field="creditLimit" t={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 0 && (
        <div class="actions">
          <div>
            <label>
              {t.exportReason} <input name="reason" form="export-form" required maxLength={500} />
            </label>{' '}
            <label>
              <input type="checkbox" name="contact" value="yes" form="export-form" /> {t.withContact}
            </label>{' '}
            <button type="submit" form="export-form">
              {t.exportSelected}
            </button>
          </div>
        </div>
      )}
      {props.nextCursor && (
        <p>
          <a href={`/customers?scope=${scope}&cursor=${encodeURIComponent(props.nextCursor)}`}>{t.next}</a>
        </p>
      )}
    </Layout>
  );
}
