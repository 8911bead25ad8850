import { describe, expect, it } from 'vitest';
import { isGuardError, ValidationError } from '../src/errors/index.js';
import { compilePolicy, definePolicy, type PolicyInput, type PolicyRule, policySchema } from '../src/policy/index.js';

const allow: PolicyRule = { id: 'ok', effect: 'allow', actions: ['read'], scope: 'own' };

/** The formatted paths of the ValidationError `compilePolicy` throws for `input`. */
function errorPaths(input: unknown, locale?: 'en' | 'zh-CN'): string[] {
  try {
    compilePolicy(input, locale === undefined ? {} : { locale });
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(isGuardError(e, 'VALIDATION_FAILED')).toBe(true);
    const error = e as ValidationError;
    const paths = error.params.issues.map((i) => i.path);
    for (const path of paths) expect(error.message).toContain(path);
    return paths;
  }
  throw new Error('expected compilePolicy to throw');
}

const withRules = (...rules: unknown[]) => ({ version: 1, rules });

describe('policy validation', () => {
  it('accepts a minimal policy and applies the default field classes', () => {
    const compiled = compilePolicy({ version: 1, rules: [] });
    expect(compiled.fieldClasses).toEqual(['public', 'contact', 'commercial']);
    expect(compiled.source).toEqual({ version: 1, fieldClasses: ['public', 'contact', 'commercial'], rules: [] });
  });

  it('names an unknown action by its path', () => {
    expect(errorPaths(withRules({ ...allow, actions: ['read', 'steal'] }))).toEqual(['rules[0].actions[1]']);
  });

  it('rejects fields and obligations on a deny rule', () => {
    const deny = { id: 'no', effect: 'deny', actions: ['export'], scope: 'tenant' };
    expect(errorPaths(withRules({ ...deny, fields: { public: 'show' } }))).toEqual(['rules[0].fields']);
    expect(errorPaths(withRules(allow, { ...deny, obligations: [{ type: 'watermark' }] }))).toEqual([
      'rules[1].obligations',
    ]);
  });

  it('rejects duplicate rule ids at the later rule', () => {
    expect(errorPaths(withRules(allow, { ...allow, id: 'other' }, { ...allow, scope: 'team' }))).toEqual([
      'rules[2].id',
    ]);
  });

  it('rejects a field class the policy does not define', () => {
    expect(errorPaths(withRules({ ...allow, fields: { public: 'show', salary: 'mask' } }))).toEqual([
      'rules[0].fields.salary',
    ]);
    const custom = { version: 1, fieldClasses: ['basic', 'secret'], rules: [{ ...allow, fields: { public: 'show' } }] };
    expect(errorPaths(custom)).toEqual(['rules[0].fields.public']);
    expect(compilePolicy({ ...custom, rules: [{ ...allow, fields: { secret: 'mask' } }] }).fieldClasses).toEqual([
      'basic',
      'secret',
    ]);
  });

  it('rejects duplicate field classes and bad levels', () => {
    expect(errorPaths({ version: 1, fieldClasses: ['a', 'b', 'a'], rules: [] })).toEqual(['fieldClasses[2]']);
    expect(errorPaths(withRules({ ...allow, fields: { public: 'blur' } }))).toEqual(['rules[0].fields.public']);
  });

  it('rejects a bad timeOfDay', () => {
    const when = (timeOfDay: unknown) => withRules({ ...allow, when: { timeOfDay } });
    expect(errorPaths(when({ from: '22:00', to: '22:00' }))).toEqual(['rules[0].when.timeOfDay.to']);
    expect(errorPaths(when({ from: '24:00', to: '06:00' }))).toEqual(['rules[0].when.timeOfDay.from']);
    expect(errorPaths(when({ from: '9:00', to: '6:60' }))).toEqual([
      'rules[0].when.timeOfDay.from',
      'rules[0].when.timeOfDay.to',
    ]);
    expect(errorPaths(when({ from: '22:00' }))).toEqual(['rules[0].when.timeOfDay.to']);
  });

  it('rejects malformed conditions', () => {
    const when = (w: unknown) => withRules({ ...allow, when: w });
    expect(errorPaths(when({ rank: {} }))).toEqual(['rules[0].when.rank']);
    // An unknown key, and then no known one.
    expect(errorPaths(when({ rank: { between: 3 } }))).toEqual(['rules[0].when.rank', 'rules[0].when.rank']);
    expect(errorPaths(when({ tenureDays: { gte: '180' } }))).toEqual(['rules[0].when.tenureDays.gte']);
    expect(errorPaths(when({ performanceBand: { in: ['A'], notIn: ['E'] } }))).toEqual([
      'rules[0].when.performanceBand',
    ]);
    expect(errorPaths(when({ weekday: { in: [0, 8] } }))).toEqual([
      'rules[0].when.weekday.in[0]',
      'rules[0].when.weekday.in[1]',
    ]);
    expect(errorPaths(when({ exportSize: { gt: Number.POSITIVE_INFINITY } }))).toEqual(['rules[0].when.exportSize.gt']);
    expect(errorPaths(when({ mood: 'good' }))).toEqual(['rules[0].when']);
  });

  it('rejects unknown keys, a wrong version, empty lists and bad names', () => {
    expect(errorPaths({ version: 1, rules: [], extra: true })).toEqual(['(root)']);
    expect(errorPaths({ version: 2, rules: [] })).toEqual(['version']);
    expect(errorPaths(withRules({ ...allow, priority: 1 }))).toEqual(['rules[0]']);
    expect(errorPaths(withRules({ ...allow, actions: [] }))).toEqual(['rules[0].actions']);
    expect(errorPaths(withRules({ ...allow, roles: [] }))).toEqual(['rules[0].roles']);
    expect(errorPaths(withRules({ ...allow, id: 'has space' }))).toEqual(['rules[0].id']);
    expect(errorPaths(withRules({ ...allow, scope: 'company' }))).toEqual(['rules[0].scope']);
    expect(errorPaths(withRules({ ...allow, description: 'x'.repeat(501) }))).toEqual(['rules[0].description']);
    expect(errorPaths(withRules({ ...allow, obligations: [{ type: 'approval' }] }))).toEqual([
      'rules[0].obligations[0].approvalKind',
    ]);
    expect(errorPaths(withRules(...Array.from({ length: 1001 }, (_, i) => ({ ...allow, id: `r${i}` }))))).toEqual([
      'rules',
    ]);
  });

  it('reports every problem at once', () => {
    const paths = errorPaths(
      withRules(
        { ...allow, actions: ['read', 'fly'], fields: { nope: 'show' } },
        { id: 'ok', effect: 'deny', actions: ['export'], scope: 'tenant', fields: { public: 'show' } },
      ),
    );
    expect(paths.sort()).toEqual(['rules[0].actions[1]', 'rules[0].fields.nope', 'rules[1].fields', 'rules[1].id']);
  });

  it('rejects prototype-polluting keys before the schema runs', () => {
    const input = JSON.parse(
      '{"version":1,"rules":[{"id":"a","effect":"allow","actions":["read"],"scope":"own","fields":{"__proto__":"show"}}]}',
    );
    expect(errorPaths(input)).toEqual(['rules[0].fields.__proto__']);
  });

  it('speaks Chinese when asked', () => {
    try {
      compilePolicy(withRules({ ...allow, actions: ['steal'] }), { locale: 'zh-CN' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).message).toMatch(/^访问策略无效/);
      expect((e as ValidationError).message).toContain('rules[0].actions[0]');
    }
  });

  it('never freezes or mutates the caller’s object, but freezes its own copy', () => {
    const input: PolicyInput = definePolicy({
      version: 1,
      rules: [{ ...allow, roles: ['sales'], fields: { public: 'show' }, obligations: [{ type: 'watermark' }] }],
    });
    const snapshot = structuredClone(input);
    const compiled = compilePolicy(input);
    expect(input).toEqual(snapshot);
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(input.rules[0]?.fields)).toBe(false);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(compiled.source.rules[0]?.obligations?.[0])).toBe(true);
    expect(Object.isFrozen(compiled.fieldClasses)).toBe(true);
  });

  it('exposes the schema for tools', () => {
    expect(policySchema.safeParse(withRules(allow)).success).toBe(true);
    expect(policySchema.safeParse(withRules({ ...allow, effect: 'maybe' })).success).toBe(false);
  });
});
