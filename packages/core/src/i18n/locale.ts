/**
 * The languages Guard speaks: every error, obligation, decision reason and
 * alert has a message in each of them.
 *
 * @example
 * ```ts
 * import { isLocale } from '@guard/core';
 * const locale = isLocale(req.headers['accept-language']) ? req.headers['accept-language'] : 'en';
 * ```
 */
export type Locale = 'en' | 'zh-CN';

/**
 * Every supported locale, in a stable order.
 *
 * @example
 * ```ts
 * import { locales } from '@guard/core';
 * locales.forEach((l) => console.log(l)); // 'en', 'zh-CN'
 * ```
 */
export const locales: readonly Locale[] = Object.freeze(['en', 'zh-CN'] as const);

/**
 * Narrows an unknown value to a {@link Locale}.
 *
 * @example
 * ```ts
 * import { isLocale } from '@guard/core';
 * isLocale('zh-CN'); // true
 * isLocale('fr'); // false
 * ```
 */
export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'zh-CN';
}
