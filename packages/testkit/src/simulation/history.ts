import {
  customerFacts,
  dailyEmployeeFacts,
  defaultRulePacks,
  type EmployeeRiskState,
  employeeFacts,
  type LabelledSnapshot,
  type RulePack,
  riskEvaluator,
  type SignalInput,
  type SignalKind,
  type SignalLedger,
  signalSubjects,
} from '@guard/core';
import { DAY_MS, dayKeyOf, makeCalendar, parseDay } from './calendar.js';
import type { SalesOrgSimulation, SimulatedCustomer, SimulatedEmployee } from './organisation.js';

/**
 * How often {@link labelledHistory} takes a snapshot: at the end of every
 * day (as the worker's daily scan scores), every week (Sunday) or every
 * calendar month.
 *
 * @example
 * ```ts
 * import type { SnapshotPeriod } from '@guard/testkit';
 * const every: SnapshotPeriod = 'month';
 * ```
 */
export type SnapshotPeriod = 'day' | 'week' | 'month';

/**
 * What a labelled history's positives are: poachers or every leaver
 * (employees), diverted or churned customers.
 *
 * @example
 * ```ts
 * import type { HistoryPurpose } from '@guard/testkit';
 * const purpose: HistoryPurpose = 'diversion';
 * ```
 */
export type HistoryPurpose = 'poaching' | 'leaving' | 'diversion' | 'churn';

/**
 * Options of {@link labelledHistory}. `purpose` defaults to `'poaching'`
 * for employees and `'diversion'` for customers; employees have
 * `'poaching'` and `'leaving'`, customers `'diversion'` and `'churn'`.
 *
 * @example
 * ```ts
 * import type { LabelledHistoryOptions } from '@guard/testkit';
 * const options: LabelledHistoryOptions = { subject: 'customer', every: 'month', purpose: 'churn' };
 * ```
 */
export interface LabelledHistoryOptions {
  readonly subject: 'employee' | 'customer';
  /** Default `'week'`. */
  readonly every?: SnapshotPeriod | undefined;
  readonly purpose?: HistoryPurpose | undefined;
  /**
   * Customers: the pack whose highest score of a departing owner's last 90
   * days becomes the `value` of `owner-left` (the customer fact
   * `formerOwnerRisk`), as Guard records it at the handover. Default: the
   * default data-exfiltration pack. It must run on the compiled fast path.
   */
  readonly departureRiskPack?: RulePack | undefined;
}

/** Seconds in the snapshot time: facts are taken at the very end of the period's last day. */
const END_OF_DAY = 'T23:59:59Z';

