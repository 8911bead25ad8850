import { assign, emit, enqueueActions, setup } from 'xstate';
import type { WorkflowEmitted } from '../protocol.js';
import {
  AGREEMENT_DEFAULT_MAX_REMINDERS,
  AGREEMENT_DEFAULT_REMIND_EVERY_HOURS,
  AGREEMENT_MACHINE_ID,
  type AgreementContext,
  type AgreementEvent,
  type AgreementInput,
} from './types.js';

const HOUR_MS = 3_600_000;

/** `at` plus `hours`, as an ISO instant; the machine never reads a clock. */
function addHours(at: string, hours: number): string {
  return new Date(Date.parse(at) + hours * HOUR_MS).toISOString();
}

/** The input with its defaults applied; throws `RangeError` on settings no timer could follow. */
function initialContext(input: AgreementInput): AgreementContext {
  const remindEveryHours = input.remindEveryHours ?? AGREEMENT_DEFAULT_REMIND_EVERY_HOURS;
  const maxReminders = input.maxReminders ?? AGREEMENT_DEFAULT_MAX_REMINDERS;
  if (!Number.isFinite(remindEveryHours) || remindEveryHours <= 0) {
    throw new RangeError(
      `agreement ${input.id}: remindEveryHours must be a finite number above 0, got ${remindEveryHours}`,
    );
  }
  if (!Number.isSafeInteger(maxReminders) || maxReminders < 0) {
    throw new RangeError(`agreement ${input.id}: maxReminders must be an integer ≥ 0, got ${maxReminders}`);
  }
  if (Number.isNaN(Date.parse(input.at))) {
    throw new RangeError(`agreement ${input.id}: at must be an ISO instant, got ${JSON.stringify(input.at)}`);
  }
  return {
    id: input.id,
    employeeId: input.employeeId,
    templateId: input.templateId,
    templateVersion: input.templateVersion,
    kind: input.kind,
    title: input.title,
    contentHash: input.contentHash,
    remindEveryHours,
    maxReminders,
    at: input.at,
    reminders: 0,
    overdue: false,
    signature: null,
    revokedReason: null,
  };
}

/** What the notification templates get to say which agreement it is about. */
const notifyData = (context: AgreementContext) => ({
  agreementId: context.id,
  kind: context.kind,
  title: context.title,
  templateId: context.templateId,
  templateVersion: context.templateVersion,
});

/**
 * An onboarding agreement for one employee to sign — a confidentiality
 * agreement (保密协议), a non-compete (竞业限制协议) or a customer-ownership
 * clause (客户资源归属条款) — as a pure XState v5 machine for the durable
 * workflow runtime.
 *
 * - `pending` (initial): entry notifies the employee (`agreement.assigned`,
 *   key `assigned`) and schedules `REMIND` (key `remind`) at
 *   `at + remindEveryHours`. Each `REMIND` (from a `system` actor) notifies
 *   the employee (`agreement.reminder`, key `reminder-<n>`) and schedules
 *   the next one; the one that brings the count to `maxReminders` instead
 *   emits the command `agreement.overdue {}` once, and reminding stops.
 * - `SIGN` by the employee themself (an `employee` actor whose id is
 *   `employeeId`) over the assigned text (`contentHash` equal) → `signed`
 *   (final): the signature is recorded with `signedAt` = the event's `at`,
 *   the reminder is cancelled and the command `agreement.signed
 *   { signature }` emitted.
 * - `REVOKE { reason }` by a non-employee actor (the host, or Guard) →
 *   `revoked` (final): the reminder is cancelled.
 *
 * Anything else fails `snapshot.can(event)`, so the runtime rejects it.
 * Starting throws `RangeError` if `remindEveryHours` is not a finite number
 * above 0, `maxReminders` not an integer ≥ 0, or `at` not an instant.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { agreementMachine, type WorkflowEmitted } from '@guard/core';
 * const actor = createActor(agreementMachine, {
 *   input: {
 *     id: 'agr-1', employeeId: 'e-7', templateId: 'nda', templateVersion: 3, kind: 'confidentiality',
 *     title: '保密协议', contentHash: 'a'.repeat(64), at: '2026-11-02T02:00:00.000Z',
 *   },
 * });
 * const emitted: WorkflowEmitted[] = [];
 * actor.on('*', (e) => emitted.push(e));
 * actor.start(); // emitted: notify agreement.assigned, schedule REMIND at 2026-11-05T02:00:00.000Z
 * actor.send({
 *   type: 'SIGN', contentHash: 'a'.repeat(64), channel: 'web', ip: null, userAgent: null,
 *   at: '2026-11-02T03:00:00.000Z', actor: { type: 'employee', id: 'e-7' },
 * });
 * actor.getSnapshot().value; // 'signed'
 * ```
 */
