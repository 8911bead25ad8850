export { isLocale, type Locale, locales } from './locale.js';
export {
  type AlertSummaries,
  type AnomalyActivity,
  type ApprovalKindName,
  type ApprovalTitles,
  alertTitle,
  type BuiltInAlertKind,
  type ChecklistText,
  type EntityName,
  type ErrorMessageParams,
  type InputName,
  localizeMessage,
  type MessageCatalog,
  messages,
  type NotificationData,
  type NotificationTemplate,
  type RenderedNotification,
  type ValidationMessageKey,
  type ValidationMessages,
  validationMessage,
} from './messages.js';
export { renderNotification } from './notifications.js';
