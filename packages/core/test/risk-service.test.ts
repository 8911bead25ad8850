import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/audit/hash.js';
import {
  canonicalJson,
  defaultRulePacks,
  isGuardError,
  memoryNotifier,
  type RiskScanProgress,
  type SignalInput,
  type SignalKind,
  signalKindSchema,
  type ValidationError,
} from '../src/index.js';
import { employees, rejection, seededGuard, units } from './fixtures.js';

/** A big export in the departing window: 30 points doubled. */
const exfiltration = (employeeId: string, when: string): SignalInput[] => [
  { kind: 'export', employeeId, at: when, value: 800, id: `x-${employeeId}-${when}` },
  ...Array.from({ length: 5 }, (_, i) => ({
    kind: 'after-hours' as const,
    employeeId,
    at: when,
    id: `ah-${employeeId}-${when}-${i}`,
  })),
];

/** `rep` resigned on 2026-10-30 and, on 2026-11-01, exported 800 rows and worked late five times: 60 points. */
async function resigningRepMovesData(t: Awaited<ReturnType<typeof seededGuard>>['t']) {
  await t.offboarding.start({
    employeeId: 'rep',
    resignationDate: '2026-10-30',
    lastWorkingDay: '2026-11-30',
    reason: 'x',
  });
  await t.signals.record(exfiltration('rep', '2026-11-01T12:00:00Z'));
}

describe('signals.record', () => {
  it('validates signals with the path of the problem and writes nothing on error', async () => {
    const { t } = await seededGuard();
    const error = await rejection(
      t.signals.record([
        { kind: 'login', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
        { kind: 'order', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 10 } as SignalInput,
      ]),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('[1].customerId');
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).logins30d).toBe(0);
  });

  it('counts a signal with a known id once, even when the host retries', async () => {
    const { t } = await seededGuard();
    const leave: SignalInput = { kind: 'leave', employeeId: 'rep', at: '2026-10-30T09:00:00Z', value: 2, id: 'lv-1' };
    expect(await t.signals.record(leave)).toEqual({ recorded: 1, duplicates: 0 });
    expect(await t.signals.record([leave, leave])).toEqual({ recorded: 0, duplicates: 2 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).leaveDays30d).toBe(2);
  });

  it('feeds both the employee and the customer for orders and follow-ups', async () => {
    const { t } = await seededGuard();
    await t.signals.record([
      { kind: 'order', employeeId: 'rep', customerId: 'c-rep', at: '2026-09-01T09:00:00Z', value: 5000 },
      { kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: '2026-10-20T09:00:00Z' },
    ]);
    const customer = await t.risk.facts({ type: 'customer', id: 'c-rep' });
    expect(customer).toMatchObject({ orders90d: 1, orderAmount90d: 5000, daysSinceLastFollowUp: 13 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).followUps30d).toBe(1);
  });
});

/** Every signal kind: a valid signal, the fact it moves, and a way to get it wrong. */
const everyKind: Record<
  SignalKind,
  { signal: SignalInput; subject: 'employee' | 'customer'; fact: string; moved: number; broken: object; path: string }
