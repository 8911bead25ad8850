import { describe, expect, it } from 'vitest';
import {
  type ConditionValue,
  defaultRulePacks,
  type Facts,
  type FactValue,
  parseRulePack,
  type RiskEvaluator,
  type RiskModifier,
  type RiskRule,
  type RiskScore,
  type RuleCondition,
  type RuleOperator,
  type RulePack,
  renderExplanation,
  riskEvaluator,
  ruleOperators,
  type TopLevelCondition,
} from '../src/index.js';
import exfiltrationJson from './fixtures/exfiltration-pack.json' with { type: 'json' };

// Version 1 of the default data-exfiltration pack, kept as a fixture: these tests are about
// modifiers and explanations, not about the defaults, which are retuned against the simulator.
const exfiltrationPack = parseRulePack(exfiltrationJson);

const leaf = (fact: string, operator: RuleOperator, value: ConditionValue | { fact: string }): RuleCondition => ({
  fact,
  operator,
  value,
});

function rule(
  name: string,
  conditions: TopLevelCondition,
  weight: number,
  tags?: string[],
  explanation = { en: name, 'zh-CN': name },
): RiskRule {
  return { name, conditions, event: { type: 'risk', params: { weight, ...(tags ? { tags } : {}), explanation } } };
}

/** An employee pack through parseRulePack: alert at 50, watch at 30 unless told. */
function pack(
  rules: RiskRule[],
  options: { modifiers?: RiskModifier[]; thresholds?: RulePack['thresholds']; id?: string; version?: string } = {},
): RulePack {
  return parseRulePack({
    id: options.id ?? 'test-pack',
    version: options.version ?? '1.0.0',
    subject: 'employee',
    title: { en: 'Test', 'zh-CN': '测试' },
    thresholds: options.thresholds ?? { alert: 50, watch: 30 },
    ...(options.modifiers ? { modifiers: options.modifiers } : {}),
    rules,
  });
}

/** Scores with every path the evaluator has and checks they agree; returns the score. */
async function scoreAll(evaluator: RiskEvaluator, facts: Facts): Promise<RiskScore> {
  const reference = await evaluator.reference(facts);
  if (evaluator.scoreSync) expect(evaluator.scoreSync(facts)).toStrictEqual(reference);
  expect(await evaluator.score(facts)).toStrictEqual(reference);
  return reference;
}

const names = (s: RiskScore) => s.fired.map((f) => f.rule);

describe('bands', () => {
  // 29 + 1 + 20: the sums land exactly on and around the thresholds.
  const evaluator = riskEvaluator(
    pack([
      rule('a', { all: [leaf('exports30d', 'greaterThanInclusive', 1)] }, 29),
      rule('b', { all: [leaf('views30d', 'greaterThanInclusive', 1)] }, 1),
      rule('c', { all: [leaf('deletes30d', 'greaterThanInclusive', 1)] }, 20),
    ]),
  );

  it.each([
    [{}, 0, 'normal'],
    [{ exports30d: 1 }, 29, 'normal'],
    [{ exports30d: 1, views30d: 1 }, 30, 'watch'],
    [{ exports30d: 1, deletes30d: 1 }, 49, 'watch'],
    [{ exports30d: 1, views30d: 1, deletes30d: 1 }, 50, 'alert'],
  ] as const)('%o scores %i (%s)', async (facts, score, band) => {
    const s = await scoreAll(evaluator, facts);
    expect(s).toMatchObject({ score, band, subject: 'employee', pack: { id: 'test-pack', version: '1.0.0' } });
  });

  it('has no watch band when the pack has no watch threshold', async () => {
    const noWatch = riskEvaluator(
      pack([rule('a', { all: [leaf('exports30d', 'greaterThan', 0)] }, 49)], { thresholds: { alert: 50 } }),
    );
    expect(await scoreAll(noWatch, { exports30d: 1 })).toMatchObject({ score: 49, band: 'normal' });
  });

  it('rounds the total to a whole score but keeps fractional points', async () => {
    const halves = riskEvaluator(
      pack([
        rule('a', { all: [leaf('exports30d', 'greaterThan', 0)] }, 14.75),
        rule('b', { all: [leaf('views30d', 'greaterThan', 0)] }, 14.75),
      ]),
    );
    const s = await scoreAll(halves, { exports30d: 1, views30d: 1 });
    expect(s).toMatchObject({ score: 30, band: 'watch' });
    expect(s.fired.map((f) => f.points)).toEqual([14.75, 14.75]);
  });

  it('caps the score at 100', async () => {
    const big = riskEvaluator(
      pack(['a', 'b', 'c'].map((n) => rule(n, { all: [leaf('exports30d', 'greaterThan', 0)] }, 50))),
    );
    expect(await scoreAll(big, { exports30d: 1 })).toMatchObject({ score: 100, band: 'alert' });
  });

  it('lists fired rules by points, then by name', async () => {
    const s = await scoreAll(evaluator, { exports30d: 1, views30d: 1, deletes30d: 1 });
    expect(names(s)).toEqual(['a', 'c', 'b']);
    const ties = riskEvaluator(
      pack(['z', 'm', 'a'].map((n) => rule(n, { all: [leaf('exports30d', 'greaterThan', 0)] }, 10))),
    );
    expect(names(await scoreAll(ties, { exports30d: 1 }))).toEqual(['a', 'm', 'z']);
  });
});

