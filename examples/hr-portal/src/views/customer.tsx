/** @jsxRuntime automatic @jsxImportSource preact */
import type { CustomerView, FollowUpView } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Notices } from './customers.js';
import { FieldCell, fieldLabel } from './fields.js';
import { Layout, type PageProps } from './layout.js';

const CLASSES = ['public', 'contact', 'commercial'] as const;
const CHANNELS = ['visit', 'call', 'wechat', 'message', 'email', 'meeting', 'other'] as const;

export interface CustomerPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly view: CustomerView;
  readonly ownerName: string | null;
  /** The customer's follow-ups, for its owner; `null` for anyone else. */
  readonly followUps: readonly FollowUpView[] | null;
}

export function CustomerPage(props: CustomerPageProps) {
  const t = texts(props.locale);
  const { view, followUps } = props;
  const csrf = <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
  const action = `/customers/${encodeURIComponent(view.id)}`;
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
      <div class="actions">
        {view.ownerId === null && (
          <form method="post" action={`${action}/claim`}>
            {csrf}
            <label>
              {t.claimReason} <input name="reason" required maxLength={500} />
            </label>
            <button type="submit">{t.claim}</button>
          </form>
        )}
        {followUps && (
          <form method="post" action={`${action}/follow-ups`}>
            {csrf}
            <label>
              {t.channel}{' '}
              <select name="channel">
                {CHANNELS.map((c) => (
                  <option value={c}>{t.channels[c]}</option>
                ))}
              </select>
            </label>
            <label>
              {t.note} <input name="note" maxLength={2000} />
            </label>
            <button type="submit">{t.addFollowUp}</button>
          </form>
        )}
      </div>
      {followUps && (
        <section data-section="follow-ups">
          <h2>{t.followUps}</h2>
          {followUps.length === 0 ? (
            <p class="muted">{t.noFollowUps}</p>
          ) : (
            <table>
              <tbody>
                {followUps.map((f) => (
                  <tr>
                    <td>{formatTime(f.at, props.locale)}</td>
                    <td>{t.channels[f.channel] ?? f.channel}</td>
                    <td>{f.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </Layout>
  );
}
