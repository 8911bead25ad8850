import { createTestModel } from '@xstate/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  __unsafe_getAllOwnEventDescriptors,
  type AnyMachineSnapshot,
  createActor,
  type Snapshot,
  type SnapshotFrom,
} from 'xstate';
import type { ActorRef, Json } from '../../src/domain/entities.js';
import {
  type HandoverItem,
  handoverItemSchema,
  type NonCompeteTerms,
  nonCompeteTermsSchema,
  OFFBOARDING_MACHINE_ID,
  OFFBOARDING_MACHINE_VERSION,
  type OffboardingContext,
  type OffboardingEvent,
  type OffboardingInput,
  offboardingEventSchema,
  offboardingInputSchema,
  offboardingMachine,
} from '../../src/workflows/offboarding/index.js';
import type { WorkflowEmitted } from '../../src/workflows/protocol.js';

// ---------------------------------------------------------------------------
// People and fixtures.
// ---------------------------------------------------------------------------

const EMP = 'e-7';
const MGR = 'e-2';
const HR = 'e-9';
const FIN = 'e-11';
const SUCC = 'e-3';
const STRANGER = 'e-99';

const employee: ActorRef = { type: 'employee', id: EMP };
const manager: ActorRef = { type: 'employee', id: MGR };
const hr: ActorRef = { type: 'employee', id: HR };
const finance: ActorRef = { type: 'employee', id: FIN };
const successor: ActorRef = { type: 'employee', id: SUCC };
const stranger: ActorRef = { type: 'employee', id: STRANGER };
const host: ActorRef = { type: 'host', id: 'hr-app' };
const timer: ActorRef = { type: 'system', id: 'timer' };
const approvals: ActorRef = { type: 'system', id: 'approval' };

function item(over: Partial<HandoverItem> & Pick<HandoverItem, 'id' | 'kind' | 'ref' | 'title'>): HandoverItem {
  return {
    customerId: null,
    amountMinor: null,
    currency: null,
    successorId: null,
    fileRef: null,
    note: null,
    status: 'open',
    returnReason: null,
    ...over,
  };
}

const customerItem = item({ id: 'i-1', kind: 'customer', ref: 'c-1001', customerId: 'c-1001', title: 'ACME Ltd' });
/** A customer that came to the leaver after the checklist was built. */
const arrivedItem = item({ id: 'i-9', kind: 'customer', ref: 'c-2002', customerId: 'c-2002', title: 'Late Ltd' });
const receivableItem = item({
  id: 'i-2',
  kind: 'receivable',
  ref: 'o-9',
  customerId: 'c-1001',
  title: 'Invoice 2026-118',
  amountMinor: 6_000_00,
  currency: 'CNY',
});
const confirmationItem = item({ id: 'i-3', kind: 'confirmation', ref: 'letter-1', title: '交接确认函' });
const presetCustomerItem = item({
  id: 'i-4',
  kind: 'customer',
  ref: 'c-2002',
  customerId: 'c-2002',
  title: 'Globex',
  successorId: 'e-5',
});

const TERMS: NonCompeteTerms = {
  start: '2026-12-01T00:00:00.000Z',
  end: '2027-12-01T00:00:00.000Z',
  monthlyCompensationMinor: 3_000_00,
  currency: 'CNY',
  graceDays: 7,
  remindBeforeEndDays: 30,
};

const INPUT: OffboardingInput = {
  id: 'off-1',
  employeeId: EMP,
  managerId: MGR,
  resignationDate: '2026-11-02',
  lastWorkingDay: '2026-11-30',
  reason: 'relocation',
  items: [customerItem, receivableItem, confirmationItem, presetCustomerItem],
  escalateAt: '2026-11-30T10:00:00.000Z',
  nonCompete: TERMS,
  hrIds: [HR],
  financeIds: [FIN],
  at: '2026-11-02T02:00:00.000Z',
};

/** ISO instant `days` days after 2026-11-02T02:00Z, for ordinary requests. */
function day(days: number): string {
  return new Date(Date.parse('2026-11-02T02:00:00.000Z') + days * 86_400_000).toISOString();
}

function plusDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

// ---------------------------------------------------------------------------
// A miniature durable runtime: every step restores the machine from the JSON
// of the last persisted snapshot, checks `can(event)` (a refused event is an
// error), sends, persists again and carries out what was emitted: timers go
// to a timer table, notifications and effects to an outbox whose keys must
// be unique. A live actor that is never persisted runs alongside and must
// agree with the restored one at every step.
// ---------------------------------------------------------------------------

class Rejected extends Error {}

interface Timer {
  readonly at: string;
  readonly event: { readonly type: string; readonly [key: string]: Json };
}

class Runtime {
  private json: string;
  private readonly live;
  readonly timers = new Map<string, Timer>();
  readonly outbox = new Map<string, WorkflowEmitted>();
  readonly commands: { command: string; payload: { readonly [key: string]: Json } }[] = [];
  readonly fired: string[] = [];
  private liveEmitted: WorkflowEmitted[] = [];

  constructor(readonly input: OffboardingInput) {
    this.live = createActor(offboardingMachine, { input });
    this.live.on('*', (e) => this.liveEmitted.push(e));
    this.live.start();
    this.json = JSON.stringify(this.live.getPersistedSnapshot());
    this.startEmitted = this.carryOut(this.takeLiveEmitted());
  }

  readonly startEmitted: WorkflowEmitted[];

  private takeLiveEmitted(): WorkflowEmitted[] {
    const out = this.liveEmitted;
    this.liveEmitted = [];
    return out;
  }

  private restore() {
    const actor = createActor(offboardingMachine, {
      snapshot: JSON.parse(this.json) as Snapshot<unknown>,
      input: this.input,
    });
    const emitted: WorkflowEmitted[] = [];
    actor.on('*', (e) => emitted.push(e));
    actor.start();
    // Entry actions are not re-run on restore.
    expect(emitted).toEqual([]);
    return { actor, emitted };
  }

  get snapshot(): SnapshotFrom<typeof offboardingMachine> {
    const { actor } = this.restore();
    const snapshot = actor.getSnapshot();
    actor.stop();
    return snapshot;
  }

  get context(): OffboardingContext {
    return this.snapshot.context;
  }

  get value(): string {
    return String(this.snapshot.value);
  }

  can(event: OffboardingEvent): boolean {
    const { actor } = this.restore();
    const can = actor.getSnapshot().can(event);
    actor.stop();
    return can;
  }

