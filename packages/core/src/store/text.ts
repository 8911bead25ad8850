import type { ValidationIssue } from '../errors/guard-error.js';
import { validationMessage } from '../i18n/keys.js';
import { recordWriteError } from './write-error.js';

/** A NUL, or half of a UTF-16 surrogate pair without its other half. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point of this pattern
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The check every store makes on the text of a record before writing it:
 * no string (nor object key) anywhere in it may hold a NUL character or a
 * lone UTF-16 surrogate. PostgreSQL refuses NUL in text, drivers replace a
 * lone surrogate with U+FFFD without a word, and SQLite keeps both: so every
 * store refuses them alike, with a `ValidationError` naming the path,
 * before anything is written.
 *
 * @example
 * ```ts
 * import { checkStorableText } from '@guard/core';
 * checkStorableText('customer', 'c-1', { name: '华东机电' }); // fine
 * checkStorableText('customer', 'c-1', { name: 'a\u0000b' }); // throws ValidationError at name
 * ```
 */
export function checkStorableText(entity: string, id: string, value: unknown): void {
  const issues: ValidationIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const next = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof next.value === 'string') {
      if (UNSTORABLE.test(next.value)) issues.push(issueAt(next.path));
    } else if (Array.isArray(next.value)) {
      next.value.forEach((item, i) => {
        stack.push({ value: item, path: [...next.path, i] });
      });
    } else if (typeof next.value === 'object' && next.value !== null) {
      for (const [key, item] of Object.entries(next.value)) {
        if (UNSTORABLE.test(key)) issues.push(issueAt([...next.path, key]));
        stack.push({ value: item, path: [...next.path, key] });
      }
    }
  }
  if (issues.length > 0) throw recordWriteError(entity, id, issues);
}

function issueAt(path: (string | number)[]): ValidationIssue {
  return {
    path,
    code: 'invalid_string',
    message: validationMessage('unstorable-text'),
  };
}
