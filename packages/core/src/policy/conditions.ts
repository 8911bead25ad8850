import type { AccessContext, AccessResource, AccessSubject } from './access.js';
import { DAY_MS, isoDayNumber, isoWeekday, zoneOffsetMs } from './local-time.js';
import type { NumericComparison, PolicyConditions, Scope } from './policy-schema.js';

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;

/**
 * The facts about one request that cost something to compute (local time,
 * tenure), computed only when a rule asks; the zone offset is looked up at
 * most once per decision. One instance is reused across calls by a compiled policy:
 * `decide` is synchronous and calls no user code, so calls never interleave.
 *
 * @example
 * ```ts
 * const facts = new Facts();
 * facts.reset(Date.now(), 'Asia/Shanghai', '2023-04-01');
 * facts.minuteOfDay(); // e.g. 1320 at 22:00 Beijing time
 * ```
 */
export class Facts {
  private nowMs = 0;
  private timeZone = 'UTC';
  private hireDate = '';
  private local = Number.NaN;

  /** Starts a new decision. */
  reset(nowMs: number, timeZone: string, hireDate: string): void {
    this.nowMs = nowMs;
    this.timeZone = timeZone;
    this.hireDate = hireDate;
    this.local = Number.NaN;
  }

  /** Local wall-clock time as epoch milliseconds (i.e. read as if it were UTC). */
  private localMs(): number {
    if (Number.isNaN(this.local)) this.local = this.nowMs + zoneOffsetMs(this.timeZone, this.nowMs);
    return this.local;
  }

  /** Minutes since local midnight, 0…1439. */
  minuteOfDay(): number {
    // Whole minutes fit in 32 bits for any real date, so the modulo is an integer one.
    const m = Math.floor(this.localMs() / MINUTE_MS) % MINUTES_PER_DAY;
    return m < 0 ? m + MINUTES_PER_DAY : m;
  }

  /** Local ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday(): number {
    return isoWeekday(Math.floor(this.localMs() / DAY_MS));
  }

  /** Whole days from the hire date to the local date; `NaN` for a malformed hire date. */
  tenureDays(): number {
    return Math.floor(this.localMs() / DAY_MS) - isoDayNumber(this.hireDate);
  }
}

/**
 * A compiled condition: whether it holds for a request.
 *
 * @example
 * ```ts
 * const seniorOnly: ConditionTest = (subject) => subject.rank >= 3;
 * ```
 */
export type ConditionTest = (
  subject: AccessSubject,
  resource: AccessResource,
  context: AccessContext,
  facts: Facts,
) => boolean;

/**
 * Compiles a rule's `when` into one test (all conditions must hold), or
 * `null` when there are none. Conditions on the subject and the context run
 * before those that need local time.
 *
 * @example
 * ```ts
 * const test = compileConditions({ rank: { gte: 3 } });
 * test?.(subject, resource, context, facts);
 * ```
 */
export function compileConditions(when: PolicyConditions | undefined): ConditionTest | null {
  const tests = conditionTests(when ?? {});
  const [first, second] = tests;
  if (first === undefined) return null;
  if (second === undefined) return first;
  return (s, r, c, f) => {
    for (const test of tests) if (!test(s, r, c, f)) return false;
    return true;
  };
}

/**
 * Whether the subject has at least one of `roles`.
 *
 * @example
 * ```ts
 * hasAnyRole(new Set(['sales']), ['sales', 'manager']); // true
 * ```
 */
export function hasAnyRole(roles: ReadonlySet<string>, subjectRoles: readonly string[]): boolean {
  for (let i = 0; i < subjectRoles.length; i++) if (roles.has(subjectRoles[i] ?? '')) return true;
  return false;
}

/**
 * Whether the resource is in the subject's `scope`.
 *
 * @example
 * ```ts
 * inScope('pool', subject, { id: 'c-9', ownerId: null, unitId: 'hq', unitPath: ['hq'] }); // true
 * ```
 */
export function inScope(scope: Scope, subject: AccessSubject, resource: AccessResource): boolean {
  switch (scope) {
    case 'own':
      return resource.ownerId === subject.id;
    case 'team':
      return resource.unitPath.includes(subject.unitId);
    case 'pool':
      return resource.ownerId === null;
    default:
      return true;
  }
}

function conditionTests(when: PolicyConditions): ConditionTest[] {
  const tests: ConditionTest[] = [];
  if (when.rank !== undefined) {
    const holds = compileComparison(when.rank);
    tests.push((subject) => holds(subject.rank));
  }
  if (when.performanceBand !== undefined) tests.push(bandTest(when.performanceBand));
  if (when.exportSize !== undefined) {
    const holds = compileComparison(when.exportSize);
    tests.push((_s, _r, context) => context.exportSize !== undefined && holds(context.exportSize));
  }
  if (when.tenureDays !== undefined) {
    const holds = compileComparison(when.tenureDays);
    tests.push((_s, _r, _c, facts) => holds(facts.tenureDays()));
  }
  if (when.weekday !== undefined) {
    const days = new Set(when.weekday.in);
    tests.push((_s, _r, _c, facts) => days.has(facts.weekday()));
  }
  if (when.timeOfDay !== undefined) tests.push(timeOfDayTest(when.timeOfDay));
  return tests;
}

/**
 * Compiles a numeric comparison; every key present must hold, and `NaN`
 * satisfies none.
 *
 * @example
 * ```ts
 * compileComparison({ gte: 3, lt: 8 })(5); // true
 * ```
 */
export function compileComparison(c: NumericComparison): (value: number) => boolean {
  const { gt, gte, lt, lte, eq } = c;
  return (v) =>
    (gt === undefined || v > gt) &&
    (gte === undefined || v >= gte) &&
    (lt === undefined || v < lt) &&
    (lte === undefined || v <= lte) &&
    (eq === undefined || v === eq);
}

function bandTest(c: NonNullable<PolicyConditions['performanceBand']>): ConditionTest {
  if (c.in !== undefined) {
    const bands = new Set(c.in);
    return (subject) => subject.performanceBand !== null && bands.has(subject.performanceBand);
  }
  const excluded = new Set(c.notIn);
  return (subject) => subject.performanceBand === null || !excluded.has(subject.performanceBand);
}

function timeOfDayTest(window: { from: string; to: string }): ConditionTest {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from < to) {
    return (_s, _r, _c, facts) => {
      const m = facts.minuteOfDay();
      return m >= from && m < to;
    };
  }
  return (_s, _r, _c, facts) => {
    const m = facts.minuteOfDay();
    return m >= from || m < to;
  };
}

/** `"22:30"` → 1350. The schema has checked the format. */
function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
