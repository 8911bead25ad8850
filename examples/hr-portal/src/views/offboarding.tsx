/** @jsxRuntime automatic @jsxImportSource preact */
import type { EmployeeRecord, OffboardingView } from '@guard/core';
import { texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export interface CasesPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly cases: readonly { view: OffboardingView; name: string }[];
  /** Active sales staff HR may start an offboarding for; empty for anyone but HR. */
  readonly startable: readonly EmployeeRecord[];
}

export function CasesPage(props: CasesPageProps) {
  const t = texts(props.locale);
  return (
    <Layout {...props} title={t.cases}>
      <h1>{t.cases}</h1>
      {props.cases.length === 0 ? (
        <p class="muted">{t.noCases}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t.leaver}</th>
              <th>{t.lastWorkingDay}</th>
              <th>{t.status}</th>
            </tr>
          </thead>
          <tbody>
            {props.cases.map(({ view, name }) => (
              <tr data-case={view.id} data-state={view.state}>
                <td>
                  <a href={`/offboarding/${encodeURIComponent(view.id)}`}>{name}</a>
                </td>
                <td>{view.lastWorkingDay}</td>
                <td>{t.caseState[view.state] ?? view.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.startable.length > 0 && (
        <div class="actions">
          <form method="post" action="/offboarding">
            <h2>{t.startCase}</h2>
            <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
            <label>
              {t.leaver}{' '}
              <select name="employeeId">
                {props.startable.map((e) => (
                  <option value={e.id}>{e.name}</option>
                ))}
              </select>
            </label>
            <label>
              {t.resignationDate} <input name="resignationDate" type="date" required />
            </label>
            <label>
              {t.lastWorkingDay} <input name="lastWorkingDay" type="date" required />
            </label>
            <label>
              {t.reason} <input name="reason" required maxLength={500} />
            </label>
            <button type="submit">{t.startCase}</button>
          </form>
        </div>
      )}
    </Layout>
  );
}

export interface CasePageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly view: OffboardingView;
  readonly leaver: EmployeeRecord;
  /** Employee names by id (successors, colleagues). */
  readonly names: ReadonlyMap<string, string>;
  /** Who may take customers over. */
  readonly colleagues: readonly string[];
  /** What the reader may do now. */
  readonly can: { readonly handover: boolean; readonly review: boolean; readonly signOff: boolean };
}

export function CasePage(props: CasePageProps) {
  const t = texts(props.locale);
  const { view, names } = props;
  const csrf = <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
  const action = `/offboarding/${encodeURIComponent(view.id)}`;
  const customers = view.items.filter((i) => i.kind === 'customer');
  const confirmationOf = (customerId: string | null) =>
    view.items.find((i) => i.kind === 'confirmation' && i.customerId === customerId);
  const others = view.items.filter((i) => i.kind !== 'customer' && i.kind !== 'confirmation');
  const editable = (status: string) => status === 'open' || status === 'returned';
  return (
    <Layout {...props} title={`${t.offboarding} · ${props.leaver.name}`}>
      <p>
        <a href="/offboarding">{t.cases}</a>
      </p>
      <h1>
        {t.offboarding} · {props.leaver.name}
      </h1>
      <p data-section="case">
        {t.status}: <strong data-state={view.state}>{t.caseState[view.state] ?? view.state}</strong> ·{' '}
        {t.resignationDate} {view.resignationDate} · {t.lastWorkingDay} {view.lastWorkingDay} ·{' '}
        <span data-employee-status={props.leaver.status}>{t.employeeStatus[props.leaver.status]}</span>
      </p>
      {view.completedAt && (
        <p class="flash" data-section="completed">
          {t.frozenNote}
        </p>
      )}
      <form method="post" action={`${action}/handover`} enctype="multipart/form-data" id="handover-form">
        {csrf}
      </form>
      <table data-section="customers">
        <thead>
          <tr>
            <th>{t.itemKind.customer}</th>
            <th>{t.successor}</th>
            <th>{t.itemKind.confirmation}</th>
            <th>{t.status}</th>
          </tr>
        </thead>
        <tbody>
          {customers.map((item) => {
            const confirmation = confirmationOf(item.customerId);
            return (
              <tr data-item={item.id} data-customer={item.customerId ?? ''}>
                <td>{item.title}</td>
                <td>
                  {props.can.handover && editable(item.status) ? (
                    <select
                      name={`successor:${item.id}`}
                      form="handover-form"
                      aria-label={`${t.successor}: ${item.title}`}
                    >
                      {props.colleagues.map((id) => (
                        <option value={id} selected={id === item.successorId}>
                          {names.get(id) ?? id}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span data-successor={item.successorId ?? ''}>
                      {item.successorId ? (names.get(item.successorId) ?? item.successorId) : '—'}
                    </span>
                  )}
                </td>
                <td>
                  {confirmation && props.can.handover && editable(confirmation.status) ? (
                    <input
                      type="file"
                      name={`file:${confirmation.id}`}
                      form="handover-form"
                      accept=".pdf,.jpg,.jpeg,.png"
                      aria-label={`${t.confirmationFile}: ${item.title}`}
                    />
                  ) : (
                    <span>{confirmation ? t.itemStatus[confirmation.status] : '—'}</span>
                  )}
                </td>
                <td data-status={item.status}>
                  {t.itemStatus[item.status]}
                  {item.returnReason && item.status === 'returned' ? ` · ${item.returnReason}` : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {others.length > 0 && (
        <table data-section="other-items">
          <tbody>
            {others.map((item) => (
              <tr data-item={item.id}>
                <td>{t.itemKind[item.kind] ?? item.kind}</td>
                <td>{item.title}</td>
                <td data-status={item.status}>{t.itemStatus[item.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        {props.can.handover && (
          <button type="submit" form="handover-form">
            {t.submitHandover}
          </button>
        )}
        {props.can.review && (
          <form method="post" action={`${action}/accept`}>
            {csrf}
            <button type="submit">{t.acceptAll}</button>
          </form>
        )}
        {props.can.review && (
          <form method="post" action={`${action}/return`}>
            {csrf}
            <label>
              {t.item}{' '}
              <select name="itemId">
                {view.items
                  .filter((i) => i.status === 'submitted')
                  .map((i) => (
                    <option value={i.id}>{`${t.itemKind[i.kind] ?? i.kind}: ${i.title}`}</option>
                  ))}
              </select>
            </label>
            <label>
              {t.reason} <input name="reason" required />
            </label>
            <button type="submit">{t.returnItem}</button>
          </form>
        )}
        {props.can.signOff && (
          <form method="post" action={`${action}/sign-off`}>
            {csrf}
            <label>
              <input type="checkbox" name="receivablesConfirmed" value="yes" /> {t.receivablesConfirmed}
            </label>
            <button type="submit">{t.signOff}</button>
          </form>
        )}
        {props.can.signOff && (
          <form method="post" action={`${action}/reject-sign-off`}>
            {csrf}
            <label>
              {t.reason} <input name="reason" required />
            </label>
            <button type="submit">{t.rejectSignOff}</button>
          </form>
        )}
      </div>
    </Layout>
  );
}
