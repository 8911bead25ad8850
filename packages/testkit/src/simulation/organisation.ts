import type { SignalInput, SignalKind } from '@guard/core';
import { type Calendar, clock, HOUR, makeCalendar, parseDay, ramp, workingDaysIn, workTime } from './calendar.js';
import { type ContactCustomer, simulateContactChannel } from './contacts.js';
import { createRng, type Rng } from './rng.js';

/**
 * How to simulate a sales organisation. Only `seed` is required; the same
 * options always give byte-identical output.
 *
 * @example
 * ```ts
 * import { simulateSalesOrg, type SimulationOptions } from '@guard/testkit';
 * const options: SimulationOptions = { seed: 7, months: 8, branches: 2, repsPerBranch: 10, customersPerRep: 10 };
 * const sim = simulateSalesOrg(options);
 * ```
 */
export interface SimulationOptions {
  /** Any finite number; the whole organisation and its history follow from it. */
  readonly seed: number;
  /** The first simulated day, `YYYY-MM-DD` (UTC). Default `'2025-01-01'`. */
  readonly start?: string | undefined;
  /**
   * How many calendar months to simulate (1–60; at least 6 when there are
   * leavers, who resign from the fifth month on). Default 12.
   */
  readonly months?: number | undefined;
  /** Branches, each with one manager. Default 4. */
  readonly branches?: number | undefined;
  /** Sales reps per branch (managers not counted). Default 25. */
  readonly repsPerBranch?: number | undefined;
  /** Customers each rep owns at the start. Default 30. */
  readonly customersPerRep?: number | undefined;
  /** Share of reps who resign and quietly take customers with them. Default 0.05 (at least one when above 0). */
  readonly poacherRate?: number | undefined;
  /** Share of reps who resign and hand over properly. Default 0.10 (at least one when above 0). */
  readonly honestLeaverRate?: number | undefined;
  /** Chance that a customer not diverted by a poacher churns on its own. Default 0.05. A churn fades and stops inside the run, so runs with under 60 days after the three-month warm-up have none. */
  readonly churnRate?: number | undefined;
  /**
   * Also simulate a messaging channel with customers (WeCom, 企业微信), as
   * `@guard/crm-wecom` reports it: the signal kinds `chat`, `new-contact`,
   * `contact-deleted` and `deleted-by-customer`. Poachers' chats fade and
   * many delete the customers they take from the company account; customers
   * they took often delete their new owner. Default `false`: the other
   * signals are the same either way.
   */
  readonly contactChannel?: boolean | undefined;
}

/**
 * {@link SimulationOptions} with every default filled in, as recorded in the
 * simulation's output.
 *
 * @example
 * ```ts
 * import { simulateSalesOrg, type ResolvedSimulationOptions } from '@guard/testkit';
 * const resolved: ResolvedSimulationOptions = simulateSalesOrg({ seed: 1, months: 6 }).options;
 * resolved.repsPerBranch; // 25
 * ```
 */
export interface ResolvedSimulationOptions {
  readonly seed: number;
  readonly start: string;
  readonly months: number;
  readonly branches: number;
  readonly repsPerBranch: number;
  readonly customersPerRep: number;
  readonly poacherRate: number;
  readonly honestLeaverRate: number;
  readonly churnRate: number;
  readonly contactChannel: boolean;
}

/**
 * What truly happens to a simulated employee: stays, leaves and hands over
 * properly, or leaves and takes customers.
 *
 * @example
 * ```ts
 * import type { EmployeeFate } from '@guard/testkit';
 * const fate: EmployeeFate = 'poacher';
 * ```
 */
export type EmployeeFate = 'stayer' | 'honest-leaver' | 'poacher';

/**
 * What truly happens to a simulated customer: keeps ordering, churns on its
 * own, or is diverted to a competitor by a departing poacher.
 *
 * @example
 * ```ts
 * import type { CustomerFate } from '@guard/testkit';
 * const fate: CustomerFate = 'diverted';
 * ```
 */
export type CustomerFate = 'loyal' | 'churned' | 'diverted';

/**
 * A simulated employee's role. Managers own no customers and never leave.
 *
 * @example
 * ```ts
 * import type { SimulatedRole } from '@guard/testkit';
 * const role: SimulatedRole = 'sales-rep';
 * ```
 */
export type SimulatedRole = 'manager' | 'sales-rep';

/**
 * Behaviour an employee was given, to explain a backtest's hits and misses:
 *
 * - `careful` — a poacher who mostly views, exports little and never works after hours;
 * - `bulk-export` — a poacher who exports 300–3,000 rows before leaving;
 * - `after-hours` — a poacher who accesses data after hours before leaving;
 * - `job-search` — résumé updates, job-site visits and extra leave before resigning;
 * - `competitor-contact` — contacts with a competitor before leaving;
 * - `late-handover` — hands customers over only in the last days;
 * - `big-export` — a one-off export of 300–1,500 rows (not a poacher: noise);
 * - `resume-update`, `job-site-visit`, `occasional-competitor-contact` — the same noise in people who stay;
 * - `busy-month` — one month with 1.5–2.5× the usual record views;
 * - with `contactChannel`: `quiet-month` — one month with half the usual
 *   chats with customers (noise); `deletes-contacts` — a poacher who deletes
 *   the customers they take from the company's WeCom account.
 *
 * @example
 * ```ts
 * import type { EmployeeTrait } from '@guard/testkit';
 * const trait: EmployeeTrait = 'careful';
 * ```
 */
