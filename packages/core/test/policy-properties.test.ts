import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import type { Decision } from '../src/domain/decision.js';
import {
  type Action,
  actions,
  type EmployeeStatus,
  type FieldLevel,
  type Obligation,
} from '../src/domain/vocabulary.js';
import {
  type AccessContext,
  type AccessResource,
  type AccessSubject,
  type CompiledPolicy,
  compilePolicy,
  type NumericComparison,
  type Policy,
  type PolicyConditions,
  type PolicyInput,
  type PolicyRule,
} from '../src/policy/index.js';

// ---------------------------------------------------------------------------
// A reference evaluator: the product rules written as plainly as possible,
// with no compilation, caching or cleverness. Local time comes straight from
// Intl at the exact instant.
// ---------------------------------------------------------------------------

const DAY = 86_400_000;
const LEVEL_ORDER: readonly FieldLevel[] = ['hide', 'mask', 'show'];
const OBLIGATION_ORDER: readonly Obligation['type'][] = ['confidentiality-notice', 'approval', 'watermark', 'flag'];

const formatters = new Map<string, Intl.DateTimeFormat>();
const wallClocks = new Map<string, { localDate: number; minutes: number; isoWeekday: number }>();
function wallClock(now: number, timeZone: string) {
  const key = `${timeZone} ${now}`;
  const known = wallClocks.get(key);
  if (known !== undefined) return known;
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const localDate = Date.UTC(part('year'), part('month') - 1, part('day'));
  const isoWeekday = new Date(localDate).getUTCDay() || 7;
  const clock = { localDate, minutes: part('hour') * 60 + part('minute'), isoWeekday };
  if (wallClocks.size > 10_000) wallClocks.clear();
  wallClocks.set(key, clock);
  return clock;
}

