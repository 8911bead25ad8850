import { getShortestPaths } from '@xstate/graph';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom, transition } from 'xstate';
import type { ActorRef } from '../../src/domain/entities.js';
import {
  APPROVAL_MACHINE_ID,
  APPROVAL_MACHINE_VERSION,
  type ApprovalContext,
  type ApprovalEvent,
  type ApprovalInput,
  type ApprovalLevel,
  type ApproverSpec,
  approvalLevelSchema,
  approvalMachine,
  approverSpecSchema,
} from '../../src/workflows/approval/index.js';
import type { WorkflowEmitted } from '../../src/workflows/protocol.js';

// ---------------------------------------------------------------------------
// A miniature of the durable runtime: every step restores the machine from
// the JSON of its last persisted snapshot, checks `can(event)`, sends the
// event and persists again, collecting what the machine emitted. It also
// keeps the durable timer table the way the runtime would.
// ---------------------------------------------------------------------------

const T0 = '2026-11-02T02:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const HOUR = 60;

const REQ = 'req';
const emp = (id: string): ActorRef => ({ type: 'employee', id });
/** The actor the runtime gives command answers. */
const SYSTEM: ActorRef = { type: 'system', id: 'workflow' };
/** The actor the runtime gives timers. */
const TIMER: ActorRef = { type: 'system', id: 'timer' };

type Then = 'approve' | 'reject' | 'escalate';
const timeout = (hours: number, then: Then) => ({ hours, then });

function makeInput(levels: ApprovalLevel[], extra: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    id: 'ap-1',
    kind: 'customer-export',
    requester: REQ,
    subject: { type: 'customer', id: 'c-1001' },
    title: 'Export 120 customers',
    payload: { rows: 120 },
    levels,
    parentId: null,
    at: T0,
    ...extra,
  };
}

const ev = {
  approvers: (level: number, groups: string[][], when = at(0), actor: ActorRef = SYSTEM): ApprovalEvent => ({
    type: 'APPROVERS',
    level,
    groups,
    at: when,
    actor,
  }),
  approve: (approver: string, opts: { by?: string; comment?: string; at?: string } = {}): ApprovalEvent => ({
    type: 'APPROVE',
    approver,
    ...(opts.comment === undefined ? {} : { comment: opts.comment }),
    at: opts.at ?? at(10),
    actor: emp(opts.by ?? approver),
  }),
  reject: (approver: string, reason: string, by = approver): ApprovalEvent => ({
    type: 'REJECT',
    approver,
    reason,
    at: at(20),
    actor: emp(by),
  }),
  sendBack: (approver: string, reason: string, by = approver): ApprovalEvent => ({
    type: 'SEND_BACK',
    approver,
    reason,
    at: at(20),
    actor: emp(by),
  }),
  resubmit: (payload?: { [key: string]: string | number }, by = REQ): ApprovalEvent => ({
    type: 'RESUBMIT',
    ...(payload === undefined ? {} : { payload }),
    at: at(30),
    actor: emp(by),
  }),
  withdraw: (by = REQ, reason?: string): ApprovalEvent => ({
    type: 'WITHDRAW',
    ...(reason === undefined ? {} : { reason }),
    at: at(40),
    actor: emp(by),
  }),
  timeout: (level: number, round: number, when = at(50), actor: ActorRef = TIMER): ApprovalEvent => ({
    type: 'TIMEOUT',
    level,
    round,
    at: when,
    actor,
  }),
  escalated: (
    level: number,
    round: number,
    approvers: string[],
    when = at(60),
    actor: ActorRef = SYSTEM,
  ): ApprovalEvent => ({
    type: 'ESCALATED',
    level,
    round,
    approvers,
    at: when,
    actor,
  }),
};

type Snapshot = SnapshotFrom<typeof approvalMachine>;

interface Durable {
  /** The persisted snapshot as the database would hold it. */
  readonly json: string;
  readonly value: string;
  readonly status: string;
  readonly context: ApprovalContext;
}

/** Throws unless `value` is exactly what JSON gives back (cheaper than a deep equality per step). */
function assertPlainJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) assertPlainJson(v, `${path}[${i}]`);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) assertPlainJson(v, `${path}.${k}`);
    return;
  }
  throw new TypeError(`${path} is not plain JSON: ${String(value)}`);
}

function persist(actor: ReturnType<typeof createActor<typeof approvalMachine>>): Durable {
  const snapshot = actor.getSnapshot();
  if (snapshot.status === 'error') throw snapshot.error;
  // The context must survive JSON unchanged (no undefined, no class instances).
  assertPlainJson(snapshot.context, 'context');
  return {
    json: JSON.stringify(actor.getPersistedSnapshot()),
    value: String(snapshot.value),
    status: snapshot.status,
    context: snapshot.context,
  };
}

function restore(state: Durable, input: ApprovalInput) {
  const actor = createActor(approvalMachine, { snapshot: JSON.parse(state.json), input });
  const emitted: WorkflowEmitted[] = [];
  actor.on('*', (e) => emitted.push(e));
  actor.start();
  // Restoring must not re-run entry actions, and must give back the same state.
  expect(emitted).toEqual([]);
  expect(JSON.stringify(actor.getPersistedSnapshot()) === state.json, 'restored snapshot differs').toBe(true);
  return { actor, emitted };
}

/**
 * One runtime step. A refused event (not `can()`) is checked to be inert:
 * XState's pure `transition` gives the same snapshot and nothing to do.
 */
function deliver(
  state: Durable,
  event: ApprovalEvent,
  input: ApprovalInput,
): { accepted: boolean; state: Durable; emitted: WorkflowEmitted[] } {
  const { actor, emitted } = restore(state, input);
  const before = actor.getSnapshot();
  if (before.status !== 'active' || !before.can(event)) {
    const [after, actions] = transition(approvalMachine, before, event);
    expect(after.value).toEqual(before.value);
    expect(after.context).toEqual(before.context);
    expect(actions).toEqual([]);
    actor.stop();
    return { accepted: false, state, emitted: [] };
  }
  actor.send(event);
  const next = persist(actor);
  actor.stop();
  return { accepted: true, state: next, emitted };
}

function start(input: ApprovalInput): { state: Durable; emitted: WorkflowEmitted[] } {
  const actor = createActor(approvalMachine, { input });
  const emitted: WorkflowEmitted[] = [];
  actor.on('*', (e) => emitted.push(e));
  actor.start();
  const state = persist(actor);
  actor.stop();
  return { state, emitted };
}

/**
 * A workflow driven through the miniature runtime, with the bookkeeping the
 * invariants need: the timer table, every emitted event, and what the
 * approver-resolving module answered per round and level.
 */
class Run {
  state: Durable;
  readonly emitted: WorkflowEmitted[] = [];
  /** The last step's emitted events. */
  last: WorkflowEmitted[];
  readonly timers = new Map<string, { at: string; event: WorkflowEmitted & { type: 'guard.schedule' } }>();
  /** `round:level` → the groups the module answered, requester removed. */
  readonly resolved = new Map<string, string[][]>();
  /** `round:level` → the escalation approvers, requester removed. */
  readonly escalations = new Map<string, string[]>();