describe('modifiers', () => {
  const exfiltration = riskEvaluator(exfiltrationPack);

  it('doubles data movement inside the departing window', async () => {
    const outside = await scoreAll(exfiltration, { exports30d: 800 });
    expect(outside).toMatchObject({ score: 30, band: 'watch', modifiers: [] });
    const inside = await scoreAll(exfiltration, { exports30d: 800, daysSinceResignation: 0 });
    expect(inside).toMatchObject({ score: 60, band: 'alert', modifiers: ['departing-window'] });
    expect(inside.fired).toEqual([expect.objectContaining({ rule: 'bulk-export', weight: 30, points: 60 })]);
  });

  it.each([
    [-1, 'before the resignation date'],
    [null, 'with no resignation'],
    [undefined, 'with the fact absent'],
  ] as [number | null | undefined, string][])('does not double at daysSinceResignation %s (%s)', async (days) => {
    const facts: Facts = days === undefined ? { exports30d: 800 } : { exports30d: 800, daysSinceResignation: days };
    expect(await scoreAll(exfiltration, facts)).toMatchObject({ score: 30, modifiers: [] });
  });

  it('leaves rules without the tag alone while active', async () => {
    const s = await scoreAll(exfiltration, {
      competitorContacts30d: 1,
      exports30d: 150,
      openHandoverItems: 12,
      daysToLastDay: 5,
      daysSinceResignation: 3,
    });
    expect(s.modifiers).toEqual(['departing-window']);
    expect(s.fired.map((f) => [f.rule, f.weight, f.points])).toEqual([
      ['competitor-and-data', 20, 20],
      ['handover-stalling', 15, 15],
    ]);
    expect(s.score).toBe(35);
  });

  it('multiplies active modifiers together, once per modifier, and can zero a rule', async () => {
    const when = (days: number): TopLevelCondition => ({
      all: [leaf('daysSinceResignation', 'greaterThanInclusive', days)],
    });
    const evaluator = riskEvaluator(
      pack(
        [
          rule('moved', { all: [leaf('exports30d', 'greaterThan', 0)] }, 10, ['data-movement', 'intent']),
          rule('other', { all: [leaf('views30d', 'greaterThan', 0)] }, 10, ['handover']),
        ],
        {
          thresholds: { alert: 90 },
          modifiers: [
            { name: 'double', when: when(0), multiply: 2, tags: ['data-movement', 'intent'] },
            { name: 'and-a-half', when: when(10), multiply: 1.5, tags: ['intent'] },
            { name: 'mute', when: when(100), multiply: 0, tags: ['handover'] },
          ],
        },
      ),
    );
    const facts = (days: number) => ({ exports30d: 1, views30d: 1, daysSinceResignation: days });
    const points = (s: RiskScore) => Object.fromEntries(s.fired.map((f) => [f.rule, f.points]));
    expect(points(await scoreAll(evaluator, facts(0)))).toEqual({ moved: 20, other: 10 });
    const both = await scoreAll(evaluator, facts(10));
    expect(points(both)).toEqual({ moved: 30, other: 10 });
    expect(both.modifiers).toEqual(['double', 'and-a-half']);
    const muted = await scoreAll(evaluator, facts(100));
    expect(points(muted)).toEqual({ moved: 30, other: 0 });
    expect(muted.score).toBe(30);
  });
});