function compares(c: NumericComparison, v: number): boolean {
  return (
    (c.gt === undefined || v > c.gt) &&
    (c.gte === undefined || v >= c.gte) &&
    (c.lt === undefined || v < c.lt) &&
    (c.lte === undefined || v <= c.lte) &&
    (c.eq === undefined || v === c.eq)
  );
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function refApplies(rule: PolicyRule, s: AccessSubject, r: AccessResource, c: AccessContext): boolean {
  if (rule.roles !== undefined && !rule.roles.some((role) => s.roles.includes(role))) return false;
  if (rule.scope === 'own' && r.ownerId !== s.id) return false;
  if (rule.scope === 'team' && !r.unitPath.includes(s.unitId)) return false;
  if (rule.scope === 'pool' && r.ownerId !== null) return false;
  const w = rule.when ?? {};
  const now = typeof c.now === 'number' ? c.now : c.now.getTime();
  const clock = () => wallClock(now, c.timeZone ?? 'UTC');
  if (w.rank && !compares(w.rank, s.rank)) return false;
  if (w.tenureDays && !compares(w.tenureDays, (clock().localDate - Date.parse(`${s.hireDate}T00:00:00Z`)) / DAY)) {
    return false;
  }
  if (w.performanceBand?.in && (s.performanceBand === null || !w.performanceBand.in.includes(s.performanceBand))) {
    return false;
  }
  if (w.performanceBand?.notIn && s.performanceBand !== null && w.performanceBand.notIn.includes(s.performanceBand)) {
    return false;
  }
  if (w.timeOfDay) {
    const from = minutesOf(w.timeOfDay.from);
    const to = minutesOf(w.timeOfDay.to);
    const m = clock().minutes;
    if (from < to ? !(m >= from && m < to) : !(m >= from || m < to)) return false;
  }
  if (w.weekday && !w.weekday.in.includes(clock().isoWeekday)) return false;
  if (w.exportSize && (c.exportSize === undefined || !compares(w.exportSize, c.exportSize))) return false;
  return true;
}

const sortedUnique = (xs: string[]) => [...new Set(xs)].sort();
const canonical = (o: Obligation) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

function reference(policy: Policy, s: AccessSubject, action: Action, r: AccessResource, c: AccessContext): Decision {
  const hidden = Object.fromEntries(policy.fieldClasses.map((cls) => [cls, 'hide' as FieldLevel]));
  const deny = (code: Decision['reason']['code'], rules: string[] = []): Decision => ({
    allow: false,
    action,
    fields: hidden,
    obligations: [],
    reason: { code, rules: sortedUnique(rules) },
  });
  if (s.status === 'frozen') return deny('subject-frozen');
  if (s.status === 'departed') return deny('subject-departed');
  if (s.status === 'resigning' && (action !== 'read' || r.ownerId !== s.id)) return deny('resigning-restricted');
  const matching = policy.rules.filter((rule) => rule.actions.includes(action) && refApplies(rule, s, r, c));
  const denies = matching.filter((rule) => rule.effect === 'deny');
  if (denies.length > 0)
    return deny(
      'denied-by-rule',
      denies.map((rule) => rule.id),
    );
  const allows = matching.filter((rule) => rule.effect === 'allow');
  if (allows.length === 0) return deny('no-matching-rule');
  const fields = Object.fromEntries(
    policy.fieldClasses.map((cls) => {
      const levels = allows.map((rule) => LEVEL_ORDER.indexOf(rule.fields?.[cls] ?? 'hide'));
      return [cls, LEVEL_ORDER[Math.max(...levels)] as FieldLevel];
    }),
  );
  const all = allows.flatMap((rule) => rule.obligations ?? []);
  if (s.status === 'resigning') all.push({ type: 'flag', reason: 'resigning' });
  const unique = [...new Map(all.map((o) => [canonical(o), o])).values()];
  unique.sort(
    (a, b) =>
      OBLIGATION_ORDER.indexOf(a.type) - OBLIGATION_ORDER.indexOf(b.type) || (canonical(a) < canonical(b) ? -1 : 1),
  );
  return {
    allow: true,
    action,
    fields,
    obligations: unique,
    reason: { code: 'allowed', rules: sortedUnique(allows.map((rule) => rule.id)) },
  };
}

// ---------------------------------------------------------------------------
// Arbitraries: org trees, employees, customers, contexts and policies.
// ---------------------------------------------------------------------------

const ROLES = ['sales', 'manager', 'hr-admin', 'auditor'] as const;
const BANDS = ['A', 'B', 'C', 'D'] as const;
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
const OBLIGATIONS: readonly Obligation[] = [
  { type: 'confidentiality-notice' },
  { type: 'approval', approvalKind: 'customer-export' },
  { type: 'approval', approvalKind: 'customer-delete' },
  { type: 'watermark' },
  { type: 'flag', reason: 'resigning' },
];
const EMPLOYEE_IDS = ['e0', 'e1', 'e2', 'e3'];

/** A tree of units as the unitPath (root → unit) of each unit; unit 0 is the root. */
const orgArb = fc.array(fc.nat(), { minLength: 0, maxLength: 9 }).map((parents) => {
  const paths: string[][] = [['u0']];
  parents.forEach((p, i) => {
    paths.push([...(paths[p % paths.length] ?? []), `u${i + 1}`]);
  });
  return paths;
});

/**
 * Daylight-saving transitions in 2026 (New York spring and fall, Lord Howe's
 * half-hour shifts). Instants and hire dates cluster around them, so that
 * transitions and tenure boundaries are hit, not just the bulk of the year.
 */
const ANCHORS = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'].map(
  Date.parse,
);
const HOUR = 3_600_000;
const QUARTER = 900_000;
const nowArb = fc.oneof(
  fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) }),
  fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -6 * HOUR, max: 6 * HOUR })).map(([a, d]) => a + d),
);
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hireDateArb = fc.oneof(
  fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2027, 11, 31) }).map(isoDate),
  fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -25, max: 5 })).map(([a, d]) => isoDate(a + d * DAY)),
);

