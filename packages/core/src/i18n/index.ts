export { isLocale, type Locale, locales } from './locale.js';
export {
  alertTitle,
  type BuiltInAlertKind,
  type EntityName,
  type ErrorMessageParams,
  type MessageCatalog,
  messages,
} from './messages.js';
export { type NotificationTemplate, renderNotification } from './notifications.js';