describe('fail-closed leaves', () => {
  // No built-in fact is a list, so contains / doesNotContain can only be
  // exercised with a pack built in code (riskEvaluator does not re-validate).
  const cases: {
    operator: RuleOperator;
    fact: string;
    value: ConditionValue;
    holds: FactValue;
    fails: FactValue;
    wrong: unknown[];
  }[] = [
    { operator: 'lessThan', fact: 'exports30d', value: 10, holds: 9, fails: 10, wrong: ['9', true, [9]] },
    { operator: 'lessThanInclusive', fact: 'exports30d', value: 10, holds: 10, fails: 11, wrong: ['9', false, [10]] },
    { operator: 'greaterThan', fact: 'exports30d', value: 10, holds: 11, fails: 10, wrong: ['11', true, [11]] },
    { operator: 'greaterThanInclusive', fact: 'exports30d', value: 10, holds: 10, fails: 9, wrong: ['10', true, [10]] },
    { operator: 'equal', fact: 'exports30d', value: 10, holds: 10, fails: 9, wrong: [[10], [9], '10', '9', true, {}] },
    {
      operator: 'notEqual',
      fact: 'exports30d',
      value: 10,
      holds: 9,
      fails: 10,
      wrong: [[10], [9], '10', '9', true, {}],
    },
    {
      operator: 'equal',
      fact: 'status',
      value: 'active',
      holds: 'active',
      fails: 'frozen',
      wrong: [['active'], [], 5, true, {}],
    },
    {
      operator: 'in',
      fact: 'exports30d',
      value: [10, 20],
      holds: 20,
      fails: 15,
      wrong: [[20], [15], '20', '15', false],
    },
    {
      operator: 'notIn',
      fact: 'exports30d',
      value: [10, 20],
      holds: 15,
      fails: 10,
      wrong: [[15], [10], '15', '10', true],
    },
    {
      operator: 'notIn',
      fact: 'status',
      value: ['active'],
      holds: 'frozen',
      fails: 'active',
      wrong: [['frozen'], [], 5, false],
    },
    { operator: 'contains', fact: 'labels', value: 'vip', holds: ['vip', 'x'], fails: ['x'], wrong: ['vip', 5, true] },
    { operator: 'doesNotContain', fact: 'labels', value: 'vip', holds: ['x'], fails: ['vip'], wrong: ['x', 5, false] },
  ];
  const nonFinite = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

  it('covers every operator', () => {
    expect(new Set(cases.map((c) => c.operator))).toEqual(new Set(ruleOperators));
  });

  /** Rule `plain` is the leaf, rule `negated` is `not` of it. */
  function evaluatorFor({ operator, fact, value }: (typeof cases)[number]): RiskEvaluator {
    const rules = [
      rule('plain', { all: [leaf(fact, operator, value)] }, 10),
      rule('negated', { not: leaf(fact, operator, value) }, 10),
    ];
    const raw: RulePack = {
      id: `leaf-${operator.toLowerCase()}-${fact.toLowerCase()}`,
      version: '1.0.0',
      subject: 'employee',
      title: { en: operator, 'zh-CN': operator },
      thresholds: { alert: 50 },
      rules,
    };
    return riskEvaluator(fact === 'labels' ? raw : parseRulePack(raw));
  }

  it.each(cases)('$operator on $fact: the leaf and its negation are decided for a well-typed value', async (c) => {
    const evaluator = evaluatorFor(c);
    expect(evaluator.compiled).toBe(true);
    expect(names(await scoreAll(evaluator, { [c.fact]: c.holds }))).toEqual(['plain']);
    expect(names(await scoreAll(evaluator, { [c.fact]: c.fails }))).toEqual(['negated']);
  });

  it.each(cases)(
    '$operator on $fact: neither the leaf nor its negation fires when the fact is missing or unusable',
    async (c) => {
      const evaluator = evaluatorFor(c);
      const unusable: Facts[] = [
        {},
        { [c.fact]: undefined },
        { [c.fact]: null },
        ...[...c.wrong, ...(c.fact === 'labels' ? [] : nonFinite)].map((v) => ({ [c.fact]: v as FactValue })),
      ];
      for (const facts of unusable) {
        const s = await scoreAll(evaluator, facts);
        expect(s.fired, `${c.operator} with ${String(facts[c.fact])}`).toEqual([]);
        expect(s.score).toBe(0);
      }
    },
  );

  it('treats an unknown leaf as unknown in and / or / not', async () => {
    const evaluator = riskEvaluator(
      pack([
        rule('or-true', { any: [leaf('exports30d', 'greaterThan', 0), leaf('views30d', 'greaterThan', 0)] }, 1),
        rule('and-true', { all: [leaf('exports30d', 'greaterThan', 0), leaf('views30d', 'greaterThan', 0)] }, 1),
        rule(
          'not-or-false',
          { not: { any: [leaf('exports30d', 'greaterThan', 0), leaf('views30d', 'lessThan', 0)] } },
          1,
        ),
        rule(
          'not-and-false',
          { not: { all: [leaf('exports30d', 'greaterThan', 0), leaf('views30d', 'lessThan', 0)] } },
          1,
        ),
      ]),
    );
    // exports30d is unknown, views30d = 5 (so "> 0" is true and "< 0" is false).
    for (const exports30d of [undefined, null, Number.NaN, '5'] as FactValue[]) {
      const s = await scoreAll(evaluator, { exports30d, views30d: 5 });
      expect(names(s).sort(), String(exports30d)).toEqual(['not-and-false', 'or-true']);
    }
  });

  it("does not read facts from the facts object's prototype", async () => {
    const evaluator = riskEvaluator(exfiltrationPack);
    const inherited = Object.create({ exports30d: 800, daysSinceResignation: 1 }) as Facts;
    expect(await scoreAll(evaluator, inherited)).toMatchObject({ score: 0, fired: [], modifiers: [] });
    const bare = Object.assign(Object.create(null) as Record<string, FactValue>, { exports30d: 800 });
    expect((await scoreAll(evaluator, bare)).score).toBe(30);
  });
});

