import { assign, emit, setup } from 'xstate';
import type { ActorRef } from '../../domain/entities.js';
import type { WorkflowEmitted } from '../protocol.js';
import {
  CLAIM_APPROVAL_KIND,
  CLAIM_MACHINE_ID,
  type ClaimContext,
  type ClaimEvent,
  type ClaimInput,
  type ClaimOutcome,
} from './types.js';

/**
 * Whether an approval event may be taken: it comes from the runtime (command
 * answers and signals from the child are delivered as a `system` actor, so
 * no caller can forge them) and is about this claim's approval, or the first
 * approval we hear of.
 */
const fromOurApproval = (context: ClaimContext, event: { readonly approvalId: string; readonly actor: ActorRef }) =>
  event.actor.type === 'system' && (context.approvalId === null || context.approvalId === event.approvalId);

/**
 * An ownership claim on a public-pool (公海) customer, as a pure XState v5
 * machine for the durable workflow runtime.
 *
 * - `review` (initial): entry emits the command `claim.review`
 *   `{ customerId, claimantId, duplicates }`; the module starts a child
 *   approval of kind `ownership-claim` and answers `APPROVAL_STARTED`.
 *   `APPROVAL_DONE` (same approval, kind `ownership-claim`) moves on by its
 *   outcome: `approved` → `assigning`, `rejected` → `rejected`, `withdrawn`
 *   → `withdrawn`. `WITHDRAW` from the claimant (and nobody else) emits
 *   `claim.withdraw { approvalId }` and ends the claim.
 * - `assigning`: entry emits `claim.assign { customerId, claimantId }`; the
 *   module answers `ASSIGNED` (→ `owned`) or `LOST { reason }` (→ `lost`).
 * - `owned`, `rejected`, `lost`, `withdrawn` (final): the first three notify
 *   the claimant (`claim.owned`, `claim.rejected`, `claim.lost`); each
 *   emits `claim.done { outcome }`.
 *
 * `APPROVAL_STARTED`, `APPROVAL_DONE`, `ASSIGNED` and `LOST` are taken only
 * from a `system` actor: the runtime delivers command answers and signals
 * that way, so a caller cannot forge them. Events that a state does not
 * accept fail `snapshot.can(event)`, so the runtime rejects them.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { claimMachine, type WorkflowEmitted } from '@guard/core';
 * const actor = createActor(claimMachine, {
 *   input: { id: 'claim-1', customerId: 'c-1001', claimantId: 'e-7', reason: null, duplicates: [], at: '2026-11-02T02:00:00.000Z' },
 * });
 * const emitted: WorkflowEmitted[] = [];
 * actor.on('*', (e) => emitted.push(e));
 * actor.start(); // emitted: claim.review
 * actor.send({ type: 'APPROVAL_STARTED', approvalId: 'ap-1', at: '2026-11-02T02:00:00.000Z', actor: { type: 'system', id: 'workflow' } });
 * const persisted = JSON.stringify(actor.getPersistedSnapshot());
 * ```
 */
