import {
  addSignal,
  customerFacts,
  dailyEmployeeFacts,
  defaultRulePacks,
  type EmployeeRiskState,
  employeeFacts,
  emptyLedger,
  type Facts,
  type LabelledSnapshot,
  labelledSnapshotSchema,
  type RiskScore,
  riskEvaluator,
  type SignalInput,
  type SignalLedger,
  signalSubjects,
} from '@guard/core';
import { describe, expect, it } from 'vitest';
import {
  type HistoryPurpose,
  labelledHistory,
  type SalesOrgSimulation,
  type SimulatedCustomer,
  type SimulatedEmployee,
  type SnapshotPeriod,
  simulateSalesOrg,
  toJsonl,
} from '../src/index.js';

// One branch of 6 reps with 4 customers each, 7 months (2025-01-01 to
// 2025-08-01): two poachers, two honest leavers, some churn.
const sim = simulateSalesOrg({
  seed: 11,
  months: 7,
  branches: 1,
  repsPerBranch: 6,
  customersPerRep: 4,
  poacherRate: 0.34,
  honestLeaverRate: 0.34,
  churnRate: 0.25,
});

const DAY = 86_400_000;
const dayMs = (key: string) => Date.parse(`${key}T00:00:00Z`);
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const endOf = (key: string) => `${key}T23:59:59Z`;

const history = {
  poaching: labelledHistory(sim, { subject: 'employee', purpose: 'poaching' }),
  leaving: labelledHistory(sim, { subject: 'employee', purpose: 'leaving' }),
  diversion: labelledHistory(sim, { subject: 'customer', purpose: 'diversion' }),
  churn: labelledHistory(sim, { subject: 'customer', purpose: 'churn', every: 'month' }),
} satisfies Record<HistoryPurpose, LabelledSnapshot[]>;

/**
 * The snapshot times, worked out independently: the end (23:59:59 UTC) of
 * every day, every Sunday, or every month's last day, from three months after the
 * start to the end of the period.
 */
function expectedTimes(s: SalesOrgSimulation, every: SnapshotPeriod): string[] {
  const start = new Date(dayMs(s.options.start));
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  const from = Date.UTC(y, m + 3, d);
  const end = dayMs(s.end);
  const out: string[] = [];
  if (every === 'day' || every === 'week') {
    for (let t = from; t < end; t += DAY) {
      if (every === 'day' || new Date(t).getUTCDay() === 0) out.push(endOf(dayKey(t)));
    }
  } else {
    for (let k = 3; Date.UTC(y, m + k + 1, d) - DAY < end; k++)
      out.push(endOf(dayKey(Date.UTC(y, m + k + 1, d) - DAY)));
  }
  return out;
}

function rowsOf(rows: readonly LabelledSnapshot[], subject: string): LabelledSnapshot[] {
  return rows.filter((r) => r.subject === subject);
}

/** The employee's state at the end of `day`, from the simulation's ground truth. */
function employeeState(s: SalesOrgSimulation, e: SimulatedEmployee, day: string): EmployeeRiskState {
  const customersOwned = s.customers.filter((c) => {
    const owner = c.handedOverOn !== undefined && day >= c.handedOverOn ? c.newOwnerId : c.ownerId;
    return owner === e.id;
  }).length;
  if (e.resignationDate !== undefined && day >= e.resignationDate) {
    return {
      status: 'resigning',
      resignationDate: e.resignationDate,
      lastWorkingDay: e.lastWorkingDay,
      openHandoverItems: customersOwned,
      customersOwned,
    };
  }
  return { status: 'active', customersOwned };
}

/**
 * Replays the subject's signals through core's `addSignal`, one snapshot
 * at a time, and computes the facts with core's `employeeFacts` /
 * `customerFacts` — the reference the history must equal.
 */
