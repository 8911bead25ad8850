import * as z from 'zod';
import type { Locale } from '../i18n/locale.js';
import { type InputName, localizeMessage, validationMessage } from '../i18n/messages.js';
import { formatPath, ValidationError, type ValidationIssue } from './guard-error.js';
import { zhIssueMessage } from './zod-zh.js';

/** Keys that can reach an object's prototype when untrusted JSON is merged or assigned. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting deeper than this is rejected before zod sees the input. */
const MAX_DEPTH = 64;

/** A plain object (`{}` or `Object.create(null)`) or an array: what JSON parses to. */
function isJsonContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Finds keys that could pollute prototypes (`__proto__`, `constructor`,
 * `prototype`) and nesting deeper than 64 levels. zod would silently drop a
 * `__proto__` key from a record; Guard rejects it with its path instead.
 */
function scanUntrusted(input: unknown, json: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value !== 'object' || value === null) continue;
    if (json && !isJsonContainer(value)) {
      // A Date, a Map or a class instance would pass an object schema as `{}`: JSON input never holds one.
      issues.push({ path, code: 'invalid_type', message: validationMessage('plain-json') });
      continue;
    }
    if (path.length > MAX_DEPTH) {
      issues.push({
        path,
        code: 'too_deep',
        message: validationMessage('nested-too-deep', { depth: MAX_DEPTH }),
      });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({
          path: [...path, key],
          code: 'forbidden_key',
          message: validationMessage('forbidden-key', { key }),
        });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}

/**
 * zod's issues with their messages in every locale: Guard's own messages
 * (catalog keys) from the catalogs, zod's from its English and Chinese maps.
 */
function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const localized = {
      en: inLocale(issue, 'en'),
      'zh-CN': inLocale(issue, 'zh-CN'),
    };
    return {
      path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: localized.en,
      code: issue.code,
      localized,
    };
  });
}

function inLocale(issue: z.core.$ZodIssue, locale: Locale): string {
  const own = localizeMessage(issue.message, locale);
  if (own !== issue.message) return own;
  // zod wrote this one (with the English map, see parseInput): render it again with the locale's map.
  if (locale === 'en') return issue.message;
  // zod's maps take the raw issue, a wider type than the finished one it gives us (library boundary).
  const zh = zhIssueMessage(issue as unknown as z.core.$ZodRawIssue);
  if (zh !== undefined) return zh;
  const rendered = zodMap(locale)(issue as unknown as z.core.$ZodRawIssue);
  const text = typeof rendered === 'string' ? rendered : rendered?.message;
  return text ?? issue.message;
}

/**
 * Validates untrusted input against a zod schema and returns the parsed
 * value, or throws a {@link ValidationError} that names every bad path (in the
 * requested locale). Prototype-polluting keys and absurd nesting are rejected
 * before the schema runs.
 *
 * @param options - `what` the input is, for the message (e.g. `"customer"`), the `locale` of the messages, and
 *   `json: false` for options that hold objects of the host's (a store, a clock, callbacks); by default any
 *   object but a plain object or an array (a `Date`, a `Map`, a class instance) is refused
 *
 * @example
 * ```ts
 * import { parseInput, customerSchema } from '@guard/core';
 * const customer = parseInput(customerSchema, JSON.parse(body), { what: 'customer', locale: 'zh-CN' });
 * ```
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: { what: InputName; locale?: Locale; json?: boolean },
): z.output<S> {
  const locale = options.locale ?? 'en';
  const unsafe = scanUntrusted(input, options.json ?? true);
  if (unsafe.length > 0) throw new ValidationError(options.what, unsafe, { locale });
  // English first, whatever the host set as zod's global locale; the input is kept in the
  // issues only so the Chinese map can describe it, and is dropped by toIssues.
  const result = schema.safeParse(input, { error: zodMap('en'), reportInput: true });
  if (!result.success) throw new ValidationError(options.what, toIssues(result.error), { locale });
  return result.data;
}

const zodMaps = new Map<Locale, z.core.$ZodErrorMap>();
function zodMap(locale: Locale): z.core.$ZodErrorMap {
  let map = zodMaps.get(locale);
  if (!map) {
    map = (locale === 'zh-CN' ? z.locales.zhCN() : z.locales.en()).localeError;
    zodMaps.set(locale, map);
  }
  return map;
}

/**
 * A zod error as one line of `path: message` pairs in a locale, for a note
 * that is stored rather than thrown (e.g. a checklist item whose record could
 * not be read).
 */
export function issueSummary(error: z.ZodError, locale: Locale): string {
  return toIssues(error)
    .map((i) => `${formatPath(i.path)}: ${i.localized?.[locale] ?? i.message}`)
    .join(locale === 'zh-CN' ? '；' : '; ');
}
