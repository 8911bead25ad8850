/**
 * A sliding-window counter with bounded memory: it keeps the newest
 * `limit + 1` event times, which is exactly what "more than `limit` events
 * in any window of `windowMs`" needs — the breach test only looks at the
 * (limit+1)-th newest event.
 */
export interface WindowState {
  /** Event times (epoch ms), ascending; at most `limit + 1`. */
  readonly times: readonly number[];
}

/**
 * Adds `count` events at `at` and reports whether the window now holds more
 * than `limit` events. Times that fell out of the window are dropped.
 */
export function observeWindow(
  state: WindowState,
  at: number,
  count: number,
  limit: number,
  windowMs: number,
): { readonly state: WindowState; readonly breach: boolean; readonly inWindow: number } {
  const from = at - windowMs;
  const kept = state.times.filter((t) => t > from && t <= at);
  const added = Math.min(count, limit + 1);
  const times = [...kept, ...Array.from({ length: added }, () => at)].sort((a, b) => a - b);
  const inWindow = kept.length + count;
  return { state: { times: times.slice(-(limit + 1)) }, breach: inWindow > limit, inWindow };
}