  /** Delivers `event` like the runtime; throws {@link Rejected} when a guard refuses it. */
  send(event: OffboardingEvent): WorkflowEmitted[] {
    const { actor, emitted } = this.restore();
    const before = actor.getSnapshot();
    if (!before.can(event)) {
      actor.stop();
      expect(this.live.getSnapshot().can(event)).toBe(false);
      throw new Rejected(`${event.type} by ${event.actor.type}:${event.actor.id} refused in ${String(before.value)}`);
    }
    actor.send(event);
    const after = actor.getSnapshot();
    if (after.status === 'error') throw after.error;
    // The context is plain JSON.
    expect(JSON.parse(JSON.stringify(after.context))).toStrictEqual(after.context);
    this.json = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();

    this.live.send(event);
    const liveSnapshot = this.live.getSnapshot();
    expect(liveSnapshot.value).toEqual(after.value);
    expect(liveSnapshot.status).toEqual(after.status);
    expect(liveSnapshot.context).toStrictEqual(after.context);
    expect(this.takeLiveEmitted()).toEqual(emitted);
    return this.carryOut(emitted);
  }

  /** Like {@link send} but answers `null` for a refused event. */
  trySend(event: OffboardingEvent): WorkflowEmitted[] | null {
    try {
      return this.send(event);
    } catch (error) {
      if (error instanceof Rejected) return null;
      throw error;
    }
  }

  /** Fires the timer `key` at its due time. */
  fire(key: string): WorkflowEmitted[] {
    const due = this.timers.get(key);
    if (due === undefined) throw new Error(`no timer ${key}; have ${[...this.timers.keys()].join(', ')}`);
    this.timers.delete(key);
    this.fired.push(key);
    return this.send({ ...due.event, at: due.at, actor: timer } as OffboardingEvent);
  }

  /** The key of the earliest timer (ties: the one scheduled first). */
  nextTimer(): string | undefined {
    let best: [string, Timer] | undefined;
    for (const entry of this.timers) {
      if (best === undefined || Date.parse(entry[1].at) < Date.parse(best[1].at)) best = entry;
    }
    return best?.[0];
  }

  private carryOut(emitted: WorkflowEmitted[]): WorkflowEmitted[] {
    for (const e of emitted) {
      switch (e.type) {
        case 'guard.notify':
        case 'guard.effect':
          // `<workflowId>:<key>` is the outbox idempotency key: a repeat would be dropped.
          expect(this.outbox.has(e.key), `duplicate outbox key ${e.key}`).toBe(false);
          this.outbox.set(e.key, e);
          break;
        case 'guard.schedule':
          this.timers.delete(e.key);
          this.timers.set(e.key, { at: e.at, event: e.event });
          break;
        case 'guard.cancel':
          this.timers.delete(e.key);
          break;
        case 'guard.command':
          this.commands.push({ command: e.command, payload: e.payload });
          break;
        case 'guard.signal':
          throw new Error('the offboarding machine signals no other workflow');
      }
    }
    return emitted;
  }
}

function notify(key: string, to: string[], template: string, data: { [key: string]: Json }): WorkflowEmitted {
  return { type: 'guard.notify', key, to, template, data };
}

function command(name: string, payload: { [key: string]: Json } = {}): WorkflowEmitted {
  return { type: 'guard.command', command: name, payload };
}

function schedule(key: string, at: string, event: { type: string; [key: string]: Json }): WorkflowEmitted {
  return { type: 'guard.schedule', key, at, event };
}

function statuses(context: OffboardingContext): Record<string, string> {
  return Object.fromEntries(context.items.map((i) => [i.id, i.status]));
}

/** Every item accepted and every customer item handed to someone other than the leaver. */
function handoverComplete(context: OffboardingContext): boolean {
  return context.items.every(
    (i) =>
      i.status === 'accepted' &&
      (i.kind !== 'customer' || (i.successorId !== null && i.successorId !== context.employeeId)),
  );
}

/** Drives a workflow with no items straight to the end of sign-off. */
function completeWithoutItems(input: Partial<OffboardingInput>): Runtime {
  const rt = new Runtime({ ...INPUT, items: [], ...input });
  rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: host });
  rt.send({ type: 'ACCEPT_ITEMS', itemIds: [], at: day(2), actor: host });
  rt.send({
    type: 'APPROVAL_DONE',
    approvalId: 'ap-1',
    kind: 'offboarding.signoff',
    outcome: 'approved',
    reason: null,
    at: day(3),
    actor: approvals,
  });
  return rt;
}

// ---------------------------------------------------------------------------
// The full story.
// ---------------------------------------------------------------------------

