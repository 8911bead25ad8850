/** @jsxRuntime automatic @jsxImportSource preact */
import type { AgreementTemplate, AgreementView, TrainingAssignment } from '@guard/core';
import { formatTime, texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export interface MinePageProps extends Omit<PageProps, 'title' | 'children'> {
  /** Each agreement with the exact text the employee signs (or signed). */
  readonly agreements: readonly { agreement: AgreementView; template: AgreementTemplate }[];
  readonly training: readonly TrainingAssignment[];
}

export function MinePage(props: MinePageProps) {
  const t = texts(props.locale);
  const csrf = <input type="hidden" name="_csrf" value={props.csrf ?? ''} />;
  return (
    <Layout {...props} title={t.mine}>
      <h1>{t.mine}</h1>
      <h2>{t.agreements}</h2>
      {props.agreements.length === 0 && <p class="muted">{t.noAgreements}</p>}
      {props.agreements.map(({ agreement, template }) => (
        <section data-agreement={agreement.id} data-state={agreement.state}>
          <h3>
            {agreement.title} · {t.agreementState[agreement.state] ?? agreement.state}
            {agreement.signature && (
              <span class="muted"> · {t.signedAt(formatTime(agreement.signature.signedAt, props.locale))}</span>
            )}
          </h3>
          <pre style="white-space:pre-wrap;background:#fff;padding:1rem">{template.text}</pre>
          {agreement.state === 'pending' && (
            <form method="post" action={`/me/agreements/${encodeURIComponent(agreement.id)}/sign`}>
              {csrf}
              <button type="submit">{t.sign}</button>
            </form>
          )}
        </section>
      ))}
      <h2>{t.training}</h2>
      {props.training.length === 0 && <p class="muted">{t.noTraining}</p>}
      {props.training.map((a) => (
        <section data-training={a.id} data-status={a.status}>
          <h3>
            {a.title} · {t.trainingStatus[a.status]} · {t.due(formatTime(a.dueAt, props.locale))}
          </h3>
          {a.status === 'assigned' && (
            <form method="post" action={`/me/training/${encodeURIComponent(a.id)}/complete`}>
              {csrf}
              <fieldset>
                <legend>{t.quiz}</legend>
                {Object.entries(t.quizOptions).map(([value, label]) => (
                  <label style="display:block">
                    <input type="radio" name="answer" value={value} required /> {label}
                  </label>
                ))}
              </fieldset>
              <button type="submit">{t.finishTraining}</button>
            </form>
          )}
        </section>
      ))}
    </Layout>
  );
}