describe('explanations', () => {
  const exfiltration = riskEvaluator(exfiltrationPack);

  it('fills in fact values in English and Chinese', async () => {
    const s = await scoreAll(exfiltration, { exports30d: 800, exportsTrend: 3.456 });
    const byRule = Object.fromEntries(s.fired.map((f) => [f.rule, f]));
    expect(byRule['bulk-export']?.explanation).toEqual({
      en: 'Exported 800 customer rows in 30 days',
      'zh-CN': '30 天内导出客户数据 800 行',
    });
    expect(byRule['export-spike']?.explanation).toEqual({
      en: 'Exports rose to 3.46× the usual level (800 rows)',
      'zh-CN': '导出量升至平时的 3.46 倍（800 行）',
    });
    expect(byRule['export-spike']?.facts).toStrictEqual({ exportsTrend: 3.456, exports30d: 800 });
  });

  it('says "(none)" for a fact the rule reads but did not need', async () => {
    const s = await scoreAll(exfiltration, { competitorContacts30d: 2, viewsTrend: 1.6 });
    expect(s.fired).toEqual([
      {
        rule: 'competitor-and-data',
        weight: 20,
        points: 20,
        tags: ['intent'],
        facts: { competitorContacts30d: 2, exports30d: null, viewsTrend: 1.6 },
        explanation: {
          en: 'Contact with competitors (2) while moving data ((none) rows exported)',
          'zh-CN': '接触竞争对手（2 次）的同时在转移数据（导出 （无） 行）',
        },
      },
    ]);
  });

  it('does not interpolate placeholders that arrive inside fact values', async () => {
    const evaluator = riskEvaluator(
      pack([
        rule(
          'odd-status',
          { all: [leaf('status', 'notIn', ['active']), leaf('exports30d', 'greaterThan', 0)] },
          10,
          [],
          {
            en: 'status {{status}}, {{exports30d}} rows',
            'zh-CN': '状态 {{ status }}，{{exports30d}} 行',
          },
        ),
      ]),
    );
    const s = await scoreAll(evaluator, { status: '{{exports30d}}', exports30d: 7 });
    expect(s.fired[0]?.explanation).toEqual({
      en: 'status {{exports30d}}, 7 rows',
      'zh-CN': '状态 {{exports30d}}，7 行',
    });
  });

  it('renderExplanation formats numbers, lists and missing values per language', () => {
    const facts: Facts = { n: -3, x: 2.005, r: 1 / 3, list: ['a', 'b'], none: null, s: 'ok' };
    const template = '{{n}}|{{ x }}|{{r}}|{{list}}|{{none}}|{{absent}}|{{s}}|{{toString}}';
    expect(renderExplanation(template, facts, 'en')).toBe('-3|2.01|0.33|a, b|(none)|(none)|ok|(none)');
    expect(renderExplanation(template, facts, 'zh-CN')).toBe('-3|2.01|0.33|a、b|（无）|（无）|ok|（无）');
  });
});

