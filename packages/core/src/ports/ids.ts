/**
 * Where Guard gets new ids (for alerts, requests and other records it
 * creates). Ids must be unique per tenant and match `idSchema`.
 *
 * @example
 * ```ts
 * import type { IdGenerator } from '@guard/core';
 * const ids: IdGenerator = { next: (prefix) => `${prefix}-${crypto.randomUUID()}` };
 * ```
 */
export interface IdGenerator {
  /** A new id, starting with `prefix` (e.g. `alert`). */
  next(prefix: string): string;
}

/**
 * Random UUID-based ids: `alert-3f1c…`. The default.
 *
 * @example
 * ```ts
 * import { randomIds } from '@guard/core';
 * randomIds().next('alert'); // 'alert-2b1e6c1e-…'
 * ```
 */
export function randomIds(): IdGenerator {
  return { next: (prefix) => `${prefix}-${globalThis.crypto.randomUUID()}` };
}

/**
 * Deterministic ids `prefix-1`, `prefix-2`, … (one counter per prefix), for
 * tests and reproducible demos.
 *
 * @example
 * ```ts
 * import { sequentialIds } from '@guard/core';
 * const ids = sequentialIds();
 * ids.next('alert'); // 'alert-1'
 * ids.next('alert'); // 'alert-2'
 * ```
 */
export function sequentialIds(): IdGenerator {
  const counters = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}-${n}`;
    },
  };
}
