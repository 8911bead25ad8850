import * as z from 'zod';
import type { Locale } from '../i18n/locale.js';
import { ValidationError, type ValidationIssue } from './guard-error.js';

/** Keys that can reach an object's prototype when untrusted JSON is merged or assigned. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting deeper than this is rejected before zod sees the input. */
const MAX_DEPTH = 64;

/**
 * Finds keys that could pollute prototypes (`__proto__`, `constructor`,
 * `prototype`) and nesting deeper than 64 levels. zod would silently drop a
 * `__proto__` key from a record; Guard rejects it with its path instead.
 */
function scanUntrusted(input: unknown, locale: Locale): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value !== 'object' || value === null) continue;
    if (path.length > MAX_DEPTH) {
      issues.push({
        path,
        code: 'too_deep',
        message: locale === 'zh-CN' ? `嵌套超过 ${MAX_DEPTH} 层` : `nested more than ${MAX_DEPTH} levels deep`,
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
          message: locale === 'zh-CN' ? `不允许使用键名「${key}」` : `the key "${key}" is not allowed`,
        });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Validates untrusted input against a zod schema and returns the parsed
 * value, or throws a {@link ValidationError} that names every bad path (in the
 * requested locale). Prototype-polluting keys and absurd nesting are rejected
 * before the schema runs.
 *
 * @param options - `what` the input is, for the message (e.g. `"customer"`), and the `locale` of the messages
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
  options: { what: string; locale?: Locale },
): z.output<S> {
  const locale = options.locale ?? 'en';
  const unsafe = scanUntrusted(input, locale);
  if (unsafe.length > 0) throw new ValidationError(options.what, unsafe, { locale });
  const result = schema.safeParse(input, locale === 'zh-CN' ? { error: zhCNErrorMap() } : undefined);
  if (!result.success) throw new ValidationError(options.what, toIssues(result.error), { locale });
  return result.data;
}

let zhMap: z.core.$ZodErrorMap | undefined;
function zhCNErrorMap(): z.core.$ZodErrorMap {
  zhMap ??= z.locales.zhCN().localeError;
  return zhMap;
}
