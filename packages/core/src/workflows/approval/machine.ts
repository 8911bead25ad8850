import { and, assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import type { ActorRef, Json } from '../../domain/entities.js';
import { validationMessage } from '../../i18n/keys.js';
import type { WorkflowEmitted } from '../protocol.js';
import {
  type ApprovalContext,
  type ApprovalDecision,
  type ApprovalEvent,
  type ApprovalInput,
  type ApprovalLevel,
  approvalLevelSchema,
} from './types.js';

/**
 * The approval machine's id, stored with every approval workflow
 * (`WorkflowRecord.machine`).
 *
 * @example
 * ```ts
 * import { APPROVAL_MACHINE_ID, type WorkflowFilter } from '@guard/core';
 * const open: WorkflowFilter = { machine: APPROVAL_MACHINE_ID, state: 'pending' };
 * ```
 */
export const APPROVAL_MACHINE_ID = 'approval';

/**
 * The version of the approval machine's definition, stored with every
 * snapshot (`WorkflowRecord.machineVersion`). Bump it when a change makes old
 * snapshots unreadable (renamed states or context fields).
 *
 * @example
 * ```ts
 * import { APPROVAL_MACHINE_VERSION, type WorkflowRecord } from '@guard/core';
 * const current = (wf: WorkflowRecord) => wf.machineVersion === APPROVAL_MACHINE_VERSION;
 * ```
 */
export const APPROVAL_MACHINE_VERSION = 1;

const HOUR_MS = 3_600_000;
/** `approver` and `by` of the decisions the machine takes itself. */
const SYSTEM = 'system';
/**
 * Stale or redundant timers are ignored by a targetless transition without
 * actions: XState's `snapshot.can()` is false for it, so the runtime drops the
 * timer (`deliverTimer` returns `false`) without a version bump or an audit
 * entry, and sending it anyway changes nothing.
 */
const STALE_TIMER = 'A timer that does not match the current level and round, or that nothing waits for: ignored.';
/** The one durable timer of an approval; scheduling it again moves it. */
const TIMEOUT_KEY = 'timeout';

type TimeoutConsequence = 'approve' | 'reject' | 'escalate';
type DecisionEvent = Extract<ApprovalEvent, { type: 'APPROVE' | 'REJECT' | 'SEND_BACK' }>;

const levelsSchema = approvalLevelSchema.array().min(1, { error: validationMessage('approval-needs-level') });

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && Number.isFinite(Date.parse(value));
}