describe('packs that compare two facts run on json-rules-engine', () => {
  const moreExportsThanViews = pack(
    [
      rule(
        'exports-over-views',
        { all: [leaf('exports30d', 'greaterThan', { fact: 'views30d' })] },
        40,
        ['data-movement'],
        {
          en: '{{exports30d}} rows exported, {{views30d}} viewed',
          'zh-CN': '导出 {{exports30d}} 行，查看 {{views30d}} 条',
        },
      ),
      rule('not-fewer', { not: leaf('exports30d', 'lessThan', { fact: 'views30d' }) }, 5),
      rule('plain', { all: [leaf('deletes30d', 'greaterThan', 0)] }, 5),
    ],
    { id: 'fact-to-fact' },
  );
  const evaluator = riskEvaluator(moreExportsThanViews);

  it('is not compiled and has no scoreSync', () => {
    expect(evaluator.compiled).toBe(false);
    expect(evaluator.scoreSync).toBeNull();
    expect(riskEvaluator(exfiltrationPack).compiled).toBe(true);
  });

  it('compares the facts, filling both into the explanation', async () => {
    const s = await scoreAll(evaluator, { exports30d: 10, views30d: 5, deletes30d: 1 });
    expect(names(s)).toEqual(['exports-over-views', 'not-fewer', 'plain']);
    expect(s.fired[0]?.facts).toStrictEqual({ exports30d: 10, views30d: 5 });
    expect(s.fired[0]?.explanation).toEqual({ en: '10 rows exported, 5 viewed', 'zh-CN': '导出 10 行，查看 5 条' });
    expect(names(await scoreAll(evaluator, { exports30d: 5, views30d: 5 }))).toEqual(['not-fewer']);
    expect(names(await scoreAll(evaluator, { exports30d: 4, views30d: 5 }))).toEqual([]);
  });

  it('fails closed when either fact is missing or unusable, also under not', async () => {
    const unusable: Facts[] = [
      { exports30d: 10 },
      { views30d: 5 },
      { exports30d: 10, views30d: null },
      { exports30d: null, views30d: 5 },
      { exports30d: 10, views30d: Number.NaN },
      { exports30d: Number.POSITIVE_INFINITY, views30d: 5 },
      { exports30d: 10, views30d: Number.NEGATIVE_INFINITY },
      { exports30d: 10, views30d: '5' },
      { exports30d: 10, views30d: ['5'] },
    ];
    for (const facts of unusable) {
      expect(names(await scoreAll(evaluator, facts)), JSON.stringify(facts)).toEqual([]);
    }
  });

  it('scores many subjects one by one with the same results', async () => {
    const all: Facts[] = [{ exports30d: 10, views30d: 5 }, {}, { deletes30d: 3 }];
    const expected = await Promise.all(all.map((f) => evaluator.reference(f)));
    expect(await evaluator.scoreMany(all)).toStrictEqual(expected);
    expect(expected.map((s) => s.score)).toEqual([45, 0, 5]);
  });

  it('also falls back when only a modifier compares two facts', async () => {
    const evaluator = riskEvaluator(
      pack([rule('export', { all: [leaf('exports30d', 'greaterThan', 0)] }, 20, ['data-movement'])], {
        id: 'fact-to-fact-modifier',
        modifiers: [
          {
            name: 'deleting-more',
            when: { all: [leaf('deletes30d', 'greaterThan', { fact: 'exports30d' })] },
            multiply: 3,
            tags: ['data-movement'],
          },
        ],
      }),
    );
    expect(evaluator.compiled).toBe(false);
    expect(await scoreAll(evaluator, { exports30d: 1, deletes30d: 2 })).toMatchObject({
      score: 60,
      modifiers: ['deleting-more'],
    });
    expect(await scoreAll(evaluator, { exports30d: 1 })).toMatchObject({ score: 20, modifiers: [] });
  });

  it('explain() reports the leaves that made each rule true', async () => {
    const x = await evaluator.explain({ exports30d: 10, views30d: 5 });
    expect(x.score).toBe(45);
    expect(x.conditions['exports-over-views']).toEqual([
      { fact: 'exports30d', operator: 'greaterThan', value: { fact: 'views30d' }, factValue: 10 },
    ]);
    // `not lessThan` reaches json-rules-engine as greaterThanInclusive.
    expect(x.conditions['not-fewer']).toEqual([
      { fact: 'exports30d', operator: 'greaterThanInclusive', value: { fact: 'views30d' }, factValue: 10 },
    ]);
  });
});

