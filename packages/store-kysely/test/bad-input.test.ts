/**
 * The bad-input sweep on every store (issue #22): fast-check values — any
 * JavaScript value, values under the parameter names Guard uses, odd Unicode
 * and SQL-injection-shaped strings, prototype-polluting objects — into every
 * method of the tenant API, as the first argument and as the options of the
 * methods that take them. Each call either succeeds (the rare value that is
 * valid input) or rejects with a typed `GuardError`; after a rejection every
 * row of every table is exactly as it was. The memory store, SQLite and
 * PostgreSQL and MariaDB run the same sweep.
 */
import { type Guard, GuardError, isGuardError } from '@guard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import { customer, methodsOf, NO_ARGUMENT, seededGuard } from '../../core/test/fixtures.js';
import { type Dump, everyStore } from '../test-support/store-dump.js';

const RUNS = soak({ ci: 12, soak: 400 });
/** Soak sizes run for an hour or more on a busy machine. */
const TIMEOUT = soak({ ci: 600_000, soak: 4 * 3_600_000 });

/** Strings that have broken other systems: injections, odd Unicode, extremes. */
const nastyStrings = [
  "'; DROP TABLE guard_customers; --",
  "' OR '1'='1",
  '"); DELETE FROM guard_audit_entries; --',
  '\\',
  '%_',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  'a\u202Eb',
  '\u200B',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '👩‍👩‍👧‍👦',
  '客户',
  'x'.repeat(10_000),
  '__proto__',
  'constructor',
  '',
  ' ',
  '1e309',
  '-0',
  'NaN',
  '2026-02-30T25:61:00Z',
];

/** The parameter names Guard's methods take: garbage under them gets past "unknown key" into deeper checks. */
const KNOWN_KEYS = [
  'actor',
  'actorId',
  'customerId',
  'customerIds',
  'employeeId',
  'id',
  'ids',
  'cursor',
  'limit',
  'reason',
  'scope',
  'status',
  'kind',
  'type',
  'subject',
  'approvalId',
  'caseId',
  'exportId',
  'classes',
  'fields',
  'units',
  'employees',
  'name',
  'unitId',
  'ownerId',
  'items',
  'itemIds',
  'from',
  'to',
  'order',
  'pack',
  'version',
  'successorId',
  'templateId',
  'at',
  'signals',
  'amount',
  'settings',
  'policy',
  'locale',
  'expectedVersion',
];

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.constantFrom(...nastyStrings),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 2 ** 53, 0.5, -0),
);
const keyedArb = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), leafArb, { maxKeys: 5 });
/** Anything but `undefined` (which is "no argument"). */
const garbageArb: fc.Arbitrary<unknown> = fc
  .oneof(
    { weight: 3, arbitrary: leafArb },
    { weight: 3, arbitrary: keyedArb },
    { weight: 1, arbitrary: fc.array(keyedArb, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant('{"__proto__":{"polluted":true}}').map((s) => JSON.parse(s) as unknown) },
  )
  .filter((v) => v !== undefined);

const targets = await everyStore();

/** The calls whose second argument is an options object, with a valid first argument. */
function optionCalls(guard: Guard, t: ReturnType<Guard['tenant']>): [string, (options: unknown) => Promise<unknown>][] {
  return [
    [
      'tenants.upsert',
      (o) => guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' }, o as never),
    ],
    ['directory.sync', (o) => t.directory.sync({ units: [], employees: [] }, o as never)],
    ['customers.upsert (one)', (o) => t.customers.upsert(customer('c-new', 'rep', 'sh-1'), o as never)],
    ['customers.upsert (batch)', (o) => t.customers.upsert([customer('c-new', 'rep', 'sh-1')], o as never)],
    ['settings.update', (o) => t.settings.update({ locale: 'zh-CN' }, o as never)],
    ['risk.score', (o) => t.risk.score({ type: 'employee', id: 'rep' }, o as never)],
    ['risk.installPack', async (o) => t.risk.installPack((await t.risk.packs())[0], o as never)],
    ['ownership.followUps', (o) => t.ownership.followUps('c-rep', o as never)],
    ['ownership.history', (o) => t.ownership.history('c-rep', o as never)],
    [
      'signals.record',
      (o) =>
        t.signals.record({ kind: 'login', employeeId: 'rep', at: '2026-11-02T02:00:00.000Z' } as never, o as never),
    ],
  ];
}

describe.each(targets)('garbage into every public method on the $name store', (target) => {
  let guard: Guard;
  let t: ReturnType<Guard['tenant']>;
  let dump: Dump;
  let close: () => Promise<void>;
  /** How many generated values each method took as valid input. */
  const accepted = new Map<string, number>();

  beforeAll(async () => {
    const opened = await target.open();
    ({ dump, close } = opened);
    ({ guard, t } = await seededGuard({ store: opened.store }));
  }, 120_000);
  afterAll(async () => {
    await close?.();
    const taken = [...accepted].map(([name, n]) => `${name} ×${n}`).join(', ');
    console.info(`[bad-input/${target.name}] ${RUNS} values per argument; taken as valid input: ${taken || 'none'}`);
  });

  /**
   * Calls `call(value)` for generated values: a typed error with nothing
   * written, or success (the value was valid input; the next check starts
   * from what it wrote).
   */
  async function sweep(name: string, call: (value: unknown) => Promise<unknown>): Promise<void> {
    let before = await dump();
    await fc.assert(
      fc.asyncProperty(garbageArb, async (value) => {
        try {
          await call(value);
        } catch (error) {
          if (!isGuardError(error)) {
            expect.fail(`${name} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
          }
          expect(error).toBeInstanceOf(GuardError);
          const after = await dump();
          if (after !== before) expect.fail(`${name} rejected (${(error as GuardError).code}) but changed the store`);
          return;
        } finally {
          expect(({} as Record<string, unknown>).polluted, `${name} polluted Object.prototype`).toBeUndefined();
        }
        accepted.set(name, (accepted.get(name) ?? 0) + 1);
        before = await dump();
      }),
      { numRuns: RUNS },
    );
  }

  it('dumps every write: the check below would see a change', async () => {
    const before = await dump();
    await t.customers.upsert(customer('c-dumped', 'rep', 'sh-1'));
    expect(await dump()).not.toBe(before);
  });

  it(
    'rejects garbage as the first argument of every tenant method with a typed error, changing nothing',
    async () => {
      const methods = methodsOf(t).filter(([name]) => !NO_ARGUMENT.has(name));
      expect(methods.length).toBeGreaterThan(70);
      for (const [name, method] of methods) await sweep(name, (value) => Promise.resolve(method(value)));
    },
    TIMEOUT,
  );

  it(
    'rejects garbage as options with a typed error, changing nothing',
    async () => {
      for (const [name, call] of optionCalls(guard, t)) {
        // The first argument is valid, so it is the options that are refused.
        await expect(call(undefined), name).resolves.not.toThrow();
        await sweep(`${name} options`, call);
      }
    },
    TIMEOUT,
  );

  it(
    'rejects garbage given to the guard itself: tenants, worker options',
    async () => {
      for (const [name, method] of methodsOf(guard).filter(([n]) => n !== 'close' && n !== 'policy.decide')) {
        await sweep(name, (value) => Promise.resolve(method(value)));
      }
    },
    TIMEOUT,
  );
});
