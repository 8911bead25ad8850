import { createHash } from 'node:crypto';
import { createTestModel } from '@xstate/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import type { ActorRef } from '../../src/domain/entities.js';
import {
  AGREEMENT_DEFAULT_MAX_REMINDERS,
  AGREEMENT_DEFAULT_REMIND_EVERY_HOURS,
  AGREEMENT_MACHINE_ID,
  AGREEMENT_MACHINE_VERSION,
  type AgreementContext,
  type AgreementEvent,
  type AgreementInput,
  agreementMachine,
  type SignatureChannel,
  signatureInputSchema,
} from '../../src/workflows/agreement/index.js';
import type { WorkflowEmitted } from '../../src/workflows/protocol.js';
import { durableHarness, type Durable as HarnessDurable } from './durable-harness.js';

// ---------------------------------------------------------------------------
// A miniature of the durable runtime: every step restores the machine from
// the JSON of its last persisted snapshot, checks `can(event)`, sends it and
// persists again, collecting what the machine emitted.
// ---------------------------------------------------------------------------

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TEXT_V3 = '保密协议 v3：员工对公司客户资料负有保密义务……';
const TEXT_V2 = '保密协议 v2：员工对公司客户资料负有保密义务…';
const HASH = sha256(TEXT_V3);
const OLD_HASH = sha256(TEXT_V2);

const T0 = '2026-11-02T02:00:00.000Z';
const HOUR = 3_600_000;
const plusHours = (at: string, hours: number) => new Date(Date.parse(at) + hours * HOUR).toISOString();

const employee: ActorRef = { type: 'employee', id: 'e-7' };
const colleague: ActorRef = { type: 'employee', id: 'e-8' };
const host: ActorRef = { type: 'host', id: 'host' };
const timer: ActorRef = { type: 'system', id: 'timer' };

const input: AgreementInput = {
  id: 'agr-1',
  employeeId: 'e-7',
  templateId: 'nda',
  templateVersion: 3,
  kind: 'confidentiality',
  title: '保密协议',
  contentHash: HASH,
  at: T0,
};

type Durable = HarnessDurable<AgreementContext>;
const harness = durableHarness<AgreementContext, AgreementEvent, AgreementInput>(agreementMachine);
const start = (agreementInput: AgreementInput = input) => harness.start(agreementInput);
const deliver = (state: Durable, event: AgreementEvent, agreementInput: AgreementInput = input) =>
  harness.deliver(state, event, agreementInput);

function run(events: readonly AgreementEvent[], agreementInput: AgreementInput = input) {
  const started = start(agreementInput);
  let state = started.state;
  const steps: WorkflowEmitted[][] = [started.emitted];
  for (const event of events) {
    const result = deliver(state, event, agreementInput);
    expect(result.accepted, `${event.type} in ${state.value}`).toBe(true);
    state = result.state;
    steps.push(result.emitted);
  }
  return { state, steps, emitted: steps.flat() };
}

const ev = {
  remind: (at: string, actor: ActorRef = timer): AgreementEvent => ({ type: 'REMIND', at, actor }),
  sign: (
    opts: { contentHash?: string; actor?: ActorRef; channel?: SignatureChannel; at?: string } = {},
  ): AgreementEvent => ({
    type: 'SIGN',
    contentHash: opts.contentHash ?? HASH,
    channel: opts.channel ?? 'wecom',
    ip: '203.0.113.7',
    userAgent: 'wxwork/4.1',
    at: opts.at ?? '2026-11-02T03:00:00.000Z',
    actor: opts.actor ?? employee,
  }),
  revoke: (actor: ActorRef = host, reason = 'offer withdrawn'): AgreementEvent => ({
    type: 'REVOKE',
    reason,
    at: '2026-11-02T04:00:00.000Z',
    actor,
  }),
};