const statusArb = fc.constantFrom<EmployeeStatus>(
  'active',
  'active',
  'active',
  'active',
  'resigning',
  'frozen',
  'departed',
);

const subjectArb = (units: number) =>
  fc.record({
    id: fc.constantFrom(...EMPLOYEE_IDS),
    status: statusArb,
    unit: fc.nat(units - 1),
    roles: fc.subarray([...ROLES]),
    rank: fc.integer({ min: 0, max: 6 }),
    hireDate: hireDateArb,
    performanceBand: fc.option(fc.constantFrom(...BANDS)),
  });

const resourceArb = (units: number) =>
  fc.record({
    id: fc.constantFrom('c1', 'c2'),
    ownerId: fc.option(fc.constantFrom(...EMPLOYEE_IDS)),
    unit: fc.nat(units - 1),
  });

const contextArb: fc.Arbitrary<AccessContext> = fc.record(
  {
    now: fc.oneof(
      nowArb,
      nowArb.map((ms) => new Date(ms)),
    ),
    timeZone: fc.constantFrom(...ZONES),
    exportSize: fc.integer({ min: 0, max: 300 }),
  },
  { requiredKeys: ['now'] },
);

/** Mostly a single bound, so that conditions hold often enough to matter. */
const comparisonArb = (min: number, max: number): fc.Arbitrary<NumericComparison> => {
  const bound = fc.integer({ min, max });
  const one = fc.constantFrom('gt', 'gte', 'lt', 'lte', 'eq').chain((key) => fc.record({ [key]: bound }));
  const many = fc
    .record({ gt: bound, gte: bound, lt: bound, lte: bound, eq: bound }, { requiredKeys: [] })
    .filter((c) => Object.keys(c).length > 0);
  return fc.oneof({ arbitrary: one, weight: 4 }, { arbitrary: many, weight: 1 });
};

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const conditionArbs: { readonly [K in keyof PolicyConditions]-?: fc.Arbitrary<PolicyConditions[K]> } = {
  rank: comparisonArb(0, 6),
  tenureDays: fc.oneof(comparisonArb(-400, 2500), comparisonArb(-8, 28)),
  performanceBand: fc.oneof(
    fc.record({ in: fc.subarray([...BANDS], { minLength: 1 }) }),
    fc.record({ notIn: fc.subarray([...BANDS], { minLength: 1 }) }),
  ),
  timeOfDay: fc
    .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 }))
    .filter(([a, b]) => a !== b)
    .map(([from, to]) => ({ from: hhmm(from), to: hhmm(to) })),
  weekday: fc.record({ in: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }) }),
  exportSize: comparisonArb(0, 300),
};

/** Windows on whole hours, to land exactly on their edges. */
const hourWindowArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }))
  .filter(([a, b]) => a !== b)
  .map(([from, to]) => ({ from: hhmm(from * 60), to: hhmm(to * 60) }));

/** Zero to two conditions, so that rules still match often. */
const whenArb: fc.Arbitrary<PolicyConditions> = fc
  .subarray(Object.keys(conditionArbs) as (keyof PolicyConditions)[], { maxLength: 2 })
  .chain(
    (keys) => fc.record(Object.fromEntries(keys.map((k) => [k, conditionArbs[k]]))) as fc.Arbitrary<PolicyConditions>,
  );

const levelArb = fc.constantFrom<FieldLevel>('hide', 'mask', 'show');

/** A rule without its id (ids are given by position, so they are unique). */
const ruleBodyArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        effect: fc.constant('allow' as const),
        actions: fc.subarray([...actions], { minLength: 1 }),
        roles: fc.subarray([...ROLES], { minLength: 1 }),
        scope: fc.constantFrom('own', 'team', 'tenant', 'pool'),
        when: whenArb,
        fields: fc.record({ public: levelArb, contact: levelArb, commercial: levelArb }, { requiredKeys: [] }),
        obligations: fc.array(fc.constantFrom(...OBLIGATIONS), { maxLength: 4 }),
      },
      { requiredKeys: ['effect', 'actions', 'scope'] },
    ),
  },
  fc.record(
    {
      effect: fc.constant('deny' as const),
      actions: fc.subarray([...actions], { minLength: 1 }),
      roles: fc.subarray([...ROLES], { minLength: 1 }),
      scope: fc.constantFrom('own', 'team', 'tenant', 'pool'),
      when: whenArb,
    },
    { requiredKeys: ['effect', 'actions', 'scope'] },
  ),
);

