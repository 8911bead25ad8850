/** How many buckets a window is cut into: the work per access, whatever the window holds. */
export const WINDOW_BUCKETS = 60;

/**
 * A sliding-window counter in buckets: the window is cut into
 * {@link WINDOW_BUCKETS} buckets of `bucketMs`, and each bucket holds how
 * many events fell in it. Memory and work per access are bounded by the
 * number of buckets, not by the number of events (a window of 5,000 reads
 * costs what a window of 5 does).
 */
export interface WindowState {
  /** The width of a bucket, in ms: the window's length over {@link WINDOW_BUCKETS}, rounded up. */
  readonly bucketMs: number;
  /** `[bucket index, events]`, by ascending index; the index is `floor(time / bucketMs)`. Only buckets still in the window. */
  readonly buckets: readonly (readonly [number, number])[];
}

/** The bucket width of a window of `windowMs`. */
export function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
}

/**
 * Adds `count` events at `at` (epoch ms) and reports how many the window of
 * `windowMs` ending at `at` now holds, and whether that is more than
 * `limit`.
 *
 * A bucket counts while any part of it lies inside the window, so the count
 * is never lower than the exact count of events in `(at - windowMs, at]`,
 * and at most it also includes events up to one bucket (1/60 of the window)
 * older: a breach may be seen up to that much early, never late. A state
 * kept with another bucket width (the window's setting changed) is carried
 * over into the new width, bucket by bucket.
 */
export function observeWindow(
  state: WindowState | undefined,
  at: number,
  count: number,
  limit: number,
  windowMs: number,
): { readonly state: WindowState; readonly breach: boolean; readonly inWindow: number } {
  const bucketMs = bucketWidth(windowMs);
  // The oldest bucket that still overlaps (at - windowMs, at].
  const oldest = Math.floor((at - windowMs) / bucketMs);
  const current = Math.floor(at / bucketMs);
  const buckets: [number, number][] = [];
  let inWindow = 0;
  const add = (index: number, events: number) => {
    if (index < oldest || index > current || events <= 0) return;
    inWindow += events;
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last[0] === index) last[1] += events;
    else buckets.push([index, events]);
  };
  const kept = state ?? { bucketMs, buckets: [] };
  for (const [index, events] of kept.buckets) {
    add(kept.bucketMs === bucketMs ? index : Math.floor((index * kept.bucketMs) / bucketMs), events);
  }
  add(current, count);
  return { state: { bucketMs, buckets }, breach: inWindow > limit, inWindow };
}
