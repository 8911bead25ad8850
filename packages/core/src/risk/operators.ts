import type { FactValue } from './facts.js';
import type { ConditionValue, RuleOperator } from './pack.js';

/**
 * Evaluates one leaf condition with Guard's fail-closed semantics:
 * `true` or `false` when the fact (and the value) are known and of a type
 * the operator understands, `undefined` (unknown) otherwise — a missing
 * fact, `null`, a non-finite number, a list where a scalar is expected, a
 * fact of another type than the value it is compared with (`'10'` or
 * `true` against `10`).
 * An unknown leaf never makes a rule fire, not even under `not`.
 *
 * For known values the result equals json-rules-engine's built-in
 * operator of the same name.
 *
 * @example
 * ```ts
 * import { testLeaf } from '@guard/core';
 * testLeaf('greaterThan', 5, 3); // true
 * testLeaf('greaterThan', undefined, 3); // undefined — missing fact
 * testLeaf('notEqual', null, 'active'); // undefined, not true
 * ```
 */
export function testLeaf(
  operator: RuleOperator,
  fact: FactValue | undefined,
  value: ConditionValue | FactValue | undefined,
): boolean | undefined {
  if (fact === undefined || fact === null || value === undefined || value === null) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  switch (operator) {
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive': {
      if (typeof fact !== 'number' || !Number.isFinite(fact) || typeof value !== 'number') return undefined;
      if (operator === 'lessThan') return fact < value;
      if (operator === 'lessThanInclusive') return fact <= value;
      if (operator === 'greaterThan') return fact > value;
      return fact >= value;
    }
    case 'equal':
    case 'notEqual': {
      // A fact of another type than the value is malformed, not "different".
      if (!sameScalarType(fact, value)) return undefined;
      return operator === 'equal' ? fact === value : fact !== value;
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value)) return undefined;
      const list = value as readonly unknown[];
      if (!sameScalarType(fact, list.length > 0 ? (list.find((v) => typeof v === typeof fact) ?? list[0]) : fact)) {
        return undefined;
      }
      const found = list.indexOf(fact) > -1;
      return operator === 'in' ? found : !found;
    }
    case 'contains':
    case 'doesNotContain': {
      if (!Array.isArray(fact) || Array.isArray(value)) return undefined;
      const found = (fact as readonly unknown[]).indexOf(value) > -1;
      return operator === 'contains' ? found : !found;
    }
  }
}

/** Both are strings, both booleans, or both finite numbers. */
function sameScalarType(fact: unknown, value: unknown): boolean {
  if (typeof fact === 'number') return Number.isFinite(fact) && typeof value === 'number' && Number.isFinite(value);
  return (typeof fact === 'string' || typeof fact === 'boolean') && typeof value === typeof fact;
}

/**
 * The operator that is true exactly when `operator` is false, for known
 * values: how `not` is pushed down to the leaves.
 *
 * @example
 * ```ts
 * import { negatedOperator } from '@guard/core';
 * negatedOperator('lessThan'); // 'greaterThanInclusive'
 * ```
 */
export function negatedOperator(operator: RuleOperator): RuleOperator {
  return NEGATION[operator];
}

const NEGATION: Readonly<Record<RuleOperator, RuleOperator>> = {
  equal: 'notEqual',
  notEqual: 'equal',
  lessThan: 'greaterThanInclusive',
  greaterThanInclusive: 'lessThan',
  lessThanInclusive: 'greaterThan',
  greaterThan: 'lessThanInclusive',
  in: 'notIn',
  notIn: 'in',
  contains: 'doesNotContain',
  doesNotContain: 'contains',
};