export type EmployeeTrait =
  | 'careful'
  | 'bulk-export'
  | 'after-hours'
  | 'job-search'
  | 'competitor-contact'
  | 'late-handover'
  | 'big-export'
  | 'resume-update'
  | 'job-site-visit'
  | 'occasional-competitor-contact'
  | 'busy-month'
  | 'quiet-month'
  | 'deletes-contacts';

/**
 * A simulated branch and its manager.
 *
 * @example
 * ```ts
 * import type { SimulatedBranch } from '@guard/testkit';
 * const branch: SimulatedBranch = { id: 'b-01', name: 'North', managerId: 'e-0001' };
 * ```
 */
export interface SimulatedBranch {
  readonly id: string;
  readonly name: string;
  readonly managerId: string;
}

/**
 * A simulated employee. Leavers have a `resignationDate` 20–45 days before
 * their `lastWorkingDay` (both `YYYY-MM-DD`, working days, never in the
 * first four months).
 *
 * @example
 * ```ts
 * import { simulateSalesOrg, type SimulatedEmployee } from '@guard/testkit';
 * const poachers: SimulatedEmployee[] = simulateSalesOrg({ seed: 1 }).employees.filter((e) => e.fate === 'poacher');
 * ```
 */
export interface SimulatedEmployee {
  /** `e-0001`, `e-0002`, … */
  readonly id: string;
  readonly name: string;
  readonly branchId: string;
  /** The branch manager; absent for managers. */
  readonly managerId?: string | undefined;
  readonly role: SimulatedRole;
  readonly fate: EmployeeFate;
  readonly resignationDate?: string | undefined;
  readonly lastWorkingDay?: string | undefined;
  readonly traits: readonly EmployeeTrait[];
}

/**
 * A simulated customer. A customer of a leaver is handed over to a
 * colleague (`newOwnerId`, from `handedOverOn`); `ownerId` stays the first
 * owner. `churnedAt` is the day after which a churned customer places no
 * more orders; `divertedAt` is the poacher's last working day (both
 * `YYYY-MM-DD`).
 *
 * @example
 * ```ts
 * import { simulateSalesOrg, type SimulatedCustomer } from '@guard/testkit';
 * const diverted: SimulatedCustomer[] = simulateSalesOrg({ seed: 1 }).customers.filter((c) => c.fate === 'diverted');
 * ```
 */
export interface SimulatedCustomer {
  /** `c-000001`, `c-000002`, … */
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly branchId: string;
  readonly fate: CustomerFate;
  readonly churnedAt?: string | undefined;
  readonly divertedAt?: string | undefined;
  readonly newOwnerId?: string | undefined;
  readonly handedOverOn?: string | undefined;
}

/**
 * The ground truth about one subject: its fate and, for the ones something
 * happened to, the day it happened (a leaver's last working day, a
 * customer's `divertedAt` or `churnedAt`).
 *
 * @example
 * ```ts
 * import type { SimulationLabel } from '@guard/testkit';
 * const label: SimulationLabel = { subjectType: 'employee', subject: 'e-0042', fate: 'poacher', on: '2025-08-29' };
 * ```
 */
export interface SimulationLabel {
  readonly subjectType: 'employee' | 'customer';
  readonly subject: string;
  readonly fate: EmployeeFate | CustomerFate;
  readonly on?: string | undefined;
}

/**
 * A simulated sales organisation and everything that happened in it: the
 * signals Guard reads (sorted by `at`, each with a unique `id`) and the
 * truth behind them. Plain JSON: `JSON.stringify` it to save or compare.
 *
 * @example
 * ```ts
 * import { simulateSalesOrg, type SalesOrgSimulation } from '@guard/testkit';
 * const sim: SalesOrgSimulation = simulateSalesOrg({ seed: 42 });
 * console.log(sim.employees.length, sim.customers.length, sim.signals.length);
 * ```
 */
export interface SalesOrgSimulation {
  readonly options: ResolvedSimulationOptions;
  /** The first day after the simulated period, `YYYY-MM-DD`. */
  readonly end: string;
  readonly branches: readonly SimulatedBranch[];
  readonly employees: readonly SimulatedEmployee[];
  readonly customers: readonly SimulatedCustomer[];
  readonly signals: readonly SignalInput[];
  /** One label per employee, then one per customer, in id order. */
  readonly labels: readonly SimulationLabel[];
}

// ───────────────────────────── behaviour parameters ─────────────────────────────