type RuleBody = Omit<PolicyRule, 'id'>;
const policyOf = (bodies: readonly RuleBody[]): PolicyInput => ({
  version: 1,
  rules: bodies.map((body, i) => ({ id: `r${i}`, ...body })),
});

const policyArb = fc.array(ruleBodyArb, { maxLength: 10 }).map(policyOf);

interface Query {
  readonly subject: AccessSubject;
  readonly action: Action;
  readonly resource: AccessResource;
  readonly context: AccessContext;
}

/** A world: an org tree and a handful of requests within it. */
const queriesArb = orgArb.chain((paths) =>
  fc.array(
    fc
      .record({
        subject: subjectArb(paths.length),
        action: fc.constantFrom(...actions),
        resource: resourceArb(paths.length),
        context: contextArb,
      })
      .map(({ subject, action, resource, context }): Query => {
        const { unit, ...s } = subject;
        const { unit: ru, ...r } = resource;
        const unitPath = paths[ru] ?? [];
        return {
          subject: { ...s, unitId: (paths[unit] ?? []).at(-1) ?? 'u0' },
          action,
          resource: { ...r, unitId: unitPath.at(-1) ?? 'u0', unitPath },
          context,
        };
      }),
    { minLength: 1, maxLength: 12 },
  ),
);

function isDeeplyFrozen(d: Decision): boolean {
  return [d, d.fields, d.obligations, d.reason, d.reason.rules, ...d.obligations].every((part) =>
    Object.isFrozen(part),
  );
}

const decideAll = (input: PolicyInput, queries: readonly Query[]) => {
  const policy = compilePolicy(input);
  return queries.map((q) => policy.decide(q.subject, q.action, q.resource, q.context));
};

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/** Random policies checked against the reference: 1,000 in CI, 100,000 under `pnpm test:soak`. */
const POLICIES = soak({ ci: 1000, soak: 100_000 });