describe('the compiled scoreSync equals the json-rules-engine reference', () => {
  /** Every number leaf of a pack (rules and modifiers) as [fact, value]. */
  function numberLeaves(pack: RulePack): [string, number][] {
    const out: [string, number][] = [];
    const walk = (c: RuleCondition): void => {
      if ('all' in c) c.all.forEach(walk);
      else if ('any' in c) c.any.forEach(walk);
      else if ('not' in c) walk(c.not);
      else if (typeof c.value === 'number') out.push([c.fact, c.value]);
    };
    for (const r of pack.rules) walk(r.conditions);
    for (const m of pack.modifiers ?? []) walk(m.when);
    return out;
  }

  /**
   * Facts on and around each threshold of the pack, and the same with
   * every other fact missing or unusable: derived from the pack, so they
   * stay meaningful while analysts tune the shipped weights and values.
   */
  function boundaryVectors(pack: RulePack): Facts[] {
    const leaves = numberLeaves(pack);
    const vectors: Facts[] = [];
    for (const delta of [-1, -0.01, 0, 0.01, 1]) {
      const facts: Record<string, FactValue> = {};
      for (const [fact, value] of leaves) facts[fact] = value + delta;
      vectors.push(facts);
      const spoiled = Object.keys(facts).map((fact, i) =>
        i % 2 === 0 ? fact : [fact, [null, Number.NaN, '1', [1]][i % 4] as FactValue],
      );
      vectors.push(Object.fromEntries(spoiled.filter(Array.isArray)));
    }
    return vectors;
  }

  it.each(Object.keys(defaultRulePacks) as (keyof typeof defaultRulePacks)[])('on the %s pack', async (key) => {
    const evaluator = riskEvaluator(defaultRulePacks[key]);
    expect(evaluator.compiled).toBe(true);
    const scoreSync = evaluator.scoreSync as NonNullable<RiskEvaluator['scoreSync']>;
    const vectors = boundaryVectors(defaultRulePacks[key]);
    const expected: RiskScore[] = [];
    for (const facts of vectors) {
      const reference = await evaluator.reference(facts);
      expected.push(reference);
      expect(scoreSync(facts), JSON.stringify(facts)).toStrictEqual(reference);
    }
    expect(await evaluator.scoreMany(vectors)).toStrictEqual(expected);
    // The vectors are not all trivial: some fire rules, some do not.
    expect(expected.some((s) => s.fired.length > 0)).toBe(true);
    expect(expected.some((s) => s.fired.length < defaultRulePacks[key].rules.length)).toBe(true);
  });

  it('gives the scores worked out by hand on a pack with and / any / not', async () => {
    const evaluator = riskEvaluator(
      pack(
        [
          rule(
            'export-while-leaving',
            { all: [leaf('exports30d', 'greaterThanInclusive', 100), { not: leaf('status', 'equal', 'active') }] },
            35,
            ['data-movement'],
          ),
          rule(
            'views-or-deletes',
            { any: [leaf('viewsTrend', 'greaterThan', 2), leaf('deletes30d', 'in', [10, 20, 30])] },
            12.5,
            ['data-movement'],
          ),
          rule(
            'quiet',
            { not: { any: [leaf('logins30d', 'greaterThan', 5), leaf('afterHours30d', 'greaterThan', 0)] } },
            5,
          ),
        ],
        {
          id: 'by-hand',
          thresholds: { alert: 60, watch: 40 },
          modifiers: [
            {
              name: 'leaving',
              when: { all: [leaf('daysToLastDay', 'lessThanInclusive', 14)] },
              multiply: 1.5,
              tags: ['data-movement'],
            },
          ],
        },
      ),
    );
    const cases: [Facts, number, string, string[]][] = [
      // 35 + 12.5 + 5 = 52.5 → 53
      [
        { exports30d: 100, status: 'resigning', deletes30d: 20, logins30d: 5, afterHours30d: 0 },
        53,
        'watch',
        ['export-while-leaving', 'views-or-deletes', 'quiet'],
      ],
      // (35 + 12.5) × 1.5 = 71.25 → 71; quiet is unknown without logins30d
      [
        { exports30d: 100, status: 'frozen', viewsTrend: 2.5, afterHours30d: 0, daysToLastDay: 14 },
        71,
        'alert',
        ['export-while-leaving', 'views-or-deletes'],
      ],
      // active: the not fails; deletes 15 is not in the list; views unknown
      [{ exports30d: 900, status: 'active', deletes30d: 15, logins30d: 9, daysToLastDay: 3 }, 0, 'normal', []],
      // 12.5 × 1.5 = 18.75 → 19; status missing keeps export-while-leaving unknown
      [
        { exports30d: 900, viewsTrend: 3, daysToLastDay: -2, logins30d: 1, afterHours30d: 2 },
        19,
        'normal',
        ['views-or-deletes'],
      ],
    ];
    for (const [facts, score, band, fired] of cases) {
      const s = await scoreAll(evaluator, facts);
      expect(s, JSON.stringify(facts)).toMatchObject({ score, band });
      expect(names(s)).toEqual(fired);
    }
  });

  it('explain() names the matching leaves, with `not` pushed down to a negated operator', async () => {
    const x = await riskEvaluator(exfiltrationPack).explain({ exports30d: 800, daysSinceResignation: 3 });
    expect(x.score).toBe(60);
    expect(x.conditions).toEqual({
      'bulk-export': [{ fact: 'exports30d', operator: 'greaterThanInclusive', value: 300, factValue: 800 }],
      'departing-window': [{ fact: 'daysSinceResignation', operator: 'greaterThanInclusive', value: 0, factValue: 3 }],
    });
    const negated = riskEvaluator(
      pack([rule('not-small', { not: leaf('exports30d', 'lessThan', 300) }, 30)], { id: 'negated' }),
    );
    expect((await negated.explain({ exports30d: 800 })).conditions).toEqual({
      'not-small': [{ fact: 'exports30d', operator: 'greaterThanInclusive', value: 300, factValue: 800 }],
    });
  });
});

