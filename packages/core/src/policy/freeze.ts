/**
 * Freezes a value and everything reachable from it, in place.
 *
 * @example
 * ```ts
 * const policy = deepFreeze({ rules: [{ id: 'a' }] });
 * Object.isFrozen(policy.rules[0]); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