/** A ledger that is changed in place: the same shape and the same totals as core's `addSignal` builds. */
interface MutableLedger {
  days: Record<string, Partial<Record<SignalKind, { count: number; sum: number }>>>;
  last: Partial<Record<SignalKind, string>>;
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Adds a signal in place, exactly as `addSignal` would (UTC day totals; the latest time per kind). */
function addInPlace(ledger: MutableLedger, signal: SignalInput): void {
  // Fast path for the simulation's own `YYYY-MM-DDTHH:MM:SSZ` times; anything else goes through Date.
  const at = CANONICAL.test(signal.at) ? `${signal.at.slice(0, 19)}.000Z` : new Date(signal.at).toISOString();
  const dayKey = at.slice(0, 10);
  const day = ledger.days[dayKey] ?? {};
  ledger.days[dayKey] = day;
  const totals = day[signal.kind];
  const value = signal.value ?? 1;
  if (totals) {
    totals.count += 1;
    totals.sum += value;
  } else {
    day[signal.kind] = { count: 1, sum: value };
  }
  const prior = ledger.last[signal.kind];
  if (prior === undefined || prior < at) ledger.last[signal.kind] = at;
}

/** The day indices (from the start) at whose end snapshots are taken: from the fourth month on. */
function snapshotDays(sim: SalesOrgSimulation, every: SnapshotPeriod): number[] {
  const cal = makeCalendar(parseDay(sim.options.start, 'start'), sim.options.months);
  const from = cal.monthStart(3);
  const out: number[] = [];
  if (every === 'day' || every === 'week') {
    for (let d = from; d < cal.days; d++) if (every === 'day' || cal.weekday[d] === 0) out.push(d);
  } else {
    for (let m = 3; cal.monthStart(m + 1) - 1 < cal.days; m++) out.push(cal.monthStart(m + 1) - 1);
  }
  return out;
}

function endOfDay(day: string, plusDays = 0): string {
  const key = plusDays === 0 ? day : dayKeyOf(Date.parse(`${day}T00:00:00Z`) + plusDays * DAY_MS);
  return `${key}${END_OF_DAY}`;
}

/**
 * Replays a simulation's signals in time order and takes a labelled
 * snapshot of every employee's or customer's facts at the end of every day,
 * week or month — the `labelled.jsonl` a backtest reads. Facts come from core's
 * `employeeFacts` / `customerFacts`, each computed from only the signals up
 * to the snapshot time.
 *
 * **Baseline warm-up:** the first three months are skipped (every subject
 * exists from the start, so this skips the first three months of each
 * employee and customer): trends need 60–270 days of history before they
 * mean anything. Snapshots start with the first period that ends in the
 * fourth month.
 *
 * - `subject: 'employee'` — one snapshot per period end while employed (none
 *   after the last working day); the state is `resigning` from the
 *   resignation date to the last working day, with `openHandoverItems` = the
 *   customers not yet handed over, and `customersOwned` = the customers the
 *   employee owns that day. `poaching`: positive = poacher, deadline = the
 *   end of the last working day; `leaving` (for flight-risk packs): positive
 *   = any leaver, deadline = the end of the resignation date.
 * - `subject: 'customer'` — every customer at every period end; an
 *   `owner-left` signal carries the departing owner's highest
 *   `departureRiskPack` score of their last 90 days, as Guard records it.
 *   `diversion`:
 *   positive = diverted, deadline = `divertedAt` + 120 days; `churn`:
 *   positive = churned, deadline = the end of `churnedAt`.
 *
 * `group` is the subject's fate. Snapshots are sorted by subject, then time.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { labelledHistory, simulateSalesOrg, toJsonl } from '@guard/testkit';
 * const sim = simulateSalesOrg({ seed: 42 });
 * const employees = labelledHistory(sim, { subject: 'employee', every: 'week' });
 * writeFileSync('labelled.jsonl', toJsonl(employees));
 * const customers = labelledHistory(sim, { subject: 'customer', every: 'month', purpose: 'churn' });
 * ```
 */
export function labelledHistory(sim: SalesOrgSimulation, options: LabelledHistoryOptions): LabelledSnapshot[] {
  const every = options.every ?? 'week';
  if (every !== 'day' && every !== 'week' && every !== 'month') {
    throw new RangeError(`every must be 'day', 'week' or 'month', got ${every}`);
  }
  const subject = options.subject;
  const purpose = options.purpose ?? (subject === 'employee' ? 'poaching' : 'diversion');
  const fits =
    subject === 'employee'
      ? purpose === 'poaching' || purpose === 'leaving'
      : subject === 'customer' && (purpose === 'diversion' || purpose === 'churn');
  if (!fits) {
    throw new RangeError(
      `purpose ${JSON.stringify(purpose)} does not fit subject ${JSON.stringify(subject)}: employees have 'poaching' or 'leaving', customers 'diversion' or 'churn'`,
    );
  }
  const startMs = parseDay(sim.options.start, 'start');
  const days = snapshotDays(sim, every);
  const dayIndex = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - startMs) / DAY_MS);

  // Signals in time order (the simulation's already are; a hand-edited one may not be).
  let signals = sim.signals;
  const times = signals.map((s) => Date.parse(s.at));
  if (times.some((t, k) => k > 0 && t < (times[k - 1] as number))) {
    const order = times.map((_, k) => k).sort((a, b) => (times[a] as number) - (times[b] as number));
    signals = order.map((k) => sim.signals[k] as SignalInput);
    times.sort((a, b) => a - b);
  }

  if (subject === 'customer') {
    signals = withDepartureRisk(sim, signals, options.departureRiskPack ?? defaultRulePacks.exfiltration);
  }
  const ids = (subject === 'employee' ? sim.employees : sim.customers).map((s) => s.id);
  const ledgers = new Map<string, MutableLedger>(ids.map((id) => [id, { days: {}, last: {} }]));
  const rows = new Map<string, LabelledSnapshot[]>(ids.map((id) => [id, []]));

  const employees = new Map(sim.employees.map((e) => [e.id, e]));
  const customers = sim.customers.map((c) => ({
    customer: c,
    handover: c.handedOverOn !== undefined ? dayIndex(c.handedOverOn) : Number.POSITIVE_INFINITY,
  }));
  const employeeDays = new Map(
    sim.employees.map((e) => [
      e.id,
      {
        resign: e.resignationDate !== undefined ? dayIndex(e.resignationDate) : Number.POSITIVE_INFINITY,
        last: e.lastWorkingDay !== undefined ? dayIndex(e.lastWorkingDay) : Number.POSITIVE_INFINITY,
      },
    ]),
  );

  let next = 0;
  for (const d of days) {
    const at = `${dayKeyOf(startMs + d * DAY_MS)}${END_OF_DAY}`;
    const asOf = new Date(at);
    const cutoff = asOf.getTime();
    while (next < signals.length && (times[next] as number) <= cutoff) {
      const signal = signals[next] as SignalInput;
      for (const ref of signalSubjects(signal)) {
        if (ref.type !== subject) continue;
        const ledger = ledgers.get(ref.id);
        if (ledger) addInPlace(ledger, signal);
      }
      next++;
    }
    if (subject === 'employee') {
      const owned = new Map<string, number>();
      for (const { customer, handover } of customers) {
        const owner = d >= handover && customer.newOwnerId !== undefined ? customer.newOwnerId : customer.ownerId;
        owned.set(owner, (owned.get(owner) ?? 0) + 1);
      }
      for (const id of ids) {
        const employee = employees.get(id) as SimulatedEmployee;
        const when = employeeDays.get(id) as { resign: number; last: number };
        if (d > when.last) continue;
        const customersOwned = owned.get(id) ?? 0;
        const state: EmployeeRiskState =
          d >= when.resign
            ? {
                status: 'resigning',
                resignationDate: employee.resignationDate,
                lastWorkingDay: employee.lastWorkingDay,
                openHandoverItems: customersOwned,
                customersOwned,
              }
            : { status: 'active', customersOwned };
        rows.get(id)?.push({
          subject: id,
          at,
          facts: employeeFacts(ledgers.get(id) as SignalLedger, state, asOf),
          label: employeeLabel(employee, purpose),
          group: employee.fate,
        });
      }
    } else {
      for (const { customer } of customers) {
        rows.get(customer.id)?.push({
          subject: customer.id,
          at,
          facts: customerFacts(ledgers.get(customer.id) as SignalLedger, asOf),
          label: customerLabel(customer, purpose),
          group: customer.fate,
        });
      }
    }
  }
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).flatMap((id) => rows.get(id) ?? []);
}

