import * as z from 'zod';
import { ValidationError } from '../errors/guard-error.js';

/**
 * Encodes a keyset position as an opaque, URL-safe cursor. For store
 * implementers: encode the sort key of the last row of a page.
 *
 * @example
 * ```ts
 * import { encodeCursor } from '@guard/core';
 * const nextCursor = encodeCursor({ after: lastRow.id });
 * ```
 */
export function encodeCursor(position: { readonly after: string | number }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

const positionSchema = z.strictObject({ after: z.union([z.string().max(512), z.int()]) });

/**
 * Decodes a cursor made by {@link encodeCursor}; a malformed cursor is a
 * `ValidationError` (it came from a client and may have been tampered with).
 *
 * @example
 * ```ts
 * import { decodeCursor } from '@guard/core';
 * const { after } = decodeCursor(page.cursor);
 * ```
 */
export function decodeCursor(cursor: string): { after: string | number } {
  try {
    if (cursor.length > 1024) throw new Error('too long');
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return positionSchema.parse(parsed);
  } catch (cause) {
    throw new ValidationError(
      'cursor',
      [{ path: ['cursor'], code: 'invalid_cursor', message: 'is not a cursor returned by a previous page' }],
      { cause },
    );
  }
}