export const agreementMachine = setup({
  types: {
    context: {} as AgreementContext,
    events: {} as AgreementEvent,
    input: {} as AgreementInput,
    emitted: {} as WorkflowEmitted,
  },
  actions: {
    /** Stops the reminder timer, whether or not one is still pending. */
    cancelReminder: emit({ type: 'guard.cancel', key: 'remind' }),
  },
}).createMachine({
  id: AGREEMENT_MACHINE_ID,
  context: ({ input }) => initialContext(input),
  initial: 'pending',
  states: {
    pending: {
      entry: [
        emit(
          ({ context }): WorkflowEmitted => ({
            type: 'guard.notify',
            key: 'assigned',
            to: [context.employeeId],
            template: 'agreement.assigned',
            data: notifyData(context),
          }),
        ),
        emit(
          ({ context }): WorkflowEmitted => ({
            type: 'guard.schedule',
            key: 'remind',
            at: addHours(context.at, context.remindEveryHours),
            event: { type: 'REMIND' },
          }),
        ),
      ],
      on: {
        REMIND: {
          guard: ({ context, event }) => event.actor.type === 'system' && !context.overdue,
          actions: enqueueActions(({ context, event, enqueue }) => {
            let reminders = context.reminders;
            if (reminders < context.maxReminders) {
              reminders += 1;
              enqueue.emit({
                type: 'guard.notify',
                key: `reminder-${reminders}`,
                to: [context.employeeId],
                template: 'agreement.reminder',
                data: { ...notifyData(context), reminder: reminders, maxReminders: context.maxReminders },
              });
            }
            if (reminders >= context.maxReminders) {
              enqueue.emit({ type: 'guard.command', command: 'agreement.overdue', payload: {} });
              enqueue.assign({ reminders, overdue: true });
            } else {
              enqueue.emit({
                type: 'guard.schedule',
                key: 'remind',
                at: addHours(event.at, context.remindEveryHours),
                event: { type: 'REMIND' },
              });
              enqueue.assign({ reminders });
            }
          }),
        },
        SIGN: {
          guard: ({ context, event }) =>
            event.actor.type === 'employee' &&
            event.actor.id === context.employeeId &&
            event.contentHash === context.contentHash,
          target: 'signed',
          actions: assign({
            signature: ({ event }) => ({
              signerId: event.actor.id,
              contentHash: event.contentHash,
              signedAt: event.at,
              channel: event.channel,
              ip: event.ip,
              userAgent: event.userAgent,
            }),
          }),
        },
        REVOKE: {
          guard: ({ event }) => event.actor.type !== 'employee',
          target: 'revoked',
          actions: assign({ revokedReason: ({ event }) => event.reason }),
        },
      },
    },
    signed: {
      type: 'final',
      entry: [
        'cancelReminder',
        emit(
          ({ context }): WorkflowEmitted => ({
            type: 'guard.command',
            command: 'agreement.signed',
            payload: { signature: context.signature },
          }),
        ),
      ],
    },
    revoked: { type: 'final', entry: 'cancelReminder' },
  },
});