/**
 * The signals with each `owner-left` valued as Guard values it at the
 * handover: the departing owner's highest score with `pack` at the end of
 * each of their last 90 days.
 */
function withDepartureRisk(sim: SalesOrgSimulation, signals: readonly SignalInput[], pack: RulePack): SignalInput[] {
  const score = riskEvaluator(pack).scoreSync;
  if (score === null) {
    throw new RangeError(`departureRiskPack ${pack.id}@${pack.version} must run on the compiled fast path`);
  }
  const ownerOf = new Map(sim.customers.map((c) => [c.id, c.ownerId]));
  // When each leaver's customers were told their owner left: the first owner-left of theirs.
  const departedAt = new Map<string, string>();
  for (const s of signals) {
    const owner = s.kind === 'owner-left' && s.customerId !== undefined ? ownerOf.get(s.customerId) : undefined;
    if (owner !== undefined && !departedAt.has(owner)) departedAt.set(owner, s.at);
  }
  const ledgers = new Map<string, MutableLedger>([...departedAt.keys()].map((id) => [id, { days: {}, last: {} }]));
  for (const s of signals) {
    const until = s.employeeId === undefined ? undefined : departedAt.get(s.employeeId);
    if (until !== undefined && Date.parse(s.at) <= Date.parse(until))
      addInPlace(ledgers.get(s.employeeId as string) as MutableLedger, s);
  }
  const employees = new Map(sim.employees.map((e) => [e.id, e]));
  const risk = new Map<string, number>();
  for (const [id, at] of departedAt) {
    const employee = employees.get(id) as SimulatedEmployee;
    const day = at.slice(0, 10);
    const open = sim.customers.filter(
      (c) => c.ownerId === id && (c.handedOverOn === undefined || c.handedOverOn > day),
    ).length;
    const state: EmployeeRiskState = {
      status: 'resigning',
      resignationDate: employee.resignationDate,
      lastWorkingDay: employee.lastWorkingDay,
      openHandoverItems: open,
      customersOwned: open,
    };
    const days = dailyEmployeeFacts(ledgers.get(id) as SignalLedger, state, new Date(at), 90);
    risk.set(
      id,
      days.reduce((max, facts) => Math.max(max, score(facts).score), 0),
    );
  }
  return signals.map((s) => {
    const owner = s.kind === 'owner-left' && s.customerId !== undefined ? ownerOf.get(s.customerId) : undefined;
    return owner === undefined ? s : { ...s, value: risk.get(owner) ?? 0 };
  });
}

