/** @jsxRuntime automatic @jsxImportSource preact */
import type { DeadEffectView, WorkBacklog } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

/** What the portal's own worker loop last did, when it runs one. */
export interface WorkerRun {
  readonly at: string;
  readonly effectsDelivered: number;
  readonly timersFired: number;
}

export interface OperationsPageProps extends Omit<PageProps, 'title' | 'children'> {
  readonly backlog: WorkBacklog;
  readonly dead: readonly DeadEffectView[];
  readonly lastRun: WorkerRun | null;
}

export function OperationsPage(props: OperationsPageProps) {
  const t = texts(props.locale);
  const { effects, timers } = props.backlog;
  const when = (at: string | null) => (at ? formatTime(at, props.locale) : '—');
  return (
    <Layout {...props} title={t.operationsTitle}>
      <h1>{t.operationsTitle}</h1>
      <p data-section="worker">
        {props.lastRun
          ? t.lastRun(
              formatTime(props.lastRun.at, props.locale),
              props.lastRun.effectsDelivered,
              props.lastRun.timersFired,
            )
          : t.noWorker}
      </p>
      <table data-section="backlog">
        <thead>
          <tr>
            <th />
            <th>{t.pending}</th>
            <th>{t.dueNow}</th>
            <th>{t.leased}</th>
            <th>{t.retrying}</th>
            <th>{t.dead}</th>
            <th>{t.nextDue}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-queue="effects">
            <th>{t.effectsTitle}</th>
            <td>{effects.pending}</td>
            <td>{effects.due}</td>
            <td>{effects.leased}</td>
            <td>{effects.retrying}</td>
            <td>{effects.dead}</td>
            <td>{when(effects.nextAt)}</td>
          </tr>
          <tr data-queue="timers">
            <th>{t.timersTitle}</th>
            <td>{timers.pending}</td>
            <td>{timers.due}</td>
            <td>{timers.leased}</td>
            <td>—</td>
            <td>—</td>
            <td>{when(timers.nextAt)}</td>
          </tr>
        </tbody>
      </table>
      <h2>{t.deadTitle}</h2>
      {props.dead.length === 0 ? (
        <p class="muted">{t.noDead}</p>
      ) : (
        <table data-section="dead">
          <thead>
            <tr>
              <th>{t.item}</th>
              <th>{t.attempts}</th>
              <th>{t.lastError}</th>
              <th>{t.diedAt}</th>
            </tr>
          </thead>
          <tbody>
            {props.dead.map((d) => (
              <tr data-dead={d.id}>
                <td>
                  <code>{d.kind}</code>
                </td>
                <td>{d.attempts}</td>
                <td>{d.lastError}</td>
                <td>{formatTime(d.diedAt, props.locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
