import { createTestModel } from '@xstate/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import type { ActorRef } from '../../src/domain/entities.js';
import {
  CLAIM_APPROVAL_KIND,
  CLAIM_MACHINE_ID,
  CLAIM_MACHINE_VERSION,
  type ClaimContext,
  type ClaimEvent,
  type ClaimInput,
  claimMachine,
} from '../../src/workflows/claim/index.js';
import type { WorkflowEmitted } from '../../src/workflows/protocol.js';
import { durableHarness, type Durable as HarnessDurable } from './durable-harness.js';

// ---------------------------------------------------------------------------
// A miniature of the durable runtime: every step restores the machine from
// the JSON of its last persisted snapshot, checks `can(event)`, sends it and
// persists again, collecting what the machine emitted.
// ---------------------------------------------------------------------------

const T0 = '2026-11-02T02:00:00.000Z';
const T1 = '2026-11-03T02:00:00.000Z';

const claimant: ActorRef = { type: 'employee', id: 'e-7' };
const colleague: ActorRef = { type: 'employee', id: 'e-8' };
const host: ActorRef = { type: 'host', id: 'host' };
/** The actor the runtime gives command answers and signals. */
const system: ActorRef = { type: 'system', id: 'workflow' };

const input: ClaimInput = {
  id: 'claim-1',
  customerId: 'c-1001',
  claimantId: 'e-7',
  reason: '老客户回访',
  duplicates: ['c-0999', 'c-1002'],
  at: T0,
};

type Durable = HarnessDurable<ClaimContext>;
const harness = durableHarness<ClaimContext, ClaimEvent, ClaimInput>(claimMachine);
const start = (claimInput: ClaimInput = input) => harness.start(claimInput);
const deliver = (state: Durable, event: ClaimEvent, claimInput: ClaimInput = input) =>
  harness.deliver(state, event, claimInput);

/** Delivers events that must all be accepted; returns the final state and everything emitted per step. */
function run(events: readonly ClaimEvent[]) {
  const started = start();
  let state = started.state;
  const steps: WorkflowEmitted[][] = [started.emitted];
  for (const event of events) {
    const result = deliver(state, event);
    expect(result.accepted, `${event.type} in ${state.value}`).toBe(true);
    state = result.state;
    steps.push(result.emitted);
  }
  return { state, steps, emitted: steps.flat() };
}

const ev = {
  started: (approvalId = 'ap-1', actor: ActorRef = system): ClaimEvent => ({
    type: 'APPROVAL_STARTED',
    approvalId,
    at: T0,
    actor,
  }),
  done: (
    outcome: 'approved' | 'rejected' | 'withdrawn',
    opts: { approvalId?: string; kind?: string; actor?: ActorRef; reason?: string | null } = {},
  ): ClaimEvent => ({
    type: 'APPROVAL_DONE',
    approvalId: opts.approvalId ?? 'ap-1',
    kind: opts.kind ?? CLAIM_APPROVAL_KIND,
    outcome,
    reason: opts.reason ?? null,
    at: T1,
    actor: opts.actor ?? system,
  }),
  assigned: (actor: ActorRef = system): ClaimEvent => ({ type: 'ASSIGNED', at: T1, actor }),
  lost: (reason = 'owned by e-9 since 2026-11-02', actor: ActorRef = system): ClaimEvent => ({
    type: 'LOST',
    reason,
    at: T1,
    actor,
  }),
  withdraw: (actor: ActorRef = claimant): ClaimEvent => ({ type: 'WITHDRAW', at: T1, actor }),
};

const notify = (template: string, reason: string | null): WorkflowEmitted => ({
  type: 'guard.notify',
  key: template,
  to: ['e-7'],
  template,
  data: { claimId: 'claim-1', customerId: 'c-1001', reason },
});
const claimDone = (outcome: string): WorkflowEmitted => ({
  type: 'guard.command',
  command: 'claim.done',
  payload: { outcome },
});