const about = {
  agreementId: 'agr-1',
  kind: 'confidentiality',
  title: '保密协议',
  templateId: 'nda',
  templateVersion: 3,
};
const schedule = (at: string): WorkflowEmitted => ({
  type: 'guard.schedule',
  key: 'remind',
  at,
  event: { type: 'REMIND' },
});
const reminder = (n: number, max: number): WorkflowEmitted => ({
  type: 'guard.notify',
  key: `reminder-${n}`,
  to: ['e-7'],
  template: 'agreement.reminder',
  data: { ...about, reminder: n, maxReminders: max },
});
const overdue: WorkflowEmitted = { type: 'guard.command', command: 'agreement.overdue', payload: {} };
const cancel: WorkflowEmitted = { type: 'guard.cancel', key: 'remind' };

describe('agreement machine', () => {
  it('is identified as agreement, version 1, reminding every 72 hours at most 10 times by default', () => {
    expect(agreementMachine.id).toBe(AGREEMENT_MACHINE_ID);
    expect(AGREEMENT_MACHINE_ID).toBe('agreement');
    expect(AGREEMENT_MACHINE_VERSION).toBe(1);
    expect(AGREEMENT_DEFAULT_REMIND_EVERY_HOURS).toBe(72);
    expect(AGREEMENT_DEFAULT_MAX_REMINDERS).toBe(10);
    expect(Object.keys(agreementMachine.root.states).sort()).toEqual(['pending', 'revoked', 'signed']);
  });

  it('starts pending: tells the employee and schedules the first reminder', () => {
    const { state, emitted } = start();
    expect(state.value).toBe('pending');
    expect(state.context).toEqual({
      ...input,
      remindEveryHours: 72,
      maxReminders: 10,
      reminders: 0,
      overdue: false,
      signature: null,
      revokedReason: null,
    });
    expect(emitted).toEqual([
      { type: 'guard.notify', key: 'assigned', to: ['e-7'], template: 'agreement.assigned', data: about },
      schedule('2026-11-05T02:00:00.000Z'),
    ]);
  });

  it('reads the first reminder time from `at` (with an offset) and remindEveryHours, never from a clock', () => {
    const { emitted } = start({ ...input, at: '2026-11-02T10:00:00+08:00', remindEveryHours: 24 });
    expect(emitted[1]).toEqual(schedule('2026-11-03T02:00:00.000Z'));
  });

  it('reminds, reschedules from the timer’s instant, and after the last reminder reports overdue once', () => {
    const custom = { ...input, remindEveryHours: 24, maxReminders: 3 };
    const r1 = plusHours(T0, 24);
    const r2 = plusHours(r1, 24);
    const r3 = plusHours(r2, 24);
    const { state, steps } = run([ev.remind(r1), ev.remind(r2), ev.remind(r3)], custom);
    expect(steps[1]).toEqual([reminder(1, 3), schedule(plusHours(r1, 24))]);
    expect(steps[2]).toEqual([reminder(2, 3), schedule(plusHours(r2, 24))]);
    expect(steps[3]).toEqual([reminder(3, 3), overdue]);
    expect(state.value).toBe('pending');
    expect(state.context).toMatchObject({ reminders: 3, overdue: true });
    // No timer is left, and a stray REMIND is refused.
    expect(deliver(state, ev.remind(plusHours(r3, 24)), custom).accepted).toBe(false);
    // The employee may still sign.
    const signed = deliver(state, ev.sign(), custom);
    expect(signed.accepted).toBe(true);
    expect(signed.state.value).toBe('signed');
  });

  it('with maxReminders 0, the first due time reports overdue without a reminder', () => {
    const custom = { ...input, maxReminders: 0 };
    const { state, steps } = run([ev.remind(plusHours(T0, 72))], custom);
    expect(steps[1]).toEqual([overdue]);
    expect(state.context).toMatchObject({ reminders: 0, overdue: true });
  });

  it('takes REMIND only from the system (timers)', () => {
    const { state } = start();
    for (const actor of [employee, colleague, host]) {
      expect(deliver(state, ev.remind(plusHours(T0, 72), actor)).accepted).toBe(false);
    }
  });

  it('the employee signs the assigned text: signed, signature recorded, reminder cancelled', () => {
    const { state, steps } = run([ev.remind(plusHours(T0, 72)), ev.sign({ at: '2026-11-06T01:00:00.000Z' })]);
    const signature = {
      signerId: 'e-7',
      contentHash: HASH,
      signedAt: '2026-11-06T01:00:00.000Z',
      channel: 'wecom',
      ip: '203.0.113.7',
      userAgent: 'wxwork/4.1',
    };
    expect(state.value).toBe('signed');
    expect(state.status).toBe('done');
    expect(state.context.signature).toEqual(signature);
    expect(steps[2]).toEqual([cancel, { type: 'guard.command', command: 'agreement.signed', payload: { signature } }]);
  });

  it('refuses a signature by anyone else, or over any other text', () => {
    const { state } = start();
    expect(deliver(state, ev.sign({ actor: colleague })).accepted).toBe(false);
    expect(deliver(state, ev.sign({ actor: { type: 'host', id: 'e-7' } })).accepted).toBe(false);
    expect(deliver(state, ev.sign({ actor: { type: 'system', id: 'e-7' } })).accepted).toBe(false);
    expect(deliver(state, ev.sign({ contentHash: OLD_HASH })).accepted).toBe(false);
    expect(deliver(state, ev.sign({ contentHash: HASH.toUpperCase() })).accepted).toBe(false);
    expect(deliver(state, ev.sign()).accepted).toBe(true);
  });

  it('REVOKE by the host or the system: revoked, reminder cancelled; never by an employee', () => {
    const { state } = start();
    expect(deliver(state, ev.revoke(employee)).accepted).toBe(false);
    expect(deliver(state, ev.revoke(colleague)).accepted).toBe(false);
    const bySystem = deliver(state, ev.revoke({ type: 'system', id: 'offboarding' }));
    expect(bySystem.accepted).toBe(true);
    const { state: revoked, steps } = run([ev.revoke(host, '候选人未入职')]);
    expect(revoked.value).toBe('revoked');
    expect(revoked.status).toBe('done');
    expect(revoked.context.revokedReason).toBe('候选人未入职');
    expect(revoked.context.signature).toBeNull();
    expect(steps[1]).toEqual([cancel]);
  });

  it('accepts nothing once final', () => {
    const finals = [run([ev.sign()]).state, run([ev.revoke()]).state];
    for (const state of finals) {
      for (const event of [ev.remind(plusHours(T0, 72)), ev.sign(), ev.revoke(), ev.revoke(timer)]) {
        expect(deliver(state, event).accepted).toBe(false);
      }
    }
  });

  it('refuses to start with settings no timer could follow', () => {
    const bad: Partial<AgreementInput>[] = [
      { remindEveryHours: 0 },
      { remindEveryHours: -1 },
      { remindEveryHours: Number.NaN },
      { remindEveryHours: Number.POSITIVE_INFINITY },
      { maxReminders: -1 },
      { maxReminders: 1.5 },
      { maxReminders: Number.NaN },
      { at: 'yesterday' },
    ];
    for (const patch of bad) {
      const actor = createActor(agreementMachine, { input: { ...input, ...patch } });
      const emitted: WorkflowEmitted[] = [];
      actor.on('*', (e) => emitted.push(e));
      actor.subscribe({ error: () => {} });
      actor.start();
      const snapshot = actor.getSnapshot();
      expect(snapshot.status, JSON.stringify(patch)).toBe('error');
      expect(snapshot.error).toBeInstanceOf(RangeError);
      expect(emitted).toEqual([]);
    }
  });

  it('a restored actor behaves exactly as one that never stopped', () => {
    const events = [ev.remind(plusHours(T0, 72)), ev.remind(plusHours(T0, 144)), ev.sign()];
    const live = createActor(agreementMachine, { input });
    const liveEmitted: WorkflowEmitted[] = [];
    live.on('*', (e) => liveEmitted.push(e));
    live.start();
    for (const event of events) live.send(event);
    const durable = run(events);
    expect(durable.emitted).toEqual(liveEmitted);
    expect(JSON.parse(durable.state.json)).toEqual(JSON.parse(JSON.stringify(live.getPersistedSnapshot())));
  });
});

