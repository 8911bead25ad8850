import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultRulePacks,
  formatPath,
  isGuardError,
  parseRulePack,
  RULE_PACK_LIMITS,
  ruleOperators,
  ValidationError,
  validateRulePack,
} from '../src/index.js';

/** Property runs: 1,000 unless FC_NUM_RUNS says otherwise (as scripts/vitest-setup.ts). */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS) > 0 ? Number(process.env.FC_NUM_RUNS) : 1000;

// biome-ignore lint/suspicious/noExplicitAny: packs are mutated freely as untyped JSON here
type Json = any;

/** A deep, plain-JSON copy: what an analyst's file parses to. */
const json = (value: unknown): Json => JSON.parse(JSON.stringify(value));

/** The exfiltration pack as untyped JSON, to break in one place. */
const exfiltration = (): Json => json(defaultRulePacks.exfiltration);

const leaf = (fact: string, operator: string, value: unknown) => ({ fact, operator, value });

/**
 * The exfiltration pack cut to a rule with a nested `any`, one with two
 * leaves and the departing-window modifier: every kind of part, small
 * enough for a thousand property runs.
 */
function compact(): Json {
  const pack = exfiltration();
  pack.rules = pack.rules.filter((r: Json) => ['export-spike', 'competitor-and-data'].includes(r.name));
  return pack;
}

/** A small valid employee pack: one rule on exports30d. */
function minimal(): Json {
  return {
    id: 'minimal',
    version: '1.0.0',
    subject: 'employee',
    title: { en: 'Minimal', 'zh-CN': '最小' },
    thresholds: { alert: 50, watch: 20 },
    rules: [rule('big-export', { all: [leaf('exports30d', 'greaterThanInclusive', 300)] })],
  };
}

function rule(name: string, conditions: unknown, weight = 30): Json {
  return {
    name,
    conditions,
    event: { type: 'risk', params: { weight, tags: ['data-movement'], explanation: { en: name, 'zh-CN': name } } },
  };
}