describe('claim machine', () => {
  it('is identified as claim, version 1', () => {
    expect(claimMachine.id).toBe(CLAIM_MACHINE_ID);
    expect(CLAIM_MACHINE_ID).toBe('claim');
    expect(CLAIM_MACHINE_VERSION).toBe(1);
    expect(Object.keys(claimMachine.root.states).sort()).toEqual(
      ['assigning', 'lost', 'owned', 'rejected', 'review', 'withdrawn'].sort(),
    );
  });

  it('starts in review and asks the module to start the review, duplicates included', () => {
    const { state, emitted } = start();
    expect(state.value).toBe('review');
    expect(state.context).toEqual({ ...input, approvalId: null, outcome: null, outcomeReason: null });
    expect(emitted).toEqual([
      {
        type: 'guard.command',
        command: 'claim.review',
        payload: { customerId: 'c-1001', claimantId: 'e-7', duplicates: ['c-0999', 'c-1002'] },
      },
    ]);
  });

  it('does not share the duplicates array with its input', () => {
    const duplicates = ['c-0999'];
    const actor = createActor(claimMachine, { input: { ...input, duplicates } }).start();
    duplicates.push('c-5');
    expect(actor.getSnapshot().context.duplicates).toEqual(['c-0999']);
  });

  it('approved and assigned: owned, the claimant is told, the marker released', () => {
    const { state, steps } = run([ev.started(), ev.done('approved', { reason: '同意' }), ev.assigned()]);
    expect(steps[1]).toEqual([]);
    expect(steps[2]).toEqual([
      { type: 'guard.command', command: 'claim.assign', payload: { customerId: 'c-1001', claimantId: 'e-7' } },
    ]);
    expect(steps[3]).toEqual([notify('claim.owned', '同意'), claimDone('owned')]);
    expect(state.value).toBe('owned');
    expect(state.status).toBe('done');
    expect(state.context).toMatchObject({ approvalId: 'ap-1', outcome: 'owned', outcomeReason: '同意' });
  });

  it('approved but someone got there first: lost, with the reason', () => {
    const { state, steps } = run([ev.started(), ev.done('approved'), ev.lost('c-1001 is owned by e-9')]);
    expect(steps[3]).toEqual([notify('claim.lost', 'c-1001 is owned by e-9'), claimDone('lost')]);
    expect(state.value).toBe('lost');
    expect(state.status).toBe('done');
    expect(state.context).toMatchObject({ outcome: 'lost', outcomeReason: 'c-1001 is owned by e-9' });
  });

  it('rejected by the reviewer: rejected, the claimant is told why', () => {
    const { state, steps } = run([ev.started(), ev.done('rejected', { reason: '重复客户' })]);
    expect(steps[2]).toEqual([notify('claim.rejected', '重复客户'), claimDone('rejected')]);
    expect(state.value).toBe('rejected');
    expect(state.context).toMatchObject({ outcome: 'rejected', outcomeReason: '重复客户' });
  });

  it('approval withdrawn: withdrawn, without a notification', () => {
    const { state, steps } = run([ev.started(), ev.done('withdrawn')]);
    expect(steps[2]).toEqual([claimDone('withdrawn')]);
    expect(state.value).toBe('withdrawn');
    expect(state.context.outcome).toBe('withdrawn');
  });

  it('WITHDRAW by the claimant withdraws the approval, then releases the marker', () => {
    const { state, steps } = run([ev.started('ap-3'), ev.withdraw()]);
    expect(steps[2]).toEqual([
      { type: 'guard.command', command: 'claim.withdraw', payload: { approvalId: 'ap-3' } },
      claimDone('withdrawn'),
    ]);
    expect(state.value).toBe('withdrawn');
    expect(state.status).toBe('done');
  });

  it('WITHDRAW before the approval is known passes approvalId null', () => {
    const { steps } = run([ev.withdraw()]);
    expect(steps[1]?.[0]).toEqual({ type: 'guard.command', command: 'claim.withdraw', payload: { approvalId: null } });
  });

  it('refuses WITHDRAW from anyone but the claimant, and once review is over', () => {
    const { state } = run([ev.started()]);
    for (const actor of [
      colleague,
      host,
      system,
      { type: 'host', id: 'e-7' } as const,
      { type: 'system', id: 'e-7' } as const,
    ]) {
      expect(deliver(state, ev.withdraw(actor)).accepted).toBe(false);
    }
    const assigning = run([ev.started(), ev.done('approved')]).state;
    expect(deliver(assigning, ev.withdraw()).accepted).toBe(false);
  });

  it('takes approval events only from the runtime, for its own approval of kind ownership-claim', () => {
    const { state } = run([ev.started('ap-1')]);
    expect(deliver(state, ev.done('approved', { approvalId: 'ap-2' })).accepted).toBe(false);
    expect(deliver(state, ev.done('approved', { kind: 'leave' })).accepted).toBe(false);
    expect(deliver(state, ev.done('approved', { actor: claimant })).accepted).toBe(false);
    expect(deliver(state, ev.done('rejected', { actor: host })).accepted).toBe(false);
    expect(deliver(state, ev.started('ap-2')).accepted).toBe(false);
    expect(deliver(run([]).state, ev.started('ap-1', host)).accepted).toBe(false);
    // The same APPROVAL_STARTED again is harmless.
    const again = deliver(state, ev.started('ap-1'));
    expect(again.accepted).toBe(true);
    expect(again.state.context).toEqual(state.context);
    expect(again.emitted).toEqual([]);
  });

  it('adopts the approval id of an APPROVAL_DONE that arrives before APPROVAL_STARTED', () => {
    const { state } = run([ev.done('approved', { approvalId: 'ap-9' })]);
    expect(state.value).toBe('assigning');
    expect(state.context.approvalId).toBe('ap-9');
  });

  it('takes ASSIGNED and LOST only while assigning, and only from the runtime', () => {
    const review = run([ev.started()]).state;
    expect(deliver(review, ev.assigned()).accepted).toBe(false);
    expect(deliver(review, ev.lost()).accepted).toBe(false);
    const assigning = run([ev.started(), ev.done('approved')]).state;
    expect(deliver(assigning, ev.assigned(claimant)).accepted).toBe(false);
    expect(deliver(assigning, ev.assigned(host)).accepted).toBe(false);
    expect(deliver(assigning, ev.lost('x', colleague)).accepted).toBe(false);
    expect(deliver(assigning, ev.done('rejected')).accepted).toBe(false);
  });

  it('accepts nothing once final', () => {
    const finals = [
      run([ev.started(), ev.done('approved'), ev.assigned()]).state,
      run([ev.started(), ev.done('approved'), ev.lost()]).state,
      run([ev.started(), ev.done('rejected')]).state,
      run([ev.started(), ev.withdraw()]).state,
    ];
    const all = [
      ev.started(),
      ev.done('approved'),
      ev.done('rejected'),
      ev.done('withdrawn'),
      ev.assigned(),
      ev.lost(),
      ev.withdraw(),
    ];
    for (const state of finals) {
      expect(state.status).toBe('done');
      for (const event of all) expect(deliver(state, event).accepted).toBe(false);
    }
  });

  it('a restored actor behaves exactly as one that never stopped', () => {
    const events = [ev.started(), ev.done('approved', { reason: 'ok' }), ev.lost('taken')];
    const live = createActor(claimMachine, { input });
    const liveEmitted: WorkflowEmitted[] = [];
    live.on('*', (e) => liveEmitted.push(e));
    live.start();
    for (const event of events) live.send(event);
    const durable = run(events);
    expect(durable.emitted).toEqual(liveEmitted);
    expect(JSON.parse(durable.state.json)).toEqual(JSON.parse(JSON.stringify(live.getPersistedSnapshot())));
  });
});

