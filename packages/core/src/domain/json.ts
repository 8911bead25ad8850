import type { Json } from './entities.js';

/**
 * `T` if every part of it is JSON — strings, finite-by-contract numbers,
 * booleans, `null`, arrays and objects of them — and `never` where a part is
 * not (a `Date`, a function, `undefined`, a `Map`, a class instance's
 * methods). {@link toJson} uses it to refuse, at compile time, a value that
 * would not survive a JSON round trip.
 *
 * @example
 * ```ts
 * import type { JsonShaped } from '@guard/core';
 * type Ok = JsonShaped<{ id: string; tags: string[] }>; // the same type
 * type Refused = JsonShaped<{ at: Date }>; // { at: never }
 * ```
 */
export type JsonShaped<T> = T extends string | number | boolean | null
  ? T
  : T extends readonly (infer U)[]
    ? readonly JsonShaped<U>[]
    : T extends Date | Map<unknown, unknown> | Set<unknown> | ((...args: never[]) => unknown)
      ? never
      : T extends object
        ? { readonly [K in keyof T]: JsonShaped<T[K]> }
        : never;

/**
 * A typed value as {@link Json}, for a store column or an event: checked at
 * compile time to be JSON all the way down (see {@link JsonShaped}), so that
 * an interface without an index signature — a timer event, a payload — can
 * be stored without a cast. It returns the value itself; validate untrusted
 * input with zod before it gets here.
 *
 * @example
 * ```ts
 * import { toJson } from '@guard/core';
 * interface Due { readonly type: 'follow-up.due'; readonly customerId: string }
 * const event: Due = { type: 'follow-up.due', customerId: 'c-1' };
 * await tx.scheduleTimer({ ...timer, event: toJson(event) });
 * // toJson({ at: new Date() }) does not compile
 * ```
 */
export function toJson<T>(value: T & JsonShaped<T>): Json {
  // The one place a typed value becomes Json; the signature has proven it is JSON.
  return value as Json;
}