/** `condition` wrapped in `groups` nested `all` groups. */
function nested(groups: number, condition: unknown = leaf('exports30d', 'greaterThan', 1)): unknown {
  let c = condition;
  for (let i = 0; i < groups; i++) c = { all: [c] };
  return c;
}

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The issues of an invalid pack as `path: message` lines (fails the test when the pack is valid). */
function problems(input: unknown): string[] {
  const result = validateRulePack(input);
  if (result.ok) throw new Error('expected the pack to be rejected');
  return result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** The formatted paths of an invalid pack's issues. */
const paths = (input: unknown): string[] => problems(input).map((line) => line.slice(0, line.indexOf(': ')));

describe('default packs', () => {
  it.each(Object.entries(defaultRulePacks))('%s is accepted unchanged', (_, pack) => {
    const input = json(pack);
    expect(parseRulePack(input)).toStrictEqual(input);
    expect(validateRulePack(input)).toStrictEqual({ ok: true, pack: input });
  });

  it('a pack round-trips through parse, JSON and parse again', () => {
    const once = parseRulePack(exfiltration());
    expect(parseRulePack(json(once))).toStrictEqual(once);
  });
});

describe('rejected packs name the path of each problem', () => {
  it('throws a ValidationError that names the path and says what to do', () => {
    const pack = exfiltration();
    pack.rules[2].conditions.all[0].operator = 'greaterThen';
    const error = thrown(() => parseRulePack(pack));
    expect(error).toBeInstanceOf(ValidationError);
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    const { issues, message, hint } = error as ValidationError;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['rules', 2, 'conditions', 'all', 0, 'operator']);
    expect(message).toContain('rules[2].conditions.all[0].operator: unknown operator "greaterThen"');
    expect(issues[0]?.message).toContain(`use one of ${ruleOperators.join(', ')}`);
    expect(hint).toBe('Nothing was written. Fix the paths listed and try again.');
  });

  it('reports every problem at once', () => {
    const pack = exfiltration();
    pack.version = '1.0';
    pack.rules[0].event.params.weight = 101;
    pack.rules[2].conditions.all[0].operator = 'greaterThen';
    expect(paths(pack)).toEqual(
      expect.arrayContaining(['version', 'rules[0].event.params.weight', 'rules[2].conditions.all[0].operator']),
    );
    expect((thrown(() => parseRulePack(pack)) as Error).message).toMatch(/^Invalid rule pack: 3 problems/);
  });

  it('speaks Chinese when asked', () => {
    const pack = minimal();
    pack.rules[0].event.params.weight = 101;
    const error = thrown(() => parseRulePack(pack, { locale: 'zh-CN' })) as ValidationError;
    expect(error.locale).toBe('zh-CN');
    expect(error.hint).toBe('未写入任何数据。请修正所列路径后重试。');
    expect(error.message).toContain('rules[0].event.params.weight');
    expect(error.issues[0]?.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('validateRulePack returns the same issues instead of throwing', () => {
    const pack = minimal();
    pack.thresholds.watch = 60;
    const result = validateRulePack(pack);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual((thrown(() => parseRulePack(pack)) as ValidationError).issues);
  });

  const cases: [string, (p: Json) => void, string, string][] = [
    ['a non-object', (p) => Object.assign(p, { rules: 'none' }), 'rules', 'expected array'],
    ['an id with capitals', (p) => Object.assign(p, { id: 'Flight Risk' }), 'id', 'lowercase letters'],
    ['a version that is not semver', (p) => Object.assign(p, { version: '1.0' }), 'version', 'semantic version'],
    ['an unknown subject', (p) => Object.assign(p, { subject: 'vendor' }), 'subject', '"employee"|"customer"'],
    ['an unknown top-level key', (p) => Object.assign(p, { owner: 'ann' }), '(root)', '"owner"'],
    ['an unknown severity', (p) => Object.assign(p, { severity: 'extreme' }), 'severity', ''],
    ['alert below 1', (p) => Object.assign(p.thresholds, { alert: 0 }), 'thresholds.alert', '>=1'],
    ['no rules', (p) => Object.assign(p, { rules: [] }), 'rules', '>=1'],
    ['a rule name with spaces', (p) => Object.assign(p.rules[0], { name: 'Big export' }), 'rules[0].name', 'lowercase'],
    ['a priority of 0', (p) => Object.assign(p.rules[0], { priority: 0 }), 'rules[0].priority', '>=1'],
    ['a fractional priority', (p) => Object.assign(p.rules[0], { priority: 1.5 }), 'rules[0].priority', 'int'],
    [
      'an event that is not "risk"',
      (p) => Object.assign(p.rules[0].event, { type: 'alert' }),
      'rules[0].event.type',
      'the event type must be "risk"',
    ],
    [
      'a weight above 100',
      (p) => Object.assign(p.rules[0].event.params, { weight: 101 }),
      'rules[0].event.params.weight',
      '<=100',
    ],
    [
      'a negative weight',
      (p) => Object.assign(p.rules[0].event.params, { weight: -1 }),
      'rules[0].event.params.weight',
      '>=0',
    ],
    [
      'a tag with capitals',
      (p) => Object.assign(p.rules[0].event.params, { tags: ['Data'] }),
      'rules[0].event.params.tags[0]',
      'lowercase',
    ],
    [
      'a leaf at the top level',
      (p) => Object.assign(p.rules[0], { conditions: leaf('exports30d', 'equal', 1) }),
      'rules[0].conditions',
      'the top level must be "all", "any" or "not"',
    ],
    ['an empty group', (p) => Object.assign(p.rules[0], { conditions: { any: [] } }), 'rules[0].conditions.any', '>=1'],
    [
      'two branches in one condition',
      (p) => p.rules[0].conditions.all.push({ all: [leaf('views30d', 'equal', 1)], fact: 'views30d' }),
      'rules[0].conditions.all[1]',
      'exactly one of "all", "any", "not" or "fact"',
    ],
    [
      'a condition that is not an object',
      (p) => p.rules[0].conditions.all.push('exports30d > 1'),
      'rules[0].conditions.all[1]',
      'exactly one of',
    ],
    [
      'an unknown key in a leaf',
      (p) => Object.assign(p.rules[0].conditions.all[0], { weight: 2 }),
      'rules[0].conditions.all[0]',
      'unknown key(s) "weight"',
    ],
    [
      'an unknown key in a group',
      (p) => Object.assign(p.rules[0].conditions, { name: 'x' }),
      'rules[0].conditions',
      'unknown key(s) "name"',
    ],
    [
      'a decorated operator',
      (p) => Object.assign(p.rules[0].conditions.all[0], { operator: 'not:equal' }),
      'rules[0].conditions.all[0].operator',
      'custom operators and decorators are not accepted',
    ],
    [
      'a custom operator',
      (p) => Object.assign(p.rules[0].conditions.all[0], { operator: 'startsWith' }),
      'rules[0].conditions.all[0].operator',
      'unknown operator "startsWith"',
    ],
    [
      'a multiplier above 10',
      (p) =>
        Object.assign(p, {
          modifiers: [
            { name: 'm', when: { all: [leaf('exports30d', 'greaterThan', 1)] }, multiply: 11, tags: ['data-movement'] },
          ],
        }),
      'modifiers[0].multiply',
      '<=10',
    ],
    [
      'a modifier without tags',
      (p) =>
        Object.assign(p, {
          modifiers: [{ name: 'm', when: { all: [leaf('exports30d', 'greaterThan', 1)] }, multiply: 2, tags: [] }],
        }),
      'modifiers[0].tags',
      '>=1',
    ],
    [
      'a modifier whose `when` is a leaf',
      (p) =>
        Object.assign(p, {
          modifiers: [{ name: 'm', when: leaf('exports30d', 'greaterThan', 1), multiply: 2, tags: ['data-movement'] }],
        }),
      'modifiers[0].when',
      'the top level must be',
    ],
  ];

  it.each(cases)('rejects %s', (_, breakIt, path, message) => {
    const pack = minimal();
    breakIt(pack);
    const found = problems(pack);
    expect(found.map((line) => line.slice(0, line.indexOf(': ')))).toContain(path);
    expect(found.find((line) => line.startsWith(`${path}: `))).toContain(message);
  });
});

describe('keys that reach a prototype', () => {
  const places: [string, (p: Json) => Json, (string | number)[]][] = [
    ['the pack', (p) => p, []],
    ['the title', (p) => p.title, ['title']],
    ['a rule', (p) => p.rules[0], ['rules', 0]],
    ['a deep condition', (p) => p.rules[0].conditions.all[0], ['rules', 0, 'conditions', 'all', 0]],
    ['an explanation', (p) => p.rules[0].event.params.explanation, ['rules', 0, 'event', 'params', 'explanation']],
    ['a modifier condition', (p) => p.modifiers[0].when, ['modifiers', 0, 'when']],
  ];
  const cases = ['__proto__', 'constructor', 'prototype'].flatMap((key) =>
    places.map(([where, at, path]) => [key, where, at, path] as const),
  );

  it.each(cases)('refuses "%s" in %s with its path', (key, _, at, path) => {
    const pack = exfiltration();
    const target = at(pack);
    // An own "__proto__" key, as JSON.parse makes one (assignment would set the prototype).
    Object.defineProperty(target, key, {
      value: { polluted: true },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const error = thrown(() => parseRulePack(pack)) as ValidationError;
    expect(error.issues).toEqual([
      {
        path: [...path, key],
        code: 'forbidden_key',
        message: `the key "${key}" is not allowed`,
        localized: { en: `the key "${key}" is not allowed`, 'zh-CN': `不允许使用键名「${key}」` },
      },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses "__proto__" from JSON text', () => {
    const text = JSON.stringify(minimal()).replace('"value":300', '"value":300,"__proto__":{"isAdmin":true}');
    expect(paths(JSON.parse(text))).toEqual(['rules[0].conditions.all[0].__proto__']);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses a forbidden key placed on any object of a pack (property)', () => {
    const objects = objectPaths(compact());
    fc.assert(
      fc.property(
        fc.constantFrom(...objects),
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.jsonValue(),
        (path, key, value) => {
          const copy = compact();
          const target = path.reduce((o: Json, k) => o[k], copy);
          Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
          const result = validateRulePack(copy);
          expect(result.ok).toBe(false);
          expect(!result.ok && result.issues).toContainEqual(
            expect.objectContaining({
              path: [...path, key],
              code: 'forbidden_key',
              message: `the key "${key}" is not allowed`,
            }),
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('json-rules-engine features Guard does not evaluate', () => {
  it('refuses JSONPath "path" on a condition and says what to use', () => {
    const pack = minimal();
    pack.rules[0].conditions.all[0].path = '$.rows';
    expect(problems(pack)).toEqual([
      'rules[0].conditions.all[0]: "path" (JSONPath) is not evaluated; use a built-in fact instead',
    ]);
  });

  it('refuses fact "params"', () => {
    const pack = minimal();
    pack.rules[0].conditions = {
      any: [leaf('views30d', 'greaterThan', 1), { ...leaf('exports30d', 'equal', 1), params: { days: 7 } }],
    };
    expect(problems(pack)).toEqual([
      'rules[0].conditions.any[1]: fact "params" are not supported; built-in facts take none',
    ]);
  });

  it('refuses "path" on a nested condition of a modifier', () => {
    const pack = exfiltration();
    pack.modifiers[0].when = { not: { any: [{ ...leaf('daysSinceResignation', 'lessThan', 0), path: '$.a' }] } };
    expect(paths(pack)).toEqual(['modifiers[0].when.not.any[0]']);
  });
});

describe('size limits', () => {
  const manyRules = (n: number): Json => {
    const pack = minimal();
    pack.rules = Array.from({ length: n }, (_, i) => rule(`r${i}`, { all: [leaf('exports30d', 'greaterThan', i)] }));
    return pack;
  };

  it(`accepts ${RULE_PACK_LIMITS.rules} rules and refuses one more`, () => {
    expect(RULE_PACK_LIMITS.rules).toBe(200);
    expect(parseRulePack(manyRules(200)).rules).toHaveLength(200);
    expect(problems(manyRules(201))).toEqual(['rules: Too big: expected array to have <=200 items']);
  });

  it(`accepts ${RULE_PACK_LIMITS.conditions} conditions and refuses one more`, () => {
    expect(RULE_PACK_LIMITS.conditions).toBe(2000);
    const pack = (extra: number): Json => {
      const p = minimal();
      const hundred = Array.from({ length: 100 }, (_, i) => leaf('exports30d', 'greaterThan', i));
      p.rules = Array.from({ length: 20 }, (_, i) => rule(`r${i}`, { all: hundred }));
      if (extra > 0) p.rules.push(rule('extra', { all: [leaf('views30d', 'greaterThan', 1)] }));
      return p;
    };
    expect(parseRulePack(pack(0)).rules).toHaveLength(20);
    expect(problems(pack(1))).toEqual(['rules: the pack has 2001 conditions; the limit is 2000']);
  });

  it('caps a group at 100 conditions', () => {
    const pack = minimal();
    pack.rules[0].conditions = { all: Array.from({ length: 101 }, () => leaf('exports30d', 'greaterThan', 1)) };
    expect(paths(pack)).toEqual(['rules[0].conditions.all']);
  });

  it('accepts 8 nested groups and refuses 9, naming the too-deep group once', () => {
    const pack = (groups: number, explanation = 'deep'): Json => {
      const p = minimal();
      p.rules[0].conditions = nested(groups);
      p.rules[0].event.params.explanation = { en: explanation, 'zh-CN': explanation };
      return p;
    };
    expect(RULE_PACK_LIMITS.depth).toBe(8);
    expect(parseRulePack(pack(8)).rules[0]?.conditions).toEqual(nested(8));
    expect(problems(pack(9))).toEqual([
      `rules[0].conditions${'.all[0]'.repeat(8)}: conditions nest more than 8 levels deep; flatten them`,
    ]);
    // The facts under the too-deep group still count as read: no spurious placeholder problem.
    expect(problems(pack(12, '{{exports30d}} rows'))).toEqual([
      `rules[0].conditions${'.all[0]'.repeat(8)}: conditions nest more than 8 levels deep; flatten them`,
    ]);
  });

  it('counts not and any as nesting levels too', () => {
    let c: unknown = leaf('exports30d', 'greaterThan', 1);
    for (let i = 0; i < 9; i++) c = i % 3 === 0 ? { not: c } : i % 3 === 1 ? { any: [c] } : { all: [c] };
    const pack = minimal();
    pack.rules[0].conditions = c;
    expect(problems(pack)).toEqual([expect.stringContaining('conditions nest more than 8 levels deep')]);
  });

  it(`accepts ${RULE_PACK_LIMITS.listItems} items in an "in" list and refuses one more`, () => {
    const pack = (n: number): Json => {
      const p = minimal();
      p.rules[0].conditions = {
        all: [
          leaf(
            'exports30d',
            'in',
            Array.from({ length: n }, (_, i) => i),
          ),
        ],
      };
      return p;
    };
    expect(parseRulePack(pack(1000)).rules[0]?.conditions).toEqual(pack(1000).rules[0].conditions);
    expect(paths(pack(1001))).toEqual(['rules[0].conditions.all[0].value']);
    expect(problems(pack(1001))[0]).toContain('a list of at most 1000 of them');
  });

  const strings: [string, (p: Json, s: string) => void, number, string][] = [
    [
      'an explanation',
      (p, s) => Object.assign(p.rules[0].event.params.explanation, { en: s }),
      500,
      'rules[0].event.params.explanation.en',
    ],
    ['a title', (p, s) => Object.assign(p.title, { 'zh-CN': s }), 500, 'title["zh-CN"]'],
    ['a rule description', (p, s) => Object.assign(p.rules[0], { description: s }), 2000, 'rules[0].description'],
    [
      'a condition value',
      (p, s) => Object.assign(p.rules[0], { conditions: { all: [leaf('status', 'equal', s)] } }),
      500,
      'rules[0].conditions.all[0].value',
    ],
    ['$schema', (p, s) => Object.assign(p, { $schema: s }), 2000, '$schema'],
  ];

  it.each(strings)('limits the length of %s', (_, set, max, path) => {
    const ok = minimal();
    set(ok, 'x'.repeat(max));
    expect(parseRulePack(ok)).toMatchObject(ok);
    const tooLong = minimal();
    set(tooLong, 'x'.repeat(max + 1));
    expect(paths(tooLong)).toEqual([path]);
  });

  it('limits names to 100 characters', () => {
    const pack = minimal();
    pack.rules[0].name = `a${'b'.repeat(99)}`;
    expect(parseRulePack(pack).rules[0]?.name).toBe(pack.rules[0].name);
    pack.rules[0].name += 'c';
    expect(paths(pack)).toEqual(['rules[0].name']);
  });

  it('refuses more than 1,000,000 bytes of JSON before looking inside', () => {
    const pack = minimal();
    pack.notes = 'x'.repeat(RULE_PACK_LIMITS.bytes);
    const [line, ...rest] = problems(pack);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^\(root\): the pack is 10\d{5} bytes of JSON; the limit is 1000000$/);
  });

  it('counts the size in UTF-8 bytes, so Chinese text counts three bytes a character', () => {
    const pack = minimal();
    pack.notes = '中'.repeat(Math.ceil(RULE_PACK_LIMITS.bytes / 3));
    expect(JSON.stringify(pack).length).toBeLessThan(RULE_PACK_LIMITS.bytes);
    const [line, ...rest] = problems(pack);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^\(root\): the pack is 10\d{5} bytes of JSON; the limit is 1000000$/);
  });

  it('refuses nesting deeper than 64 levels anywhere, before the schema runs', () => {
    const pack = minimal();
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    pack.notes = deep;
    const error = thrown(() => parseRulePack(pack)) as ValidationError;
    expect(error.issues.map((i) => i.code)).toEqual(['too_deep']);
  });
});

describe('semantic checks', () => {
  it('names the closest fact when one is misspelt', () => {
    const pack = minimal();
    pack.rules[0].conditions.all[0].fact = 'exportTrend';
    expect(problems(pack)).toEqual([
      'rules[0].conditions.all[0].fact: unknown employee fact "exportTrend"; did you mean "exportsTrend"?',
    ]);
  });

  it('points to the schema when nothing is close', () => {
    const pack = minimal();
    pack.rules[0].conditions.all[0].fact = 'zzzzzzzzzz';
    expect(problems(pack)[0]).toBe(
      'rules[0].conditions.all[0].fact: unknown employee fact "zzzzzzzzzz"; `guard rules schema` lists the facts',
    );
  });

  it('says when a fact belongs to the other subject', () => {
    const employee = minimal();
    employee.rules[0].conditions.all[0] = leaf('daysSinceLastOrder', 'equal', 0);
    expect(problems(employee)).toEqual([
      'rules[0].conditions.all[0].fact: unknown employee fact "daysSinceLastOrder" (it is a customer fact; this pack scores employees)',
    ]);
    const customer = json(defaultRulePacks.churn);
    customer.rules[0].conditions.all[0].fact = 'exports30d';
    expect(paths(customer)).toContain('rules[0].conditions.all[0].fact');
    expect(problems(customer)[0]).toContain('(it is an employee fact; this pack scores customers)');
  });

  it("does not take Object.prototype's members for facts", () => {
    for (const fact of ['toString', 'hasOwnProperty', 'valueOf']) {
      const pack = minimal();
      pack.rules[0].conditions.all[0] = leaf(fact, 'equal', 1);
      expect(paths(pack)).toEqual(['rules[0].conditions.all[0].fact']);
    }
  });

  it('refuses a duplicate rule name, naming the first one', () => {
    const pack = exfiltration();
    pack.rules[4].name = pack.rules[0].name;
    expect(problems(pack)).toEqual([`rules[4].name: the name "${pack.rules[0].name}" is already used by rules[0]`]);
  });

  it.each([
    [50, 50],
    [60, 50],
  ])('refuses watch %i with alert %i', (watch, alert) => {
    const pack = minimal();
    pack.thresholds = { alert, watch };
    expect(problems(pack)).toEqual(['thresholds.watch: watch must be below alert']);
  });

  it('accepts watch just below alert, or no watch at all', () => {
    expect(parseRulePack({ ...minimal(), thresholds: { alert: 50, watch: 49 } }).thresholds).toEqual({
      alert: 50,
      watch: 49,
    });
    expect(parseRulePack({ ...minimal(), thresholds: { alert: 1 } }).thresholds).toEqual({ alert: 1 });
  });

  it('needs an explanation in both languages', () => {
    const noChinese = minimal();
    noChinese.rules[0].event.params.explanation = { en: 'Big export' };
    expect(paths(noChinese)).toEqual(['rules[0].event.params.explanation["zh-CN"]']);
    const blank = minimal();
    blank.rules[0].event.params.explanation.en = '   ';
    expect(paths(blank)).toEqual(['rules[0].event.params.explanation.en']);
    const third = minimal();
    third.rules[0].event.params.explanation.fr = 'Gros export';
    expect(problems(third)).toEqual(['rules[0].event.params.explanation: Unrecognized key: "fr"']);
  });

  it('needs explanation placeholders to name facts the rule reads', () => {
    const pack = minimal();
    pack.rules[0].event.params.explanation = { en: '{{ exports30d }} rows', 'zh-CN': '{{views30d}} 次' };
    expect(problems(pack)).toEqual([
      'rules[0].event.params.explanation["zh-CN"]: {{views30d}} is not a fact this rule reads (exports30d)',
    ]);
  });

  it('needs every modifier tag to be used by some rule', () => {
    const pack = exfiltration();
    pack.modifiers[0].tags = ['data-movement', 'intent', 'exfil'];
    expect(problems(pack)).toEqual(['modifiers[0].tags[2]: no rule has the tag "exfil"']);
  });

  it('checks the facts a modifier reads', () => {
    const pack = exfiltration();
    pack.modifiers[0].when.all[0].fact = 'daysSinceResigned';
    expect(problems(pack)[0]).toMatch(
      /^modifiers\[0\]\.when\.all\[0\]\.fact: unknown employee fact "daysSinceResigned"/,
    );
  });

  const mismatches: [string, unknown, string, string][] = [
    [
      'a number operator with a string value',
      leaf('exports30d', 'greaterThan', '300'),
      'value',
      '"greaterThan" needs a number value',
    ],
    [
      'a number operator on a string fact',
      leaf('status', 'lessThan', 3),
      'value',
      '"lessThan" compares numbers, but status is a string',
    ],
    ['"in" with a single value', leaf('status', 'in', 'resigning'), 'value', '"in" needs a list value, e.g. [1, 2]'],
    [
      '"notIn" with a mixed list',
      leaf('status', 'notIn', ['active', 1]),
      'value',
      'every item of the list must be a string like status',
    ],
    [
      '"contains" on a number fact',
      leaf('exports30d', 'contains', 'x'),
      'value',
      '"contains" looks inside a list, but exports30d is a number',
    ],
    [
      '"doesNotContain" on a string fact',
      leaf('status', 'doesNotContain', 'a'),
      'value',
      '"doesNotContain" looks inside a list, but status is a string',
    ],
    [
      '"equal" with a value of another type',
      leaf('exports30d', 'equal', 'many'),
      'value',
      'exports30d is a number; the value must be a number too',
    ],
    [
      '"notEqual" with a boolean for a string fact',
      leaf('status', 'notEqual', true),
      'value',
      'status is a string; the value must be a string too',
    ],
    [
      'two facts of different types',
      leaf('exports30d', 'equal', { fact: 'status' }),
      'value',
      'exports30d is a number but status is a string',
    ],
    [
      'two facts with an operator that needs a list',
      leaf('exports30d', 'in', { fact: 'views30d' }),
      'operator',
      '"in" needs a list value, e.g. [1, 2]',
    ],
    [
      'an unknown fact on the value side',
      leaf('exports30d', 'greaterThan', { fact: 'view30d' }),
      'value.fact',
      'unknown employee fact "view30d"; did you mean "views30d"?',
    ],
  ];

  it.each(mismatches)('refuses %s', (_, condition, where, message) => {
    const pack = minimal();
    pack.rules[0].conditions.all[0] = condition;
    expect(problems(pack)).toEqual([`rules[0].conditions.all[0].${where}: ${message}`]);
  });

  it('accepts well-typed conditions, including a comparison of two facts', () => {
    const pack = minimal();
    pack.rules[0].conditions = {
      all: [
        leaf('exports30d', 'greaterThan', { fact: 'views30d' }),
        leaf('status', 'in', ['resigning', 'frozen']),
        leaf('status', 'notEqual', { fact: 'status' }),
        { not: leaf('leaveDays30d', 'notIn', [1, 2.5]) },
      ],
    };
    expect(parseRulePack(pack).rules[0]?.conditions).toEqual(pack.rules[0].conditions);
  });

  it('refuses non-finite numbers a host might put in a pack built in code', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const pack = minimal();
      pack.rules[0].conditions.all[0].value = value;
      expect(paths(pack)).toEqual(['rules[0].conditions.all[0].value']);
    }
  });
});

describe('any input either parses or fails with a ValidationError (property)', () => {
  /**
   * What parseRulePack may do: return a pack that parses to itself (strings
   * are trimmed, so not always the input), or throw a ValidationError whose
   * issues all have a path and a message.
   */
  function parsesOrIsRejected(input: unknown): void {
    let pack: unknown;
    try {
      pack = parseRulePack(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const { issues, message } = error as ValidationError;
      const malformed = issues.filter(
        (i) =>
          !Array.isArray(i.path) ||
          !i.path.every((p) => typeof p === 'string' || typeof p === 'number') ||
          typeof i.message !== 'string' ||
          i.message === '',
      );
      expect(malformed).toEqual([]);
      expect(issues.length).toBeGreaterThan(0);
      expect(message).toContain(formatPath(issues[0]?.path ?? []));
      return;
    }
    expect(parseRulePack(pack)).toStrictEqual(pack);
  }

  it('for arbitrary values', () => {
    fc.assert(fc.property(fc.anything(), parsesOrIsRejected), { numRuns: NUM_RUNS });
  });

  it('for a default pack with any one part replaced by arbitrary JSON', () => {
    const places = allPaths(compact()).filter((p) => p.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const copy = compact();
        const parent = path.slice(0, -1).reduce((o: Json, k) => o[k], copy);
        parent[path.at(-1) as string | number] = value;
        parsesOrIsRejected(copy);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** The path of every value inside `value`, the root included. */
function allPaths(value: unknown, path: (string | number)[] = [], into: (string | number)[][] = []) {
  into.push(path);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) allPaths(v, [...path, i], into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) allPaths(v, [...path, k], into);
  }
  return into;
}

/** The paths of the plain objects (not arrays) inside `value`. */
function objectPaths(value: unknown): (string | number)[][] {
  return allPaths(value).filter((p) => {
    const v = p.reduce((o: Json, k) => o[k], value);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  });
}