function employeeLabel(employee: SimulatedEmployee, purpose: HistoryPurpose): LabelledSnapshot['label'] {
  if (purpose === 'leaving') {
    const positive = employee.fate !== 'stayer';
    return {
      positive,
      ...(positive && employee.resignationDate ? { deadline: endOfDay(employee.resignationDate) } : {}),
    };
  }
  const positive = employee.fate === 'poacher';
  return { positive, ...(positive && employee.lastWorkingDay ? { deadline: endOfDay(employee.lastWorkingDay) } : {}) };
}

function customerLabel(customer: SimulatedCustomer, purpose: HistoryPurpose): LabelledSnapshot['label'] {
  if (purpose === 'churn') {
    const positive = customer.fate === 'churned';
    return { positive, ...(positive && customer.churnedAt ? { deadline: endOfDay(customer.churnedAt) } : {}) };
  }
  const positive = customer.fate === 'diverted';
  return { positive, ...(positive && customer.divertedAt ? { deadline: endOfDay(customer.divertedAt, 120) } : {}) };
}

/**
 * Turns rows into JSON Lines: one `JSON.stringify`d row per line, each
 * ending in a newline (an empty string for no rows). Use it to write
 * `labelled.jsonl` or `facts.jsonl`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { labelledHistory, simulateSalesOrg, toJsonl } from '@guard/testkit';
 * const history = labelledHistory(simulateSalesOrg({ seed: 1 }), { subject: 'employee' });
 * writeFileSync('labelled.jsonl', toJsonl(history));
 * writeFileSync('facts.jsonl', toJsonl(history.map(({ subject, at, facts }) => ({ subject, at, facts }))));
 * ```
 */
export function toJsonl(rows: readonly unknown[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}