/** Working days in an average month: monthly rates ÷ this = daily chances. */
const WORKING_DAYS_PER_MONTH = 21.7;
const BRANCH_NAMES = ['North', 'South', 'East', 'West', 'Central', 'Harbour', 'Valley', 'Lakeside'];
const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Felix',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Mei',
  'Nora',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Xena',
  'Yusuf',
  'Zoe',
  'Lin',
  'Marco',
];
const LAST_NAMES = [
  'Achebe',
  'Brandt',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Patel',
  'Quispe',
  'Rossi',
  'Santos',
  'Tanaka',
  'Usman',
  'Varga',
  'Wang',
  'Yilmaz',
  'Zhang',
];
const COMPANY_WORDS = [
  'Apex',
  'Blue',
  'Cedar',
  'Delta',
  'Ember',
  'Falcon',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
  'Kestrel',
  'Lumen',
  'Maple',
  'Nova',
  'Orbit',
  'Pine',
  'Quartz',
  'River',
  'Summit',
  'Terra',
  'Union',
  'Vertex',
  'Willow',
  'Zenith',
];
const COMPANY_TRADES = [
  'Foods',
  'Logistics',
  'Machining',
  'Pharma',
  'Textiles',
  'Retail',
  'Builders',
  'Motors',
  'Labs',
  'Energy',
  'Plastics',
];
const COMPANY_FORMS = ['Ltd', 'Co.', 'Inc.', 'GmbH', 'Group', 'Trading'];

/** The planned behaviour of one employee. */
interface Plan {
  readonly index: number;
  readonly id: string;
  readonly role: SimulatedRole;
  readonly branch: number;
  readonly fate: EmployeeFate;
  readonly traits: EmployeeTrait[];
  readonly followUpRate: number;
  readonly onLeave: Uint8Array;
  /** The last day the employee works (the period's last day for people who stay). */
  lastDay: number;
  resignDay?: number;
  /** Start of the job search (honest leavers) or of the quiet moving of customers (poachers). */
  windowStart: number;
  lateHandover: boolean;
  /** Poachers: follow-ups fall from 1 at `rampStart` to `followUpTarget` at `rampEnd`. */
  rampStart: number;
  rampEnd: number;
  followUpTarget: number;
}

interface RawSignal {
  readonly t: number;
  readonly kind: SignalKind;
  readonly e: number;
  readonly c: number;
  readonly v: number | undefined;
}

/** Leavers resign from the fifth month on and work 20–45 days' notice: that needs six months. */
const MIN_MONTHS_WITH_LEAVERS = 6;
/** The shortest churn fade the simulator makes, in days: a run needs this much room after the warm-up to have churn. */
const MIN_CHURN_DAYS = 60;

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return v;
}

function rateOption(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new RangeError(`${name} must be a number from 0 to 1, got ${value}`);
  }
  return v;
}

function boolOption(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new RangeError(`${name} must be true or false, got ${value}`);
  return value ?? fallback;
}

function resolveOptions(options: SimulationOptions): ResolvedSimulationOptions {
  if (typeof options?.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new RangeError(`seed must be a finite number, got ${options?.seed}`);
  }
  const start = options.start ?? '2025-01-01';
  parseDay(start, 'start');
  const resolved: ResolvedSimulationOptions = {
    seed: options.seed,
    start,
    months: intOption('months', options.months, 12, 1, 60),
    branches: intOption('branches', options.branches, 4, 1, 999),
    repsPerBranch: intOption('repsPerBranch', options.repsPerBranch, 25, 1, 9999),
    customersPerRep: intOption('customersPerRep', options.customersPerRep, 30, 0, 9999),
    poacherRate: rateOption('poacherRate', options.poacherRate, 0.05),
    honestLeaverRate: rateOption('honestLeaverRate', options.honestLeaverRate, 0.1),
    churnRate: rateOption('churnRate', options.churnRate, 0.05),
    contactChannel: boolOption('contactChannel', options.contactChannel, false),
  };
  if (resolved.poacherRate + resolved.honestLeaverRate > 1) {
    throw new RangeError('poacherRate + honestLeaverRate must not exceed 1');
  }
  if (resolved.months < MIN_MONTHS_WITH_LEAVERS && resolved.poacherRate + resolved.honestLeaverRate > 0) {
    throw new RangeError(
      `months must be at least ${MIN_MONTHS_WITH_LEAVERS} when there are leavers (they resign from the fifth month on, with 20–45 days' notice), got ${resolved.months}; set poacherRate and honestLeaverRate to 0 for a shorter period`,
    );
  }
  const staff = resolved.branches * (resolved.repsPerBranch + 1);
  if (staff > 9999) throw new RangeError(`at most 9,999 employees (ids e-0001…e-9999), got ${staff}`);
  if (resolved.branches * resolved.repsPerBranch * resolved.customersPerRep > 999_999) {
    throw new RangeError('at most 999,999 customers (ids c-000001…c-999999)');
  }
  return resolved;
}

/** A leaver count for a rate: rounded, and at least one when the rate is above 0. */
function leaverCount(rate: number, reps: number): number {
  return rate > 0 ? Math.max(1, Math.round(rate * reps)) : 0;
}