describe('offboarding machine: the full story, persisted and restored at every step', () => {
  it('exports its id and version', () => {
    expect(offboardingMachine.id).toBe(OFFBOARDING_MACHINE_ID);
    expect(OFFBOARDING_MACHINE_ID).toBe('offboarding');
    expect(OFFBOARDING_MACHINE_VERSION).toBe(1);
    expect(offboardingInputSchema.parse(INPUT)).toEqual(INPUT);
  });

  it('handover → returned items → resubmit → accept → sign-off rejected → approved → 12-month non-compete → closed', () => {
    const rt = new Runtime(INPUT);

    // -- start ---------------------------------------------------------------
    expect(rt.startEmitted).toEqual([
      notify('started', [EMP, MGR], 'offboarding.started', {
        offboardingId: 'off-1',
        employeeId: EMP,
        lastWorkingDay: '2026-11-30',
        items: 4,
        escalateAt: '2026-11-30T10:00:00.000Z',
      }),
      schedule('escalate', '2026-11-30T10:00:00.000Z', { type: 'ESCALATE' }),
    ]);
    expect(rt.value).toBe('handover');
    expect(rt.context.startedAt).toBe(INPUT.at);

    // -- handover --------------------------------------------------------------
    expect(rt.trySend({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee })).toBeNull();
    // A customer item needs a successor, and never the leaver himself.
    expect(rt.trySend({ type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(1), actor: employee })).toBeNull();
    expect(
      rt.trySend({ type: 'SUBMIT_ITEM', itemId: 'i-1', successorId: EMP, at: day(1), actor: employee }),
    ).toBeNull();
    // Only the manager, HR or the host assign successors.
    expect(
      rt.trySend({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: SUCC, at: day(1), actor: employee }),
    ).toBeNull();
    expect(
      rt.trySend({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: SUCC, at: day(1), actor: stranger }),
    ).toBeNull();
    expect(
      rt.trySend({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: EMP, at: day(1), actor: manager }),
    ).toBeNull();
    expect(
      rt.trySend({ type: 'ASSIGN_SUCCESSOR', itemId: 'nope', successorId: SUCC, at: day(1), actor: manager }),
    ).toBeNull();
    expect(rt.send({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: SUCC, at: day(1), actor: manager })).toEqual(
      [],
    );
    expect(rt.context.items[0]?.successorId).toBe(SUCC);
    // A stranger cannot submit; the leaver can, with the successor named before.
    expect(rt.trySend({ type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(2), actor: stranger })).toBeNull();
    expect(rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(2), actor: employee })).toEqual([]);
    expect(rt.trySend({ type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(2), actor: employee })).toBeNull(); // already submitted
    // The confirmation letter needs its file.
    expect(rt.trySend({ type: 'SUBMIT_ITEM', itemId: 'i-3', at: day(2), actor: employee })).toBeNull();
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-3', fileRef: 'files/confirm-v1.pdf', at: day(2), actor: employee });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-2', note: 'customer pays on the 15th', at: day(2), actor: employee });
    expect(rt.trySend({ type: 'SUBMIT_HANDOVER', at: day(3), actor: employee })).toBeNull(); // i-4 still open
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(3), actor: hr });
    expect(rt.trySend({ type: 'SUBMIT_HANDOVER', at: day(3), actor: stranger })).toBeNull();
    expect(rt.send({ type: 'SUBMIT_HANDOVER', at: day(3), actor: employee })).toEqual([
      notify('review:1', [MGR], 'offboarding.review', { offboardingId: 'off-1', employeeId: EMP, round: 1, items: 4 }),
    ]);
    expect(rt.value).toBe('review');
    expect(rt.context.items.find((i) => i.id === 'i-2')?.note).toBe('customer pays on the 15th');

    // -- review: accept one, return one ----------------------------------------
    expect(rt.trySend({ type: 'ACCEPT_ITEMS', itemIds: ['i-1'], at: day(4), actor: employee })).toBeNull();
    expect(rt.trySend({ type: 'ACCEPT_ITEMS', itemIds: ['i-1', 'i-1'], at: day(4), actor: manager })).toBeNull();
    expect(rt.trySend({ type: 'ACCEPT_ITEMS', itemIds: [], at: day(4), actor: manager })).toBeNull();
    expect(rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-1'], at: day(4), actor: manager })).toEqual([]);
    expect(rt.value).toBe('review');
    expect(
      rt.trySend({ type: 'RETURN_ITEMS', items: [{ itemId: 'i-2', reason: '  ' }], at: day(4), actor: manager }),
    ).toBeNull();
    expect(rt.trySend({ type: 'ESCALATE', at: day(4), actor: employee })).toBeNull(); // timers only
    expect(
      rt.send({
        type: 'RETURN_ITEMS',
        items: [
          { itemId: 'i-2', reason: 'attach the invoice' },
          { itemId: 'i-3', reason: 'the letter is unsigned' },
        ],
        at: day(4),
        actor: manager,
      }),
    ).toEqual([
      notify('items-returned:1', [EMP], 'offboarding.items-returned', {
        offboardingId: 'off-1',
        round: 1,
        items: [
          { itemId: 'i-2', title: 'Invoice 2026-118', reason: 'attach the invoice' },
          { itemId: 'i-3', title: '交接确认函', reason: 'the letter is unsigned' },
        ],
      }),
    ]);
    expect(rt.value).toBe('handover');
    expect(statuses(rt.context)).toEqual({
      'i-1': 'accepted',
      'i-2': 'returned',
      'i-3': 'returned',
      'i-4': 'submitted',
    });
    expect(rt.context.items.find((i) => i.id === 'i-3')?.returnReason).toBe('the letter is unsigned');

    // -- resubmit ----------------------------------------------------------------
    expect(rt.trySend({ type: 'SUBMIT_HANDOVER', at: day(5), actor: employee })).toBeNull();
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-2', fileRef: 'files/invoice-118.pdf', at: day(5), actor: employee });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-3', fileRef: 'files/confirm-signed.pdf', at: day(5), actor: employee });
    expect(rt.context.items.find((i) => i.id === 'i-3')?.fileRef).toBe('files/confirm-signed.pdf');
    expect(rt.send({ type: 'SUBMIT_HANDOVER', at: day(5), actor: employee })).toEqual([
      notify('review:2', [MGR], 'offboarding.review', { offboardingId: 'off-1', employeeId: EMP, round: 2, items: 4 }),
    ]);

    // -- accept the rest: sign-off starts -----------------------------------------
    expect(rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-2', 'i-3', 'i-4'], at: day(6), actor: hr })).toEqual([
      command('offboarding.signoff'),
    ]);
    expect(rt.value).toBe('signOff');
    expect(statuses(rt.context)).toEqual({
      'i-1': 'accepted',
      'i-2': 'accepted',
      'i-3': 'accepted',
      'i-4': 'accepted',
    });
    // Items are frozen during sign-off.
    expect(
      rt.trySend({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: 'e-5', at: day(6), actor: manager }),
    ).toBeNull();

    // -- sign-off rejected once ------------------------------------------------
    const rejected: OffboardingEvent = {
      type: 'APPROVAL_DONE',
      approvalId: 'ap-1',
      kind: 'offboarding.signoff',
      outcome: 'rejected',
      reason: 'finance: invoice 118 unpaid',
      at: day(7),
      actor: approvals,
    };
    expect(rt.trySend({ ...rejected, actor: manager })).toBeNull(); // only the approval reports back
    expect(rt.send(rejected)).toEqual([]);
    expect(rt.value).toBe('review');
    expect(rt.context.signOffReason).toBe('finance: invoice 118 unpaid');
    expect(rt.context.signOffOutcome).toBe('rejected');
    expect(rt.context.approvalId).toBe('ap-1');
    // The manager asks for sign-off again (nothing left to accept).
    expect(rt.send({ type: 'ACCEPT_ITEMS', itemIds: [], at: day(8), actor: manager })).toEqual([
      command('offboarding.signoff'),
    ]);
    expect(rt.value).toBe('signOff');
    // The old approval's answer is not taken for the new one.
    expect(rt.trySend({ ...rejected, outcome: 'approved', at: day(9) })).toBeNull();

    // -- approved: completed, then watch ----------------------------------------
    const approvedAt = day(10);
    expect(
      rt.send({
        type: 'APPROVAL_DONE',
        approvalId: 'ap-2',
        kind: 'offboarding.signoff',
        outcome: 'approved',
        reason: null,
        at: approvedAt,
        actor: approvals,
      }),
    ).toEqual([
      command('offboarding.complete', {
        transfers: [
          { customerId: 'c-1001', successorId: SUCC },
          { customerId: 'c-2002', successorId: 'e-5' },
        ],
      }),
      // No CRM transfer from the machine: completion queues one for each customer it actually moves.
      { type: 'guard.cancel', key: 'escalate' },
      schedule('compensation-due:1', '2027-01-01T00:00:00.000Z', { type: 'COMPENSATION_DUE', month: 1 }),
      schedule('noncompete-ending-soon', '2027-11-01T00:00:00.000Z', { type: 'ENDING_SOON' }),
      schedule('noncompete-end', '2027-12-01T00:00:00.000Z', { type: 'END' }),
    ]);
    expect(rt.value).toBe('watch');
    expect(rt.context.completedAt).toBe(approvedAt);
    expect(rt.context.approvalId).toBe('ap-2');
    expect(rt.timers.has('escalate')).toBe(false);

    // A stale escalation timer is accepted and changes nothing.
    const beforeStale = rt.context;
    expect(rt.send({ type: 'ESCALATE', at: '2026-11-30T10:00:00.000Z', actor: timer })).toEqual([]);
    expect(rt.context).toStrictEqual(beforeStale);
    // Strangers and the leaver cannot record payments.
    for (const actor of [stranger, employee, manager]) {
      expect(
        rt.trySend({ type: 'RECORD_PAYMENT', month: 1, amountMinor: 3_000_00, paidAt: day(20), at: day(20), actor }),
      ).toBeNull();
    }
    // The check of a month that is not due yet is not a stale timer but a bogus one.
    expect(rt.trySend({ type: 'COMPENSATION_CHECK', month: 1, at: day(20), actor: timer })).toBeNull();
    expect(rt.trySend({ type: 'COMPENSATION_DUE', month: 2, at: day(20), actor: timer })).toBeNull();

    // -- twelve months: finance pays every month but May's, late ------------------
    const dueNotices: WorkflowEmitted[] = [];
    const overdue: WorkflowEmitted[] = [];
    let endingSoon: WorkflowEmitted[] = [];
    for (let key = rt.nextTimer(); key !== undefined; key = rt.nextTimer()) {
      const due = rt.timers.get(key)!;
      const emitted = rt.fire(key);
      const month = typeof due.event.month === 'number' ? due.event.month : 0;
      if (due.event.type === 'COMPENSATION_DUE') {
        dueNotices.push(...emitted.filter((e) => e.type === 'guard.notify'));
        expect(emitted).toContainEqual(
          schedule(`compensation-check:${month}`, plusDays(due.at, 7), { type: 'COMPENSATION_CHECK', month }),
        );
        if (month !== 5) {
          rt.send({
            type: 'RECORD_PAYMENT',
            month,
            amountMinor: 3_000_00,
            paidAt: plusDays(due.at, 2),
            at: plusDays(due.at, 2),
            actor: month % 2 === 0 ? finance : hr,
          });
        }
        // A duplicate delivery of the same due timer is a no-op.
        expect(rt.send({ ...due.event, at: due.at, actor: timer } as OffboardingEvent)).toEqual([]);
      } else if (due.event.type === 'COMPENSATION_CHECK') {
        if (month === 5) {
          overdue.push(...emitted);
          rt.send({
            type: 'RECORD_PAYMENT',
            month: 5,
            amountMinor: 3_000_00,
            paidAt: plusDays(due.at, 3),
            at: plusDays(due.at, 3),
            actor: finance,
          });
        } else if (month !== 12) {
          expect(emitted).toEqual([]);
        }
      } else if (due.event.type === 'ENDING_SOON') {
        endingSoon = emitted;
      } else if (due.event.type === 'END') {
        expect(emitted).toEqual([]);
        expect(rt.value).toBe('watch'); // month 12 is still due and unchecked
      }
    }

    const pairs = (months: number[]) => months.flatMap((m) => [`compensation-due:${m}`, `compensation-check:${m}`]);
    expect(rt.fired).toEqual([
      ...pairs([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      'noncompete-ending-soon',
      'compensation-due:11',
      'compensation-check:11',
      'noncompete-end',
      'compensation-due:12',
      'compensation-check:12',
    ]);
    expect(dueNotices).toHaveLength(12);
    expect(dueNotices[0]).toEqual(
      notify('compensation-due:1', [HR, FIN], 'noncompete.compensation-due', {
        offboardingId: 'off-1',
        employeeId: EMP,
        month: 1,
        amountMinor: 3_000_00,
        currency: 'CNY',
        periodStart: '2026-12-01T00:00:00.000Z',
        periodEnd: '2027-01-01T00:00:00.000Z',
        dueAt: '2027-01-01T00:00:00.000Z',
      }),
    );
    expect(dueNotices[11]).toMatchObject({
      key: 'compensation-due:12',
      data: { month: 12, periodStart: '2027-11-01T00:00:00.000Z', periodEnd: '2027-12-01T00:00:00.000Z' },
    });
    expect(overdue).toEqual([
      notify('compensation-overdue:5', [HR, FIN], 'noncompete.compensation-overdue', {
        offboardingId: 'off-1',
        employeeId: EMP,
        month: 5,
        amountMinor: 3_000_00,
        currency: 'CNY',
        periodStart: '2027-04-01T00:00:00.000Z',
        periodEnd: '2027-05-01T00:00:00.000Z',
        dueAt: '2027-05-01T00:00:00.000Z',
        graceDays: 7,
      }),
      command('offboarding.compensation-overdue', { month: 5 }),
    ]);
    expect(endingSoon).toEqual([
      notify('noncompete-ending-soon', [HR, MGR], 'noncompete.ending-soon', {
        offboardingId: 'off-1',
        employeeId: EMP,
        end: '2027-12-01T00:00:00.000Z',
        remindBeforeEndDays: 30,
      }),
    ]);

    // -- closed after the last month's check -------------------------------------
    const final = rt.snapshot;
    expect(final.value).toBe('closed');
    expect(final.status).toBe('done');
    expect(final.context.closedAt).toBe('2027-12-08T00:00:00.000Z');
    expect(final.context.endedAt).toBe('2027-12-01T00:00:00.000Z');
    expect(final.context.payments).toHaveLength(12);
    expect(final.context.overdueMonths).toEqual([5]);
    expect(final.context.checkedMonths).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rt.timers.size).toBe(0);
    expect(rt.commands.map((c) => c.command)).toEqual([
      'offboarding.signoff',
      'offboarding.signoff',
      'offboarding.complete',
      'offboarding.compensation-overdue',
    ]);
    // A final workflow accepts nothing.
    expect(rt.trySend({ type: 'ESCALATE', at: day(400), actor: timer })).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Single rules.
// ---------------------------------------------------------------------------

describe('offboarding machine: rules', () => {
  it('escalates once, to the manager and HR, while items are pending', () => {
    const rt = new Runtime({ ...INPUT, hrIds: [HR, 'e-10', MGR] });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    expect(rt.trySend({ type: 'ESCALATE', at: day(28), actor: host })).toBeNull();
    expect(rt.trySend({ type: 'ESCALATE', at: day(28), actor: manager })).toBeNull();
    expect(rt.fire('escalate')).toEqual([
      notify('escalated', [MGR, HR, 'e-10'], 'offboarding.escalated', {
        offboardingId: 'off-1',
        employeeId: EMP,
        lastWorkingDay: '2026-11-30',
        openItems: 4,
      }),
      command('offboarding.escalate', { openItems: 4 }),
    ]);
    expect(rt.context.escalated).toBe(true);
    expect(rt.value).toBe('handover');
    // A second delivery is accepted and does nothing.
    expect(rt.send({ type: 'ESCALATE', at: day(29), actor: timer })).toEqual([]);
  });

  it('escalates in review too, and counts only items not yet accepted', () => {
    const rt = new Runtime({ ...INPUT, items: [presetCustomerItem, receivableItem], nonCompete: null });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-2', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-4'], at: day(2), actor: manager });
    expect(rt.fire('escalate')).toEqual([
      notify('escalated', [MGR, HR], 'offboarding.escalated', {
        offboardingId: 'off-1',
        employeeId: EMP,
        lastWorkingDay: '2026-11-30',
        openItems: 1,
      }),
      command('offboarding.escalate', { openItems: 1 }),
    ]);
    expect(rt.value).toBe('review');
  });

  it('accepts a stale escalation in sign-off without escalating', () => {
    const rt = new Runtime({ ...INPUT, items: [presetCustomerItem], nonCompete: null });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-4'], at: day(2), actor: manager });
    expect(rt.value).toBe('signOff');
    expect(rt.fire('escalate')).toEqual([]);
    expect(rt.context.escalated).toBe(false);
  });

  it('completes without a non-compete straight to closed', () => {
    const rt = completeWithoutItems({ nonCompete: null });
    const snapshot = rt.snapshot;
    expect(snapshot.value).toBe('closed');
    expect(snapshot.status).toBe('done');
    expect(snapshot.context.completedAt).toBe(day(3));
    expect(snapshot.context.closedAt).toBe(day(3));
    expect(rt.commands).toEqual([
      { command: 'offboarding.signoff', payload: {} },
      { command: 'offboarding.complete', payload: { transfers: [] } },
    ]);
    expect(rt.timers.size).toBe(0);
  });

  it('goes back to review when the sign-off is withdrawn', () => {
    const rt = new Runtime({ ...INPUT, items: [], nonCompete: null });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    rt.send({ type: 'ACCEPT_ITEMS', itemIds: [], at: day(2), actor: hr });
    rt.send({
      type: 'APPROVAL_DONE',
      approvalId: 'ap-1',
      kind: 'offboarding.signoff',
      outcome: 'withdrawn',
      reason: null,
      at: day(3),
      actor: approvals,
    });
    expect(rt.value).toBe('review');
    expect(rt.context.signOffOutcome).toBe('withdrawn');
    expect(rt.context.signOffReason).toBeNull();
  });

  it('lets a returned item go back to an accepted one after a rejected sign-off', () => {
    const rt = new Runtime({ ...INPUT, items: [presetCustomerItem], nonCompete: null });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-4'], at: day(2), actor: manager });
    rt.send({
      type: 'APPROVAL_DONE',
      approvalId: 'ap-1',
      kind: 'offboarding.signoff',
      outcome: 'rejected',
      reason: 'wrong successor',
      at: day(3),
      actor: approvals,
    });
    rt.send({ type: 'ASSIGN_SUCCESSOR', itemId: 'i-4', successorId: SUCC, at: day(4), actor: hr });
    rt.send({ type: 'RETURN_ITEMS', items: [{ itemId: 'i-4', reason: 'confirm with Zhang' }], at: day(4), actor: hr });
    expect(rt.value).toBe('handover');
    expect(rt.context.items[0]).toMatchObject({
      status: 'returned',
      successorId: SUCC,
      returnReason: 'confirm with Zhang',
    });
    expect(rt.outbox.has('items-returned:1')).toBe(true);
  });

  it('adds items that arrive later only from Guard itself, and sends a case in review back to handover', () => {
    const rt = new Runtime({ ...INPUT, items: [presetCustomerItem], nonCompete: null });
    expect(rt.trySend({ type: 'ITEMS_ADDED', items: [arrivedItem], at: day(1), actor: employee })).toBeNull();
    rt.send({ type: 'ITEMS_ADDED', items: [arrivedItem], at: day(1), actor: timer });
    expect(rt.context.items.map((i) => i.id)).toEqual(['i-4', 'i-9']);
    rt.send({ type: 'ITEMS_ADDED', items: [arrivedItem], at: day(1), actor: timer });
    expect(rt.context.items.map((i) => i.id)).toEqual(['i-4', 'i-9']); // an item is added once

    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-9', successorId: SUCC, at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    expect(rt.value).toBe('review');
    const later = item({ id: 'i-10', kind: 'visit', ref: 'c-3003', customerId: 'c-3003', title: 'Visits' });
    rt.send({ type: 'ITEMS_ADDED', items: [later], at: day(2), actor: timer });
    expect(rt.value).toBe('handover');
    expect(rt.trySend({ type: 'SUBMIT_HANDOVER', at: day(2), actor: employee })).toBeNull(); // i-10 is open
  });

  it('never lets the leaver review his own handover, even when listed as HR', () => {
    const rt = new Runtime({ ...INPUT, items: [presetCustomerItem], hrIds: [EMP, HR], nonCompete: null });
    rt.send({ type: 'SUBMIT_ITEM', itemId: 'i-4', at: day(1), actor: employee });
    rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
    expect(rt.trySend({ type: 'ACCEPT_ITEMS', itemIds: ['i-4'], at: day(2), actor: employee })).toBeNull();
    expect(rt.trySend({ type: 'CANCEL', reason: 'changed my mind', at: day(2), actor: employee })).toBeNull();
    rt.send({ type: 'ACCEPT_ITEMS', itemIds: ['i-4'], at: day(2), actor: hr });
    expect(rt.value).toBe('signOff');
  });

  it('sends the review to HR when there is no manager', () => {
    const rt = new Runtime({ ...INPUT, managerId: null, items: [], nonCompete: null, hrIds: [HR, 'e-10'] });
    expect(rt.startEmitted[0]).toMatchObject({ key: 'started', to: [EMP] });
    expect(rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee })).toEqual([
      notify('review:1', [HR, 'e-10'], 'offboarding.review', {
        offboardingId: 'off-1',
        employeeId: EMP,
        round: 1,
        items: 0,
      }),
    ]);
  });

  it('is cancelled by HR or the host from handover, review or sign-off only', () => {
    for (const [reach, actor] of [
      [0, hr],
      [1, host],
      [2, hr],
    ] as const) {
      const rt = new Runtime({ ...INPUT, items: [], nonCompete: null });
      if (reach >= 1) rt.send({ type: 'SUBMIT_HANDOVER', at: day(1), actor: employee });
      if (reach >= 2) rt.send({ type: 'ACCEPT_ITEMS', itemIds: [], at: day(2), actor: manager });
      expect(rt.value).toBe(['handover', 'review', 'signOff'][reach]);
      expect(rt.trySend({ type: 'CANCEL', reason: 'x', at: day(3), actor: manager })).toBeNull();
      expect(rt.trySend({ type: 'CANCEL', reason: 'x', at: day(3), actor: stranger })).toBeNull();
      expect(rt.trySend({ type: 'CANCEL', reason: '   ', at: day(3), actor })).toBeNull();
      expect(rt.send({ type: 'CANCEL', reason: ' resignation withdrawn ', at: day(3), actor })).toEqual([
        command('offboarding.cancel'),
        { type: 'guard.cancel', key: 'escalate' },
      ]);
      const snapshot = rt.snapshot;
      expect(snapshot.value).toBe('cancelled');
      expect(snapshot.status).toBe('done');
      expect(snapshot.context).toMatchObject({ cancelledAt: day(3), cancelReason: 'resignation withdrawn' });
      expect(rt.timers.size).toBe(0);
    }
    const watching = completeWithoutItems({});
    expect(watching.value).toBe('watch');
    expect(watching.trySend({ type: 'CANCEL', reason: 'x', at: day(5), actor: host })).toBeNull();
  });

  it('clamps the day of month and prorates a short last month', () => {
    const rt = completeWithoutItems({
      nonCompete: {
        ...TERMS,
        start: '2027-01-31T16:00:00.000Z',
        end: '2027-04-15T16:00:00.000Z',
        graceDays: 0,
        remindBeforeEndDays: 10,
      },
    });
    expect(rt.timers.get('compensation-due:1')?.at).toBe('2027-02-28T16:00:00.000Z');
    expect(rt.timers.get('noncompete-ending-soon')?.at).toBe('2027-04-05T16:00:00.000Z');
    const first = rt.fire('compensation-due:1');
    expect(first).toContainEqual(
      schedule('compensation-check:1', '2027-02-28T16:00:00.000Z', { type: 'COMPENSATION_CHECK', month: 1 }),
    );
    expect(first).toContainEqual(
      schedule('compensation-due:2', '2027-03-31T16:00:00.000Z', { type: 'COMPENSATION_DUE', month: 2 }),
    );
    rt.fire('compensation-due:2');
    const third = rt.timers.get('compensation-due:3');
    expect(third?.at).toBe('2027-04-15T16:00:00.000Z');
    const emitted = rt.fire('compensation-due:3');
    expect(emitted.find((e) => e.type === 'guard.notify')).toMatchObject({
      data: { month: 3, amountMinor: 1_500_00, periodStart: '2027-03-31T16:00:00.000Z' },
    });
    // No fourth month.
    expect(emitted.some((e) => e.type === 'guard.schedule' && e.key === 'compensation-due:4')).toBe(false);
    // Half of a full month pays the prorated last month; less does not.
    rt.send({
      type: 'RECORD_PAYMENT',
      month: 3,
      amountMinor: 1_000_00,
      paidAt: day(200),
      at: day(200),
      actor: finance,
    });
    rt.send({ type: 'RECORD_PAYMENT', month: 3, amountMinor: 500_00, paidAt: day(201), at: day(201), actor: host });
    expect(rt.fire('compensation-check:3')).toEqual([]);
    expect(
      rt.trySend({ type: 'RECORD_PAYMENT', month: 4, amountMinor: 1, paidAt: day(201), at: day(201), actor: hr }),
    ).toBeNull();
    // Months 1 and 2 were never paid.
    expect(rt.fire('compensation-check:1').map((e) => e.type)).toEqual(['guard.notify', 'guard.command']);
    expect(rt.fire('compensation-check:2').map((e) => e.type)).toEqual(['guard.notify', 'guard.command']);
    expect(rt.value).toBe('watch');
    // Every month is checked: the END timer closes the watch and drops the reminder that has not fired.
    expect(rt.fire('noncompete-end')).toEqual([{ type: 'guard.cancel', key: 'noncompete-ending-soon' }]);
    expect(rt.value).toBe('closed');
    expect(rt.context.overdueMonths).toEqual([1, 2]);
    expect(rt.timers.size).toBe(0);
  });

  it('does not notify anyone when there is nobody to notify, but still reports overdue months', () => {
    const rt = completeWithoutItems({ hrIds: [], financeIds: [] });
    const due = rt.fire('compensation-due:1');
    expect(due.some((e) => e.type === 'guard.notify')).toBe(false);
    expect(rt.fire('compensation-check:1')).toEqual([command('offboarding.compensation-overdue', { month: 1 })]);
  });
});