function replay(
  s: SalesOrgSimulation,
  type: 'employee' | 'customer',
  id: string,
  times: readonly string[],
): LabelledSnapshot['facts'][] {
  const departure = type === 'customer' ? departureRiskOf(s, s.customers.find((c) => c.id === id)?.ownerId) : 0;
  const own = s.signals
    .map((x) => (x.kind === 'owner-left' ? { ...x, value: departure } : x))
    .filter((x) => signalSubjects(x).some((ref) => ref.type === type && ref.id === id))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const employee = s.employees.find((e) => e.id === id);
  let ledger: SignalLedger = emptyLedger();
  let next = 0;
  return times.map((at) => {
    const cutoff = Date.parse(at);
    while (next < own.length && Date.parse((own[next] as SignalInput).at) <= cutoff) {
      ledger = addSignal(ledger, own[next] as SignalInput);
      next++;
    }
    const asOf = new Date(at);
    return type === 'employee'
      ? employeeFacts(ledger, employeeState(s, employee as SimulatedEmployee, at.slice(0, 10)), asOf)
      : customerFacts(ledger, asOf);
  });
}

/**
 * What Guard records with owner-left: the departing owner's highest score with the default
 * exfiltration pack at the end of each of their last 90 days, replayed through addSignal.
 */
function departureRiskOf(s: SalesOrgSimulation, ownerId: string | undefined): number {
  const employee = s.employees.find((e) => e.id === ownerId);
  const leftAt = s.signals.find(
    (x) => x.kind === 'owner-left' && s.customers.find((c) => c.id === x.customerId)?.ownerId === ownerId,
  )?.at;
  if (!employee || leftAt === undefined) return 0;
  let ledger: SignalLedger = emptyLedger();
  for (const x of s.signals) {
    if (x.employeeId === employee.id && Date.parse(x.at) <= Date.parse(leftAt)) ledger = addSignal(ledger, x);
  }
  const open = s.customers.filter(
    (c) => c.ownerId === employee.id && (c.handedOverOn === undefined || c.handedOverOn > leftAt.slice(0, 10)),
  ).length;
  const state = {
    status: 'resigning' as const,
    resignationDate: employee.resignationDate,
    lastWorkingDay: employee.lastWorkingDay,
    openHandoverItems: open,
    customersOwned: open,
  };
  const score = riskEvaluator(defaultRulePacks.exfiltration).scoreSync as (f: Facts) => RiskScore;
  return Math.max(0, ...dailyEmployeeFacts(ledger, state, new Date(leftAt), 90).map((f) => score(f).score));
}