  /** Starts the workflow, or continues a copy of `from`. */
  constructor(
    readonly input: ApprovalInput,
    from?: Run,
  ) {
    if (from) {
      this.state = from.state;
      this.last = from.last;
      this.emitted.push(...from.emitted);
      for (const [k, v] of from.timers) this.timers.set(k, v);
      for (const [k, v] of from.resolved) this.resolved.set(k, v);
      for (const [k, v] of from.escalations) this.escalations.set(k, v);
      return;
    }
    const started = start(input);
    this.state = started.state;
    this.last = started.emitted;
    this.#record(started.emitted);
  }

  get context(): ApprovalContext {
    return this.state.context;
  }

  /** Delivers `event` if the machine accepts it; `false` when refused. */
  send(event: ApprovalEvent): boolean {
    const before = this.state.context;
    if (event.type === 'TIMEOUT' && event.actor.type === 'system') {
      // The runtime removes a timer when it fires.
      const timer = this.timers.get('timeout');
      if (timer && timer.event.event.level === event.level && timer.event.event.round === event.round) {
        this.timers.delete('timeout');
      }
    }
    const result = deliver(this.state, event, this.input);
    if (!result.accepted) return false;
    const key = `${before.round}:${before.level}`;
    if (event.type === 'APPROVERS') {
      this.resolved.set(
        key,
        event.groups.map((g) => [...new Set(g)].filter((id) => id !== REQ)),
      );
    }
    if (event.type === 'ESCALATED')
      this.escalations.set(
        key,
        event.approvers.filter((id) => id !== REQ),
      );
    this.state = result.state;
    this.last = result.emitted;
    this.#record(result.emitted);
    return true;
  }

  /** Delivers events that must all be accepted. */
  accept(...events: ApprovalEvent[]): this {
    for (const event of events) {
      expect(this.send(event), `${event.type} in ${this.state.value}`).toBe(true);
    }
    return this;
  }

  /** Events that must all be refused, leaving the workflow as it was. */
  refuse(...events: ApprovalEvent[]): this {
    for (const event of events) {
      const json = this.state.json;
      expect(this.send(event), `${event.type} in ${this.state.value}`).toBe(false);
      expect(this.state.json).toBe(json);
    }
    return this;
  }

  #record(emitted: readonly WorkflowEmitted[]) {
    for (const e of emitted) {
      this.emitted.push(e);
      if (e.type === 'guard.schedule') this.timers.set(e.key, { at: e.at, event: e });
      if (e.type === 'guard.cancel') this.timers.delete(e.key);
    }
  }

  of<T extends WorkflowEmitted['type']>(type: T): Extract<WorkflowEmitted, { type: T }>[] {
    return this.emitted.filter((e): e is Extract<WorkflowEmitted, { type: T }> => e.type === type);
  }

  commands(name: string) {
    return this.of('guard.command').filter((c) => c.command === name);
  }
}

// ---------------------------------------------------------------------------
// Invariants, checked after steps of the model-based and property tests.
// ---------------------------------------------------------------------------

/** Whether `approvers` (distinct people) meet the quorum over `groups`, each person counting for one group. */
function quorumByDistinctPeople(groups: string[][], approvers: string[], quorum: 'any' | 'all'): boolean {
  if (quorum === 'any') return approvers.some((a) => groups.some((g) => g.includes(a)));
  // Plain backtracking, independent of the machine's matching.
  const assign = (g: number, used: Set<string>): boolean => {
    if (g === groups.length) return true;
    return (groups[g] ?? []).some((p) => approvers.includes(p) && !used.has(p) && assign(g + 1, new Set([...used, p])));
  };
  return assign(0, new Set());
}

function checkInvariants(run: Run): void {
  const { context, value } = run.state;
  // Nobody approves, rejects or sends back their own request, not even as a delegate; people
  // decide only where they were named; the machine's own decisions are the system's.
  const wrong = context.decisions.filter((d) => {
    if (d.approver === REQ || d.by === REQ) return true;
    if (d.decision !== 'approve' && d.decision !== 'reject' && d.decision !== 'send-back') {
      return d.approver !== 'system' || d.by !== 'system';
    }
    const key = `${d.round}:${d.level}`;
    return ![...(run.resolved.get(key) ?? []).flat(), ...(run.escalations.get(key) ?? [])].includes(d.approver);
  });
  expect(wrong).toEqual([]);
  // Each person decides at most once per round and level.
  const people = context.decisions
    .filter((d) => d.approver !== 'system')
    .map((d) => `${d.round}:${d.level}:${d.approver}`);
  expect(new Set(people).size).toBe(people.length);
  // Notification keys are unique for the workflow's life (the outbox idempotency key).
  const keys = run.of('guard.notify').map((n) => n.key);
  expect(new Set(keys).size).toBe(keys.length);
  const toRequester = run
    .of('guard.notify')
    .filter((n) => n.to.includes(REQ) && (n.template === 'approval.requested' || n.template === 'approval.escalated'));
  expect(toRequester).toEqual([]);
  // The durable timer matches the state.
  const level = context.levels[context.level];
  const timer = run.timers.get('timeout');
  if (value === 'pending' && level?.timeout && context.escalation !== 'requested') {
    expect(timer?.event.event).toEqual({ type: 'TIMEOUT', level: context.level, round: context.round });
  } else if (value !== 'pending' || !level?.timeout) {
    expect(timer).toBeUndefined();
  }
  expect([...run.timers.keys()].filter((k) => k !== 'timeout')).toEqual([]);
  // What each state waits for was asked for.
  const lastCommand = run.of('guard.command').at(-1);
  if (value === 'resolving') {
    expect(lastCommand).toEqual({
      type: 'guard.command',
      command: 'approval.resolve',
      payload: { level: context.level, round: context.round },
    });
  }
  if (value === 'pending' && context.escalation === 'requested') {
    expect(lastCommand).toEqual({
      type: 'guard.command',
      command: 'approval.escalate',
      payload: { level: context.level, round: context.round },
    });
  }
  if (value === 'changesRequested') {
    expect(run.of('guard.notify').at(-1)).toMatchObject({ to: [REQ], template: 'approval.sent-back' });
  }
  const ended = value === 'approved' || value === 'rejected' || value === 'withdrawn';
  expect(run.state.status).toBe(ended ? 'done' : 'active');
  expect(context.outcome).toBe(ended ? value : null);
  if (ended) {
    expect(run.commands('approval.done')).toEqual([
      { type: 'guard.command', command: 'approval.done', payload: { outcome: value, reason: context.reason } },
    ]);
    expect(run.of('guard.notify').filter((n) => n.key === 'done')).toEqual([
      expect.objectContaining({ to: [REQ], template: `approval.${value}` }),
    ]);
    const signals = run.of('guard.signal');
    if (context.parentId === null) expect(signals).toEqual([]);
    else {
      expect(signals).toEqual([
        {
          type: 'guard.signal',
          workflowId: context.parentId,
          event: {
            type: 'APPROVAL_DONE',
            approvalId: context.id,
            kind: context.kind,
            outcome: value,
            reason: context.reason,
          },
        },
      ]);
    }
    if (value === 'approved') expect(context.reason).toBeNull();
    if (value === 'rejected') expect(context.reason).toEqual(expect.any(String));
  } else {
    expect(run.commands('approval.done')).toEqual([]);
  }
  if (value === 'approved') checkLegitimatelyApproved(run);
}