> = {
  leave: {
    signal: { kind: 'leave', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 2 },
    subject: 'employee',
    fact: 'leaveDays30d',
    moved: 2,
    broken: { kind: 'leave', at: '2026-11-01T09:00:00Z', value: 2 },
    path: '[0].employeeId',
  },
  'resume-update': {
    signal: { kind: 'resume-update', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    subject: 'employee',
    fact: 'resumeUpdates30d',
    moved: 1,
    broken: { kind: 'resume-update', employeeId: 'rep', at: 'yesterday' },
    path: '[0].at',
  },
  'job-site-visit': {
    signal: { kind: 'job-site-visit', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    subject: 'employee',
    fact: 'jobSiteVisits30d',
    moved: 1,
    broken: { kind: 'job-site-visit', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: -1 },
    path: '[0].value',
  },
  'competitor-contact': {
    signal: { kind: 'competitor-contact', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    subject: 'employee',
    fact: 'competitorContacts30d',
    moved: 1,
    broken: { kind: 'competitor-contact', employeeId: 'rep', at: '2026-11-01T09:00:00Z', competitor: 'x' },
    path: '[0]',
  },
  login: {
    signal: { kind: 'login', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    subject: 'employee',
    fact: 'logins30d',
    moved: 1,
    broken: { kind: 'login', employeeId: 'e-nobody', at: '2026-11-01T09:00:00Z' },
    path: '[0].employeeId',
  },
  'social-insurance-change': {
    signal: { kind: 'social-insurance-change', employeeId: 'rep', at: '2026-10-01T09:00:00Z' },
    subject: 'employee',
    fact: 'socialInsuranceChanges90d',
    moved: 1,
    broken: { kind: 'social-insurance-change', employeeId: 'rep', at: '2027-06-01T09:00:00Z' },
    path: '[0].at',
  },
  'follow-up': {
    signal: { kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T09:00:00Z' },
    subject: 'customer',
    fact: 'followUps30d',
    moved: 1,
    broken: { kind: 'follow-up', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    path: '[0].customerId',
  },
  order: {
    signal: { kind: 'order', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T09:00:00Z', value: 900 },
    subject: 'customer',
    fact: 'orderAmount90d',
    moved: 900,
    broken: { kind: 'order', employeeId: 'rep', customerId: 'c-nobody', at: '2026-11-01T09:00:00Z', value: 900 },
    path: '[0].customerId',
  },
  'owner-left': {
    signal: { kind: 'owner-left', customerId: 'c-rep', at: '2026-11-01T09:00:00Z' },
    subject: 'customer',
    fact: 'daysSinceOwnerLeft',
    moved: 1,
    broken: { kind: 'owner-left', at: '2026-11-01T09:00:00Z' },
    path: '[0].customerId',
  },
  view: {
    signal: { kind: 'view', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 40 },
    subject: 'employee',
    fact: 'views30d',
    moved: 40,
    broken: { kind: 'view', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: Number.POSITIVE_INFINITY },
    path: '[0].value',
  },
  export: {
    signal: { kind: 'export', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 300 },
    subject: 'employee',
    fact: 'exports30d',
    moved: 300,
    broken: { kind: 'exports', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 300 },
    path: '[0].kind',
  },
  delete: {
    signal: { kind: 'delete', employeeId: 'rep', at: '2026-11-01T09:00:00Z', value: 3 },
    subject: 'employee',
    fact: 'deletes30d',
    moved: 3,
    broken: { kind: 'delete', employeeId: 'rep', at: '2026-11-01T09:00:00Z', id: '' },
    path: '[0].id',
  },
  'after-hours': {
    signal: { kind: 'after-hours', employeeId: 'rep', at: '2026-11-01T21:00:00Z' },
    subject: 'employee',
    fact: 'afterHours30d',
    moved: 1,
    broken: { kind: 'after-hours', employeeId: 'rep', at: '2026-11-01T21:00:00' },
    path: '[0].at',
  },
  'contact-deleted': {
    signal: { kind: 'contact-deleted', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T09:00:00Z' },
    subject: 'customer',
    fact: 'deletedByEmployees30d',
    moved: 1,
    broken: { kind: 'contact-deleted', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
    path: '[0].customerId',
  },
  'deleted-by-customer': {
    signal: { kind: 'deleted-by-customer', employeeId: 'rep', customerId: 'c-rep', at: '2026-11-01T09:00:00Z' },
    subject: 'employee',
    fact: 'deletedByCustomers30d',
    moved: 1,
    broken: { kind: 'deleted-by-customer', customerId: 'c-rep', at: '2026-11-01T09:00:00Z' },
    path: '[0].employeeId',
  },
  chat: {
    signal: { kind: 'chat', employeeId: 'rep', at: '2026-11-01T00:00:00+08:00', value: 37 },
    subject: 'employee',
    fact: 'chats7d',
    moved: 37,
    broken: { kind: 'chat', employeeId: 'rep', at: '2026-11-01T00:00:00+08:00', value: 1e13 },
    path: '[0].value',
  },
  'new-contact': {
    signal: { kind: 'new-contact', employeeId: 'rep', at: '2026-11-01T00:00:00+08:00', value: 4 },
    subject: 'employee',
    fact: 'newContacts30d',
    moved: 4,
    broken: { kind: 'new-contacts', employeeId: 'rep', at: '2026-11-01T00:00:00+08:00', value: 4 },
    path: '[0].kind',
  },
};

describe('signals.record: every kind', () => {
  it('covers every signal kind', () => {
    expect(Object.keys(everyKind).sort()).toEqual([...signalKindSchema.options].sort());
  });

  for (const [kind, c] of Object.entries(everyKind)) {
    it(`${kind}: recorded, audited once with its digest, and the fact moves`, async () => {
      const { t } = await seededGuard();
      const subject = { type: c.subject, id: c.subject === 'employee' ? 'rep' : 'c-rep' };
      const before = (await t.risk.facts(subject))[c.fact];
      expect(await t.signals.record([c.signal], { actor: { type: 'host', id: 'hr-sync' } })).toEqual({
        recorded: 1,
        duplicates: 0,
      });
      const after = (await t.risk.facts(subject))[c.fact];
      expect(typeof before === 'number' ? (after as number) - before : after).toBe(c.moved);
      const audited = await t.audit.query({ action: 'signals.record', limit: 10 });
      expect(audited.items).toHaveLength(1);
      expect(audited.items[0]).toMatchObject({
        actor: { type: 'host', id: 'hr-sync' },
        subject: { type: 'tenant', id: 'acme' },
        data: { signals: 1, recorded: 1, duplicates: 0, kinds: { [kind]: 1 } },
      });
      expect(audited.items[0]?.data.batchDigest).toBe(sha256Hex(canonicalJson([c.signal])));
    });

    it(`${kind}: a bad one is refused by its index, and nothing of the batch is written`, async () => {
      const { t } = await seededGuard();
      const error = await rejection(t.signals.record([c.broken as SignalInput, c.signal]));
      expect(isGuardError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
      expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toContain(
        c.path.replace(/^\[0\]\.?/, '0.').replace(/\.$/, ''),
      );
      const subject = { type: c.subject, id: c.subject === 'employee' ? 'rep' : 'c-rep' };
      const { [c.fact]: value } = await t.risk.facts(subject);
      expect(value === null || value === 0).toBe(true);
      expect((await t.audit.query({ action: 'signals.record', limit: 10 })).items).toEqual([]);
    });
  }
});

describe('follow-ups recorded through ownership', () => {
  it('count in the facts of the customer and of the employee who made them', async () => {
    const { t, clock } = await seededGuard();
    await t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep', channel: 'call' });
    clock.advance({ days: 2 });
    expect(await t.risk.facts({ type: 'customer', id: 'c-rep' })).toMatchObject({
      followUps30d: 1,
      daysSinceLastFollowUp: 2,
    });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).followUps30d).toBe(1);
  });
});

describe('signals.record: batches', () => {
  it('takes 10,000 signals in one call and refuses 10,001', async () => {
    const { t } = await seededGuard();
    const batch = (n: number) =>
      Array.from(
        { length: n },
        (_, i): SignalInput => ({
          kind: 'login',
          employeeId: 'rep',
          at: new Date(Date.parse('2026-10-20T00:00:00Z') + i * 60_000).toISOString(),
          id: `login-${i}`,
        }),
      );
    expect(isGuardError(await rejection(t.signals.record(batch(10_001))), 'VALIDATION_FAILED')).toBe(true);
    expect(await t.signals.record(batch(10_000))).toEqual({ recorded: 10_000, duplicates: 0 });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).logins30d).toBe(10_000);
  }, 60_000);

  it('names every bad signal of a batch by its index', async () => {
    const { t } = await seededGuard();
    const error = await rejection(
      t.signals.record([
        { kind: 'login', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
        { kind: 'login', employeeId: 'ghost', at: '2026-11-01T09:00:00Z' },
        { kind: 'login', employeeId: 'rep', at: '2026-11-01T09:00:00Z' },
        { kind: 'order', employeeId: 'rep', customerId: 'c-ghost', at: '2030-01-01T00:00:00Z', value: 1 },
      ]),
    );
    expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toEqual([
      '1.employeeId',
      '3.customerId',
      '3.at',
    ]);
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).logins30d).toBe(0);
  });
});

describe('risk.score', () => {
  it("reads the departing window from the employee's offboarding case", async () => {
    const { t } = await seededGuard();
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-10-30',
      lastWorkingDay: '2026-11-30',
      reason: 'relocation',
    });
    await t.signals.record(exfiltration('rep', '2026-11-01T12:00:00Z'));
    const facts = await t.risk.facts({ type: 'employee', id: 'rep' });
    expect(facts).toMatchObject({ status: 'resigning', daysSinceResignation: 3, daysToLastDay: 28 });
    expect(facts.openHandoverItems).toBeGreaterThan(0);
    const [score] = await t.risk.score({ type: 'employee', id: 'rep' }, { pack: 'employee-data-exfiltration' });
    expect(score?.band).toBe('alert');
    expect(score?.modifiers).toEqual(['departing-window']);
    expect(score?.fired.map((f) => f.rule)).toEqual(['bulk-export', 'after-hours-access']);
  });

  it('counts views and exports Guard checks itself', async () => {
    const { t } = await seededGuard();
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).views30d).toBe(1);
  });

  it('says which subject or pack is unknown', async () => {
    const { t } = await seededGuard();
    expect(isGuardError(await rejection(t.risk.score({ type: 'employee', id: 'nobody' })), 'NOT_FOUND')).toBe(true);
    const error = await rejection(t.risk.score({ type: 'employee', id: 'rep' }, { pack: 'nope' }));
    expect(isGuardError(error, 'NOT_FOUND')).toBe(true);
  });
});

describe('risk.scan and alerts', () => {
  it('raises one alert when a score crosses the threshold, not one per scan', async () => {
    const { guard, t } = await seededGuard();
    await resigningRepMovesData(t);
    await t.signals.record({ kind: 'login', employeeId: 'mate', at: '2026-11-01T09:00:00Z' });
    const first = await t.risk.scan({ subject: 'employee' });
    expect(first).toMatchObject({ scored: 2, alertsRaised: 1, nextCursor: null });
    expect((await t.risk.scan({ subject: 'employee' })).alertsRaised).toBe(0);
    const alerts = (await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ employeeId: 'rep', severity: 'high' });
    // Named, as HR knows the person, with the id beside the name.
    expect(alerts[0]?.summary).toMatch(/^Customer data exfiltration: employee "Rep" \(rep\) scored 60/);
    // It goes to the manager and HR, never to the employee the score is about.
    const notifier = memoryNotifier();
    await guard.worker({ notifier }).runDue();
    expect(notifier.sent.filter((n) => n.template === 'alert.raised').map((n) => n.to)).toEqual([['mgr', 'hr']]);
    expect(alerts[0]?.evidence).toMatchObject({
      pack: { id: 'employee-data-exfiltration', version: defaultRulePacks.exfiltration.version },
      // 800 rows exported and 5 after-hours accesses, both × 1.5 inside the departing window.
      score: 60,
    });
  });

  it('pages through subjects with a cursor', async () => {
    const { t } = await seededGuard();
    for (const id of ['rep', 'mate', 'other']) {
      await t.signals.record({ kind: 'login', employeeId: id, at: '2026-11-01T09:00:00Z' });
    }
    const first = await t.risk.scan({ subject: 'employee', limit: 2 });
    expect(first.scored).toBe(2);
    const second = await t.risk.scan({ subject: 'employee', limit: 2, cursor: first.nextCursor as string });
    expect(second).toMatchObject({ scored: 1, nextCursor: null });
  });

  it('runs on a schedule through the worker', async () => {
    const { guard, t, clock } = await seededGuard();
    await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-10-30',
      lastWorkingDay: '2026-11-30',
      reason: 'x',
    });
    await t.risk.schedule({ everyHours: 24 });
    const updates: RiskScanProgress[] = [];
    const worker = guard.worker({ onProgress: (p) => p.kind === 'risk-scan' && updates.push(p) });
    expect(await worker.runDue()).toMatchObject({ timersFired: 2, timerErrors: [] });
    // One committed page each, reported to onProgress: nobody has signals yet.
    expect(updates.map((u) => [u.kind, u.subject, u.scored, u.done])).toEqual([
      ['risk-scan', 'employee', 0, true],
      ['risk-scan', 'customer', 0, true],
    ]);
    expect((await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold')).toHaveLength(0);
    await t.signals.record(exfiltration('rep', '2026-11-02T01:00:00Z'));
    clock.advance({ hours: 25 });
    await worker.runDue();
    expect((await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold')).toHaveLength(1);
  });
});

describe('scheduled scans report progress', () => {
  it('counts a round across its pages, and a throwing callback changes nothing else', async () => {
    const { guard, t, clock } = await seededGuard();
    const staff = Array.from({ length: 250 }, (_, i) => ({
      id: `s-${String(i).padStart(3, '0')}`,
      name: `Staff ${i}`,
      unitId: 'sh-1',
      managerId: 'mgr',
      roles: ['sales'],
      hireDate: '2024-01-01',
    }));
    await t.directory.sync({ units, employees: [...employees, ...staff] });
    await t.signals.record(
      staff.map((e) => ({ kind: 'login' as const, employeeId: e.id, at: '2026-11-01T09:00:00Z' })),
    );
    // Two of them export, work late and delete in bulk: 25 + 15 + 25 points, above the alert threshold of 50.
    for (const id of ['s-007', 's-240']) {
      await t.signals.record([
        ...exfiltration(id, '2026-11-01T12:00:00Z'),
        { kind: 'delete', employeeId: id, at: '2026-11-01T12:00:00Z', value: 30 },
      ]);
    }
    await t.risk.schedule({ everyHours: 24 });
    const updates: RiskScanProgress[] = [];
    await guard.worker({ onProgress: (p) => p.kind === 'risk-scan' && updates.push(p) }).runDue();
    const employeesScan = updates.filter((u) => u.subject === 'employee');
    expect(employeesScan.map((u) => [u.pageScored, u.scored, u.done])).toEqual([
      [200, 200, false],
      [50, 250, true],
    ]);
    expect(employeesScan.at(-1)?.alertsRaised).toBe(2);
    // The next round counts from zero; a callback that throws is reported, and the scan still commits.
    clock.advance({ hours: 24 });
    const failing = await guard
      .worker({
        onProgress: () => {
          throw new Error('dashboard offline');
        },
      })
      .runDue();
    expect(failing.timerErrors).toEqual(Array(3).fill('onProgress: dashboard offline'));
    expect(failing.timersFired).toBe(3);
    const alerts = (await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold');
    expect(alerts.map((a) => a.employeeId).sort()).toEqual(['s-007', 's-240']);
  });
});

describe('risk.history', () => {
  it('keeps a point per pack whenever a scan gives a new score or the pack changes, for charts', async () => {
    const { t, clock } = await seededGuard();
    await resigningRepMovesData(t);
    const rep = { type: 'employee', id: 'rep' } as const;
    const exfil = 'employee-data-exfiltration';
    await t.risk.scan({ subject: 'employee' });
    const first = (await t.risk.history(rep, { pack: exfil })).items;
    expect(first).toEqual([
      {
        at: clock.now().toISOString(),
        pack: { id: exfil, version: defaultRulePacks.exfiltration.version },
        score: 60,
        band: 'alert',
        rules: ['bulk-export', 'after-hours-access'],
      },
    ]);
    // The same score again adds nothing.
    clock.advance({ hours: 24 });
    await t.risk.scan({ subject: 'employee' });
    expect((await t.risk.history(rep, { pack: exfil })).items).toHaveLength(1);
    // A higher score while above the threshold updates the open alert rather than raising another.
    await t.signals.record({ kind: 'delete', employeeId: 'rep', at: clock.now().toISOString(), value: 40 });
    expect((await t.risk.scan({ subject: 'employee' })).alertsRaised).toBe(0);
    const [open] = (await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold');
    expect(open).toMatchObject({ count: 2, evidence: { score: 98 } });
    expect((await t.risk.history(rep, { pack: exfil })).items.map((p) => p.score)).toEqual([60, 98]);
    // A month later the export has left the 30-day window: a new point.
    clock.advance({ hours: 24 * 31 });
    await t.risk.scan({ subject: 'employee' });
    const later = (await t.risk.history(rep, { pack: exfil })).items;
    expect(later.map((p) => [p.score, p.band])).toEqual([
      [60, 'alert'],
      [98, 'alert'],
      [0, 'normal'],
    ]);
    // A new version of the pack starts a point even with the same score.
    await t.risk.installPack({ ...defaultRulePacks.exfiltration, version: '9.0.0' });
    clock.advance({ hours: 24 });
    await t.risk.scan({ subject: 'employee' });
    const versions = (await t.risk.history(rep, { pack: exfil })).items.map((p) => `${p.pack.version}:${p.score}`);
    expect(versions).toEqual([
      `${defaultRulePacks.exfiltration.version}:60`,
      `${defaultRulePacks.exfiltration.version}:98`,
      `${defaultRulePacks.exfiltration.version}:0`,
      '9.0.0:0',
    ]);
    // Every pack of the subject's type, oldest first, paged; and a time range.
    const all = await t.risk.history(rep, { limit: 2 });
    expect(all.items.map((p) => p.pack.id)).toEqual([exfil, 'employee-flight-risk']);
    expect(all.nextCursor).not.toBeNull();
    const inRange = await t.risk.history(rep, { pack: exfil, from: later[2]?.at, to: clock.now().toISOString() });
    expect(inRange.items.map((p) => p.score)).toEqual([0]);
    // Only one alert for all of it: the score crossed the threshold once.
    expect((await t.alerts.list({ status: 'open' })).items.filter((a) => a.kind === 'risk-threshold')).toHaveLength(1);
  });

  it('refuses bad options with a typed error', async () => {
    const { t } = await seededGuard();
    const rep = { type: 'employee', id: 'rep' } as const;
    for (const options of [{ limit: 0 }, { from: 'yesterday' }, { pack: '' }, { colour: 'red' }]) {
      expect(isGuardError(await rejection(t.risk.history(rep, options as never)), 'VALIDATION_FAILED')).toBe(true);
    }
  });
});

describe('risk.installPack', () => {
  it('replaces a default pack, audited, and rejects a bad one with its path', async () => {
    const { t } = await seededGuard();
    const tuned = {
      ...defaultRulePacks.exfiltration,
      version: '1.1.0',
      thresholds: { alert: 95, watch: 50 },
    };
    await t.risk.installPack(tuned);
    const packs = await t.risk.packs();
    expect(packs.find((p) => p.id === 'employee-data-exfiltration')?.version).toBe('1.1.0');
    expect(packs).toHaveLength(4);
    const bad = JSON.parse(JSON.stringify(tuned));
    bad.rules[0].conditions.all[0].operator = 'greaterThen';
    const error = await rejection(t.risk.installPack(bad));
    expect((error as Error).message).toContain('rules[0].conditions.all[0].operator');
    const { items } = await t.audit.query({ action: 'risk.pack-install', limit: 10 });
    expect(items.map((e) => (e.data as { version: string }).version)).toEqual(['1.1.0']);
  });

  it('versions installs like settings: a stale expectedVersion changes nothing; removal restores the default', async () => {
    const { t } = await seededGuard();
    const id = 'employee-data-exfiltration';
    const tuned = (version: string) => ({ ...defaultRulePacks.exfiltration, version });
    await t.risk.installPack(tuned('3.0.0'), { expectedVersion: 0, actor: { type: 'host', id: 'analyst' } });
    expect((await t.risk.installedPacks()).map((p) => [p.pack.id, p.pack.version, p.version])).toEqual([
      [id, '3.0.0', 1],
    ]);
    // Two analysts start from installation 1; the second to save is refused.
    await t.risk.installPack(tuned('3.1.0'), { expectedVersion: 1 });
    const stale = await rejection(t.risk.installPack(tuned('3.2.0'), { expectedVersion: 1 }));
    expect(isGuardError(stale, 'CONFLICT')).toBe(true);
    expect((await t.risk.packs()).find((p) => p.id === id)?.version).toBe('3.1.0');
    // Removing it puts the default back in force; the installation version keeps counting.
    expect((await t.risk.removePack(id, { expectedVersion: 2 }))?.version).toBe(defaultRulePacks.exfiltration.version);
    expect((await t.risk.packs()).find((p) => p.id === id)?.version).toBe(defaultRulePacks.exfiltration.version);
    expect(await t.risk.installedPacks()).toEqual([]);
    expect(isGuardError(await rejection(t.risk.removePack(id)), 'NOT_FOUND')).toBe(true);
    // None is installed now: the next install starts from 0, and its version keeps counting.
    expect(isGuardError(await rejection(t.risk.installPack(tuned('4.0.0'), { expectedVersion: 2 })), 'CONFLICT')).toBe(
      true,
    );
    await t.risk.installPack(tuned('4.0.0'), { expectedVersion: 0 });
    expect((await t.risk.installedPacks())[0]?.version).toBe(4);
    // Every change is audited, with who made it and what it replaced.
    const log = await t.audit.query({ limit: 50 });
    const changes = log.items
      .filter((e) => e.action.startsWith('risk.pack-'))
      .map((e) => [e.action, e.actor.id, (e.data as { installation: number }).installation]);
    expect(changes).toEqual([
      ['risk.pack-install', 'analyst', 1],
      ['risk.pack-install', 'host', 2],
      ['risk.pack-remove', 'host', 3],
      ['risk.pack-install', 'host', 4],
    ]);
    expect(log.items.find((e) => e.action === 'risk.pack-install' && e.data?.installation === 2)?.data).toMatchObject({
      version: '3.1.0',
      previous: '3.0.0',
    });
    expect(log.items.find((e) => e.action === 'risk.pack-install' && e.data?.installation === 4)?.data).toMatchObject({
      previous: null,
    });
  });

  it('refuses bad options and unknown packs with typed errors', async () => {
    const { t } = await seededGuard();
    for (const options of [{ expectedVersion: -1 }, { expectedVersion: 1.5 }, { actor: 'me' }, { force: true }]) {
      const error = await rejection(t.risk.installPack(defaultRulePacks.churn, options as never));
      expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    expect(isGuardError(await rejection(t.risk.removePack('')), 'VALIDATION_FAILED')).toBe(true);
    expect(isGuardError(await rejection(t.risk.removePack('nope')), 'NOT_FOUND')).toBe(true);
  });
});
