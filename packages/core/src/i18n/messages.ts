import type { MessageCatalog } from './catalog.js';
import { en } from './en.js';
import { alertKindName } from './format.js';
import { MARK } from './keys.js';
import type { Locale } from './locale.js';
import { zhCN } from './zh-CN.js';

export type {
  AlertSummaries,
  AnomalyActivity,
  ApprovalKindName,
  ApprovalTitles,
  BuiltInAlertKind,
  ChecklistText,
  CrmFeature,
  CrmMethod,
  CrmRefusalCode,
  EntityName,
  ErrorMessageParams,
  InputName,
  MessageCatalog,
  NotificationData,
  NotificationTemplate,
  RenderedNotification,
} from './catalog.js';
export { type ValidationMessageKey, type ValidationMessages, validationMessage } from './keys.js';

const catalogs: Readonly<Record<Locale, MessageCatalog>> = { en, 'zh-CN': zhCN };

/**
 * The message catalog for a locale: every text Guard shows, one catalog per
 * locale with the same keys.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').obligations['confidentiality-notice']; // '保密提示：…'
 * messages('en').reasons['no-matching-rule']; // 'no rule grants this access (default deny).'
 * ```
 */
export function messages(locale: Locale): MessageCatalog {
  return catalogs[locale];
}

/**
 * The title of an alert kind in a locale; kinds a host raises itself come
 * back as they are.
 *
 * @example
 * ```ts
 * import { alertTitle } from '@guard/core';
 * alertTitle('bulk-delete', 'zh-CN'); // '短时间内删除客户数量异常'
 * alertTitle('my-own-kind', 'en'); // 'my-own-kind'
 * ```
 */
export function alertTitle(kind: string, locale: Locale): string {
  return alertKindName(catalogs[locale], kind);
}

/**
 * A message in a locale: a {@link validationMessage} rendered from the
 * catalog, any other text as it is.
 *
 * @example
 * ```ts
 * import { localizeMessage, validationMessage } from '@guard/core';
 * localizeMessage(validationMessage('currency'), 'zh-CN'); // '必须是 `ISO 4217` 货币代码，例如 `CNY`'
 * localizeMessage('plain text', 'zh-CN'); // 'plain text'
 * ```
 */
export function localizeMessage(message: string, locale: Locale): string {
  if (!message.startsWith(MARK)) return message;
  try {
    const [key, params] = JSON.parse(message.slice(MARK.length)) as [string, unknown];
    const render = (catalogs[locale].validation as unknown as Record<string, (p: unknown) => string>)[key];
    return render ? render(params) : key;
  } catch {
    return message.slice(MARK.length);
  }
}