// ---------------------------------------------------------------------------
// Model-based: every path @xstate/graph finds through the machine, replayed
// against the durable miniature, with each state's effects checked.
// ---------------------------------------------------------------------------

/** Samples per event type, including ones the machine must refuse (they add no state). */
const samples: ClaimEvent[] = [
  ev.started('ap-1'),
  ev.started('ap-1', claimant),
  ev.done('approved'),
  ev.done('rejected', { reason: 'no' }),
  ev.done('withdrawn'),
  ev.done('approved', { kind: 'leave' }),
  ev.done('approved', { actor: claimant }),
  ev.assigned(),
  ev.assigned(claimant),
  ev.lost('taken'),
  ev.withdraw(),
  ev.withdraw(colleague),
  ev.withdraw(host),
];

describe('claim machine, model-based', () => {
  // A state is its value and context: a refused sample leaves both as they were, so it adds no step.
  const model = createTestModel(claimMachine, {
    input,
    events: samples,
    serializeState: (snapshot) => JSON.stringify({ value: snapshot.value, context: snapshot.context }),
  });
  const paths = model.getSimplePaths();

  it('the paths reach every state, by every transition into it', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    expect([...reached].sort()).toEqual(Object.keys(claimMachine.root.states).sort());
    // withdrawn by WITHDRAW and by the approval, both before and after APPROVAL_STARTED.
    const intoWithdrawn = paths
      .filter((p) => p.state.value === 'withdrawn')
      .map((p) => p.steps.map((s): string => s.event.type).filter((type) => type !== 'xstate.init'));
    expect(intoWithdrawn).toContainEqual(['WITHDRAW']);
    expect(intoWithdrawn).toContainEqual(['APPROVAL_STARTED', 'WITHDRAW']);
    expect(intoWithdrawn).toContainEqual(['APPROVAL_DONE']);
    expect(intoWithdrawn).toContainEqual(['APPROVAL_STARTED', 'APPROVAL_DONE']);
  });

  const name = (path: (typeof paths)[number]) =>
    `${String(path.state.value)} by ${path.steps
      .map((s) => {
        const event = s.event as ClaimEvent | { type: 'xstate.init' };
        return event.type === 'APPROVAL_DONE' ? `${event.type}(${event.outcome})` : event.type;
      })
      .join(' → ')}`;

  it.each(paths.map((p) => [name(p), p] as const))('%s', async (_, path) => {
    const started = start();
    let state = started.state;
    let last: WorkflowEmitted[] = started.emitted;
    let lastEvent: ClaimEvent | null = null;
    const exec = (step: { event: { type: string } }) => {
      lastEvent = step.event as ClaimEvent;
      const result = deliver(state, lastEvent);
      expect(result.accepted).toBe(true);
      state = result.state;
      last = result.emitted;
    };
    const same = (snapshot: SnapshotFrom<typeof claimMachine>) => {
      expect(state.value).toBe(String(snapshot.value));
      expect(state.context).toEqual(snapshot.context);
      expect(state.status).toBe(snapshot.status);
    };
    const reason = () => state.context.outcomeReason;
    await path.test({
      events: {
        APPROVAL_STARTED: exec,
        APPROVAL_DONE: exec,
        ASSIGNED: exec,
        LOST: exec,
        WITHDRAW: exec,
      },
      states: {
        review: (snapshot) => {
          same(snapshot);
          if (lastEvent === null) {
            // The path's first step is the start itself.
            expect(last.map((e) => (e.type === 'guard.command' ? e.command : e.type))).toEqual(['claim.review']);
            expect(state.context.approvalId).toBeNull();
          } else {
            expect(last).toEqual([]);
            expect(state.context.approvalId).toBe('ap-1');
          }
        },
        assigning: (snapshot) => {
          same(snapshot);
          expect(last).toEqual([
            { type: 'guard.command', command: 'claim.assign', payload: { customerId: 'c-1001', claimantId: 'e-7' } },
          ]);
        },
        owned: (snapshot) => {
          same(snapshot);
          expect(last).toEqual([notify('claim.owned', reason()), claimDone('owned')]);
        },
        lost: (snapshot) => {
          same(snapshot);
          expect(last).toEqual([notify('claim.lost', 'taken'), claimDone('lost')]);
        },
        rejected: (snapshot) => {
          same(snapshot);
          expect(last).toEqual([notify('claim.rejected', 'no'), claimDone('rejected')]);
        },
        withdrawn: (snapshot) => {
          same(snapshot);
          const expected: WorkflowEmitted[] =
            (lastEvent as ClaimEvent | null)?.type === 'WITHDRAW'
              ? [
                  {
                    type: 'guard.command',
                    command: 'claim.withdraw',
                    payload: { approvalId: state.context.approvalId },
                  },
                  claimDone('withdrawn'),
                ]
              : [claimDone('withdrawn')];
          expect(last).toEqual(expected);
        },
      },
    });
  });
});

