import * as z from 'zod';
import { ValidationError } from '../errors/guard-error.js';
import { validationMessage } from '../i18n/keys.js';

/**
 * Encodes a keyset position as an opaque, URL-safe cursor. For store
 * implementers: encode the sort key of the last row of a page — one value
 * (`lastRow.id`), or one value per ordering column (`[lastRow.at,
 * lastRow.id]`) for a list ordered by several.
 *
 * @example
 * ```ts
 * import { encodeCursor } from '@guard/core';
 * const nextCursor = encodeCursor({ after: lastRow.id });
 * const nextByTime = encodeCursor({ after: [lastRow.at, lastRow.id] });
 * ```
 */
export function encodeCursor(position: { readonly after: string | number | readonly (string | number)[] }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

const part = z.union([z.string().max(512), z.int()]);
const positionSchema = z.strictObject({ after: z.union([part, z.array(part).min(1).max(8)]) });

/**
 * Decodes a cursor made by {@link encodeCursor}; a malformed cursor is a
 * `ValidationError` (it came from a client and may have been tampered with).
 * The caller checks that the position has the shape its listing encodes (a
 * string, a number, or a tuple) and throws a `ValidationError` otherwise.
 *
 * @example
 * ```ts
 * import { decodeCursor } from '@guard/core';
 * const { after } = decodeCursor(page.cursor);
 * ```
 */
export function decodeCursor(cursor: string): { after: string | number | (string | number)[] } {
  try {
    if (cursor.length > 2048) throw new Error('too long');
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return positionSchema.parse(parsed);
  } catch (cause) {
    throw invalidCursor(cause);
  }
}

/**
 * The `ValidationError` of a cursor no page returned (malformed, or of
 * another listing's shape).
 *
 * @example
 * ```ts
 * const { after } = decodeCursor(page.cursor);
 * if (typeof after !== 'string') throw invalidCursor();
 * ```
 */
export function invalidCursor(cause?: unknown): ValidationError {
  return new ValidationError(
    'cursor',
    [{ path: ['cursor'], code: 'invalid_cursor', message: validationMessage('cursor') }],
    cause === undefined ? {} : { cause },
  );
}
