import { isGuardError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';

/**
 * The same API with every `GuardError` it throws or rejects with in the
 * tenant's language. The language is looked up only when an error happens,
 * so calls that succeed cost nothing extra; a lookup that fails leaves the
 * error as it is.
 */
export function inTenantLocale<T extends object>(api: T, tenantLocale: () => Promise<Locale>): T {
  const relocalize = async (error: unknown): Promise<never> => {
    if (!isGuardError(error)) throw error;
    let locale: Locale;
    try {
      locale = await tenantLocale();
    } catch {
      throw error;
    }
    throw error.inLocale(locale);
  };
  const wrap = (value: unknown, self: object): unknown => {
    if (typeof value === 'function') {
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(self, args);
          return result instanceof Promise ? result.catch(relocalize) : result;
        } catch (error) {
          return relocalize(error);
        }
      };
    }
    if (isPlainObject(value)) return wrapObject(value);
    return value;
  };
  const wrapObject = (object: object): object =>
    Object.fromEntries(Object.entries(object).map(([key, value]) => [key, wrap(value, object)]));
  return wrapObject(api) as T;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