describe('compiled decisions', () => {
  it('equal the reference evaluator’s (and are deeply frozen), over random org trees, policies, subjects, customers and times', () => {
    const variants: readonly EmployeeStatus[] = ['active', 'resigning'];
    let pairs = 0;
    fc.assert(
      fc.property(policyArb, queriesArb, (input, queries) => {
        const policy = compilePolicy(input);
        const cases = queries.flatMap((q) => [
          q,
          ...variants.map((status) => ({ ...q, subject: { ...q.subject, status } })),
        ]);
        pairs += cases.length;
        const expected = cases.map((q) => reference(policy.source, q.subject, q.action, q.resource, q.context));
        // Twice, in opposite orders: the second pass is answered from the decision cache.
        for (const order of [cases.keys(), [...cases.keys()].reverse()]) {
          for (const i of order) {
            const q = cases[i] as Query;
            const d = policy.decide(q.subject, q.action, q.resource, q.context);
            // Cheap checks first; `expect` only to report a failure (it is slow at this volume).
            if (JSON.stringify(d) !== JSON.stringify(expected[i])) expect(d).toEqual(expected[i]);
            if (!isDeeplyFrozen(d)) expect.fail('decision is not deeply frozen');
          }
        }
      }),
      { numRuns: POLICIES },
    );
    // Each policy meets 3–36 requests: at soak size, well over 100,000 policy/request pairs.
    expect(pairs).toBeGreaterThanOrEqual(POLICIES * 3);
    console.info(`[policy/reference] ${POLICIES} random policies, ${pairs} policy/request pairs: 100% agreement`);
  });

  it('single conditions agree with the reference at the edges (DST transitions, tenure boundaries, wrap-around)', () => {
    const conditionArb = fc.oneof(
      fc.record({ tenureDays: comparisonArb(-3, 12) }),
      fc.record({ timeOfDay: conditionArbs.timeOfDay }),
      // Instants below are often on whole hours too.
      { weight: 2, arbitrary: fc.record({ timeOfDay: hourWindowArb }) },
      fc.record({ weekday: conditionArbs.weekday }),
    );
    const offsetArb = fc.oneof(
      fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
      fc.integer({ min: -6, max: 6 }).map((k) => k * HOUR),
      fc.integer({ min: -12, max: 12 }).map((k) => k * QUARTER),
    );
    const nearArb = fc.record({
      now: fc.tuple(fc.constantFrom(...ANCHORS), offsetArb).map(([a, d]) => a + d),
      hiredDaysAgo: fc.integer({ min: -2, max: 10 }),
      timeZone: fc.constantFrom(...ZONES),
    });
    fc.assert(
      fc.property(conditionArb, fc.array(nearArb, { minLength: 1, maxLength: 8 }), (when, cases) => {
        const policy = compilePolicy({
          version: 1,
          rules: [{ id: 'r', effect: 'allow', actions: ['read'], scope: 'tenant', when, fields: { public: 'show' } }],
        });
        for (const { now, hiredDaysAgo, timeZone } of cases) {
          const subject: AccessSubject = {
            id: 'e0',
            status: 'active',
            unitId: 'u0',
            roles: [],
            rank: 0,
            hireDate: isoDate(now - hiredDaysAgo * DAY),
            performanceBand: null,
          };
          const resource: AccessResource = { id: 'c1', ownerId: null, unitId: 'u0', unitPath: ['u0'] };
          const context = { now, timeZone };
          expect(policy.decide(subject, 'read', resource, context)).toEqual(
            reference(policy.source, subject, 'read', resource, context),
          );
        }
      }),
    );
  });

  it('deny by default: with no allow rule for the action, nothing is allowed', () => {
    fc.assert(
      fc.property(policyArb, queriesArb, (input, queries) => {
        const withoutAllows = new Map<Action, CompiledPolicy>();
        for (const q of queries) {
          let policy = withoutAllows.get(q.action);
          if (policy === undefined) {
            const rules = input.rules.filter((rule) => rule.effect === 'deny' || !rule.actions.includes(q.action));
            policy = compilePolicy({ ...input, rules });
            withoutAllows.set(q.action, policy);
          }
          const d = policy.decide(q.subject, q.action, q.resource, q.context);
          const denied = !d.allow && d.obligations.length === 0 && Object.values(d.fields).every((l) => l === 'hide');
          if (!denied) expect.fail(`expected a denial, got ${JSON.stringify(d)}`);
        }
      }),
    );
  });

  it('a deny beats any allow', () => {
    fc.assert(
      fc.property(policyArb, queriesArb, (input, queries) => {
        const everyone: PolicyRule = { id: 'deny-all', effect: 'deny', actions: [...actions], scope: 'tenant' };
        const decisions = decideAll({ ...input, rules: [...input.rules, everyone] }, queries);
        decisions.forEach((d, i) => {
          expect(d.allow).toBe(false);
          const status = queries[i]?.subject.status;
          if (status === 'active') expect(d.reason.rules).toContain('deny-all');
        });
      }),
    );
  });

  it('shuffling and duplicating rules never changes a decision', () => {
    fc.assert(
      fc.property(
        policyArb,
        queriesArb,
        fc.array(fc.nat()),
        fc.array(fc.nat(), { maxLength: 6 }),
        (input, queries, order, dupes) => {
          const rules = input.rules;
          const copies = dupes
            .filter(() => rules.length > 0)
            .map((k, j) => {
              const rule = rules[k % rules.length];
              return { ...rule, id: `${rule?.id}-dup${j}` } as PolicyRule;
            });
          const keyed = [...rules, ...copies].map((rule, i) => ({ rule, key: order[i] ?? i }));
          const shuffled = keyed.sort((a, b) => a.key - b.key).map(({ rule }) => rule);
          const before = decideAll(input, queries);
          const after = decideAll({ ...input, rules: shuffled }, queries);
          const original = (id: string) => id.replace(/-dup\d+$/, '');
          after.forEach((d, i) => {
            expect({ ...d, reason: { ...d.reason, rules: sortedUnique(d.reason.rules.map(original)) } }).toEqual(
              before[i],
            );
          });
        },
      ),
    );
  });

  it('frozen and departed employees are denied every action', () => {
    fc.assert(
      fc.property(policyArb, queriesArb, fc.constantFrom('frozen', 'departed'), (input, queries, status) => {
        const policy = compilePolicy(input);
        for (const q of queries) {
          for (const action of actions) {
            const d = policy.decide({ ...q.subject, status }, action, q.resource, q.context);
            const expected = {
              allow: false,
              action,
              fields: { public: 'hide', contact: 'hide', commercial: 'hide' },
              obligations: [],
              reason: { code: status === 'frozen' ? 'subject-frozen' : 'subject-departed', rules: [] },
            };
            if (JSON.stringify(d) !== JSON.stringify(expected)) expect(d).toEqual(expected);
          }
        }
      }),
    );
  });

  it("a sales rep sees a customer's contacts in full only if they own it or a non-own rule grants it", () => {
    fc.assert(
      fc.property(policyArb, queriesArb, (input, queries) => {
        const policy = compilePolicy(input);
        for (const q of queries) {
          const subject = { ...q.subject, roles: [...new Set(['sales', ...q.subject.roles])] };
          const d = policy.decide(subject, q.action, q.resource, q.context);
          if (q.resource.ownerId === subject.id || d.fields.contact !== 'show') continue;
          const granting = policy.source.rules.filter(
            (rule) =>
              rule.effect === 'allow' &&
              rule.scope !== 'own' &&
              rule.actions.includes(q.action) &&
              rule.fields?.contact === 'show',
          );
          expect(granting.map((rule) => rule.id)).not.toEqual([]);
          expect(d.reason.rules.some((id) => granting.some((rule) => rule.id === id))).toBe(true);
        }
      }),
    );
  });
});