// ---------------------------------------------------------------------------
// Properties over arbitrary event sequences from arbitrary actors.
// ---------------------------------------------------------------------------

const actorArb: fc.Arbitrary<ActorRef> = fc.oneof(
  { arbitrary: fc.constant(system), weight: 4 },
  { arbitrary: fc.constant(claimant), weight: 2 },
  {
    arbitrary: fc.constantFrom<ActorRef>(
      colleague,
      host,
      { type: 'host', id: 'e-7' },
      { type: 'system', id: 'e-7' },
      { type: 'employee', id: 'e-70' },
    ),
    weight: 2,
  },
);
const approvalIdArb = fc.constantFrom('ap-1', 'ap-2');
const atArb = fc.constantFrom(T0, T1);

const eventArb: fc.Arbitrary<ClaimEvent> = fc.oneof(
  fc.record({
    type: fc.constant('APPROVAL_STARTED' as const),
    approvalId: approvalIdArb,
    at: atArb,
    actor: actorArb,
  }),
  fc.record({
    type: fc.constant('APPROVAL_DONE' as const),
    approvalId: approvalIdArb,
    kind: fc.constantFrom(CLAIM_APPROVAL_KIND, 'ownership-transfer'),
    outcome: fc.constantFrom('approved' as const, 'rejected' as const, 'withdrawn' as const),
    reason: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    at: atArb,
    actor: actorArb,
  }),
  fc.record({ type: fc.constant('ASSIGNED' as const), at: atArb, actor: actorArb }),
  fc.record({ type: fc.constant('LOST' as const), reason: fc.string({ maxLength: 8 }), at: atArb, actor: actorArb }),
  fc.record({ type: fc.constant('WITHDRAW' as const), at: atArb, actor: actorArb }),
);

