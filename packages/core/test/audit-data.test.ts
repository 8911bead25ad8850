import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyAuditData } from '../src/audit/audit-data.js';
import { canonicalJson } from '../src/audit/index.js';
import { auditEntrySchema } from '../src/domain/index.js';
import type { ValidationIssue } from '../src/errors/index.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function hasForbiddenKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => FORBIDDEN.has(k) || hasForbiddenKey(v));
}

function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

function copy(value: unknown): { data: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const data = copyAuditData(value, [0, 'data'], 'en', issues);
  return { data, issues };
}

const jsonObject = fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }));

/** Something that has no place in audit data, and the issue code it gets. */
const badValue = fc.constantFrom(
  [Number.NaN, 'non_finite'],
  [Number.NEGATIVE_INFINITY, 'non_finite'],
  [new Date(0), 'non_plain_object'],
  [new Map(), 'non_plain_object'],
  [() => 1, 'unsupported_type'],
  [1n, 'unsupported_type'],
  [Symbol('s'), 'unsupported_type'],
  ['lone \ud800', 'lone_surrogate'],
  ['lone \udc00 low', 'lone_surrogate'],
  [undefined, 'undefined_member'],
) as fc.Arbitrary<[unknown, string]>;

describe('audit data', () => {
  it('accepts any JSON object without forbidden keys and returns an equal, deeply frozen copy', () => {
    fc.assert(
      fc.property(jsonObject, (value) => {
        const { data, issues } = copy(value);
        if (hasForbiddenKey(value)) {
          expect(issues.map((i) => i.code)).toContain('forbidden_key');
          return;
        }
        expect(issues).toEqual([]);
        expect(data).toEqual(value); // (fast-check sometimes makes null-prototype objects; the copy is plain)
        expect(data).not.toBe(value);
        expect(isDeeplyFrozen(data)).toBe(true);
        expect(auditEntrySchema.shape.data.safeParse(data).success).toBe(true);
        expect(() => canonicalJson(data)).not.toThrow();
      }),
    );
  });

  it('reports a bad value with its path', () => {
    const step = fc.oneof(
      fc.string({ maxLength: 4 }).filter((k) => !FORBIDDEN.has(k)),
      fc.nat({ max: 3 }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 4 }),
        fc.array(step, { maxLength: 5 }),
        badValue,
        (first, steps, [bad, code]) => {
          fc.pre(!FORBIDDEN.has(first));
          // Build { first: …steps… bad }, padding arrays with nulls up to the index.
          let inner: unknown = bad;
          for (const s of [...steps].reverse()) {
            inner = typeof s === 'number' ? [...Array<null>(s).fill(null), inner] : { [s]: inner };
          }
          const last = steps.at(-1);
          const expectedCode = code === 'undefined_member' && typeof last === 'number' ? 'undefined_in_array' : code;
          const { issues } = copy({ [first]: inner });
          expect(issues).toHaveLength(1);
          expect(issues[0]).toMatchObject({ path: [0, 'data', first, ...steps], code: expectedCode });
        },
      ),
    );
  });

  it('rejects forbidden keys, absurd nesting and data that is not an object', () => {
    expect(copy(JSON.parse('{"a":{"__proto__":1}}')).issues).toMatchObject([
      { path: [0, 'data', 'a', '__proto__'], code: 'forbidden_key' },
    ]);
    expect(copy({ constructor: 1 }).issues).toMatchObject([{ code: 'forbidden_key' }]);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = { d: deep };
    expect(copy(deep).issues).toMatchObject([{ code: 'too_deep' }]);
    for (const notObject of [null, [], 'x', 1, undefined])
      expect(copy(notObject).issues).toMatchObject([{ path: [0, 'data'], code: 'not_object' }]);
    expect(copy({ 'a\ud800': 1 }).issues).toMatchObject([{ code: 'lone_surrogate' }]);
    expect(copy(Object.assign(Object.create(null), { a: 1 })).issues).toEqual([]);
  });
});