describe('labelledHistory: snapshots', () => {
  it('covers every subject, sorted by subject and then time', () => {
    for (const rows of Object.values(history)) {
      const keys = rows.map((r) => `${r.subject} ${r.at}`);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(new Set(history.poaching.map((r) => r.subject))).toEqual(new Set(sim.employees.map((e) => e.id)));
    expect(new Set(history.diversion.map((r) => r.subject))).toEqual(new Set(sim.customers.map((c) => c.id)));
  });

  it('takes snapshots at the end of every Sunday or month end, from the fourth month on', () => {
    const weeks = expectedTimes(sim, 'week');
    const months = expectedTimes(sim, 'month');
    expect(weeks[0]).toBe('2025-04-06T23:59:59Z');
    expect(weeks.at(-1)).toBe('2025-07-27T23:59:59Z');
    expect(months).toEqual([
      '2025-04-30T23:59:59Z',
      '2025-05-31T23:59:59Z',
      '2025-06-30T23:59:59Z',
      '2025-07-31T23:59:59Z',
    ]);
    // Customers: every customer at every period end, also after its deadline.
    for (const c of sim.customers) {
      expect(rowsOf(history.diversion, c.id).map((r) => r.at)).toEqual(weeks);
      expect(rowsOf(history.churn, c.id).map((r) => r.at)).toEqual(months);
    }
    // Employees: every period end while employed, none after the last working day.
    for (const e of sim.employees) {
      const employed = weeks.filter((at) => e.lastWorkingDay === undefined || at.slice(0, 10) <= e.lastWorkingDay);
      expect(rowsOf(history.poaching, e.id).map((r) => r.at)).toEqual(employed);
      expect(rowsOf(history.leaving, e.id).map((r) => r.at)).toEqual(employed);
    }
  });

  it('takes daily snapshots with the same facts as the weekly ones on Sundays', () => {
    const daily = labelledHistory(sim, { subject: 'employee', every: 'day' });
    for (const e of sim.employees.slice(0, 3)) {
      const employed = expectedTimes(sim, 'day').filter(
        (at) => e.lastWorkingDay === undefined || at.slice(0, 10) <= e.lastWorkingDay,
      );
      expect(rowsOf(daily, e.id).map((r) => r.at)).toEqual(employed);
    }
    const sundays = new Set(history.poaching.map((r) => `${r.subject}@${r.at}`));
    expect(daily.filter((r) => sundays.has(`${r.subject}@${r.at}`))).toEqual(history.poaching);
  });

  it('uses weekly snapshots and the poaching / diversion purposes by default', () => {
    expect(labelledHistory(sim, { subject: 'employee' })).toEqual(history.poaching);
    expect(labelledHistory(sim, { subject: 'customer' })).toEqual(history.diversion);
    const weeklyChurn = labelledHistory(sim, { subject: 'customer', purpose: 'churn' });
    expect(rowsOf(weeklyChurn, 'c-000001').map((r) => r.at)).toEqual(expectedTimes(sim, 'week'));
  });

  it('yields lines that core’s labelledSnapshotSchema accepts', () => {
    for (const rows of Object.values(history)) {
      const rejected = rows.flatMap((r) => {
        const result = labelledSnapshotSchema.safeParse(r);
        return result.success ? [] : [{ row: r, issues: result.error.issues }];
      });
      expect(rejected).toEqual([]);
    }
  });

  it('rejects a purpose that does not fit the subject, and an unknown period', () => {
    expect(() => labelledHistory(sim, { subject: 'employee', purpose: 'churn' })).toThrow(RangeError);
    expect(() => labelledHistory(sim, { subject: 'employee', purpose: 'diversion' })).toThrow(
      /purpose "diversion" does not fit subject "employee"/,
    );
    expect(() => labelledHistory(sim, { subject: 'customer', purpose: 'leaving' })).toThrow(
      /purpose "leaving" does not fit subject "customer"/,
    );
    expect(() => labelledHistory(sim, { subject: 'customer', every: 'hour' as SnapshotPeriod })).toThrow(
      /^every must be 'day', 'week' or 'month', got hour$/,
    );
  });

  it('gives no snapshots when the period ends before the fourth month', () => {
    const short = simulateSalesOrg({
      seed: 1,
      months: 3,
      branches: 1,
      repsPerBranch: 2,
      customersPerRep: 1,
      poacherRate: 0,
      honestLeaverRate: 0,
    });
    expect(labelledHistory(short, { subject: 'employee' })).toEqual([]);
    expect(labelledHistory(short, { subject: 'customer', every: 'month' })).toEqual([]);
  });
});

describe('labelledHistory: facts', () => {
  it('equals a replay through addSignal + employeeFacts at each snapshot, for every employee', () => {
    for (const e of sim.employees) {
      const rows = rowsOf(history.poaching, e.id);
      expect(rows.length, e.id).toBeGreaterThan(0);
      expect(
        rows.map((r) => r.facts),
        e.id,
      ).toEqual(
        replay(
          sim,
          'employee',
          e.id,
          rows.map((r) => r.at),
        ),
      );
    }
    // The other employee purpose changes the labels only.
    expect(history.leaving.map(({ subject, at, facts }) => ({ subject, at, facts }))).toEqual(
      history.poaching.map(({ subject, at, facts }) => ({ subject, at, facts })),
    );
  });

  it('equals a replay through addSignal + customerFacts at each snapshot, for a sample of customers', () => {
    // Every diverted and churned customer, and every third loyal one.
    const sample = sim.customers.filter((c, k) => c.fate !== 'loyal' || k % 3 === 0);
    expect(sample.some((c) => c.fate === 'diverted')).toBe(true);
    expect(sample.some((c) => c.fate === 'churned')).toBe(true);
    // owner-left carries the departing owner's exfiltration peak: a poacher's is high.
    expect(history.diversion.some((r) => Number(r.facts.formerOwnerRisk) >= 50)).toBe(true);
    for (const c of sample) {
      for (const rows of [rowsOf(history.diversion, c.id), rowsOf(history.churn, c.id)]) {
        expect(
          rows.map((r) => r.facts),
          c.id,
        ).toEqual(
          replay(
            sim,
            'customer',
            c.id,
            rows.map((r) => r.at),
          ),
        );
      }
    }
  });

  it('counts exports over the 30 UTC days ending on the snapshot day, as the raw signals say', () => {
    for (const row of history.poaching) {
      const hi = dayMs(row.at.slice(0, 10)) + DAY;
      const lo = hi - 30 * DAY;
      const rows = sim.signals
        .filter((s) => s.kind === 'export' && s.employeeId === row.subject)
        .filter((s) => Date.parse(s.at) >= lo && Date.parse(s.at) < hi)
        .reduce((total, s) => total + (s.value ?? 1), 0);
      expect(row.facts.exports30d, `${row.subject} ${row.at}`).toBe(rows);
    }
  });

  it('marks leavers as resigning from the resignation date, with their not yet handed-over customers open', () => {
    const leavers = sim.employees.filter((e) => e.fate !== 'stayer');
    expect(leavers).toHaveLength(4);
    for (const e of leavers) {
      const rows = rowsOf(history.leaving, e.id);
      const resigning = rows.filter((r) => r.at.slice(0, 10) >= (e.resignationDate as string));
      expect(resigning.length, e.id).toBeGreaterThan(0);
      for (const r of rows) {
        const expected = r.at.slice(0, 10) >= (e.resignationDate as string) ? 'resigning' : 'active';
        expect(r.facts.status, `${e.id} ${r.at}`).toBe(expected);
      }
      const first = resigning[0] as LabelledSnapshot;
      expect(first.facts.daysSinceResignation).toBe(
        (dayMs(first.at.slice(0, 10)) - dayMs(e.resignationDate as string)) / DAY,
      );
      expect(first.facts.daysToLastDay).toBe((dayMs(e.lastWorkingDay as string) - dayMs(first.at.slice(0, 10))) / DAY);
      for (const r of resigning) expect(r.facts.openHandoverItems).toBe(r.facts.customersOwned);
    }
    for (const e of sim.employees.filter((x) => x.fate === 'stayer')) {
      expect(
        rowsOf(history.leaving, e.id).every((r) => r.facts.status === 'active'),
        e.id,
      ).toBe(true);
    }
  });

  it('reorders hand-edited signals by time before replaying them', () => {
    const shuffled: SalesOrgSimulation = { ...sim, signals: [...sim.signals].reverse() };
    expect(labelledHistory(shuffled, { subject: 'customer', purpose: 'churn', every: 'month' })).toEqual(history.churn);
  });

  it('is deterministic', () => {
    expect(labelledHistory(sim, { subject: 'customer', every: 'month', purpose: 'churn' })).toEqual(history.churn);
  });
});

describe('labelledHistory: labels', () => {
  const employees = new Map(sim.employees.map((e) => [e.id, e]));
  const customers = new Map(sim.customers.map((c) => [c.id, c]));
  const truth = new Map(sim.labels.map((l) => [`${l.subjectType}:${l.subject}`, l]));

  it('has every fate in the sample organisation', () => {
    expect(new Set(sim.employees.map((e) => e.fate))).toEqual(new Set(['stayer', 'honest-leaver', 'poacher']));
    expect(new Set(sim.customers.map((c) => c.fate))).toEqual(new Set(['loyal', 'churned', 'diverted']));
  });

  it('poaching: positive = poacher, deadline = the end of the last working day', () => {
    for (const r of history.poaching) {
      const e = employees.get(r.subject) as SimulatedEmployee;
      const label = truth.get(`employee:${r.subject}`);
      expect(r.group).toBe(label?.fate);
      expect(r.label).toEqual(
        e.fate === 'poacher' ? { positive: true, deadline: endOf(label?.on as string) } : { positive: false },
      );
    }
    expect(new Set(history.poaching.filter((r) => r.label.positive).map((r) => r.subject))).toEqual(
      new Set(sim.employees.filter((e) => e.fate === 'poacher').map((e) => e.id)),
    );
  });

  it('leaving: positive = any leaver, deadline = the end of the resignation date; snapshots go on to the last day', () => {
    for (const r of history.leaving) {
      const e = employees.get(r.subject) as SimulatedEmployee;
      expect(r.group).toBe(truth.get(`employee:${r.subject}`)?.fate);
      expect(r.label).toEqual(
        e.fate === 'stayer' ? { positive: false } : { positive: true, deadline: endOf(e.resignationDate as string) },
      );
    }
    const positives = new Set(history.leaving.filter((r) => r.label.positive).map((r) => r.subject));
    expect(positives).toEqual(new Set(sim.employees.filter((e) => e.fate !== 'stayer').map((e) => e.id)));
    // The notice period lies after the deadline and is still in the history, as the resigning state.
    for (const id of positives) {
      const after = rowsOf(history.leaving, id).filter((r) => r.at > (r.label.deadline as string));
      expect(after.length, id).toBeGreaterThan(0);
      expect(after.every((r) => r.facts.status === 'resigning')).toBe(true);
    }
  });

  it('diversion: positive = diverted, deadline = the end of divertedAt + 120 days', () => {
    for (const r of history.diversion) {
      const c = customers.get(r.subject) as SimulatedCustomer;
      const label = truth.get(`customer:${r.subject}`);
      expect(r.group).toBe(label?.fate);
      if (c.fate === 'diverted') {
        const owner = employees.get(c.ownerId);
        expect(owner?.fate).toBe('poacher');
        expect(label?.on).toBe(owner?.lastWorkingDay);
        expect(r.label).toEqual({ positive: true, deadline: endOf(dayKey(dayMs(c.divertedAt as string) + 120 * DAY)) });
      } else {
        expect(r.label).toEqual({ positive: false });
      }
    }
  });

  it('churn: positive = churned, deadline = the end of churnedAt', () => {
    for (const r of history.churn) {
      const c = customers.get(r.subject) as SimulatedCustomer;
      const label = truth.get(`customer:${r.subject}`);
      expect(r.group).toBe(label?.fate);
      expect(r.label).toEqual(
        c.fate === 'churned' ? { positive: true, deadline: endOf(label?.on as string) } : { positive: false },
      );
    }
    expect(history.churn.some((r) => r.label.positive)).toBe(true);
  });
});

describe('toJsonl', () => {
  it('writes one JSON object per line that parses back to the same snapshot', () => {
    const rows = history.churn;
    const text = toJsonl(rows);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(rows.length);
    const parsed = lines.map((line) => labelledSnapshotSchema.parse(JSON.parse(line)));
    expect(parsed).toEqual(rows);
  });

  it('writes nothing for no rows, and any JSON value per line', () => {
    expect(toJsonl([])).toBe('');
    expect(toJsonl([{ subject: 'e-1', facts: { a: 1 } }, 'x', 2])).toBe('{"subject":"e-1","facts":{"a":1}}\n"x"\n2\n');
  });
});