interface Trace {
  readonly state: Durable;
  readonly accepted: ClaimEvent[];
  readonly refused: ClaimEvent[];
  readonly emitted: WorkflowEmitted[];
}

function trace(events: readonly ClaimEvent[]): Trace {
  const started = start();
  let state = started.state;
  const accepted: ClaimEvent[] = [];
  const refused: ClaimEvent[] = [];
  const emitted = [...started.emitted];
  for (const event of events) {
    const result = deliver(state, event);
    (result.accepted ? accepted : refused).push(event);
    state = result.state;
    emitted.push(...result.emitted);
  }
  return { state, accepted, refused, emitted };
}

const isClaimant = (actor: ActorRef) => actor.type === 'employee' && actor.id === 'e-7';

describe('claim machine, properties', () => {
  it('owned only right after an approval (approved) and then ASSIGNED, both from the runtime', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), (events) => {
        const { state, accepted } = trace(events);
        const owned = state.value === 'owned';
        const tail = accepted.slice(-2);
        const approvedThenAssigned =
          tail.length === 2 &&
          tail[0]?.type === 'APPROVAL_DONE' &&
          tail[0].outcome === 'approved' &&
          tail[0].kind === CLAIM_APPROVAL_KIND &&
          tail[0].actor.type === 'system' &&
          tail[1]?.type === 'ASSIGNED' &&
          tail[1].actor.type === 'system';
        expect(owned).toBe(approvedThenAssigned);
        // ASSIGNED is only ever accepted as the step into owned.
        expect(accepted.filter((e) => e.type === 'ASSIGNED').length).toBe(owned ? 1 : 0);
      }),
    );
  });

  it('no WITHDRAW but the claimant’s is accepted; withdrawn only by the claimant or the approval', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), (events) => {
        const { state, accepted } = trace(events);
        for (const event of accepted) {
          if (event.type === 'WITHDRAW') expect(isClaimant(event.actor)).toBe(true);
        }
        if (state.value === 'withdrawn') {
          const last = accepted.at(-1);
          const byClaimant = last?.type === 'WITHDRAW' && isClaimant(last.actor);
          const byApproval =
            last?.type === 'APPROVAL_DONE' && last.outcome === 'withdrawn' && last.actor.type === 'system';
          expect(byClaimant || byApproval).toBe(true);
        }
      }),
    );
  });

  it('a final state emits claim.done once, with the outcome; notification keys never repeat', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), (events) => {
        const { state, emitted } = trace(events);
        const dones = emitted.filter((e) => e.type === 'guard.command' && e.command === 'claim.done');
        if (state.status === 'done') {
          expect(state.context.outcome).toBe(state.value);
          expect(dones).toEqual([claimDone(state.value)]);
        } else {
          expect(state.context.outcome).toBeNull();
          expect(dones).toEqual([]);
        }
        const keys = emitted.flatMap((e) => (e.type === 'guard.notify' ? [e.key] : []));
        expect(new Set(keys).size).toBe(keys.length);
        // Everything emitted is plain JSON.
        expect(JSON.parse(JSON.stringify(emitted))).toStrictEqual(emitted);
      }),
    );
  });

  it('the approval id, once known, never changes', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), (events) => {
        let state = start().state;
        let known: string | null = null;
        for (const event of events) {
          state = deliver(state, event).state;
          if (known !== null) expect(state.context.approvalId).toBe(known);
          known = state.context.approvalId;
        }
      }),
    );
  });

  it('restoring at every step changes nothing: same snapshot, same effects as a live actor', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), (events) => {
        const durable = trace(events);
        const live = createActor(claimMachine, { input });
        const liveEmitted: WorkflowEmitted[] = [];
        live.on('*', (e) => liveEmitted.push(e));
        live.start();
        for (const event of events) {
          const snapshot = live.getSnapshot();
          if (snapshot.status === 'active' && snapshot.can(event)) live.send(event);
        }
        expect(durable.emitted).toEqual(liveEmitted);
        expect(JSON.parse(durable.state.json)).toEqual(JSON.parse(JSON.stringify(live.getPersistedSnapshot())));
      }),
    );
  });
});