describe('signatureInputSchema', () => {
  it('accepts the host’s part of a signature; ip and userAgent default to null', () => {
    expect(signatureInputSchema.parse({ contentHash: HASH, channel: 'web' })).toEqual({
      contentHash: HASH,
      channel: 'web',
      ip: null,
      userAgent: null,
    });
    expect(
      signatureInputSchema.parse({ contentHash: HASH, channel: 'paper-scan', ip: '2001:db8::1', userAgent: 'scanner' }),
    ).toEqual({ contentHash: HASH, channel: 'paper-scan', ip: '2001:db8::1', userAgent: 'scanner' });
    expect(
      signatureInputSchema.parse({ contentHash: HASH, channel: 'mobile', ip: null, userAgent: null }).ip,
    ).toBeNull();
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      { contentHash: HASH.toUpperCase(), channel: 'web' },
      { contentHash: HASH.slice(1), channel: 'web' },
      { contentHash: `${HASH}0`, channel: 'web' },
      { contentHash: HASH, channel: 'fax' },
      { contentHash: HASH, channel: 'web', ip: 'localhost' },
      { contentHash: HASH, channel: 'web', userAgent: 'x'.repeat(1001) },
      { contentHash: HASH, channel: 'web', signerId: 'e-7' },
      { channel: 'web' },
      null,
    ];
    for (const value of bad) expect(signatureInputSchema.safeParse(value).success, JSON.stringify(value)).toBe(false);
  });

  it('parses into the payload of a SIGN event the machine accepts', () => {
    const event: AgreementEvent = {
      type: 'SIGN',
      ...signatureInputSchema.parse({ contentHash: HASH, channel: 'web' }),
      at: '2026-11-02T03:00:00.000Z',
      actor: employee,
    };
    expect(deliver(start().state, event).accepted).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Model-based: every simple path @xstate/graph finds (two reminders, so the
// overdue branch is in the graph), replayed against the durable miniature.
// ---------------------------------------------------------------------------

const modelInput: AgreementInput = { ...input, maxReminders: 2, remindEveryHours: 48 };
const R = '2026-11-04T02:00:00.000Z';
const samples: AgreementEvent[] = [
  ev.remind(R),
  ev.remind(R, employee),
  ev.sign(),
  ev.sign({ contentHash: OLD_HASH }),
  ev.sign({ actor: colleague }),
  ev.revoke(host),
  ev.revoke(employee),
];

describe('agreement machine, model-based', () => {
  const model = createTestModel(agreementMachine, {
    input: modelInput,
    events: samples,
    serializeState: (snapshot) => JSON.stringify({ value: snapshot.value, context: snapshot.context }),
  });
  const paths = model.getSimplePaths();

  it('the paths reach every state, and the overdue branch', () => {
    const visited = paths.flatMap((p) => p.steps.map((s) => s.state));
    expect([...new Set(visited.map((s) => String(s.value)))].sort()).toEqual(
      Object.keys(agreementMachine.root.states).sort(),
    );
    expect(visited.some((s) => s.value === 'pending' && s.context.overdue)).toBe(true);
    expect(visited.some((s) => s.value === 'signed' && s.context.overdue)).toBe(true);
    expect(visited.some((s) => s.value === 'revoked' && s.context.reminders === 1)).toBe(true);
  });

  const name = (path: (typeof paths)[number]) =>
    `${String(path.state.value)} by ${path.steps.map((s) => s.event.type).join(' → ')}`;

  it.each(paths.map((p) => [name(p), p] as const))('%s', async (_, path) => {
    const started = start(modelInput);
    let state = started.state;
    let last: WorkflowEmitted[] = started.emitted;
    let lastEvent: AgreementEvent | null = null;
    const exec = (step: { event: { type: string } }) => {
      const event = step.event as AgreementEvent;
      lastEvent = event;
      const result = deliver(state, event, modelInput);
      expect(result.accepted).toBe(true);
      state = result.state;
      last = result.emitted;
    };
    const same = (snapshot: SnapshotFrom<typeof agreementMachine>) => {
      expect(state.value).toBe(String(snapshot.value));
      expect(state.context).toEqual(snapshot.context);
      expect(state.status).toBe(snapshot.status);
    };
    await path.test({
      events: { REMIND: exec, SIGN: exec, REVOKE: exec },
      states: {
        pending: (snapshot) => {
          same(snapshot);
          const n = state.context.reminders;
          if (lastEvent === null) {
            expect(last.map((e) => e.type)).toEqual(['guard.notify', 'guard.schedule']);
          } else if (n < 2) {
            expect(last).toEqual([reminder(n, 2), schedule(plusHours(R, 48))]);
          } else {
            expect(last).toEqual([reminder(2, 2), overdue]);
            expect(state.context.overdue).toBe(true);
          }
        },
        signed: (snapshot) => {
          same(snapshot);
          expect(state.context.signature).toMatchObject({ signerId: 'e-7', contentHash: HASH });
          expect(last).toEqual([
            cancel,
            { type: 'guard.command', command: 'agreement.signed', payload: { signature: state.context.signature } },
          ]);
        },
        revoked: (snapshot) => {
          same(snapshot);
          expect(last).toEqual([cancel]);
          expect(state.context.revokedReason).toBe('offer withdrawn');
        },
      },
    });
  });
});

// ---------------------------------------------------------------------------
// Properties over arbitrary event sequences from arbitrary actors.
// ---------------------------------------------------------------------------

const actorArb: fc.Arbitrary<ActorRef> = fc.oneof(
  { arbitrary: fc.constant(timer), weight: 3 },
  { arbitrary: fc.constant(employee), weight: 2 },
  {
    arbitrary: fc.constantFrom<ActorRef>(
      colleague,
      host,
      { type: 'host', id: 'e-7' },
      { type: 'system', id: 'e-7' },
      { type: 'employee', id: 'E-7' },
    ),
    weight: 2,
  },
);
const atArb = fc
  .integer({ min: 0, max: 60 * 24 * 60 })
  .map((minutes) => new Date(Date.parse(T0) + minutes * 60_000).toISOString());

const eventArb: fc.Arbitrary<AgreementEvent> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('REMIND' as const), at: atArb, actor: actorArb }), weight: 4 },
  {
    arbitrary: fc.record({
      type: fc.constant('SIGN' as const),
      contentHash: fc.oneof(
        { arbitrary: fc.constant(HASH), weight: 3 },
        { arbitrary: fc.constantFrom(OLD_HASH, HASH.toUpperCase(), sha256(`${TEXT_V3} `)), weight: 1 },
      ),
      channel: fc.constantFrom<SignatureChannel>('web', 'mobile', 'wecom', 'paper-scan', 'other'),
      ip: fc.option(fc.ipV4(), { nil: null }),
      userAgent: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
      at: atArb,
      actor: actorArb,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('REVOKE' as const),
      reason: fc.string({ maxLength: 8 }),
      at: atArb,
      actor: actorArb,
    }),
    weight: 1,
  },
);
const inputArb: fc.Arbitrary<AgreementInput> = fc.record({
  ...Object.fromEntries(Object.entries(input).map(([k, v]) => [k, fc.constant(v)])),
  maxReminders: fc.integer({ min: 0, max: 4 }),
  remindEveryHours: fc.constantFrom(1, 24, 72, 0.5),
}) as fc.Arbitrary<AgreementInput>;

