import { decodeCursor, encodeCursor, type Page, type PageRequest, ValidationError } from '@guard/core';

function badCursor(): ValidationError {
  return new ValidationError('cursor', [
    { path: ['cursor'], code: 'invalid_cursor', message: 'is not a cursor returned by a previous page' },
  ]);
}

/** The id a page of an id-ordered listing starts after, from its cursor. */
export function afterId(page: PageRequest): string | undefined {
  if (page.cursor === undefined) return undefined;
  const { after } = decodeCursor(page.cursor);
  if (typeof after !== 'string') throw badCursor();
  return after;
}

/** The (possibly negated, for descending order) sequence number a page starts after, from its cursor. */
export function afterNumber(page: PageRequest): number | undefined {
  if (page.cursor === undefined) return undefined;
  const { after } = decodeCursor(page.cursor);
  if (typeof after !== 'number') throw badCursor();
  return after;
}

/** The pair a page of a listing ordered by two strings — `(at, id)`, `(unit path, id)` — starts after, from its cursor. */
export function afterPair(page: PageRequest): readonly [string, string] | undefined {
  if (page.cursor === undefined) return undefined;
  const { after } = decodeCursor(page.cursor);
  if (!Array.isArray(after) || after.length !== 2) throw badCursor();
  const [at, id] = after;
  if (typeof at !== 'string' || typeof id !== 'string') throw badCursor();
  return [at, id];
}

/** Rows to fetch for a page: one more than the limit, to know whether another page follows. */
export function rowsToFetch(page: PageRequest): number {
  return Math.max(0, Math.floor(page.limit)) + 1;
}

/**
 * The page made of `rows` (fetched with {@link rowsToFetch}): at most
 * `limit` items, and a cursor after the last one when more rows follow.
 */
export function toPage<T>(
  rows: readonly T[],
  page: PageRequest,
  keyOf: (item: T) => string | number | readonly (string | number)[],
): Page<T> {
  const limit = Math.max(0, Math.floor(page.limit));
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const more = rows.length > limit;
  return { items, nextCursor: more && last !== undefined ? encodeCursor({ after: keyOf(last) }) : null };
}