describe('evaluator cache', () => {
  const base = () => pack([rule('a', { all: [leaf('exports30d', 'greaterThan', 0)] }, 10)], { id: 'cached' });

  it('returns the same evaluator for the same content', () => {
    const first = riskEvaluator(base());
    expect(first.key).toMatch(/^cached@1\.0\.0#[0-9a-f]{16}$/);
    expect(riskEvaluator(base())).toBe(first);
    expect(riskEvaluator(structuredClone(base()))).toBe(first);
    // Key order and explicitly undefined optional members do not change the content.
    const { rules, thresholds, title, subject, version, id } = base();
    expect(riskEvaluator({ rules, thresholds, title, subject, version, id, description: undefined })).toBe(first);
  });

  it('builds a new evaluator when the content changes, even under the same id and version', () => {
    const first = riskEvaluator(base());
    const heavier = base();
    const changed: RulePack = {
      ...heavier,
      rules: [
        {
          ...heavier.rules[0],
          event: { type: 'risk', params: { ...heavier.rules[0]?.event.params, weight: 11 } },
        } as RiskRule,
      ],
    };
    const other = riskEvaluator(changed);
    expect(other).not.toBe(first);
    expect(other.key).not.toBe(first.key);
    expect(other.key.split('#')[0]).toBe('cached@1.0.0');
    expect(riskEvaluator({ ...base(), version: '1.0.1' })).not.toBe(first);
    expect(riskEvaluator(base())).toBe(first);
  });

  it('keeps the 256 most recently used evaluators', () => {
    const first = riskEvaluator(base());
    const filler = (i: number): RulePack => ({ ...base(), id: `filler-${i}` });
    for (let i = 0; i < 255; i++) riskEvaluator(filler(i));
    expect(riskEvaluator(base())).toBe(first); // used again: now the most recent
    for (let i = 255; i < 510; i++) riskEvaluator(filler(i));
    expect(riskEvaluator(base())).toBe(first); // 255 newer ones still leave room
    for (let i = 510; i < 766; i++) riskEvaluator(filler(i));
    const rebuilt = riskEvaluator(base());
    expect(rebuilt).not.toBe(first);
    expect(rebuilt.key).toBe(first.key);
  });
});