/**
 * `approved` only when, in the last round, every level met its quorum by
 * distinct non-requester people from the resolved groups, or was approved by
 * an escalation approver after an escalation, or by its own timeout.
 */
function checkLegitimatelyApproved(run: Run): void {
  const { context } = run.state;
  context.levels.forEach((level, l) => {
    const key = `${context.round}:${l}`;
    const decisions = context.decisions.filter((d) => d.round === context.round && d.level === l);
    if (decisions.some((d) => d.decision === 'auto-approve')) {
      expect(level.timeout?.then).toBe('approve');
      return;
    }
    const approvers = decisions.filter((d) => d.decision === 'approve').map((d) => d.approver);
    expect(new Set(approvers).size).toBe(approvers.length);
    expect(approvers).not.toContain(REQ);
    const escalatedTo = run.escalations.get(key) ?? [];
    if (decisions.some((d) => d.decision === 'escalate') && approvers.some((a) => escalatedTo.includes(a))) return;
    const groups = run.resolved.get(key);
    expect(groups).toBeDefined();
    expect(quorumByDistinctPeople(groups ?? [], approvers, level.quorum)).toBe(true);
  });
}

// ---------------------------------------------------------------------------
// Configuration schemas and input
// ---------------------------------------------------------------------------

describe('approval configuration', () => {
  it('exposes a stable id and version', () => {
    expect(APPROVAL_MACHINE_ID).toBe('approval');
    expect(approvalMachine.id).toBe(APPROVAL_MACHINE_ID);
    expect(APPROVAL_MACHINE_VERSION).toBe(1);
  });

  it('approverSpecSchema accepts the four kinds and nothing else', () => {
    const specs: ApproverSpec[] = [
      { type: 'manager' },
      { type: 'skip-manager' },
      { type: 'role', role: 'hr-admin' },
      { type: 'employee', id: 'e-42' },
    ];
    for (const spec of specs) expect(approverSpecSchema.parse(spec)).toEqual(spec);
    for (const bad of [
      { type: 'manager', id: 'e-1' },
      { type: 'role' },
      { type: 'role', role: '1bad role' },
      { type: 'employee', id: 'has space' },
      { type: 'board' },
      null,
      'manager',
    ]) {
      expect(approverSpecSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('approvalLevelSchema is strict, needs an approver and bounds the timeout to 1..8760 hours', () => {
    const level = {
      name: 'finance',
      approvers: [{ type: 'role', role: 'finance' }],
      quorum: 'all',
      timeout: timeout(8760, 'escalate'),
    };
    expect(approvalLevelSchema.parse(level)).toEqual(level);
    expect(
      approvalLevelSchema.parse({ approvers: [{ type: 'manager' }], quorum: 'any', timeout: timeout(1, 'reject') }),
    ).toEqual({ approvers: [{ type: 'manager' }], quorum: 'any', timeout: timeout(1, 'reject') });
    const bad = [
      { ...level, approvers: [] },
      { ...level, quorum: 'most' },
      { ...level, extra: true },
      { ...level, timeout: timeout(0, 'approve') },
      { ...level, timeout: timeout(8761, 'approve') },
      { ...level, timeout: timeout(1.5, 'approve') },
      { ...level, timeout: { ...timeout(2, 'approve'), extra: 1 } },
      { ...level, timeout: { hours: 2, otherwise: 'approve' } },
      { ...level, name: '' },
    ];
    for (const b of bad) expect(approvalLevelSchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
    // The parsed type fits the machine's interface.
    const parsed: ApprovalLevel = approvalLevelSchema.parse(level);
    expect(parsed.quorum).toBe('all');
  });

  it('refuses an input without levels, with an empty level, or without a valid instant', () => {
    const good = makeInput([{ approvers: [{ type: 'manager' }], quorum: 'any' }]);
    for (const input of [
      { ...good, levels: [] },
      { ...good, levels: [{ approvers: [], quorum: 'any' as const }] },
      { ...good, at: 'yesterday' },
    ]) {
      const actor = createActor(approvalMachine, { input });
      actor.subscribe({ error: () => {} });
      actor.start();
      expect(actor.getSnapshot().status).toBe('error');
      actor.stop();
    }
  });

  it('copies the input into a plain JSON context and asks for the first level', () => {
    const input = makeInput([{ approvers: [{ type: 'manager' }], quorum: 'any' }]);
    const run = new Run(input);
    expect(run.state.value).toBe('resolving');
    expect(run.context).toEqual({
      ...input,
      level: 0,
      round: 0,
      groups: [],
      satisfied: [],
      escalatedTo: [],
      escalation: 'none',
      decisions: [],
      outcome: null,
      reason: null,
    });
    expect(run.last).toEqual([{ type: 'guard.command', command: 'approval.resolve', payload: { level: 0, round: 0 } }]);
  });
});

// ---------------------------------------------------------------------------
// Behaviour, step by step
// ---------------------------------------------------------------------------

const managerThenHr: ApprovalLevel[] = [
  { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any', timeout: timeout(48, 'escalate') },
  { name: 'hr', approvers: [{ type: 'role', role: 'hr-admin' }], quorum: 'any' },
];

describe('approval machine, happy path', () => {
  it('walks two levels and tells everyone, with exactly these emitted events', () => {
    const run = new Run(makeInput(managerThenHr, { parentId: 'wf-parent' }));
    run.accept(ev.approvers(0, [['mgr']], at(1)));
    expect(run.state.value).toBe('pending');
    const data0 = {
      approvalId: 'ap-1',
      kind: 'customer-export',
      title: 'Export 120 customers',
      requester: REQ,
      subject: { type: 'customer', id: 'c-1001' },
      level: 0,
      levelName: 'manager',
      round: 0,
    };
    expect(run.last).toEqual([
      { type: 'guard.notify', key: 'requested:r0:l0', to: ['mgr'], template: 'approval.requested', data: data0 },
      {
        type: 'guard.schedule',
        key: 'timeout',
        at: new Date(Date.parse(at(1)) + 48 * 3_600_000).toISOString(),
        event: { type: 'TIMEOUT', level: 0, round: 0 },
      },
    ]);
    run.accept(ev.approve('mgr', { comment: 'fine' }));
    expect(run.state.value).toBe('resolving');
    expect(run.last).toEqual([
      { type: 'guard.cancel', key: 'timeout' },
      { type: 'guard.command', command: 'approval.resolve', payload: { level: 1, round: 0 } },
    ]);
    run.accept(ev.approvers(1, [['hr1', 'hr2']], at(11)));
    expect(run.last).toEqual([
      {
        type: 'guard.notify',
        key: 'requested:r0:l1',
        to: ['hr1', 'hr2'],
        template: 'approval.requested',
        data: { ...data0, level: 1, levelName: 'hr' },
      },
    ]);
    run.accept(ev.approve('hr2', { at: at(12) }));
    expect(run.state.value).toBe('approved');
    expect(run.state.status).toBe('done');
    expect(run.last).toEqual([
      { type: 'guard.cancel', key: 'timeout' },
      {
        type: 'guard.notify',
        key: 'done',
        to: [REQ],
        template: 'approval.approved',
        data: { ...data0, level: 1, levelName: 'hr', outcome: 'approved', reason: null },
      },
      { type: 'guard.command', command: 'approval.done', payload: { outcome: 'approved', reason: null } },
      {
        type: 'guard.signal',
        workflowId: 'wf-parent',
        event: {
          type: 'APPROVAL_DONE',
          approvalId: 'ap-1',
          kind: 'customer-export',
          outcome: 'approved',
          reason: null,
        },
      },
    ]);
    expect(run.context.decisions).toEqual([
      { round: 0, level: 0, approver: 'mgr', by: 'mgr', decision: 'approve', comment: 'fine', at: at(10) },
      { round: 0, level: 1, approver: 'hr2', by: 'hr2', decision: 'approve', comment: null, at: at(12) },
    ]);
    expect(run.context.outcome).toBe('approved');
    checkInvariants(run);
  });

  it('only takes APPROVERS for the level it asked about, from the system, with one group per spec', () => {
    const run = new Run(makeInput(managerThenHr));
    run.refuse(
      ev.approvers(1, [['mgr']]),
      ev.approvers(0, [['mgr'], ['hr1']]),
      ev.approvers(0, []),
      ev.approvers(0, [['mgr']], at(1), emp('mgr')),
      ev.approvers(0, [['mgr']], 'not a date'),
      ev.approve('mgr'),
    );
    run.accept(ev.approvers(0, [['mgr']]));
    run.refuse(ev.approvers(0, [['mgr']]));
  });
});

describe('approval machine, four-eyes', () => {
  const financeAndManager: ApprovalLevel[] = [
    { approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }], quorum: 'all' },
  ];

  it('drops the requester from every group, even if the module did not', () => {
    const run = new Run(makeInput(financeAndManager));
    run.accept(
      ev.approvers(0, [
        ['mgr', REQ],
        [REQ, 'fin', 'fin'],
      ]),
    );
    expect(run.context.groups).toEqual([['mgr'], ['fin']]);
    expect(run.last[0]).toMatchObject({ type: 'guard.notify', to: ['mgr', 'fin'] });
    run.refuse(ev.approve(REQ), ev.reject(REQ, 'no'), ev.sendBack(REQ, 'again'));
    checkInvariants(run);
  });

  it('refuses the requester acting as somebody else’s delegate', () => {
    const run = new Run(makeInput(financeAndManager)).accept(ev.approvers(0, [['mgr'], ['fin']]));
    run.refuse(ev.approve('mgr', { by: REQ }), ev.reject('fin', 'no', REQ), ev.sendBack('fin', 'again', REQ));
  });

  it('counts one person once: with quorum all, the same person cannot fill two groups', () => {
    const run = new Run(makeInput(financeAndManager)).accept(
      ev.approvers(0, [
        ['boss', 'mgr'],
        ['boss', 'fin'],
      ]),
    );
    run.accept(ev.approve('boss'));
    expect(run.context.satisfied).toEqual([true, false]);
    run.refuse(ev.approve('boss'), ev.approve('boss', { by: 'assistant' }), ev.approve('mgr'), ev.reject('boss', 'no'));
    run.accept(ev.approve('fin'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });

  it('quorum any completes with the first approval from any group', () => {
    const run = new Run(
      makeInput([{ approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }], quorum: 'any' }]),
    );
    run.accept(ev.approvers(0, [['mgr'], ['fin']]), ev.approve('fin'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });

  it('refuses strangers and people whose group is already satisfied', () => {
    const run = new Run(makeInput(financeAndManager)).accept(ev.approvers(0, [['mgr'], ['fin1', 'fin2']]));
    run.refuse(ev.approve('stranger'), ev.reject('stranger', 'no'));
    run.accept(ev.approve('fin1'));
    run.refuse(ev.approve('fin2'), ev.reject('fin2', 'no'), ev.sendBack('fin2', 'x'));
    expect(run.state.value).toBe('pending');
  });

  it('records a delegate as `by` and the approver as `approver`; the approver cannot then decide again', () => {
    const run = new Run(makeInput(financeAndManager)).accept(ev.approvers(0, [['mgr'], ['fin']]));
    run.accept(ev.approve('mgr', { by: 'deputy', comment: 'for mgr' }));
    expect(run.context.decisions.at(-1)).toMatchObject({
      approver: 'mgr',
      by: 'deputy',
      decision: 'approve',
      comment: 'for mgr',
    });
    run.refuse(ev.approve('mgr'), ev.reject('mgr', 'changed my mind'));
    run.accept(ev.approve('fin'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });
});

describe('approval machine, rejection, send-back and withdrawal', () => {
  it('REJECT needs a reason and ends the approval', () => {
    const run = new Run(makeInput(managerThenHr, { parentId: 'wf-9' })).accept(ev.approvers(0, [['mgr']]));
    run.refuse(ev.reject('mgr', ''), ev.reject('mgr', '   '));
    run.accept(ev.reject('mgr', 'too many rows'));
    expect(run.state.value).toBe('rejected');
    expect(run.context.reason).toBe('too many rows');
    expect(run.context.decisions.at(-1)).toMatchObject({
      decision: 'reject',
      approver: 'mgr',
      comment: 'too many rows',
    });
    expect(run.of('guard.signal')).toEqual([
      {
        type: 'guard.signal',
        workflowId: 'wf-9',
        event: {
          type: 'APPROVAL_DONE',
          approvalId: 'ap-1',
          kind: 'customer-export',
          outcome: 'rejected',
          reason: 'too many rows',
        },
      },
    ]);
    checkInvariants(run);
  });

  it('SEND_BACK asks the requester for changes; RESUBMIT starts a new round at level 0 with the new payload', () => {
    const run = new Run(makeInput(managerThenHr));
    run.accept(ev.approvers(0, [['mgr']]), ev.approve('mgr'), ev.approvers(1, [['hr']]));
    run.refuse(ev.sendBack('hr', ''));
    run.accept(ev.sendBack('hr', 'add the reason'));
    expect(run.state.value).toBe('changesRequested');
    expect(run.last).toEqual([
      { type: 'guard.cancel', key: 'timeout' },
      expect.objectContaining({
        type: 'guard.notify',
        key: 'sent-back:r0:l1',
        to: [REQ],
        template: 'approval.sent-back',
        data: expect.objectContaining({ reason: 'add the reason', by: 'hr', level: 1, round: 0 }),
      }),
    ]);
    checkInvariants(run);
    run.refuse(ev.resubmit({ rows: 1 }, 'hr'), ev.resubmit({ rows: 1 }, 'mgr'), ev.approve('hr'));
    run.accept(ev.resubmit({ rows: 80, reason: 'quarterly review' }));
    expect(run.state.value).toBe('resolving');
    expect(run.context).toMatchObject({
      round: 1,
      level: 0,
      payload: { rows: 80, reason: 'quarterly review' },
      groups: [],
      reason: null,
    });
    expect(run.last).toEqual([{ type: 'guard.command', command: 'approval.resolve', payload: { level: 0, round: 1 } }]);
    // The same people decide again in the new round.
    run.accept(ev.approvers(0, [['mgr']]), ev.approve('mgr'), ev.approvers(1, [['hr']]), ev.approve('hr'));
    expect(run.state.value).toBe('approved');
    expect(run.context.decisions.map((d) => [d.round, d.level, d.approver, d.decision])).toEqual([
      [0, 0, 'mgr', 'approve'],
      [0, 1, 'hr', 'send-back'],
      [1, 0, 'mgr', 'approve'],
      [1, 1, 'hr', 'approve'],
    ]);
    checkInvariants(run);
  });

  it('RESUBMIT without a payload keeps it; a payload that is not an object is refused', () => {
    const run = new Run(makeInput(managerThenHr)).accept(ev.approvers(0, [['mgr']]), ev.sendBack('mgr', 'why?'));
    run.refuse({ type: 'RESUBMIT', payload: [1, 2] as never, at: at(30), actor: emp(REQ) });
    run.accept(ev.resubmit());
    expect(run.context.payload).toEqual({ rows: 120 });
  });

  it.each([
    ['resolving', [] as ApprovalEvent[]],
    ['pending', [ev.approvers(0, [['mgr']])]],
    ['changesRequested', [ev.approvers(0, [['mgr']]), ev.sendBack('mgr', 'why?')]],
  ])('WITHDRAW by the requester ends the approval from %s', (from, events) => {
    const run = new Run(makeInput(managerThenHr, { parentId: 'wf-2' })).accept(...events);
    expect(run.state.value).toBe(from);
    run.refuse(ev.withdraw('mgr'), ev.withdraw('stranger'), { ...ev.withdraw(), actor: { type: 'host', id: REQ } });
    run.accept(ev.withdraw(REQ, 'not needed any more'));
    expect(run.state.value).toBe('withdrawn');
    expect(run.context.reason).toBe('not needed any more');
    expect(run.last).toContainEqual({ type: 'guard.cancel', key: 'timeout' });
    checkInvariants(run);
  });

  it('accepts nothing once it has ended', () => {
    const run = new Run(makeInput(managerThenHr)).accept(ev.withdraw());
    expect(run.context.reason).toBeNull();
    run.refuse(
      ev.withdraw(),
      ev.approvers(0, [['mgr']]),
      ev.approve('mgr'),
      ev.timeout(0, 0),
      ev.resubmit(),
      ev.escalated(0, 0, ['boss']),
    );
  });
});

describe('approval machine, timeouts', () => {
  const oneLevel = (then: Then, quorum: 'any' | 'all' = 'any'): ApprovalLevel[] => [
    { approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }], quorum, timeout: timeout(24, then) },
  ];

  it("then 'approve' approves the level automatically, as the system", () => {
    const levels: ApprovalLevel[] = [
      ...oneLevel('approve', 'all'),
      { approvers: [{ type: 'role', role: 'hr' }], quorum: 'any' as const },
    ];
    const run = new Run(makeInput(levels)).accept(ev.approvers(0, [['mgr'], ['fin']]), ev.approve('mgr'));
    run.accept(ev.timeout(0, 0, at(24 * HOUR + 1)));
    expect(run.state.value).toBe('resolving');
    expect(run.context.level).toBe(1);
    expect(run.context.decisions.at(-1)).toEqual({
      round: 0,
      level: 0,
      approver: 'system',
      by: 'system',
      decision: 'auto-approve',
      comment: 'timeout',
      at: at(24 * HOUR + 1),
    });
    checkInvariants(run);
    run.accept(ev.approvers(1, [['hr']]));
    // Level 1 has no timeout: nothing is scheduled and an old timer is stale.
    expect(run.timers.size).toBe(0);
    run.refuse(ev.timeout(1, 0), ev.timeout(0, 0));
    run.accept(ev.approve('hr'));
    checkInvariants(run);
  });

  it("then 'approve' on the last level approves the request", () => {
    const run = new Run(makeInput(oneLevel('approve'))).accept(ev.approvers(0, [['mgr'], ['fin']]), ev.timeout(0, 0));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });

  it("then 'reject' rejects with reason 'timeout'", () => {
    const run = new Run(makeInput(oneLevel('reject'))).accept(ev.approvers(0, [['mgr'], ['fin']]), ev.timeout(0, 0));
    expect(run.state.value).toBe('rejected');
    expect(run.context.reason).toBe('timeout');
    expect(run.context.decisions.at(-1)).toMatchObject({ decision: 'auto-reject', by: 'system', comment: 'timeout' });
    checkInvariants(run);
  });

  it("then 'escalate' asks for escalation approvers, any of whom approves the whole level", () => {
    const run = new Run(makeInput(oneLevel('escalate', 'all'))).accept(
      ev.approvers(0, [['mgr'], ['fin']], at(0)),
      ev.approve('fin'),
    );
    run.accept(ev.timeout(0, 0, at(24 * HOUR)));
    expect(run.state.value).toBe('pending');
    expect(run.context.escalation).toBe('requested');
    expect(run.last).toEqual([
      { type: 'guard.command', command: 'approval.escalate', payload: { level: 0, round: 0 } },
    ]);
    expect(run.context.decisions.at(-1)).toMatchObject({ decision: 'escalate', by: 'system', comment: 'timeout' });
    checkInvariants(run);
    // While the escalation is under way, a repeated timer has nothing to do.
    run.refuse(ev.timeout(0, 0), ev.escalated(0, 1, ['boss']), ev.escalated(0, 0, ['boss'], at(61), emp('boss')));
    run.accept(ev.escalated(0, 0, ['boss', REQ, 'boss'], at(25 * HOUR)));
    expect(run.context.escalatedTo).toEqual(['boss']);
    expect(run.context.escalation).toBe('escalated');
    expect(run.last).toEqual([
      expect.objectContaining({
        type: 'guard.notify',
        key: 'escalated:r0:l0',
        to: ['boss'],
        template: 'approval.escalated',
      }),
      {
        type: 'guard.schedule',
        key: 'timeout',
        at: new Date(Date.parse(at(25 * HOUR)) + 24 * 3_600_000).toISOString(),
        event: { type: 'TIMEOUT', level: 0, round: 0 },
      },
    ]);
    run.refuse(ev.escalated(0, 0, ['other']));
    checkInvariants(run);
    run.accept(ev.approve('boss'));
    expect(run.state.value).toBe('approved');
    expect(run.context.satisfied).toEqual([true, true]);
    checkInvariants(run);
  });

  it("a second timeout after an escalation rejects with reason 'timeout'", () => {
    const run = new Run(makeInput(oneLevel('escalate')));
    run.accept(ev.approvers(0, [['mgr'], ['fin']]), ev.timeout(0, 0), ev.escalated(0, 0, ['boss']), ev.timeout(0, 0));
    expect(run.state.value).toBe('rejected');
    expect(run.context.reason).toBe('timeout');
    checkInvariants(run);
  });

  it('original approvers can still decide while the level is escalated', () => {
    const run = new Run(makeInput(oneLevel('escalate')));
    run.accept(ev.approvers(0, [['mgr'], ['fin']]), ev.timeout(0, 0), ev.escalated(0, 0, ['boss']), ev.approve('mgr'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });

  it('ignores stale, foreign and pointless timers without changing anything', () => {
    const run = new Run(makeInput(oneLevel('reject')));
    run.refuse(ev.timeout(0, 0)); // resolving: nothing waits for it
    run.accept(ev.approvers(0, [['mgr'], ['fin']]));
    run.refuse(
      ev.timeout(1, 0),
      ev.timeout(0, 1),
      ev.timeout(0, -1),
      ev.timeout(0, 0, at(1), emp('mgr')),
      ev.timeout(0, 0, at(1), { type: 'host', id: 'cron' }),
    );
    run.accept(ev.sendBack('mgr', 'why?'));
    run.refuse(ev.timeout(0, 0)); // changesRequested
    run.accept(ev.resubmit(), ev.approvers(0, [['mgr'], ['fin']]));
    run.refuse(ev.timeout(0, 0)); // the previous round's timer
    run.accept(ev.timeout(0, 1));
    expect(run.state.value).toBe('rejected');
    checkInvariants(run);
  });
});

describe('approval machine, blocked levels', () => {
  it('escalates at once when no group has anybody left, and rejects when the escalation finds nobody either', () => {
    const run = new Run(
      makeInput([{ approvers: [{ type: 'manager' }], quorum: 'any', timeout: timeout(24, 'approve') }]),
    );
    run.accept(ev.approvers(0, [[REQ]]));
    expect(run.context.groups).toEqual([[]]);
    expect(run.context.escalation).toBe('requested');
    // Nobody to notify; the timer runs; the escalation is asked for in the same step.
    expect(run.last).toEqual([
      expect.objectContaining({ type: 'guard.schedule', key: 'timeout' }),
      { type: 'guard.command', command: 'approval.escalate', payload: { level: 0, round: 0 } },
    ]);
    expect(run.context.decisions).toEqual([
      { round: 0, level: 0, approver: 'system', by: 'system', decision: 'escalate', comment: 'blocked', at: at(0) },
    ]);
    checkInvariants(run);
    run.accept(ev.escalated(0, 0, [REQ]));
    expect(run.state.value).toBe('rejected');
    expect(run.context.reason).toBe('no-eligible-approver');
    checkInvariants(run);
  });

  it('with quorum all, one empty group blocks the level; an escalation approver unblocks it', () => {
    const run = new Run(
      makeInput([{ approvers: [{ type: 'manager' }, { type: 'skip-manager' }], quorum: 'all' }]),
    ).accept(ev.approvers(0, [['mgr'], []]));
    expect(run.last.map((e) => e.type)).toEqual(['guard.notify', 'guard.command']);
    expect(run.context.escalation).toBe('requested');
    // No timeout configured: escalation without a timer.
    run.accept(ev.escalated(0, 0, ['director']));
    expect(run.last.map((e) => e.type)).toEqual(['guard.notify']);
    run.accept(ev.approve('mgr'));
    expect(run.state.value).toBe('pending');
    run.accept(ev.approve('director'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });

  it('escalates when an approval leaves only people who already decided (four-eyes dead end)', () => {
    const run = new Run(
      makeInput([{ approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }], quorum: 'all' }]),
    ).accept(ev.approvers(0, [['boss', 'mgr'], ['boss']]));
    expect(run.context.escalation).toBe('none');
    run.accept(ev.approve('mgr'));
    expect(run.context.escalation).toBe('none');
    run.refuse(ev.escalated(0, 0, ['x']));
    // Had boss approved first, boss would fill group 0 and nobody could fill group 1.
    const other = new Run(run.input).accept(ev.approvers(0, [['boss', 'mgr'], ['boss']]), ev.approve('boss'));
    expect(other.context.satisfied).toEqual([true, false]);
    expect(other.context.escalation).toBe('requested');
    expect(other.last).toEqual([
      { type: 'guard.command', command: 'approval.escalate', payload: { level: 0, round: 0 } },
    ]);
    // An escalation naming only people who already decided is a dead end.
    other.accept(ev.escalated(0, 0, ['boss', REQ]));
    expect(other.state.value).toBe('rejected');
    expect(other.context.reason).toBe('no-eligible-approver');
    checkInvariants(other);
    run.accept(ev.approve('boss'));
    expect(run.state.value).toBe('approved');
    checkInvariants(run);
  });
});

// ---------------------------------------------------------------------------
// Durability: restoring from JSON at every step behaves like a live actor.
// ---------------------------------------------------------------------------

describe('approval machine, durability', () => {
  it('a long path restored from JSON at every step matches a live actor, event for event', () => {
    const levels: ApprovalLevel[] = [
      {
        name: 'manager and finance',
        approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }],
        quorum: 'all',
        timeout: timeout(24, 'escalate'),
      },
      { name: 'director', approvers: [{ type: 'skip-manager' }], quorum: 'any', timeout: timeout(48, 'approve') },
    ];
    const input = makeInput(levels, { parentId: 'wf-parent' });
    const events: ApprovalEvent[] = [
      ev.approvers(0, [['mgr'], ['fin1', 'fin2', REQ]], at(1)),
      ev.approve('fin1', { by: 'deputy', at: at(2) }),
      ev.timeout(0, 0, at(24 * HOUR + 1)),
      ev.escalated(0, 0, ['boss'], at(24 * HOUR + 2)),
      ev.approve('boss', { at: at(24 * HOUR + 3) }),
      ev.approvers(1, [['dir']], at(24 * HOUR + 4)),
      ev.sendBack('dir', 'attach the list', 'dir'),
      ev.resubmit({ rows: 90 }),
      ev.approvers(0, [['mgr'], ['fin1']], at(31)),
      ev.approve('mgr', { at: at(32) }),
      ev.timeout(0, 0, at(33)), // stale: the previous round's timer
      ev.approve('fin1', { at: at(34) }),
      ev.approvers(1, [['dir']], at(35)),
      ev.timeout(1, 1, at(35 + 48 * HOUR)),
    ];
    const live = createActor(approvalMachine, { input });
    const liveEmitted: WorkflowEmitted[] = [];
    live.on('*', (e) => liveEmitted.push(e));
    live.start();
    const durable = new Run(input);
    for (const event of events) {
      const accepted = live.getSnapshot().can(event);
      expect(durable.send(event)).toBe(accepted);
      if (accepted) live.send(event);
      expect(JSON.parse(durable.state.json)).toEqual(JSON.parse(JSON.stringify(live.getPersistedSnapshot())));
      expect(durable.emitted).toEqual(liveEmitted);
      checkInvariants(durable);
    }
    expect(durable.state.value).toBe('approved');
    expect(durable.context.decisions.map((d) => d.decision)).toEqual([
      'approve',
      'escalate',
      'approve',
      'send-back',
      'approve',
      'approve',
      'auto-approve',
    ]);
    live.stop();
  });
});

// ---------------------------------------------------------------------------
// Model-based: shortest paths from @xstate/graph to every distinct state of a
// two-level approval, replayed against the durable miniature.
// ---------------------------------------------------------------------------

describe('approval machine, model-based', () => {
  const levels: ApprovalLevel[] = [
    {
      approvers: [{ type: 'manager' }, { type: 'role', role: 'finance' }],
      quorum: 'all',
      timeout: timeout(24, 'escalate'),
    },
    { approvers: [{ type: 'employee', id: 'dir' }], quorum: 'any', timeout: timeout(48, 'approve') },
  ];
  const input = makeInput(levels, { parentId: 'wf-parent' });
  const T = at(5);
  const e = <E extends ApprovalEvent>(event: E): E => ({ ...event, at: T });

  /** The events worth trying in a state, including ones the machine must refuse. */
  function eventsFor(snapshot: Snapshot): ApprovalEvent[] {
    const { level, round } = snapshot.context;
    return [
      e(ev.approvers(level, level === 0 ? [['mgr'], ['fin1', 'fin2', REQ]] : [['dir']])),
      // Level 0: the same person is the only one in both groups; level 1: only the requester.
      e(ev.approvers(level, level === 0 ? [['mgr'], ['mgr']] : [[REQ]])),
      e(ev.approvers(level + 1, [['dir']])),
      e(ev.approvers(level, [['mgr'], ['fin1'], ['x']])),
      e(ev.approve('mgr')),
      e(ev.approve('fin1', { by: 'deputy' })),
      e(ev.approve('fin2')),
      e(ev.approve('dir')),
      e(ev.approve('boss')),
      e(ev.approve(REQ)),
      e(ev.approve('mgr', { by: REQ })),
      e(ev.approve('stranger')),
      e(ev.reject('mgr', 'no')),
      e(ev.reject('dir', '')),
      e(ev.sendBack('fin1', 'fix it')),
      e(ev.sendBack(REQ, 'fix it')),
      ...(round === 0 ? [e(ev.resubmit({ rows: 7 }))] : []),
      e(ev.resubmit({ rows: 7 }, 'mgr')),
      e(ev.withdraw()),
      e(ev.withdraw('stranger')),
      e(ev.timeout(level, round)),
      e(ev.timeout(level + 1, round)),
      e(ev.timeout(level, round, T, emp('mgr'))),
      e(ev.escalated(level, round, ['boss', REQ])),
      e(ev.escalated(level, round, [REQ])),
      e(ev.escalated(level, round + 1, ['boss'])),
    ];
  }

  const serialize = (snapshot: Snapshot) => JSON.stringify({ value: snapshot.value, context: snapshot.context });
  const paths = getShortestPaths(approvalMachine, { input, events: eventsFor, serializeState: serialize });

  it('reaches every state, by every kind of event, through many distinct states', () => {
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual(Object.keys(approvalMachine.root.states).sort());
    const used = new Set(paths.flatMap((p) => p.steps.map((s) => s.event.type)));
    expect([...used].sort()).toEqual(
      [
        'APPROVE',
        'APPROVERS',
        'ESCALATED',
        'REJECT',
        'RESUBMIT',
        'SEND_BACK',
        'TIMEOUT',
        'WITHDRAW',
        'xstate.init',
      ].sort(),
    );
    // Every way in: approved by people, by an escalation approver and by a timeout; rejected by
    // a person, a timeout and a dead-end escalation.
    const last = (value: string) =>
      new Set(paths.filter((p) => p.state.value === value).map((p) => p.steps.at(-1)?.event.type));
    expect(last('approved')).toEqual(new Set(['APPROVE', 'TIMEOUT']));
    expect(last('rejected')).toEqual(new Set(['REJECT', 'TIMEOUT', 'ESCALATED']));
    expect(last('withdrawn')).toEqual(new Set(['WITHDRAW']));
    expect(paths.some((p) => p.state.value === 'approved' && p.state.context.round === 1)).toBe(true);
    expect(paths.length).toBeGreaterThan(100);
  });

  it('every path replays through the durable runtime to the same state, keeping every invariant', () => {
    // Each shortest path is the path to its second-to-last state plus one step, so replaying the
    // paths by length, each from a copy of its prefix's run, replays every path in full.
    const runs = new Map<string, Run>();
    const shapes = new Set<string>();
    for (const path of [...paths].sort((a, b) => a.steps.length - b.steps.length)) {
      const { steps } = path;
      let run: Run;
      if (steps.length === 1) run = new Run(input);
      else {
        const prefix = runs.get(serialize(steps[steps.length - 2]!.state));
        expect(prefix).toBeDefined();
        run = new Run(input, prefix);
        run.accept(steps[steps.length - 1]!.event);
      }
      checkInvariants(run);
      expect(run.state.value).toBe(String(path.state.value));
      expect(run.state.status).toBe(path.state.status);
      expect(run.context).toEqual(path.state.context);
      runs.set(serialize(path.state), run);
      // Once per kind of state, whatever the graph offered that leads nowhere is refused, inertly.
      const { level, round, escalation, satisfied } = path.state.context;
      const shape = JSON.stringify([path.state.value, level, round, escalation, satisfied]);
      if (shapes.has(shape)) continue;
      shapes.add(shape);
      for (const event of eventsFor(path.state)) {
        if (!path.state.can(event)) new Run(input, run).refuse(event);
      }
    }
    expect(runs.size).toBe(paths.length);
    expect(shapes.size).toBeGreaterThan(20);
  }, 120_000);
});

// ---------------------------------------------------------------------------
// Properties over random configurations and random event sequences.
// ---------------------------------------------------------------------------

const PEOPLE = [REQ, 'a', 'b', 'c', 'd', 'x'] as const;
const person = fc.constantFrom(...PEOPLE);

const specArb: fc.Arbitrary<ApproverSpec> = fc.oneof(
  fc.constant({ type: 'manager' as const }),
  fc.constant({ type: 'skip-manager' as const }),
  fc.constantFrom('finance', 'hr-admin').map((role) => ({ type: 'role' as const, role })),
  person.map((id) => ({ type: 'employee' as const, id })),
);

const levelArb: fc.Arbitrary<ApprovalLevel> = fc
  .record({
    approvers: fc.array(specArb, { minLength: 1, maxLength: 3 }),
    quorum: fc.constantFrom('any' as const, 'all' as const),
    timeout: fc.option(
      fc
        .tuple(fc.integer({ min: 1, max: 72 }), fc.constantFrom<Then>('approve', 'reject', 'escalate'))
        .map(([hours, then]) => timeout(hours, then)),
      { nil: undefined },
    ),
  })
  .map(({ approvers, quorum, timeout: t }) =>
    t === undefined ? { approvers, quorum } : { approvers, quorum, timeout: t },
  );

type Step =
  | { kind: 'approvers'; groups: string[][]; dLevel: number; misshapen: boolean }
  | { kind: 'approve'; approver: string; by: string | null; pick: number | null }
  | { kind: 'reject' | 'sendBack'; approver: string; by: string | null; reason: string }
  | { kind: 'resubmit' | 'withdraw'; by: string }
  | { kind: 'timeout'; dLevel: number; dRound: number; system: boolean }
  | { kind: 'escalated'; approvers: string[]; dLevel: number; dRound: number };

const delta = fc.constantFrom(0, 0, 0, 0, 1, -1);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('approvers' as const),
      groups: fc.array(fc.subarray([...PEOPLE]), { minLength: 3, maxLength: 3 }),
      dLevel: fc.constantFrom(0, 0, 0, 0, 0, 1, -1),
      misshapen: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('approve' as const),
      approver: person,
      by: fc.option(person),
      // Mostly somebody the machine named, so that approvals make progress.
      pick: fc.option(fc.nat(), { freq: 3 }),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('reject' as const, 'sendBack' as const),
      approver: person,
      by: fc.option(person),
      reason: fc.constantFrom('', ' ', 'no'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constantFrom('resubmit' as const, 'withdraw' as const), by: person }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('timeout' as const),
      dLevel: delta,
      dRound: delta,
      system: fc.integer({ min: 0, max: 3 }).map((n) => n !== 0),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('escalated' as const),
      approvers: fc.subarray([...PEOPLE]),
      dLevel: delta,
      dRound: delta,
    }),
    weight: 2,
  },
);

/** Turns an abstract step into an event for the workflow's current state. */
function toEvent(step: Step, context: ApprovalContext, i: number): ApprovalEvent {
  const when = at(i * 7);
  switch (step.kind) {
    case 'approvers': {
      const want = context.levels[context.level]?.approvers.length ?? 1;
      const groups = step.misshapen ? [...step.groups, []] : step.groups.slice(0, want);
      return ev.approvers(context.level + step.dLevel, groups, when);
    }
    case 'approve': {
      const named = [...context.groups.flat(), ...context.escalatedTo];
      const approver =
        step.pick === null || named.length === 0 ? step.approver : (named[step.pick % named.length] ?? REQ);
      return ev.approve(approver, { by: step.by ?? approver, at: when });
    }
    case 'reject':
      return { ...ev.reject(step.approver, step.reason, step.by ?? step.approver), at: when };
    case 'sendBack':
      return { ...ev.sendBack(step.approver, step.reason, step.by ?? step.approver), at: when };
    case 'resubmit':
      return { ...ev.resubmit({ i }, step.by), at: when };
    case 'withdraw':
      return { ...ev.withdraw(step.by), at: when };
    case 'timeout':
      return ev.timeout(context.level + step.dLevel, context.round + step.dRound, when, step.system ? TIMER : emp('a'));
    case 'escalated':
      return ev.escalated(context.level + step.dLevel, context.round + step.dRound, step.approvers, when);
  }
}

type Finish = 'approve' | 'reject' | 'withdraw';

/** Drives an approval to an end: by approving (or escalating) everything, rejecting, or withdrawing. */
function finish(run: Run, how: Finish): void {
  for (let i = 0; run.state.status === 'active' && i < 40; i++) {
    const c = run.context;
    const when = at(1000 + i);
    if (how === 'withdraw') {
      run.accept({ ...ev.withdraw(), at: when });
      continue;
    }
    if (run.state.value === 'resolving') {
      const want = c.levels[c.level]?.approvers.length ?? 1;
      run.accept(ev.approvers(c.level, [['a'], ['b'], ['c']].slice(0, want), when));
    } else if (run.state.value === 'changesRequested') {
      run.accept({ ...ev.resubmit(), at: when });
    } else {
      const decide = (p: string): ApprovalEvent =>
        how === 'approve' ? ev.approve(p, { at: when }) : { ...ev.reject(p, 'no'), at: when };
      if ([...c.escalatedTo, ...c.groups.flat()].some((p) => run.send(decide(p)))) continue;
      if (c.escalation === 'requested') run.accept(ev.escalated(c.level, c.round, ['boss'], when));
      else run.accept({ ...ev.withdraw(), at: when });
    }
  }
  expect(run.state.status).toBe('done');
}

describe('approval machine, properties', () => {
  it('(a) whatever happens, nobody approves their own request and approval needs a met quorum', () => {
    fc.assert(
      fc.property(
        fc.array(levelArb, { minLength: 1, maxLength: 3 }),
        fc.array(stepArb, { maxLength: 40, size: 'medium' }),
        fc.option(fc.constant('wf-parent'), { nil: null }),
        (levels, steps, parentId) => {
          const run = new Run(makeInput(levels, { parentId }));
          checkInvariants(run);
          steps.forEach((step, i) => {
            run.send(toEvent(step, run.context, i + 1));
            checkInvariants(run);
          });
        },
      ),
    );
  }, 120_000);

  it('(b) an outcome is final: no event changes an ended approval', () => {
    fc.assert(
      fc.property(
        fc.array(levelArb, { minLength: 1, maxLength: 3 }),
        fc.array(stepArb, { maxLength: 20 }),
        fc.constantFrom<Finish>('approve', 'reject', 'withdraw'),
        fc.array(stepArb, { minLength: 1, maxLength: 8 }),
        (levels, steps, how, after) => {
          const input = makeInput(levels);
          const run = new Run(input);
          for (const [i, step] of steps.entries()) run.send(toEvent(step, run.context, i + 1));
          finish(run, how);
          checkInvariants(run);
          const json = run.state.json;
          const emitted = run.emitted.length;
          const snapshot = createActor(approvalMachine, { snapshot: JSON.parse(json), input }).getSnapshot();
          expect(snapshot.status).toBe('done');
          after.forEach((step, i) => {
            const event = toEvent(step, run.context, 100 + i);
            expect(snapshot.can(event)).toBe(false);
            const [next, actions] = transition(approvalMachine, snapshot, event);
            expect(next.value).toEqual(snapshot.value);
            expect(next.context).toEqual(snapshot.context);
            expect(actions).toEqual([]);
            expect(run.send(event)).toBe(false);
          });
          expect(run.state.json).toBe(json);
          expect(run.emitted.length).toBe(emitted);
        },
      ),
    );
  }, 120_000);
});