export const claimMachine = setup({
  types: {
    context: {} as ClaimContext,
    events: {} as ClaimEvent,
    input: {} as ClaimInput,
    emitted: {} as WorkflowEmitted,
  },
  actions: {
    /** Tells the claimant how the claim ended; a final state is entered at most once, so the key is unique. */
    notifyClaimant: emit(
      ({ context }, params: { readonly template: string }): WorkflowEmitted => ({
        type: 'guard.notify',
        key: params.template,
        to: [context.claimantId],
        template: params.template,
        data: { claimId: context.id, customerId: context.customerId, reason: context.outcomeReason },
      }),
    ),
    /** Every final state emits it, so the module can release its pending-claim marker. */
    done: emit(
      (_, params: { readonly outcome: ClaimOutcome }): WorkflowEmitted => ({
        type: 'guard.command',
        command: 'claim.done',
        payload: { outcome: params.outcome },
      }),
    ),
  },
}).createMachine({
  id: CLAIM_MACHINE_ID,
  context: ({ input }) => ({
    id: input.id,
    customerId: input.customerId,
    claimantId: input.claimantId,
    reason: input.reason,
    duplicates: [...input.duplicates],
    at: input.at,
    approvalId: null,
    outcome: null,
    outcomeReason: null,
  }),
  initial: 'review',
  states: {
    review: {
      entry: emit(
        ({ context }): WorkflowEmitted => ({
          type: 'guard.command',
          command: 'claim.review',
          payload: { customerId: context.customerId, claimantId: context.claimantId, duplicates: context.duplicates },
        }),
      ),
      on: {
        APPROVAL_STARTED: {
          // Idempotent for the same approval; a second, different approval is a bug upstream.
          guard: ({ context, event }) => fromOurApproval(context, event),
          actions: assign({ approvalId: ({ event }) => event.approvalId }),
        },
        APPROVAL_DONE: [
          {
            guard: ({ context, event }) =>
              event.kind === CLAIM_APPROVAL_KIND && fromOurApproval(context, event) && event.outcome === 'approved',
            target: 'assigning',
            actions: assign({
              approvalId: ({ event }) => event.approvalId,
              outcomeReason: ({ event }) => event.reason,
            }),
          },
          {
            guard: ({ context, event }) =>
              event.kind === CLAIM_APPROVAL_KIND && fromOurApproval(context, event) && event.outcome === 'rejected',
            target: 'rejected',
            actions: assign({
              approvalId: ({ event }) => event.approvalId,
              outcome: 'rejected',
              outcomeReason: ({ event }) => event.reason,
            }),
          },
          {
            guard: ({ context, event }) =>
              event.kind === CLAIM_APPROVAL_KIND && fromOurApproval(context, event) && event.outcome === 'withdrawn',
            target: 'withdrawn',
            actions: assign({
              approvalId: ({ event }) => event.approvalId,
              outcome: 'withdrawn',
              outcomeReason: ({ event }) => event.reason,
            }),
          },
        ],
        WITHDRAW: {
          guard: ({ context, event }) => event.actor.type === 'employee' && event.actor.id === context.claimantId,
          target: 'withdrawn',
          actions: [
            emit(
              ({ context }): WorkflowEmitted => ({
                type: 'guard.command',
                command: 'claim.withdraw',
                payload: { approvalId: context.approvalId },
              }),
            ),
            assign({ outcome: 'withdrawn' }),
          ],
        },
      },
    },
    assigning: {
      entry: emit(
        ({ context }): WorkflowEmitted => ({
          type: 'guard.command',
          command: 'claim.assign',
          payload: { customerId: context.customerId, claimantId: context.claimantId },
        }),
      ),
      on: {
        ASSIGNED: {
          guard: ({ event }) => event.actor.type === 'system',
          target: 'owned',
          actions: assign({ outcome: 'owned' }),
        },
        LOST: {
          guard: ({ event }) => event.actor.type === 'system',
          target: 'lost',
          actions: assign({ outcome: 'lost', outcomeReason: ({ event }) => event.reason }),
        },
      },
    },
    owned: {
      type: 'final',
      entry: [
        { type: 'notifyClaimant', params: { template: 'claim.owned' } },
        { type: 'done', params: { outcome: 'owned' } },
      ],
    },
    rejected: {
      type: 'final',
      entry: [
        { type: 'notifyClaimant', params: { template: 'claim.rejected' } },
        { type: 'done', params: { outcome: 'rejected' } },
      ],
    },
    lost: {
      type: 'final',
      entry: [
        { type: 'notifyClaimant', params: { template: 'claim.lost' } },
        { type: 'done', params: { outcome: 'lost' } },
      ],
    },
    withdrawn: { type: 'final', entry: { type: 'done', params: { outcome: 'withdrawn' } } },
  },
});