describe('conditions at the edges', () => {
  const subject: AccessSubject = {
    id: 'e0',
    status: 'active',
    unitId: 'u0',
    roles: ['sales'],
    rank: 3,
    hireDate: '2026-01-01',
    performanceBand: null,
  };
  const resource: AccessResource = { id: 'c1', ownerId: 'e0', unitId: 'u0', unitPath: ['u0'] };
  const only = (when: PolicyRule['when']) =>
    compilePolicy({
      version: 1,
      rules: [{ id: 'r', effect: 'allow', actions: ['read'], scope: 'own', when, fields: { public: 'show' } }],
    });
  const allowed = (when: PolicyRule['when'], context: AccessContext, s: AccessSubject = subject) =>
    only(when).decide(s, 'read', resource, context).allow;

  it('timeOfDay is [from, to) and wraps past midnight', () => {
    const at = (t: string) => ({ now: Date.parse(`2026-03-04T${t}:00Z`) });
    const night = { timeOfDay: { from: '22:00', to: '06:00' } };
    const day = { timeOfDay: { from: '09:00', to: '17:30' } };
    expect(['22:00', '23:59', '00:00', '05:59'].map((t) => allowed(night, at(t)))).toEqual([true, true, true, true]);
    expect(['06:00', '12:00', '21:59'].map((t) => allowed(night, at(t)))).toEqual([false, false, false]);
    expect(['09:00', '17:29'].map((t) => allowed(day, at(t)))).toEqual([true, true]);
    expect(['08:59', '17:30', '23:00'].map((t) => allowed(day, at(t)))).toEqual([false, false, false]);
  });

  it('local time follows daylight saving time', () => {
    const morning = { timeOfDay: { from: '08:00', to: '09:00' } };
    const ny = (iso: string) => ({ now: Date.parse(iso), timeZone: 'America/New_York' });
    expect(allowed(morning, ny('2026-03-07T13:30:00Z'))).toBe(true); // 08:30 EST
    expect(allowed(morning, ny('2026-03-09T13:30:00Z'))).toBe(false); // 09:30 EDT
    expect(allowed(morning, ny('2026-03-09T12:30:00Z'))).toBe(true); // 08:30 EDT
    expect(allowed({ timeOfDay: { from: '03:00', to: '04:00' } }, ny('2026-03-08T07:00:00Z'))).toBe(true); // 03:00 EDT, just after the jump
    expect(allowed({ timeOfDay: { from: '01:00', to: '02:00' } }, ny('2026-03-08T06:59:59Z'))).toBe(true); // 01:59:59 EST
  });

  it('weekday is the local ISO weekday', () => {
    const weekend = { weekday: { in: [6, 7] } };
    // Friday 2026-03-06 23:30 UTC is Saturday 07:30 in Shanghai.
    expect(allowed(weekend, { now: Date.parse('2026-03-06T23:30:00Z') })).toBe(false);
    expect(allowed(weekend, { now: Date.parse('2026-03-06T23:30:00Z'), timeZone: 'Asia/Shanghai' })).toBe(true);
    expect(allowed({ weekday: { in: [1] } }, { now: Date.parse('2026-03-09T00:00:00Z') })).toBe(true);
  });

  it('tenureDays counts whole local days since the hire date', () => {
    const senior = { tenureDays: { gte: 180 } };
    const day180 = Date.parse('2026-06-30T00:00:00Z'); // 2026-01-01 + 180 days
    expect(allowed(senior, { now: day180 - 1 })).toBe(false);
    expect(allowed(senior, { now: day180 })).toBe(true);
    // 2026-06-29 16:00 UTC is already 2026-06-30 in Shanghai.
    expect(allowed(senior, { now: Date.parse('2026-06-29T16:00:00Z'), timeZone: 'Asia/Shanghai' })).toBe(true);
    expect(allowed({ tenureDays: { lt: 0 } }, { now: Date.parse('2025-12-31T12:00:00Z') })).toBe(true);
  });

  it('a missing export size and a null band fail closed where they must', () => {
    expect(allowed({ exportSize: { gte: 0 } }, { now: 0 })).toBe(false);
    expect(allowed({ exportSize: { gte: 0 } }, { now: 0, exportSize: 0 })).toBe(true);
    expect(allowed({ performanceBand: { in: ['A'] } }, { now: 0 })).toBe(false);
    expect(allowed({ performanceBand: { notIn: ['A'] } }, { now: 0 })).toBe(true);
    expect(allowed({ performanceBand: { notIn: ['A'] } }, { now: 0 }, { ...subject, performanceBand: 'A' })).toBe(
      false,
    );
    expect(allowed({ rank: { gt: 2, lte: 3 } }, { now: 0 })).toBe(true);
    expect(allowed({ rank: { eq: 4 } }, { now: 0 })).toBe(false);
  });

  it('a role list needs one role in common; no list means any role', () => {
    const policy = compilePolicy({
      version: 1,
      rules: [
        { id: 'm', effect: 'allow', actions: ['read'], roles: ['manager', 'auditor'], scope: 'tenant' },
        { id: 'any', effect: 'allow', actions: ['claim'], scope: 'pool' },
      ],
    });
    const ctx = { now: 0 };
    expect(policy.decide({ ...subject, roles: ['auditor'] }, 'read', resource, ctx).allow).toBe(true);
    expect(policy.decide(subject, 'read', resource, ctx).allow).toBe(false);
    expect(policy.decide({ ...subject, roles: [] }, 'claim', { ...resource, ownerId: null }, ctx).allow).toBe(true);
  });
});