function addHours(at: string, hours: number): string {
  return new Date(Date.parse(at) + hours * HOUR_MS).toISOString();
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function isIdList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

function isPlainObject(value: unknown): value is { readonly [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Distinct ids, in first-seen order, without the requester. */
function eligibleIds(context: ApprovalContext, ids: readonly string[]): string[] {
  return [...new Set(ids)].filter((id) => id !== context.requester);
}

function currentLevel(context: ApprovalContext): ApprovalLevel {
  const level = context.levels[context.level];
  if (level === undefined) throw new RangeError(`approval ${context.id} has no level ${context.level}`);
  return level;
}

function isLastLevel(context: ApprovalContext): boolean {
  return context.level === context.levels.length - 1;
}

/** The requester acting in person (also as somebody's delegate). */
function isRequester(context: ApprovalContext, actor: ActorRef): boolean {
  return actor.type === 'employee' && actor.id === context.requester;
}

/** Whether `person` already approved, rejected or sent back on this level of this round. */
function hasDecided(context: ApprovalContext, person: string): boolean {
  return context.decisions.some(
    (d) =>
      d.round === context.round &&
      d.level === context.level &&
      d.approver === person &&
      (d.decision === 'approve' || d.decision === 'reject' || d.decision === 'send-back'),
  );
}

/**
 * Whether `event.approver` may decide now: not the requester (neither as
 * approver nor as the acting delegate), not decided yet on this level, and in
 * a group that still needs an approval or among the escalation approvers.
 */
function canDecide(context: ApprovalContext, event: DecisionEvent): boolean {
  const approver: unknown = event.approver;
  if (typeof approver !== 'string' || approver === context.requester || isRequester(context, event.actor)) return false;
  if (hasDecided(context, approver)) return false;
  return (
    context.escalatedTo.includes(approver) ||
    context.groups.some((group, i) => context.satisfied[i] !== true && group.includes(approver))
  );
}

/**
 * The groups satisfied once `approver` approves: an escalation approver
 * satisfies the whole level; anybody else the first unsatisfied group they
 * are in, and only that one (one person never counts twice).
 */
function satisfiedAfter(context: ApprovalContext, approver: string): boolean[] {
  if (context.escalatedTo.includes(approver)) return context.groups.map(() => true);
  const first = context.groups.findIndex((group, i) => context.satisfied[i] !== true && group.includes(approver));
  return context.groups.map((_, i) => context.satisfied[i] === true || i === first);
}

function quorumMet(level: ApprovalLevel, satisfied: readonly boolean[]): boolean {
  return level.quorum === 'any' ? satisfied.some(Boolean) : satisfied.length > 0 && satisfied.every(Boolean);
}

/** Whether every group can get an approval from a different person (a bipartite matching). */
function hasDistinctApprovers(groups: readonly (readonly string[])[]): boolean {
  const groupOf = new Map<string, number>();
  const place = (g: number, seen: Set<string>): boolean => {
    for (const person of groups[g] ?? []) {
      if (seen.has(person)) continue;
      seen.add(person);
      const taken = groupOf.get(person);
      if (taken === undefined || place(taken, seen)) {
        groupOf.set(person, g);
        return true;
      }
    }
    return false;
  };
  return groups.every((_, g) => place(g, new Set()));
}

/**
 * Whether people who have not decided yet can still complete the level
 * (given `satisfied`): an escalation approver, or — under the four-eyes rule —
 * one open group (`any`) or a different person for every open group (`all`).
 * Approvals are assigned to the first open group of the approver, but any
 * matching can be reached by approving in group order, so a matching is
 * exactly what is needed.
 */
function canStillComplete(context: ApprovalContext, satisfied: readonly boolean[]): boolean {
  const free = (person: string) => person !== context.requester && !hasDecided(context, person);
  if (context.escalatedTo.some(free)) return true;
  const open = context.groups.flatMap((group, i) => (satisfied[i] === true ? [] : [group.filter(free)]));
  return currentLevel(context).quorum === 'any' ? open.some((g) => g.length > 0) : hasDistinctApprovers(open);
}

/** What a matching timer does now, or `null` when it has nothing left to do. */
function timeoutConsequence(context: ApprovalContext): TimeoutConsequence | null {
  const timeout = currentLevel(context).timeout;
  if (timeout === undefined) return null;
  switch (context.escalation) {
    case 'none':
      return timeout.then;
    case 'requested':
      // The escalation is under way; `ESCALATED` will move the timer.
      return null;
    case 'escalated':
      // Timed out a second time: only an explicit auto-approval survives it.
      return timeout.then === 'approve' ? 'approve' : 'reject';
  }
}

function decision(
  context: ApprovalContext,
  fields: Pick<ApprovalDecision, 'approver' | 'by' | 'decision' | 'comment' | 'at'>,
): ApprovalDecision[] {
  return [...context.decisions, { round: context.round, level: context.level, ...fields }];
}

function autoRejection(context: ApprovalContext, reason: string, at: string): Partial<ApprovalContext> {
  return {
    reason,
    decisions: decision(context, { approver: SYSTEM, by: SYSTEM, decision: 'auto-reject', comment: reason, at }),
  };
}

function messageData(context: ApprovalContext): { [key: string]: Json } {
  return {
    approvalId: context.id,
    kind: context.kind,
    title: context.title,
    requester: context.requester,
    subject: context.subject,
    level: context.level,
    levelName: currentLevel(context).name ?? null,
    round: context.round,
  };
}

function escalationCommand(context: ApprovalContext): WorkflowEmitted {
  return {
    type: 'guard.command',
    command: 'approval.escalate',
    payload: { level: context.level, round: context.round },
  };
}

function timeoutTimer(context: ApprovalContext, from: string): WorkflowEmitted | null {
  const timeout = currentLevel(context).timeout;
  if (timeout === undefined) return null;
  return {
    type: 'guard.schedule',
    key: TIMEOUT_KEY,
    at: addHours(from, timeout.hours),
    event: { type: 'TIMEOUT', level: context.level, round: context.round },
  };
}

/**
 * The generic approval workflow: a request passes one or more levels of
 * approvers in order, each level completing by its quorum. A pure XState v5
 * machine for Guard's durable workflow runtime: it reads time only from the
 * events' `at` and asks for everything else through emitted
 * {@link WorkflowEmitted} events.
 *
 * States (top level only, so `snapshot.value` is always a string):
 *
 * - `resolving` — entry emits command `approval.resolve {level, round}`;
 *   waits for `APPROVERS` of that level (one group per approver spec; the
 *   machine removes the requester and duplicates itself)
 * - `pending` — entry notifies every resolved approver
 *   (`requested:r<round>:l<level>`, template `approval.requested`) and, if the
 *   level has a timeout, schedules timer `timeout` at `at + hours`. Decisions:
 *   `APPROVE`, `REJECT` → `rejected`, `SEND_BACK` → `changesRequested`.
 *   When the level's quorum is met the timer is cancelled and the machine
 *   moves to the next level (`resolving`) or to `approved`.
 * - `changesRequested` — the requester was told (`sent-back:r<round>:l<level>`,
 *   template `approval.sent-back`); `RESUBMIT` by the requester starts round
 *   `round + 1` at level 0.
 * - `approved`, `rejected`, `withdrawn` — final. Entry sets `outcome`, cancels
 *   the timer, notifies the requester (`done`, template `approval.<outcome>`),
 *   emits command `approval.done {outcome, reason}` and, with a `parentId`,
 *   signals `APPROVAL_DONE {approvalId, kind, outcome, reason}` to the parent.
 *
 * Escalation: when no remaining undecided person can complete the level
 * (e.g. every group was empty once the requester was removed, or with quorum
 * `all` the same person is the only one left in two groups), the machine
 * emits command `approval.escalate {level, round}` at once instead of waiting
 * for a timeout. A timeout with `then: 'escalate'` does the same. The answer
 * `ESCALATED {level, round, approvers}` names escalation approvers (requester
 * removed), any of whom completes the level; they are notified
 * (`escalated:r<round>:l<level>`, `approval.escalated`) and the timer is
 * scheduled again from the event's `at`. If the escalation leaves nobody who
 * could complete the level, the request is rejected at once (reason
 * `no-eligible-approver`). A timeout after an escalation rejects (reason
 * `timeout`) unless the level's `then` is `approve`.
 *
 * `TIMEOUT`, `APPROVERS` and `ESCALATED` are only accepted from a `system`
 * actor. A `TIMEOUT` that does not match the current level and round, or that
 * arrives while nothing waits for it (a timer claimed just before it was moved
 * or cancelled), hits a targetless transition without actions: it changes
 * nothing and `snapshot.can()` is false, so the runtime drops it as a stale
 * timer instead of failing. In the final states the machine is done and
 * accepts nothing.
 *
 * Every notification key is unique for the life of the workflow: each names
 * its round and level, and each state that sends it is entered at most once
 * per round and level.
 *
 * @example
 * ```ts
 * import { approvalMachine, type WorkflowEmitted } from '@guard/core';
 * import { createActor } from 'xstate';
 *
 * const actor = createActor(approvalMachine, {
 *   input: {
 *     id: 'wf-1', kind: 'customer-export', requester: 'e-7', subject: null, title: 'Export',
 *     payload: {}, levels: [{ approvers: [{ type: 'manager' }], quorum: 'any' }],
 *     parentId: null, at: '2026-11-02T02:00:00.000Z',
 *   },
 * });
 * const emitted: WorkflowEmitted[] = [];
 * actor.on('*', (e) => emitted.push(e));
 * actor.start(); // emits command approval.resolve
 * const system = { type: 'system', id: 'approvals' } as const;
 * actor.send({ type: 'APPROVERS', level: 0, groups: [['e-2']], at: '2026-11-02T02:00:01.000Z', actor: system });
 * actor.send({ type: 'APPROVE', approver: 'e-2', at: '2026-11-02T03:00:00.000Z', actor: { type: 'employee', id: 'e-2' } });
 * actor.getSnapshot().value; // 'approved'
 * ```
 */
export const approvalMachine = setup({
  types: {
    context: {} as ApprovalContext,
    events: {} as ApprovalEvent,
    input: {} as ApprovalInput,
    emitted: {} as WorkflowEmitted,
  },
  guards: {
    byRequester: ({ context, event }) => isRequester(context, event.actor),
    isLastLevel: ({ context }) => isLastLevel(context),
    approversDue: ({ context, event }) =>
      event.type === 'APPROVERS' &&
      event.actor.type === 'system' &&
      event.level === context.level &&
      isInstant(event.at) &&
      Array.isArray(event.groups) &&
      event.groups.length === currentLevel(context).approvers.length &&
      event.groups.every(isIdList),
    canApprove: ({ context, event }) => event.type === 'APPROVE' && canDecide(context, event),
    canObject: ({ context, event }) =>
      (event.type === 'REJECT' || event.type === 'SEND_BACK') && isText(event.reason) && canDecide(context, event),
    approvalCompletesLevel: ({ context, event }) =>
      event.type === 'APPROVE' && quorumMet(currentLevel(context), satisfiedAfter(context, event.approver)),
    validResubmission: ({ event }) =>
      event.type === 'RESUBMIT' && (event.payload === undefined || isPlainObject(event.payload)),
    timeoutDue: ({ context, event }) =>
      event.type === 'TIMEOUT' &&
      event.actor.type === 'system' &&
      event.level === context.level &&
      event.round === context.round,
    timeoutApproves: ({ context }) => timeoutConsequence(context) === 'approve',
    timeoutRejects: ({ context }) => timeoutConsequence(context) === 'reject',
    timeoutEscalates: ({ context }) => timeoutConsequence(context) === 'escalate',
    escalatedDue: ({ context, event }) =>
      event.type === 'ESCALATED' &&
      event.actor.type === 'system' &&
      context.escalation === 'requested' &&
      event.level === context.level &&
      event.round === context.round &&
      isInstant(event.at) &&
      isIdList(event.approvers),
    escalationDeadEnd: ({ context, event }) =>
      event.type === 'ESCALATED' &&
      !canStillComplete({ ...context, escalatedTo: eligibleIds(context, event.approvers) }, context.satisfied),
  },
  actions: {
    requestApprovers: emit(
      ({ context }): WorkflowEmitted => ({
        type: 'guard.command',
        command: 'approval.resolve',
        payload: { level: context.level, round: context.round },
      }),
    ),
    setGroups: assign(({ context, event }) => {
      assertEvent(event, 'APPROVERS');
      const groups = event.groups.map((group) => eligibleIds(context, group));
      return { groups, satisfied: groups.map(() => false), escalatedTo: [], escalation: 'none' as const };
    }),
    announceLevel: enqueueActions(({ context, event, enqueue }) => {
      const to = eligibleIds(context, context.groups.flat());
      if (to.length > 0) {
        enqueue.emit({
          type: 'guard.notify',
          key: `requested:r${context.round}:l${context.level}`,
          to,
          template: 'approval.requested',
          data: messageData(context),
        });
      }
      const timer = timeoutTimer(context, event.at);
      if (timer !== null) enqueue.emit(timer);
    }),
    escalateIfBlocked: enqueueActions(({ context, event, enqueue }) => {
      if (context.escalation !== 'none') return;
      if (quorumMet(currentLevel(context), context.satisfied) || canStillComplete(context, context.satisfied)) return;
      enqueue.assign({
        escalation: 'requested',
        decisions: decision(context, {
          approver: SYSTEM,
          by: SYSTEM,
          decision: 'escalate',
          comment: 'blocked',
          at: event.at,
        }),
      });
      enqueue.emit(escalationCommand(context));
    }),
    requestEscalation: enqueueActions(({ context, event, enqueue }) => {
      enqueue.assign({
        escalation: 'requested',
        decisions: decision(context, {
          approver: SYSTEM,
          by: SYSTEM,
          decision: 'escalate',
          comment: 'timeout',
          at: event.at,
        }),
      });
      enqueue.emit(escalationCommand(context));
    }),
    applyEscalation: assign(({ context, event }) => {
      assertEvent(event, 'ESCALATED');
      return { escalatedTo: eligibleIds(context, event.approvers), escalation: 'escalated' as const };
    }),
    announceEscalation: enqueueActions(({ context, event, enqueue }) => {
      if (context.escalatedTo.length > 0) {
        enqueue.emit({
          type: 'guard.notify',
          key: `escalated:r${context.round}:l${context.level}`,
          to: context.escalatedTo,
          template: 'approval.escalated',
          data: messageData(context),
        });
      }
      const timer = timeoutTimer(context, event.at);
      if (timer !== null) enqueue.emit(timer);
    }),
    recordApproval: assign(({ context, event }) => {
      assertEvent(event, 'APPROVE');
      return {
        satisfied: satisfiedAfter(context, event.approver),
        decisions: decision(context, {
          approver: event.approver,
          by: event.actor.id,
          decision: 'approve',
          comment: typeof event.comment === 'string' ? event.comment : null,
          at: event.at,
        }),
      };
    }),
    recordAutoApproval: assign(({ context, event }) => ({
      satisfied: context.groups.map(() => true),
      decisions: decision(context, {
        approver: SYSTEM,
        by: SYSTEM,
        decision: 'auto-approve',
        comment: 'timeout',
        at: event.at,
      }),
    })),
    rejectOnTimeout: assign(({ context, event }) => autoRejection(context, 'timeout', event.at)),
    rejectForNoApprover: assign(({ context, event }) => autoRejection(context, 'no-eligible-approver', event.at)),
    recordObjection: assign(({ context, event }) => {
      assertEvent(event, ['REJECT', 'SEND_BACK']);
      return {
        reason: event.reason,
        decisions: decision(context, {
          approver: event.approver,
          by: event.actor.id,
          decision: event.type === 'REJECT' ? 'reject' : 'send-back',
          comment: event.reason,
          at: event.at,
        }),
      };
    }),
    notifySentBack: emit(({ context }): WorkflowEmitted => {
      const last = context.decisions.at(-1);
      return {
        type: 'guard.notify',
        key: `sent-back:r${context.round}:l${context.level}`,
        to: [context.requester],
        template: 'approval.sent-back',
        data: { ...messageData(context), reason: context.reason, by: last?.approver ?? null },
      };
    }),
    cancelTimeout: emit({ type: 'guard.cancel', key: TIMEOUT_KEY } satisfies WorkflowEmitted),
    enterNextLevel: assign(({ context }) => ({
      level: context.level + 1,
      groups: [],
      satisfied: [],
      escalatedTo: [],
      escalation: 'none' as const,
    })),
    resubmit: assign(({ context, event }) => {
      assertEvent(event, 'RESUBMIT');
      return {
        round: context.round + 1,
        level: 0,
        payload: event.payload ?? context.payload,
        groups: [],
        satisfied: [],
        escalatedTo: [],
        escalation: 'none' as const,
        reason: null,
      };
    }),
    recordWithdrawal: assign(({ event }) => {
      assertEvent(event, 'WITHDRAW');
      return { reason: isText(event.reason) ? event.reason : null };
    }),
    markApproved: assign({ outcome: 'approved' as const, reason: null }),
    markRejected: assign({ outcome: 'rejected' as const }),
    markWithdrawn: assign({ outcome: 'withdrawn' as const }),
    finish: enqueueActions(({ context, enqueue }) => {
      const { outcome, reason } = context;
      if (outcome === null) throw new Error(`approval ${context.id} ended without an outcome`);
      enqueue.emit({ type: 'guard.cancel', key: TIMEOUT_KEY });
      enqueue.emit({
        type: 'guard.notify',
        key: 'done',
        to: [context.requester],
        template: `approval.${outcome}`,
        data: { ...messageData(context), outcome, reason },
      });
      enqueue.emit({ type: 'guard.command', command: 'approval.done', payload: { outcome, reason } });
      if (context.parentId !== null) {
        enqueue.emit({
          type: 'guard.signal',
          workflowId: context.parentId,
          event: { type: 'APPROVAL_DONE', approvalId: context.id, kind: context.kind, outcome, reason },
        });
      }
    }),
  },
}).createMachine({
  id: APPROVAL_MACHINE_ID,
  /** The input, its levels validated with `approvalLevelSchema`, and an empty first round. */
  context: ({ input }): ApprovalContext => {
    if (!isInstant(input.at)) throw new RangeError(`approval ${input.id}: "at" must be an ISO instant`);
    const levels: ApprovalLevel[] = levelsSchema.parse(input.levels);
    return {
      id: input.id,
      kind: input.kind,
      requester: input.requester,
      subject: input.subject,
      title: input.title,
      payload: input.payload,
      levels,
      parentId: input.parentId,
      at: input.at,
      level: 0,
      round: 0,
      groups: [],
      satisfied: [],
      escalatedTo: [],
      escalation: 'none',
      decisions: [],
      outcome: null,
      reason: null,
    };
  },
  initial: 'resolving',
  states: {
    resolving: {
      entry: 'requestApprovers',
      on: {
        APPROVERS: { guard: 'approversDue', target: 'pending', actions: 'setGroups' },
        WITHDRAW: { guard: 'byRequester', target: 'withdrawn', actions: 'recordWithdrawal' },
        TIMEOUT: { description: STALE_TIMER },
      },
    },
    pending: {
      entry: ['announceLevel', 'escalateIfBlocked'],
      on: {
        APPROVE: [
          {
            guard: and(['canApprove', 'approvalCompletesLevel', 'isLastLevel']),
            target: 'approved',
            actions: 'recordApproval',
          },
          {
            guard: and(['canApprove', 'approvalCompletesLevel']),
            target: 'resolving',
            actions: ['recordApproval', 'cancelTimeout', 'enterNextLevel'],
          },
          { guard: 'canApprove', actions: ['recordApproval', 'escalateIfBlocked'] },
        ],
        REJECT: { guard: 'canObject', target: 'rejected', actions: 'recordObjection' },
        SEND_BACK: {
          guard: 'canObject',
          target: 'changesRequested',
          actions: ['recordObjection', 'cancelTimeout', 'notifySentBack'],
        },
        WITHDRAW: { guard: 'byRequester', target: 'withdrawn', actions: 'recordWithdrawal' },
        TIMEOUT: [
          {
            guard: and(['timeoutDue', 'timeoutApproves', 'isLastLevel']),
            target: 'approved',
            actions: 'recordAutoApproval',
          },
          {
            guard: and(['timeoutDue', 'timeoutApproves']),
            target: 'resolving',
            actions: ['recordAutoApproval', 'cancelTimeout', 'enterNextLevel'],
          },
          {
            guard: and(['timeoutDue', 'timeoutRejects']),
            target: 'rejected',
            actions: 'rejectOnTimeout',
          },
          {
            guard: and(['timeoutDue', 'timeoutEscalates']),
            actions: 'requestEscalation',
          },
          { description: STALE_TIMER },
        ],
        ESCALATED: [
          {
            guard: and(['escalatedDue', 'escalationDeadEnd']),
            target: 'rejected',
            actions: ['applyEscalation', 'rejectForNoApprover'],
          },
          { guard: 'escalatedDue', actions: ['applyEscalation', 'announceEscalation'] },
        ],
      },
    },
    changesRequested: {
      on: {
        RESUBMIT: { guard: and(['byRequester', 'validResubmission']), target: 'resolving', actions: 'resubmit' },
        WITHDRAW: { guard: 'byRequester', target: 'withdrawn', actions: 'recordWithdrawal' },
        TIMEOUT: { description: STALE_TIMER },
      },
    },
    approved: { type: 'final', entry: ['markApproved', 'finish'] },
    rejected: { type: 'final', entry: ['markRejected', 'finish'] },
    withdrawn: { type: 'final', entry: ['markWithdrawn', 'finish'] },
  },
});
