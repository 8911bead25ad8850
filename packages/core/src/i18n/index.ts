export { isLocale, type Locale, locales } from './locale.js';
export { type MessageCatalog, messages } from './messages.js';