interface Trace {
  readonly state: Durable;
  readonly accepted: AgreementEvent[];
  readonly emitted: WorkflowEmitted[];
}

/** Runs the events, checking `check` after every step (with the outstanding reminder timer, if any). */
function trace(
  agreementInput: AgreementInput,
  events: readonly AgreementEvent[],
  check: (state: Durable, timerAt: string | null) => void = () => {},
): Trace {
  const started = start(agreementInput);
  let state = started.state;
  const accepted: AgreementEvent[] = [];
  const emitted = [...started.emitted];
  let timerAt: string | null = null;
  const hours = agreementInput.remindEveryHours ?? AGREEMENT_DEFAULT_REMIND_EVERY_HOURS;
  const track = (requests: readonly WorkflowEmitted[], causeAt: string) => {
    for (const request of requests) {
      if (request.type === 'guard.schedule') {
        // Only the reminder timer, always due remindEveryHours after the instant that set it.
        expect(request).toEqual(schedule(plusHours(causeAt, hours)));
        timerAt = request.at;
      }
      if (request.type === 'guard.cancel') {
        expect(request).toEqual(cancel);
        timerAt = null;
      }
    }
  };
  track(started.emitted, agreementInput.at);
  check(state, timerAt);
  for (const event of events) {
    const result = deliver(state, event, agreementInput);
    if (result.accepted) {
      accepted.push(event);
      // A REMIND is the timer firing: it is used up.
      if (event.type === 'REMIND') timerAt = null;
    }
    track(result.emitted, event.at);
    state = result.state;
    emitted.push(...result.emitted);
    check(state, timerAt);
  }
  return { state, accepted, emitted };
}