describe('offboarding schemas', () => {
  it('fills in the non-compete defaults and checks the period', () => {
    const terms = nonCompeteTermsSchema.parse({
      start: '2026-12-01T00:00:00Z',
      end: '2027-12-01T00:00:00Z',
      monthlyCompensationMinor: 3_000_00,
      currency: 'CNY',
    });
    expect(terms.graceDays).toBe(7);
    expect(terms.remindBeforeEndDays).toBe(30);
    expect(nonCompeteTermsSchema.safeParse({ ...terms, end: terms.start }).success).toBe(false);
    expect(nonCompeteTermsSchema.safeParse({ ...terms, end: '2037-12-02T00:00:00Z' }).success).toBe(false);
    expect(nonCompeteTermsSchema.safeParse({ ...terms, monthlyCompensationMinor: 0 }).success).toBe(false);
    expect(nonCompeteTermsSchema.safeParse({ ...terms, currency: 'rmb' }).success).toBe(false);
  });

  it('rejects inputs the machine could not honour', () => {
    const bad = (over: Partial<OffboardingInput>) => offboardingInputSchema.safeParse({ ...INPUT, ...over }).success;
    expect(bad({})).toBe(true);
    expect(bad({ items: [customerItem, { ...customerItem, id: 'i-9' }] })).toBe(false); // one customer twice
    expect(bad({ items: [customerItem, { ...receivableItem, id: 'i-1' }] })).toBe(false); // duplicate id
    expect(bad({ items: [{ ...customerItem, successorId: EMP }] })).toBe(false);
    expect(bad({ items: [{ ...customerItem, status: 'accepted' }] })).toBe(false);
    expect(bad({ managerId: EMP })).toBe(false);
    expect(bad({ lastWorkingDay: '2026-11-01' })).toBe(false);
    expect(handoverItemSchema.safeParse({ ...customerItem, customerId: null }).success).toBe(false);
    expect(handoverItemSchema.safeParse({ ...receivableItem, currency: null }).success).toBe(false);
  });

  it('validates event shapes', () => {
    expect(
      offboardingEventSchema.safeParse({ type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(1), actor: employee }).success,
    ).toBe(true);
    expect(
      offboardingEventSchema.safeParse({ type: 'RETURN_ITEMS', items: [], at: day(1), actor: manager }).success,
    ).toBe(false);
    expect(offboardingEventSchema.safeParse({ type: 'END', at: 'tomorrow', actor: timer }).success).toBe(false);
    expect(offboardingEventSchema.safeParse({ type: 'NOPE', at: day(1), actor: timer }).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Model-based: every abstract state reachable with a small configuration,
// replayed through the persisting runtime.
// ---------------------------------------------------------------------------

const SMALL_TERMS: NonCompeteTerms = { ...TERMS, end: '2027-02-01T00:00:00.000Z', remindBeforeEndDays: 10 };
const SMALL: OffboardingInput = {
  ...INPUT,
  items: [customerItem, confirmationItem],
  nonCompete: SMALL_TERMS,
};

const sysAt = '2027-03-01T00:00:00.000Z';

/** Samples of every event, from the right people and the wrong ones. */
const SAMPLES: OffboardingEvent[] = [
  { type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: SUCC, at: day(1), actor: manager },
  { type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: SUCC, at: day(1), actor: stranger },
  { type: 'ASSIGN_SUCCESSOR', itemId: 'i-1', successorId: EMP, at: day(1), actor: hr },
  { type: 'SUBMIT_ITEM', itemId: 'i-1', at: day(1), actor: employee },
  { type: 'SUBMIT_ITEM', itemId: 'i-1', successorId: 'e-5', at: day(1), actor: employee },
  { type: 'SUBMIT_ITEM', itemId: 'i-3', at: day(1), actor: employee },
  { type: 'SUBMIT_ITEM', itemId: 'i-3', fileRef: 'files/c.pdf', at: day(1), actor: employee },
  { type: 'SUBMIT_ITEM', itemId: 'i-3', fileRef: 'files/c.pdf', at: day(1), actor: stranger },
  { type: 'SUBMIT_HANDOVER', at: day(2), actor: employee },
  { type: 'ITEMS_ADDED', items: [arrivedItem], at: day(2), actor: timer },
  { type: 'ITEMS_ADDED', items: [arrivedItem], at: day(2), actor: employee },
  { type: 'ESCALATE', at: SMALL.escalateAt, actor: timer },
  { type: 'ACCEPT_ITEMS', itemIds: ['i-1'], at: day(3), actor: manager },
  { type: 'ACCEPT_ITEMS', itemIds: ['i-1', 'i-3'], at: day(3), actor: hr },
  { type: 'ACCEPT_ITEMS', itemIds: [], at: day(3), actor: manager },
  { type: 'ACCEPT_ITEMS', itemIds: ['i-3'], at: day(3), actor: employee },
  { type: 'RETURN_ITEMS', items: [{ itemId: 'i-3', reason: 'unsigned' }], at: day(3), actor: manager },
  ...(['ap-1', 'ap-2'] as const).flatMap((approvalId) =>
    (['approved', 'rejected'] as const).map(
      (outcome): OffboardingEvent => ({
        type: 'APPROVAL_DONE',
        approvalId,
        kind: 'offboarding.signoff',
        outcome,
        reason: outcome === 'rejected' ? 'no' : null,
        at: day(4),
        actor: approvals,
      }),
    ),
  ),
  ...[1, 2].flatMap((month): OffboardingEvent[] => [
    { type: 'COMPENSATION_DUE', month, at: sysAt, actor: timer },
    { type: 'COMPENSATION_CHECK', month, at: sysAt, actor: timer },
    { type: 'RECORD_PAYMENT', month, amountMinor: 3_000_00, paidAt: sysAt, at: sysAt, actor: finance },
  ]),
  { type: 'RECORD_PAYMENT', month: 1, amountMinor: 3_000_00, paidAt: sysAt, at: sysAt, actor: stranger },
  { type: 'ENDING_SOON', at: sysAt, actor: timer },
  { type: 'END', at: sysAt, actor: timer },
  { type: 'CANCEL', reason: 'withdrawn', at: day(5), actor: hr },
  { type: 'CANCEL', reason: 'withdrawn', at: day(5), actor: employee },
];

/** The abstraction the model explores: state and the fields that steer guards (not counters or times). */
function abstractState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as OffboardingContext;
  return JSON.stringify({
    value: snapshot.value,
    items: c.items.map((i) => [i.status, i.successorId, i.fileRef]),
    escalated: c.escalated,
    approvalId: c.approvalId,
    due: c.dueMonth,
    checked: [...c.checkedMonths].sort(),
    paid: [...new Set(c.payments.map((p) => p.month))].sort(),
    soon: c.endingSoonNotified,
    ended: c.endedAt !== null,
  });
}

describe('offboarding machine: model-based paths (@xstate/graph)', () => {
  it('reaches every state along shortest paths, and the persisting runtime agrees step by step', async () => {
    const model = createTestModel(offboardingMachine, {
      input: SMALL,
      events: () => SAMPLES,
      serializeState: (snapshot) => abstractState(snapshot),
    });
    const paths = model.getShortestPaths();
    expect(paths.length).toBeGreaterThan(50);

    const reached = new Set<string>();
    let completions = 0;
    for (const path of paths) {
      const rt = new Runtime(SMALL);
      await path.test({
        events: Object.fromEntries(
          [...new Set(SAMPLES.map((e) => e.type))].map((type) => [
            type,
            ({ event }: { event: OffboardingEvent }) => {
              const emitted = rt.send(event);
              if (emitted.some((e) => e.type === 'guard.command' && e.command === 'offboarding.complete')) {
                completions += 1;
                reached.add('completed');
                expect(handoverComplete(rt.context)).toBe(true);
              }
            },
          ]),
        ),
        states: {
          '*': (snapshot) => {
            // The model keeps one concrete snapshot per abstract state (reached first, maybe by
            // another path), so compare what the abstraction keeps.
            expect(abstractState(rt.snapshot)).toBe(abstractState(snapshot));
            reached.add(String(snapshot.value));
            if (['watch', 'closed'].includes(String(snapshot.value))) {
              expect(handoverComplete(snapshot.context)).toBe(true);
            }
          },
        },
      });
    }
    expect([...reached].sort()).toEqual(
      ['cancelled', 'closed', 'completed', 'handover', 'review', 'signOff', 'watch'].sort(),
    );
    expect(completions).toBeGreaterThan(0);
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Property: random event sequences.
// ---------------------------------------------------------------------------

/** Everyone, strangers included; the people who can act are listed twice so that runs get somewhere. */
const ACTORS: readonly ActorRef[] = [
  employee,
  manager,
  hr,
  host,
  employee,
  manager,
  hr,
  finance,
  host,
  timer,
  stranger,
  successor,
  { type: 'host', id: 'other-host' },
];
const TRUSTED = new Set([`employee:${EMP}`, `employee:${MGR}`, `employee:${HR}`, `employee:${FIN}`]);
function isStranger(actor: ActorRef): boolean {
  return actor.type === 'employee' && !TRUSTED.has(`${actor.type}:${actor.id}`);
}

const ITEM_IDS = ['i-1', 'i-3', 'i-1', 'i-3', 'i-x'];
const PEOPLE = [SUCC, 'e-5', EMP];

/** Builds an event of `type` from three random numbers (so shrinking works on plain integers). */
function buildEvent(
  type: OffboardingEvent['type'],
  actor: ActorRef,
  a: number,
  b: number,
  at: string,
): OffboardingEvent {
  const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;
  switch (type) {
    case 'ASSIGN_SUCCESSOR':
      // Mostly other items, so that customer items often reach review without a successor.
      return { type, itemId: pick(['i-3', 'i-x', 'i-3', 'i-1'], a), successorId: pick(PEOPLE, b), at, actor };
    case 'SUBMIT_ITEM':
      return {
        type,
        itemId: pick(ITEM_IDS, a),
        // b picks, independently, whether a successor comes along (and who) and whether a file does.
        ...(b % 2 === 0 ? {} : { successorId: pick(PEOPLE, Math.floor(b / 2)) }),
        ...(Math.floor(b / 8) % 2 === 0 ? { fileRef: 'files/letter.pdf' } : {}),
        at,
        actor,
      };
    case 'ACCEPT_ITEMS':
      return { type, itemIds: pick([[], ['i-1'], ['i-3'], ['i-1', 'i-3'], ['i-x'], ['i-1', 'i-1']], a), at, actor };
    case 'RETURN_ITEMS':
      return { type, items: [{ itemId: pick(ITEM_IDS, a), reason: pick(['bad', ' '], b) }], at, actor };
    case 'APPROVAL_DONE':
      return {
        type,
        approvalId: pick(['ap-1', 'ap-2', 'ap-3'], a),
        kind: 'offboarding.signoff',
        outcome: pick(['approved', 'rejected', 'withdrawn'] as const, b),
        reason: null,
        at,
        actor,
      };
    case 'COMPENSATION_DUE':
    case 'COMPENSATION_CHECK':
      return { type, month: pick([1, 2, 1, 2, 3, 0], a), at, actor };
    case 'RECORD_PAYMENT':
      return { type, month: pick([1, 2, 3], a), amountMinor: pick([3_000_00, 1], b), paidAt: at, at, actor };
    case 'CANCEL':
      return { type, reason: pick(['withdrawn', ''], a), at, actor };
    default:
      return { type, at, actor } as OffboardingEvent;
  }
}

const ALL_TYPES: readonly OffboardingEvent['type'][] = [
  'ASSIGN_SUCCESSOR',
  'SUBMIT_ITEM',
  'SUBMIT_HANDOVER',
  'ESCALATE',
  'ACCEPT_ITEMS',
  'RETURN_ITEMS',
  'APPROVAL_DONE',
  'COMPENSATION_DUE',
  'COMPENSATION_CHECK',
  'RECORD_PAYMENT',
  'ENDING_SOON',
  'END',
  'CANCEL',
];

/**
 * One step: with `focus`, the event type is drawn from those the current
 * state handles (so runs get somewhere); otherwise from all types (stale
 * timers, events for other states). Actors are drawn from everyone,
 * strangers included; `CANCEL` is drawn rarely so that runs get far.
 */
const SYSTEM_TYPES = new Set<string>([
  'ESCALATE',
  'APPROVAL_DONE',
  'COMPENSATION_DUE',
  'COMPENSATION_CHECK',
  'ENDING_SOON',
  'END',
]);

const step = fc.record({
  focus: fc.nat(7),
  type: fc.nat(),
  actor: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
});

describe('offboarding machine: properties', () => {
  it('completes only with every item accepted and handed to a real successor; strangers never change anything', () => {
    const outcomes = { completed: 0, cancelled: 0, closed: 0 };
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 160, size: 'max' }), (steps) => {
        const rt = new Runtime(SMALL);
        let completedSeen = false;
        let snapshot = rt.snapshot;
        for (const [i, s] of steps.entries()) {
          if (snapshot.status === 'done') break;
          const focused = s.focus > 0;
          const own = __unsafe_getAllOwnEventDescriptors(snapshot).filter((t): t is OffboardingEvent['type'] =>
            ALL_TYPES.includes(t as OffboardingEvent['type']),
          );
          // A cancellation ends the run, so it is drawn rarely.
          const types = (focused && own.length > 0 ? own : ALL_TYPES).filter((t) => t !== 'CANCEL' || s.a % 32 === 0);
          const type = types[s.type % types.length]!;
          // Focused system events mostly come from the system; anything else from anyone at all.
          const actor =
            focused && SYSTEM_TYPES.has(type) && s.actor % 4 !== 0
              ? type === 'APPROVAL_DONE'
                ? approvals
                : timer
              : ACTORS[s.actor % ACTORS.length]!;
          const event = buildEvent(type, actor, s.a, s.b, plusDays(SMALL.at, i));
          const before = JSON.stringify({ value: snapshot.value, context: snapshot.context });
          const emitted = rt.trySend(event);
          snapshot = rt.snapshot;
          if (isStranger(actor)) {
            expect(emitted).toBeNull();
            expect(JSON.stringify({ value: snapshot.value, context: snapshot.context })).toBe(before);
          }
          if (emitted?.some((e) => e.type === 'guard.command' && e.command === 'offboarding.complete')) {
            completedSeen = true;
          }
          if (completedSeen || ['watch', 'closed'].includes(String(snapshot.value))) {
            expect(completedSeen).toBe(true);
            expect(handoverComplete(snapshot.context)).toBe(true);
            expect(snapshot.context.completedAt).not.toBeNull();
          }
        }
        const last = snapshot;
        if (completedSeen) outcomes.completed += 1;
        if (last.value === 'cancelled') outcomes.cancelled += 1;
        if (last.value === 'closed') outcomes.closed += 1;
      }),
    );
    // The property is not vacuous: runs do get through sign-off, to the end and to a cancellation
    // (about 10%, 2% and 25% of runs; checked when enough runs were made to be sure).
    if ((fc.readConfigureGlobal().numRuns ?? 100) >= 500) {
      expect(outcomes.completed).toBeGreaterThan(0);
      expect(outcomes.closed).toBeGreaterThan(0);
      expect(outcomes.cancelled).toBeGreaterThan(0);
    }
  }, 300_000);
});
