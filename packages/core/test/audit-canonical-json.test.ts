import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/audit/index.js';
import { isGuardError, type ValidationError } from '../src/errors/index.js';

/** Rebuilds a JSON value with every object's keys in a shuffled order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys)
      Object.defineProperty(out, k, {
        value: walk((v as Record<string, unknown>)[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  };
  return walk(value);
}

/** Removes object members whose value is undefined (what canonical JSON leaves out); -0 becomes 0, as in JSON. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (Object.is(value, -0)) return 0;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined)
      Object.defineProperty(out, k, {
        value: withoutUndefined(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function problemAt(value: unknown): { path: readonly (string | number)[]; code: string } {
  try {
    canonicalJson(value);
  } catch (error) {
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    const issue = (error as ValidationError).issues[0];
    expect((error as ValidationError).params.what).toBe('audit data');
    return { path: issue?.path ?? [], code: issue?.code ?? '' };
  }
  throw new Error('expected canonicalJson to throw');
}

const jsonWithUndefinedMembers = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'binary' }), fc.option(tie('value'), { nil: undefined })),
  ),
})).value;

describe('canonicalJson', () => {
  it('parses back to the input, without undefined members', () => {
    fc.assert(
      fc.property(jsonWithUndefinedMembers, (value) => {
        expect(JSON.parse(canonicalJson(value))).toStrictEqual(withoutUndefined(value));
      }),
    );
  });

  it('does not depend on the order of keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('writes members in UTF-16 key order with no whitespace', () => {
    // (JSON.parse cannot show the order: integer-like keys always come first in a JS object.)
    const byCodeUnits = (a: string, b: string) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) - b.charCodeAt(i);
      }
      return a.length - b.length;
    };
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 1 })), (value) => {
        const members = Object.keys(value)
          .sort(byCodeUnits)
          .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
        expect(canonicalJson(value)).toBe(`{${members.join(',')}}`);
      }),
    );
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: '' })).toBe('{"a":"","b":[1,{"c":2,"d":1}]}');
  });

  it('equals JSON.stringify for primitives', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
        ),
        (value) => {
          expect(canonicalJson(value)).toBe(JSON.stringify(value));
        },
      ),
    );
  });

  it('matches the RFC 8785 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    expect(canonicalJson(input)).toBe(
      `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(input[k as keyof typeof input])}`).join(',')}}`,
    );
  });

  it('writes numbers as ECMAScript does', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 123456789012345680000, 5e-324, -1.5])).toBe(
      '[0,1e+21,1e-7,123456789012345680000,5e-324,-1.5]',
    );
  });

  it('leaves out undefined members but rejects undefined in arrays and at the top', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ a: undefined })).toBe('{}');
    expect(problemAt({ list: [1, undefined] })).toEqual({ path: ['list', 1], code: 'undefined_in_array' });
    expect(problemAt(undefined)).toEqual({ path: [], code: 'unsupported_type' });
  });

  it('rejects non-finite numbers with their path', () => {
    expect(problemAt({ a: { b: [0, Number.NaN] } })).toEqual({ path: ['a', 'b', 1], code: 'non_finite' });
    expect(problemAt({ x: Number.POSITIVE_INFINITY })).toEqual({ path: ['x'], code: 'non_finite' });
    expect(problemAt([Number.NEGATIVE_INFINITY])).toEqual({ path: [0], code: 'non_finite' });
  });

  it('rejects lone surrogates in values and keys', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 5 }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string({ unit: 'binary', maxLength: 5 }),
        (before, unit, after) => {
          // A high surrogate followed by a low one would be a valid pair: keep it lone.
          const lone = String.fromCharCode(unit);
          const text = unit <= 0xdbff ? `${before}${lone}x${after}` : `${before}x${lone}${after}`;
          expect(problemAt({ k: text })).toEqual({ path: ['k'], code: 'lone_surrogate' });
          expect(problemAt({ [text]: 1 })).toEqual({ path: [text], code: 'lone_surrogate' });
        },
      ),
    );
    expect(canonicalJson('\ud83d\ude00')).toBe('"😀"');
  });

  it('rejects functions, symbols, bigints and objects that are not plain', () => {
    class Point {
      x = 1;
    }
    expect(problemAt({ f: () => 1 })).toEqual({ path: ['f'], code: 'unsupported_type' });
    expect(problemAt({ s: Symbol('s') })).toEqual({ path: ['s'], code: 'unsupported_type' });
    expect(problemAt({ n: 10n })).toEqual({ path: ['n'], code: 'unsupported_type' });
    expect(problemAt({ d: new Date(0) })).toEqual({ path: ['d'], code: 'non_plain_object' });
    expect(problemAt({ m: [new Map()] })).toEqual({ path: ['m', 0], code: 'non_plain_object' });
    expect(problemAt({ p: new Point() })).toEqual({ path: ['p'], code: 'non_plain_object' });
    expect(canonicalJson(Object.assign(Object.create(null), { b: 2, a: 1 }))).toBe('{"a":1,"b":2}');
  });

  it('rejects circular and absurdly deep values instead of overflowing the stack', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(problemAt(loop).code).toBe('too_deep');
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(problemAt(deep).code).toBe('too_deep');
  });

  it('localises its message', () => {
    try {
      canonicalJson({ a: Number.NaN }, { locale: 'zh-CN' });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).message).toContain('有限数值');
    }
  });
});