describe('agreement machine, properties', () => {
  it('signed only by the employee themself, over the assigned text; the signature is that event', () => {
    fc.assert(
      fc.property(inputArb, fc.array(eventArb, { maxLength: 12 }), (agreementInput, events) => {
        const { state, accepted } = trace(agreementInput, events);
        const signs = accepted.filter((e) => e.type === 'SIGN');
        for (const sign of signs) {
          expect(sign.actor).toEqual(employee);
          expect(sign.contentHash).toBe(HASH);
        }
        expect(signs.length).toBe(state.value === 'signed' ? 1 : 0);
        const sign = signs[0];
        if (sign !== undefined) {
          expect(state.context.signature).toEqual({
            signerId: 'e-7',
            contentHash: HASH,
            signedAt: sign.at,
            channel: sign.channel,
            ip: sign.ip,
            userAgent: sign.userAgent,
          });
        } else {
          expect(state.context.signature).toBeNull();
        }
        for (const revoke of accepted.filter((e) => e.type === 'REVOKE'))
          expect(revoke.actor.type).not.toBe('employee');
      }),
    );
  });

  it('reminders never exceed maxReminders; overdue is reported once, after the last one', () => {
    fc.assert(
      fc.property(inputArb, fc.array(eventArb, { maxLength: 14 }), (agreementInput, events) => {
        const max = agreementInput.maxReminders ?? AGREEMENT_DEFAULT_MAX_REMINDERS;
        const { state, emitted } = trace(agreementInput, events, (step) => {
          expect(step.context.reminders).toBeLessThanOrEqual(max);
        });
        const reminders = emitted.filter((e) => e.type === 'guard.notify' && e.template === 'agreement.reminder');
        expect(reminders.length).toBe(state.context.reminders);
        const overdues = emitted.filter((e) => e.type === 'guard.command' && e.command === 'agreement.overdue');
        expect(overdues.length).toBe(state.context.overdue ? 1 : 0);
        if (state.context.overdue) expect(state.context.reminders).toBe(max);
      }),
    );
  });

  it('notification keys are unique across any event sequence', () => {
    fc.assert(
      fc.property(inputArb, fc.array(eventArb, { maxLength: 14 }), (agreementInput, events) => {
        const { emitted } = trace(agreementInput, events);
        const keys = emitted.flatMap((e) => (e.type === 'guard.notify' ? [e.key] : []));
        expect(new Set(keys).size).toBe(keys.length);
        expect(JSON.parse(JSON.stringify(emitted))).toStrictEqual(emitted);
      }),
    );
  });

  it('a reminder timer is outstanding exactly while pending and not yet overdue', () => {
    fc.assert(
      fc.property(inputArb, fc.array(eventArb, { maxLength: 14 }), (agreementInput, events) => {
        trace(agreementInput, events, (state, timerAt) => {
          expect(timerAt !== null).toBe(state.status === 'active' && !state.context.overdue);
        });
      }),
    );
  });

  it('restoring at every step changes nothing: same snapshot, same effects as a live actor', () => {
    fc.assert(
      fc.property(inputArb, fc.array(eventArb, { maxLength: 12 }), (agreementInput, events) => {
        const durable = trace(agreementInput, events);
        const live = createActor(agreementMachine, { input: agreementInput });
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