/** A random working day in [lo, hi]; the nearest working day when the range has none. */
function workingDay(rng: Rng, cal: Calendar, lo: number, hi: number): number {
  const days = workingDaysIn(cal, Math.max(0, lo), Math.max(lo, hi));
  if (days.length > 0) return rng.pick(days);
  let d = Math.max(0, Math.min(lo, cal.days - 1));
  while (d > 0 && (cal.weekday[d] === 0 || cal.weekday[d] === 6)) d--;
  return d;
}

const nightTime = (rng: Rng): number =>
  rng.chance(0.75) ? 20 * HOUR + rng.int(0, 4 * HOUR - 1) : 5 * HOUR + rng.int(0, 2 * HOUR - 1);

/**
 * Simulates a sales organisation, seeded and deterministic: branches with a
 * manager and reps, customers owned by the reps, and a year (by default) of
 * the signals Guard reads — logins, record views, exports, deletes,
 * after-hours access, leave, résumé updates, job-site visits, competitor
 * contacts, follow-ups, orders and `owner-left` — with the truth behind them.
 *
 * - **Stayers** log in, view and follow up their customers, export now and
 *   then; a few have a one-off big export, update a résumé, visit job sites,
 *   contact a competitor or work after hours (noise that overlaps leavers).
 * - **Honest leavers** search for a job 1–3 months before resigning (résumé
 *   updates, job-site visits, extra leave, sometimes a competitor contact),
 *   then hand their customers over; the customers keep ordering from the new
 *   owner.
 * - **Poachers**, from 1–3 months before resigning to their last day, view
 *   2–5× more records, export 300–3,000 rows (80%), work after hours (60%),
 *   talk to competitors (50%) and let their follow-ups fall to 0.3–0.7;
 *   “careful” poachers (20%) only view more. 40–70% of their customers are
 *   diverted: orders fade before the departure and stop (or fall to ≤ 20%)
 *   after it, and the new owner's follow-ups fade.
 * - **Churned** customers (5% of the rest) order less over 3–4 months, then
 *   stop, always before the run ends (the fade is shorter when the run
 *   leaves less room; runs with under 60 days after the three-month warm-up
 *   have no churn).
 *
 * Every leaver's customers get an `owner-left` signal on the last working
 * day. Same options → byte-identical result; nothing reads the clock or
 * `Math.random`.
 *
 * @example
 * ```ts
 * import { simulateSalesOrg } from '@guard/testkit';
 * const sim = simulateSalesOrg({ seed: 42, months: 12, branches: 4, repsPerBranch: 25, customersPerRep: 30 });
 * const poachers = sim.employees.filter((e) => e.fate === 'poacher');
 * console.log(poachers.length, sim.signals.length); // 5 …
 * ```
 */
