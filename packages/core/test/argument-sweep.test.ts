import { describe, expect, it } from 'vitest';
import { isGuardError } from '../src/index.js';
import { customer, methodsOf, NO_ARGUMENT, rejection, seededGuard } from './fixtures.js';

/** Arguments no method accepts as its first one. */
const garbage: readonly [string, unknown][] = [
  ['null', null],
  ['a number', 42],
  ['an array', [1, 2]],
  ['a Date', new Date(0)],
  ['an object of unknown keys', { bogus: true, nested: { deeper: 1 } }],
  ['a prototype-polluting object', JSON.parse('{"__proto__":{"polluted":true}}')],
  ['a NUL string', 'a\u0000b'],
  ['a very long string', 'x'.repeat(10_000)],
];

/** @see issue #16, hole 7: every argument of every public method is validated. */
describe('every tenant API method, given garbage as its first argument', () => {
  it('rejects with a typed GuardError — never a TypeError, never a crash — and writes nothing', async () => {
    const { t, store } = await seededGuard();
    const methods = methodsOf(t).filter(([name]) => !NO_ARGUMENT.has(name));
    expect(methods.length).toBeGreaterThan(50);
    const before = JSON.stringify([...(store.raw.get('acme')?.customers.entries() ?? [])]);
    const untyped: string[] = [];
    for (const [name, method] of methods) {
      for (const [label, value] of garbage) {
        let outcome: unknown;
        try {
          outcome = await method(value);
        } catch (error) {
          if (!isGuardError(error)) untyped.push(`${name}(${label}) threw ${String(error)}`);
          continue;
        }
        untyped.push(`${name}(${label}) resolved ${JSON.stringify(outcome)?.slice(0, 80)}`);
      }
    }
    expect(untyped).toEqual([]);
    expect(JSON.stringify([...(store.raw.get('acme')?.customers.entries() ?? [])])).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('options given as a second argument', () => {
  it('are validated like the first: garbage is a typed GuardError and nothing is written', async () => {
    const { t } = await seededGuard();
    const calls: [string, (options: unknown) => Promise<unknown>][] = [
      ['directory.sync', (o) => t.directory.sync({ units: [], employees: [] }, o as never)],
      ['customers.upsert', (o) => t.customers.upsert(customer('c-new', 'rep', 'sh-1'), o as never)],
      ['settings.update', (o) => t.settings.update({ locale: 'zh-CN' }, o as never)],
    ];
    const untyped: string[] = [];
    for (const [name, call] of calls) {
      for (const [label, value] of garbage.filter(([l]) => l !== 'a NUL string' && l !== 'a very long string')) {
        try {
          await call(value);
          untyped.push(`${name}(…, ${label}) resolved`);
        } catch (error) {
          if (!isGuardError(error)) untyped.push(`${name}(…, ${label}) threw ${String(error)}`);
        }
      }
    }
    expect(untyped).toEqual([]);
    expect((await t.settings.current()).version).toBe(0);
    expect(await rejection(t.customers.read({ actor: 'rep', customerId: 'c-new' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
