import type { Json } from '../domain/entities.js';
import type { RenderedNotification } from './catalog.js';
import type { Locale } from './locale.js';
import { messages } from './messages.js';

/**
 * Renders a notification's title and body in a locale. Templates Guard does
 * not know come back with the template id as title and the data as body.
 *
 * @example
 * ```ts
 * import { renderNotification } from '@guard/core';
 * renderNotification('zh-CN', 'follow-up.reminder', { customerId: 'c-1', days: 3 });
 * // { title: '请跟进客户', body: '客户 c-1 已 3 天没有跟进记录。' }
 * ```
 */
export function renderNotification(
  locale: Locale,
  template: string,
  data: { readonly [key: string]: Json },
): RenderedNotification {
  const templates = messages(locale).notifications as Readonly<
    Record<string, (d: typeof data) => RenderedNotification>
  >;
  const render = Object.hasOwn(templates, template) ? templates[template] : undefined;
  return render ? render(data) : { title: template, body: JSON.stringify(data) };
}
