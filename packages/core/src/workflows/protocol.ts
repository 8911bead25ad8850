import type { ActorRef, Json } from '../domain/entities.js';

/**
 * The fields the durable runtime adds to every event it delivers to a
 * machine: when it happened and who caused it. Machines are pure, so they
 * read time from `at` and never from a clock.
 *
 * @example
 * ```ts
 * import type { WorkflowEventBase } from '@guard/core';
 * const event: WorkflowEventBase & { type: 'APPROVE' } = {
 *   type: 'APPROVE', at: '2026-11-02T02:00:00.000Z', actor: { type: 'employee', id: 'e-2' },
 * };
 * ```
 */
export interface WorkflowEventBase {
  readonly type: string;
  /** ISO instant of the event (the runtime's clock, or a timer's due time). */
  readonly at: string;
  /** Who sent it; `{ type: 'system', id: 'timer' }` for timers. */
  readonly actor: ActorRef;
}

/**
 * What a machine asks the runtime to do, as XState `emit(...)` events. The
 * runtime carries them out inside the transaction that persisted the
 * transition, so they commit or roll back with it:
 *
 * - `guard.notify` — an outbox `notify` effect, delivered later by the worker
 *   through the `Notifier` port; `key` makes it idempotent within the workflow.
 * - `guard.effect` — any other outbox effect (e.g. `crm.transfer`).
 * - `guard.schedule` / `guard.cancel` — a durable timer that sends `event` back
 *   to this workflow at `at` (XState's own delays do not survive a restart).
 * - `guard.command` — a change inside the database that the module owning the
 *   machine performs (e.g. `ownership.assign`); it may answer with events that
 *   are sent back to the workflow in the same transaction.
 * - `guard.signal` — an event for another workflow (a child approval telling
 *   its parent it is done), delivered in the same transaction.
 *
 * @example
 * ```ts
 * import { emit } from 'xstate';
 * import type { WorkflowEmitted } from '@guard/core';
 * const remind = emit((): WorkflowEmitted => ({
 *   type: 'guard.notify', key: 'remind-1', to: ['e-7'], template: 'approval.pending', data: {},
 * }));
 * ```
 */
export type WorkflowEmitted =
  | {
      readonly type: 'guard.notify';
      /** Unique within the workflow: the effect's idempotency key is `<workflowId>:<key>`. */
      readonly key: string;
      /** Employee ids. */
      readonly to: readonly string[];
      /** Message template id, e.g. `approval.requested`; see the i18n catalog. */
      readonly template: string;
      readonly data: { readonly [key: string]: Json };
    }
  | {
      readonly type: 'guard.effect';
      readonly key: string;
      /** The outbox effect's kind, e.g. `crm.transfer`. */
      readonly kind: string;
      readonly payload: Json;
    }
  | {
      readonly type: 'guard.schedule';
      /** Unique within the workflow; scheduling the same key again moves the timer. */
      readonly key: string;
      /** ISO instant the event is due. */
      readonly at: string;
      /** The event to send back (the runtime adds `at` and `actor`). */
      readonly event: { readonly type: string; readonly [key: string]: Json };
    }
  | { readonly type: 'guard.cancel'; readonly key: string }
  | {
      readonly type: 'guard.command';
      /** e.g. `approval.resolve`, `ownership.assign`. */
      readonly command: string;
      readonly payload: { readonly [key: string]: Json };
    }
  | {
      readonly type: 'guard.signal';
      /** The workflow to send to. */
      readonly workflowId: string;
      readonly event: { readonly type: string; readonly [key: string]: Json };
    };
