import type { Json } from '../domain/entities.js';
import type { Locale } from '../i18n/locale.js';

/**
 * A message for people, rendered in the Guard's locale. `id` is stable
 * across redeliveries: the worker delivers at least once, so a notifier
 * that must not send twice remembers the ids it has sent.
 *
 * @example
 * ```ts
 * import type { Notification } from '@guard/core';
 * declare const n: Notification;
 * await mailer.send({ to: n.to.map(emailOf), subject: n.title, text: n.body, messageId: n.id });
 * ```
 */
export interface Notification {
  /** Stable per notification (the outbox idempotency key), for de-duplication. */
  readonly id: string;
  readonly tenantId: string;
  /** Employee ids; map them to e-mail, WeCom or in-app inboxes in the host. */
  readonly to: readonly string[];
  /** The template id, e.g. `approval.requested`. */
  readonly template: string;
  readonly title: string;
  readonly body: string;
  readonly locale: Locale;
  /** What the text was rendered from, plus the workflow it belongs to. */
  readonly data: { readonly [key: string]: Json };
}

/**
 * Guard's notification port: how messages reach people (e-mail, WeCom,
 * the host's in-app inbox). The worker calls `send` outside any transaction;
 * a rejection is retried later with backoff, so `send` may see the same
 * `id` more than once.
 *
 * @example
 * ```ts
 * import type { Notifier } from '@guard/core';
 * const wecom: Notifier = {
 *   async send(n) { await postToWecom(n.to, `${n.title}\n${n.body}`); },
 * };
 * ```
 */
export interface Notifier {
  send(notification: Notification): Promise<void>;
}

/**
 * A notifier that keeps messages in memory, for tests, demos and an in-app
 * inbox prototype. `sent` lists every delivered notification once, even when
 * the worker redelivers.
 *
 * @example
 * ```ts
 * import { memoryNotifier } from '@guard/core';
 * const notifier = memoryNotifier();
 * await guard.worker({ notifier }).runDue();
 * notifier.sent.filter((n) => n.to.includes('e-7'));
 * ```
 */
export function memoryNotifier(): Notifier & { readonly sent: readonly Notification[]; clear(): void } {
  const sent: Notification[] = [];
  const seen = new Set<string>();
  return {
    sent,
    clear() {
      sent.length = 0;
      seen.clear();
    },
    async send(notification) {
      if (seen.has(notification.id)) return;
      seen.add(notification.id);
      sent.push(notification);
    },
  };
}