export function simulateSalesOrg(options: SimulationOptions): SalesOrgSimulation {
  const opts = resolveOptions(options);
  const cal = makeCalendar(parseDay(opts.start, 'start'), opts.months);
  const { seed } = opts;
  const orgRng = createRng(seed, 'org');
  const baselineEnd = cal.monthStart(3);
  const earliestResignation = cal.monthStart(4);

  // ── the organisation ──
  const branches: SimulatedBranch[] = [];
  const plans: Plan[] = [];
  const names: string[] = [];
  const branchOf: number[] = [];
  const managerOf: number[] = [];
  const rngs: Rng[] = [];
  const reps: number[] = [];
  const employeeId = (i: number) => `e-${String(i + 1).padStart(4, '0')}`;
  const personName = (rng: Rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  for (let b = 0; b < opts.branches; b++) {
    const manager = branchOf.length;
    for (let r = 0; r <= opts.repsPerBranch; r++) {
      const i = branchOf.length;
      branchOf.push(b);
      managerOf.push(manager);
      if (r > 0) reps.push(i);
    }
    branches.push({
      id: `b-${String(b + 1).padStart(2, '0')}`,
      name: BRANCH_NAMES[b] ?? `Branch ${b + 1}`,
      managerId: employeeId(manager),
    });
  }
  const fates: EmployeeFate[] = branchOf.map(() => 'stayer');
  const shuffledReps = orgRng.shuffle(reps);
  const poacherCount = Math.min(reps.length, leaverCount(opts.poacherRate, reps.length));
  const honestCount = Math.min(reps.length - poacherCount, leaverCount(opts.honestLeaverRate, reps.length));
  shuffledReps.forEach((i, k) => {
    if (k < poacherCount) fates[i] = 'poacher';
    else if (k < poacherCount + honestCount) fates[i] = 'honest-leaver';
  });

  // ── each employee's plan and own signals ──
  const raw: RawSignal[] = [];
  const emit = (day: number, seconds: number, kind: SignalKind, e: number, c: number, v?: number) => {
    raw.push({ t: day * 86_400 + seconds, kind, e, c, v });
  };
  for (let i = 0; i < branchOf.length; i++) {
    const rng = createRng(seed, 'employee', i);
    rngs.push(rng);
    names.push(personName(rng));
    const role: SimulatedRole = managerOf[i] === i ? 'manager' : 'sales-rep';
    const fate = fates[i] as EmployeeFate;
    const plan: Plan = {
      index: i,
      id: employeeId(i),
      role,
      branch: branchOf[i] as number,
      fate,
      traits: [],
      followUpRate: rng.uniform(2, 4),
      onLeave: new Uint8Array(cal.days),
      lastDay: cal.days - 1,
      windowStart: cal.days,
      lateHandover: false,
      rampStart: cal.days,
      rampEnd: cal.days,
      followUpTarget: 1,
    };
    plans.push(plan);
    if (fate !== 'stayer') {
      const notice = rng.int(20, 45);
      // One day to spare: a 20-day notice ending on a weekend moves on to the Monday.
      const resignDay = workingDay(rng, cal, earliestResignation, cal.days - 2 - notice);
      let lastDay = resignDay + notice;
      // The last working day is a working day, 20–45 days after the resignation.
      const weekend = (day: number) => cal.weekday[day] === 0 || cal.weekday[day] === 6;
      while (weekend(lastDay) && lastDay - 1 - resignDay >= 20) lastDay--;
      while (weekend(lastDay)) lastDay++;
      plan.resignDay = resignDay;
      plan.lastDay = lastDay;
      plan.windowStart = Math.max(0, resignDay - rng.int(30, 90));
    }
    simulateEmployee(plan, rng, cal, emit);
    if (plan.resignDay !== undefined) {
      // Most leavers' social insurance (社保) moves to the new employer within weeks of leaving; the host
      // learns it from the social-insurance bureau. Its own random stream, so nothing else changes.
      const si = createRng(seed, 'social-insurance', i);
      const day = plan.lastDay + si.int(10, 40);
      if (si.chance(0.8) && day < cal.days) emit(day, workTime(si), 'social-insurance-change', i, -1);
    }
  }

  // ── customers: owners, fates, handovers ──
  const customerCount = reps.length * opts.customersPerRep;
  const owner0: number[] = [];
  for (const r of reps) for (let k = 0; k < opts.customersPerRep; k++) owner0.push(r);
  const customerFates: CustomerFate[] = owner0.map(() => 'loyal');
  const fateRng = createRng(seed, 'customer-fates');
  const byOwner = new Map<number, number[]>();
  owner0.forEach((o, c) => {
    const list = byOwner.get(o) ?? [];
    list.push(c);
    byOwner.set(o, list);
  });
  for (const r of reps) {
    if (fates[r] !== 'poacher') continue;
    const own = fateRng.shuffle(byOwner.get(r) ?? []);
    const share = fateRng.uniform(0.4, 0.7);
    own.slice(0, Math.round(share * own.length)).forEach((c) => {
      customerFates[c] = 'diverted';
    });
  }
  // A churn must fade and stop inside the run, after the warm-up: runs with
  // less room than MIN_CHURN_DAYS after it have no churned customers.
  const churnRoom = cal.days - 1 - baselineEnd;
  for (let c = 0; c < customerCount && churnRoom >= MIN_CHURN_DAYS; c++) {
    if (customerFates[c] === 'loyal' && fateRng.chance(opts.churnRate)) customerFates[c] = 'churned';
  }
  const stayersByBranch = new Map<number, number[]>();
  for (const r of reps) {
    if (fates[r] !== 'stayer') continue;
    const list = stayersByBranch.get(branchOf[r] as number) ?? [];
    list.push(r);
    stayersByBranch.set(branchOf[r] as number, list);
  }
  const handoverRng = createRng(seed, 'handover');

  const customers: SimulatedCustomer[] = [];
  const contacts: ContactCustomer[] = [];
  const customerName = (rng: Rng) =>
    `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_TRADES)} ${rng.pick(COMPANY_FORMS)}`;
  for (let c = 0; c < customerCount; c++) {
    const rng = createRng(seed, 'customer', c);
    const p0 = plans[owner0[c] as number] as Plan;
    const fate = customerFates[c] as CustomerFate;
    let p1: Plan | undefined;
    let handover = Number.POSITIVE_INFINITY;
    if (p0.resignDay !== undefined) {
      const colleagues = stayersByBranch.get(p0.branch);
      p1 = plans[colleagues?.length ? handoverRng.pick(colleagues) : (managerOf[p0.index] as number)] as Plan;
      const late = p0.lateHandover;
      handover = late
        ? handoverRng.int(p0.lastDay - 4, p0.lastDay + (p0.fate === 'poacher' ? 1 : 0))
        : handoverRng.int(Math.min(p0.resignDay + 3, p0.lastDay), p0.lastDay);
      handover = Math.max(handover, p0.resignDay);
    }
    const churn =
      fate === 'churned'
        ? (() => {
            const length = Math.min(rng.int(90, 120), churnRoom);
            const from = rng.int(baselineEnd, Math.max(baselineEnd, cal.days - 1 - length));
            return { from, length, day: from + length };
          })()
        : undefined;
    const name = customerName(rng);
    simulateCustomer({ c, rng, cal, p0, p1, handover, fate, churn, emit });
    contacts.push({ c, owner: p0.index, successor: p1?.index ?? -1, handover, fate, churnDay: churn?.day });
    customers.push({
      id: `c-${String(c + 1).padStart(6, '0')}`,
      name,
      ownerId: p0.id,
      branchId: branches[p0.branch]?.id as string,
      fate,
      ...(churn ? { churnedAt: cal.key(churn.day) } : {}),
      ...(fate === 'diverted' ? { divertedAt: cal.key(p0.lastDay) } : {}),
      ...(p1 ? { newOwnerId: p1.id, handedOverOn: cal.key(handover) } : {}),
    });
  }

  if (opts.contactChannel) simulateContactChannel(seed, cal, plans, contacts, emit);

  // ── output ──
  raw.sort((a, b) => a.t - b.t);
  const width = Math.max(7, String(raw.length).length);
  const signals: SignalInput[] = raw.map((s, k) => {
    const day = Math.floor(s.t / 86_400);
    const signal: {
      id: string;
      kind: SignalKind;
      at: string;
      employeeId?: string;
      customerId?: string;
      value?: number;
    } = {
      id: `s-${String(k + 1).padStart(width, '0')}`,
      kind: s.kind,
      at: `${cal.key(day)}T${clock(s.t - day * 86_400)}Z`,
    };
    if (s.e >= 0) signal.employeeId = (plans[s.e] as Plan).id;
    if (s.c >= 0) signal.customerId = `c-${String(s.c + 1).padStart(6, '0')}`;
    if (s.v !== undefined) signal.value = s.v;
    return signal;
  });
  const employees: SimulatedEmployee[] = plans.map((p) => ({
    id: p.id,
    name: names[p.index] as string,
    branchId: branches[p.branch]?.id as string,
    ...(p.role === 'manager' ? {} : { managerId: employeeId(managerOf[p.index] as number) }),
    role: p.role,
    fate: p.fate,
    ...(p.resignDay !== undefined ? { resignationDate: cal.key(p.resignDay), lastWorkingDay: cal.key(p.lastDay) } : {}),
    traits: p.traits,
  }));
  const labels: SimulationLabel[] = [
    ...employees.map(
      (e): SimulationLabel => ({
        subjectType: 'employee',
        subject: e.id,
        fate: e.fate,
        ...(e.lastWorkingDay ? { on: e.lastWorkingDay } : {}),
      }),
    ),
    ...customers.map(
      (c): SimulationLabel => ({
        subjectType: 'customer',
        subject: c.id,
        fate: c.fate,
        ...(c.divertedAt || c.churnedAt ? { on: (c.divertedAt ?? c.churnedAt) as string } : {}),
      }),
    ),
  ];
  return { options: opts, end: cal.key(cal.days), branches, employees, customers, signals, labels };
}

type Emit = (day: number, seconds: number, kind: SignalKind, e: number, c: number, v?: number) => void;

/** Plans one employee's behaviour (filling in `plan`) and emits the employee's own signals. */
function simulateEmployee(plan: Plan, rng: Rng, cal: Calendar, emit: Emit): void {
  const e = plan.index;
  const manager = plan.role === 'manager';
  const lastDay = Math.min(plan.lastDay, cal.days - 1);
  const { traits } = plan;

  // Everyone's habits and noise.
  const loginRate = rng.uniform(0.85, 0.95);
  const viewEvents = manager ? rng.uniform(4, 8) : rng.uniform(2, 6);
  const viewSize = rng.uniform(2, 4);
  const exportRate = manager ? rng.uniform(0.5, 1.5) : rng.chance(0.3) ? 0 : rng.uniform(0.1, 0.8);
  const exportMax = manager ? 400 : 200;
  const leaveRate = rng.uniform(0.15, 0.35);
  let afterHoursRate = rng.chance(0.15) ? rng.uniform(1, 4) : 0;
  const deleteRate = rng.chance(0.4) ? rng.uniform(0.1, 0.5) : 0;
  let busyFrom = cal.days;
  let busyTo = -1;
  let busyFactor = 1;
  if (rng.chance(0.15)) {
    const months = Math.max(1, Math.round(cal.days / 30.4));
    const m = rng.int(0, months - 1);
    busyFrom = cal.monthStart(m);
    busyTo = cal.monthStart(m + 1) - 1;
    busyFactor = rng.uniform(1.5, 2.5);
    traits.push('busy-month');
  }

  const leave = (from: number, days: number) => {
    const workdays = workingDaysIn(cal, from, cal.days - 1).slice(0, days);
    if (workdays.length === 0) return;
    for (const d of workdays) plan.onLeave[d] = 1;
    emit(from, 8 * HOUR + rng.int(0, HOUR), 'leave', e, -1, workdays.length);
  };
  const someDays = (count: number, lo: number, hi: number, kind: SignalKind, time: (r: Rng) => number) => {
    for (let k = 0; k < count; k++) emit(workingDay(rng, cal, lo, hi), time(rng), kind, e, -1);
  };

  // Noise that looks like leaving, in people who stay.
  if (rng.chance(0.08)) {
    traits.push('resume-update');
    someDays(rng.int(1, 2), 0, lastDay, 'resume-update', (r) => 12 * HOUR + r.int(0, 10 * HOUR));
  }
  if (rng.chance(0.03)) {
    traits.push('job-site-visit');
    const from = rng.int(0, lastDay);
    someDays(rng.int(1, 4), from, Math.min(lastDay, from + 14), 'job-site-visit', workTime);
  }
  if (!manager && rng.chance(0.05)) {
    traits.push('occasional-competitor-contact');
    someDays(1, 0, lastDay, 'competitor-contact', workTime);
  }
  if (plan.fate !== 'poacher' && rng.chance(0.1)) {
    traits.push('big-export');
    emit(workingDay(rng, cal, 0, lastDay), workTime(rng), 'export', e, -1, rng.int(300, 1500));
  }

  // The job search, for leavers (poachers: half of them, and a bit less).
  const resignDay = plan.resignDay;
  if (resignDay !== undefined) {
    const honest = plan.fate === 'honest-leaver';
    const searching = honest || rng.chance(0.5);
    if (searching) {
      traits.push('job-search');
      const lo = plan.windowStart;
      someDays(
        honest ? rng.int(1, 4) : rng.int(1, 2),
        lo,
        resignDay,
        'resume-update',
        (r) => 12 * HOUR + r.int(0, 10 * HOUR),
      );
      someDays(honest ? rng.int(2, 10) : rng.int(1, 5), lo, resignDay, 'job-site-visit', workTime);
      let extra = honest ? rng.int(2, 6) : rng.int(1, 4);
      let events = Math.min(extra, rng.int(1, 3));
      while (extra > 0) {
        const days = events <= 1 ? extra : rng.int(1, Math.max(1, extra - events + 1));
        leave(workingDay(rng, cal, lo, resignDay), days);
        extra -= days;
        events--;
      }
    }
    if (honest) {
      plan.lateHandover = rng.chance(0.25);
      if (plan.lateHandover) traits.push('late-handover');
      if (rng.chance(0.3)) {
        traits.push('competitor-contact');
        someDays(1, plan.windowStart, resignDay, 'competitor-contact', workTime);
      }
    }
  }

  // Ordinary leave, planned before the days are simulated.
  for (let m = 0; m < 61; m++) {
    const from = cal.monthStart(m);
    if (from > lastDay) break;
    if (rng.chance(leaveRate))
      leave(workingDay(rng, cal, from, Math.min(lastDay, cal.monthStart(m + 1) - 1)), rng.int(1, 3));
  }

  // Poachers: how they move customers out.
  let viewMultiplier = 1;
  if (plan.fate === 'poacher') {
    const careful = rng.chance(0.2);
    viewMultiplier = rng.uniform(2, 5);
    plan.followUpTarget = rng.uniform(0.3, 0.7);
    plan.rampStart = Math.max(plan.windowStart, plan.lastDay - 60);
    plan.rampEnd = Math.max(plan.rampStart + 1, plan.lastDay - 15);
    plan.lateHandover = rng.chance(careful ? 0.3 : 0.7);
    if (plan.lateHandover) traits.push('late-handover');
    const lo = plan.windowStart;
    const span = Math.max(0, lastDay - lo);
    const lateDay = () => workingDay(rng, cal, lo + Math.floor(span * Math.sqrt(rng.next())), lastDay);
    if (careful) {
      traits.push('careful');
      afterHoursRate = 0;
      if (rng.chance(0.5)) emit(lateDay(), workTime(rng), 'export', e, -1, rng.int(20, 150));
    } else {
      traits.push('bulk-export');
      const night = rng.chance(0.75);
      if (night) traits.push('after-hours');
      const total = rng.int(300, 3000);
      const parts = rng.int(1, 5);
      const weights = Array.from({ length: parts }, () => 0.2 + rng.next());
      const sum = weights.reduce((a, b) => a + b, 0);
      for (const w of weights) {
        const d = lateDay();
        const atNight = night && rng.chance(0.5);
        emit(d, atNight ? nightTime(rng) : workTime(rng), 'export', e, -1, Math.max(1, Math.round((total * w) / sum)));
        if (atNight) emit(d, nightTime(rng), 'after-hours', e, -1);
      }
      if (night) {
        const count = rng.poisson((rng.uniform(4, 12) * (span + 1)) / 30.4);
        for (let k = 0; k < count; k++) emit(rng.int(lo, lastDay), nightTime(rng), 'after-hours', e, -1);
      }
      if (rng.chance(0.25)) {
        const events = rng.int(1, 3);
        for (let k = 0; k < events; k++) {
          emit(workingDay(rng, cal, lastDay - 21, lastDay), workTime(rng), 'delete', e, -1, rng.int(5, 40));
        }
      }
    }
    if (rng.chance(0.5)) {
      traits.push('competitor-contact');
      someDays(rng.int(1, 4), lo, lastDay, 'competitor-contact', workTime);
    }
  }

  // Month by month: exports, after-hours access, deletes.
  for (let m = 0; m < 61; m++) {
    const from = cal.monthStart(m);
    if (from > lastDay) break;
    const to = Math.min(lastDay, cal.monthStart(m + 1) - 1);
    const exports = rng.poisson(exportRate);
    for (let k = 0; k < exports; k++)
      emit(workingDay(rng, cal, from, to), workTime(rng), 'export', e, -1, rng.int(5, exportMax));
    const nights = rng.poisson(afterHoursRate);
    for (let k = 0; k < nights; k++) emit(rng.int(from, to), nightTime(rng), 'after-hours', e, -1);
    const deletes = rng.poisson(deleteRate);
    for (let k = 0; k < deletes; k++)
      emit(workingDay(rng, cal, from, to), workTime(rng), 'delete', e, -1, rng.int(1, 3));
  }

  // Day by day: logins and record views.
  const viewRampEnd = plan.windowStart + 14;
  for (let d = 0; d <= lastDay; d++) {
    const wd = cal.weekday[d];
    if (wd === 0 || wd === 6 || plan.onLeave[d] === 1) continue;
    if (rng.chance(loginRate)) emit(d, 7.5 * HOUR + rng.int(0, 2.5 * HOUR - 1), 'login', e, -1);
    let rate = viewEvents;
    if (d >= busyFrom && d <= busyTo) rate *= busyFactor;
    if (d >= plan.windowStart && viewMultiplier > 1) {
      rate *= 1 + (viewMultiplier - 1) * Math.min(1, (d - plan.windowStart) / (viewRampEnd - plan.windowStart));
    }
    const views = rng.poisson(rate);
    for (let k = 0; k < views; k++) emit(d, workTime(rng), 'view', e, -1, 1 + rng.poisson(viewSize - 1));
  }
}

interface CustomerRun {
  readonly c: number;
  readonly rng: Rng;
  readonly cal: Calendar;
  /** The first owner. */
  readonly p0: Plan;
  /** The colleague who takes over when the first owner leaves. */
  readonly p1: Plan | undefined;
  /** The day `p1` takes over (infinite when nobody does). */
  readonly handover: number;
  readonly fate: CustomerFate;
  readonly churn: { readonly from: number; readonly length: number; readonly day: number } | undefined;
  readonly emit: Emit;
}

/** Emits one customer's follow-ups, orders and `owner-left`. */
function simulateCustomer(run: CustomerRun): void {
  const { c, rng, cal, p0, p1, handover, fate, churn, emit } = run;
  const followUpFactor = rng.uniform(0.8, 1.2);
  const orderRate = rng.uniform(0.5, 1.5) / WORKING_DAYS_PER_MONTH;
  const medianAmount = rng.lognormal(Math.log(4000), 0.8);
  const left = p0.resignDay !== undefined ? p0.lastDay : Number.POSITIVE_INFINITY;
  const poached = p0.fate === 'poacher';
  const diverted = fate === 'diverted';
  const orderTarget = diverted ? rng.uniform(0.2, 0.6) : rng.uniform(0.7, 1);
  const afterDeparture = diverted ? (rng.chance(0.6) ? 0 : rng.uniform(0.05, 0.2)) : 1;
  const seasonPhase = (2 * Math.PI * ((cal.startMs / 86_400_000) % 365.25)) / 365.25;

  for (let d = 0; d < cal.days; d++) {
    const wd = cal.weekday[d];
    if (wd === 0 || wd === 6) continue;
    const owner = d >= handover && p1 ? p1 : p0;

    let followUp = (owner.followUpRate * followUpFactor) / WORKING_DAYS_PER_MONTH;
    if (owner === p0 && poached) followUp *= ramp(d, p0.rampStart, p0.rampEnd, p0.followUpTarget);
    if (owner === p1) {
      if (d - handover < 21) followUp *= 1.3;
      if (diverted && d > left + 21) followUp *= Math.max(0.1, 0.5 ** ((d - left - 21) / 25));
    }
    if (churn && d > churn.from) followUp *= d >= churn.day ? 0.4 : 1 - (0.6 * (d - churn.from)) / churn.length;
    if (owner.onLeave[d] !== 1 && rng.chance(followUp)) emit(d, workTime(rng), 'follow-up', owner.index, c);

    let order = orderRate * (1 + 0.1 * Math.sin(seasonPhase + (2 * Math.PI * d) / 365.25));
    if (churn && d > churn.from) order *= d >= churn.day ? 0 : 1 - (d - churn.from) / churn.length;
    if (poached) order *= d <= left ? ramp(d, p0.rampStart, p0.rampEnd, orderTarget) : afterDeparture;
    else if (d > left && d <= left + 45) order *= 0.85;
    if (order > 0 && rng.chance(order)) {
      const amount = Math.max(1, Math.round(medianAmount * Math.exp(0.5 * rng.normal())));
      emit(d, workTime(rng), 'order', owner.index, c, amount);
    }
  }
  if (left < cal.days) emit(left, 18 * HOUR + rng.int(0, HOUR - 1), 'owner-left', -1, c);
}
