/**
 * Where Guard gets the time. Inject a {@link manualClock} in tests so that
 * timers, windows and timestamps are deterministic.
 *
 * @example
 * ```ts
 * import type { Clock } from '@guard/core';
 * const clock: Clock = { now: () => new Date() };
 * ```
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/**
 * The real wall clock.
 *
 * @example
 * ```ts
 * import { createGuard, systemClock } from '@guard/core';
 * createGuard({ store, keys, clock: systemClock });
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/**
 * A clock that only moves when told to.
 *
 * @example
 * ```ts
 * import { manualClock } from '@guard/core';
 * const clock = manualClock('2026-11-02T09:00:00+08:00');
 * clock.advance({ hours: 13 }); // 22:00 Beijing time
 * ```
 */
export interface ManualClock extends Clock {
  /** Moves the clock forward (a negative amount moves it back). */
  advance(by: { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number }): Date;
  /** Sets the clock to an instant. */
  set(to: Date | string | number): Date;
}

/**
 * Creates a {@link ManualClock} starting at `start`.
 *
 * @example
 * ```ts
 * import { manualClock } from '@guard/core';
 * const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
 * clock.now().toISOString(); // '2026-01-01T00:00:00.000Z'
 * ```
 */
export function manualClock(start: Date | string | number): ManualClock {
  let current = toMs(start);
  return {
    now: () => new Date(current),
    advance(by) {
      current +=
        (by.days ?? 0) * 86_400_000 +
        (by.hours ?? 0) * 3_600_000 +
        (by.minutes ?? 0) * 60_000 +
        (by.seconds ?? 0) * 1000 +
        (by.ms ?? 0);
      return new Date(current);
    },
    set(to) {
      current = toMs(to);
      return new Date(current);
    },
  };
}

function toMs(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`manualClock: "${String(value)}" is not a valid instant`);
  return ms;
}
