import * as z from 'zod';
import { enqueueNotification } from '../alerts/alerts.js';
import { assertNotBlocked, observeActivity } from '../anomaly/anomaly.js';
import { type ApprovalOutcomeHandler, startApproval } from '../approvals/approvals.js';
import type { ActorRef, AuditEntry, Json } from '../domain/entities.js';
import { idSchema, isoDateTimeSchema } from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import { type FollowUpChannel, followUpChannelSchema } from '../domain/vocabulary.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { customerName, deferredText, employeeName } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import {
  type GuardContext,
  inRefusableUnitOfWork,
  inTheFuture,
  inUnitOfWork,
  type UnitOfWork,
} from '../kernel/context.js';
import { type Decided, decideOn } from '../kernel/decide.js';
import { managesEmployee, requireActingEmployee, requireEmployee } from '../kernel/directory.js';
import { DAY_MS, zoneOffsetMs } from '../policy/local-time.js';
import type { CustomerRecord, EmployeeRecord, Page, StoreTransaction, WorkflowRecord } from '../ports/store.js';
import { recordOwnSignals } from '../risk/service.js';
import { loadSettings } from '../settings/tenant-settings.js';
import { allRecords, readPages } from '../store/pages.js';
import { CLAIM_MACHINE_ID, CLAIM_MACHINE_VERSION, type ClaimContext, claimMachine } from '../workflows/claim/index.js';
import { defineWorkflow, type WorkflowModule, WorkflowSession } from '../workflows/runtime/index.js';
import {
  afterCustomerWrite,
  type FollowUpDue,
  followUpTimer,
  followUpTimerKey,
  likelyDuplicates,
  restartFollowUpClock,
} from './customer-hooks.js';
import { addToFollowUpDigest, followUpDigestHandler } from './follow-up-digest.js';

/** A pending claim holds this marker (id = customer id): creating it is the atomic "one claim at a time". */
const PENDING_CLAIM_KIND = 'pending-claim';
/** Claims started, per claimant (`ref`), for the daily quota. */
const CLAIM_LOG_KIND = 'claim-log';
/** Follow-up records (跟进记录), `ref` = customer id. */
export const FOLLOW_UP_KIND = 'follow-up';

/**
 * A claim (认领) as the host shows it.
 *
 * @example
 * ```ts
 * const claim = await acme.ownership.claim({ actor: 'e-7', customerId: 'c-1001' });
 * claim.state; // 'review'
 * claim.duplicates; // ['c-0042'] — flagged to the reviewer
 * ```
 */
export interface ClaimView {
  readonly id: string;
  readonly customerId: string;
  readonly claimantId: string;
  readonly state: string;
  readonly outcome: ClaimContext['outcome'];
  readonly approvalId: string | null;
  readonly duplicates: readonly string[];
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function claimView(record: WorkflowRecord): ClaimView {
  const c = WorkflowSession.contextFor(record, claimMachine);
  return {
    id: record.id,
    customerId: c.customerId,
    claimantId: c.claimantId,
    state: record.state,
    outcome: c.outcome,
    approvalId: c.approvalId,
    duplicates: c.duplicates,
    reason: c.reason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * A follow-up record (跟进记录).
 *
 * @example
 * ```ts
 * import type { FollowUpView } from '@guard/core';
 * declare const f: FollowUpView;
 * console.log(f.at, f.channel, f.employeeId);
 * ```
 */
export interface FollowUpView {
  readonly id: string;
  readonly customerId: string;
  readonly employeeId: string;
  readonly channel: FollowUpChannel;
  readonly at: string;
  readonly note: string | null;
}

/**
 * One change of a customer's owner, from the audit trail.
 *
 * @example
 * ```ts
 * const history = await acme.ownership.history('c-1001');
 * for (const h of history.items) console.log(h.at, h.from ?? '公海', '→', h.to ?? '公海', h.reason);
 * ```
 */
export interface OwnershipChange {
  readonly seq: number;
  readonly at: string;
  readonly from: string | null;
  readonly to: string | null;
  /** `claim`, `transfer`, `release`, `follow-up-rule`, `handover`, `sync`. */
  readonly reason: string;
  readonly actor: ActorRef;
}

const claimSchema = z.strictObject({
  actor: idSchema,
  customerId: idSchema,
  reason: z.string().min(1).max(2000).optional(),
});
const claimActionSchema = z.strictObject({ actor: idSchema, claimId: idSchema });
const transferSchema = z.strictObject({
  actor: idSchema,
  customerId: idSchema,
  to: idSchema,
  reason: z.string().min(1).max(2000),
});
const releaseSchema = z.strictObject({ actor: idSchema, customerId: idSchema, reason: z.string().min(1).max(2000) });
const followUpSchema = z.strictObject({
  actor: idSchema,
  customerId: idSchema,
  channel: followUpChannelSchema,
  at: isoDateTimeSchema.optional(),
  note: z.string().max(4000).optional(),
});
const pageSchema = z.strictObject({
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

/**
 * Customer ownership (客户归属) and the public pool (公海): claims that a
 * manager reviews, transfers that need approval, release to the pool,
 * follow-up records, and the per-tenant follow-up rules that remind the
 * owner, alert the manager and finally return a forgotten customer to the
 * pool. Every owner change is audited and listed by {@link OwnershipApi.history}.
 *
 * @example
 * ```ts
 * const claim = await acme.ownership.claim({ actor: 'e-7', customerId: 'c-1001', reason: 'met them at the trade fair' });
 * await acme.approvals.approve({ actor: 'mgr', approvalId: claim.approvalId! });
 * await acme.ownership.recordFollowUp({ actor: 'e-7', customerId: 'c-1001', channel: 'visit' });
 * ```
 */
export interface OwnershipApi {
  /** Claims a pool customer; a manager reviews it. One pending claim per customer; quota and cap apply. */
  claim(input: { actor: string; customerId: string; reason?: string }): Promise<ClaimView>;
  /** The claimant withdraws a pending claim. */
  withdrawClaim(input: { actor: string; claimId: string }): Promise<ClaimView>;
  getClaim(claimId: string): Promise<ClaimView>;
  /** Asks to hand a customer to another employee; the owner's manager approves. Returns the approval id. */
  requestTransfer(input: {
    actor: string;
    customerId: string;
    to: string;
    reason: string;
  }): Promise<{ approvalId: string }>;
  /** The owner (or their manager, or HR) returns the customer to the public pool. */
  release(input: { actor: string; customerId: string; reason: string }): Promise<CustomerRecord>;
  /** Records a follow-up (跟进记录) and restarts the customer's follow-up clock. */
  recordFollowUp(input: {
    actor: string;
    customerId: string;
    channel: FollowUpView['channel'];
    at?: string;
    note?: string;
  }): Promise<FollowUpView>;
  followUps(customerId: string, page?: { cursor?: string; limit?: number }): Promise<Page<FollowUpView>>;
  /** Every owner change of a customer, oldest first. */
  history(customerId: string, page?: { cursor?: string; limit?: number }): Promise<Page<OwnershipChange>>;
}

/**
 * Why a customer changed owner: `claim` (a pool customer claimed and
 * approved), `transfer` (an approved transfer), `handover` (an offboarding
 * completed), `handover-fallback` (the successor was no longer active at
 * completion: the customer went to the leaver's manager or the pool for a
 * new decision), `release` (released to the pool), `follow-up-rule` (no
 * follow-up for too long: returned to the pool).
 *
 * @example
 * ```ts
 * import type { OwnerChangeReason } from '@guard/core';
 * const reason: OwnerChangeReason = 'handover';
 * ```
 */
export type OwnerChangeReason = 'claim' | 'transfer' | 'handover' | 'handover-fallback' | 'release' | 'follow-up-rule';

/**
 * The kind of the outbox effect Guard queues for every owner change, for the
 * host or a CRM connector to carry out; its payload is a {@link CrmTransferPayload}.
 *
 * @example
 * ```ts
 * import { CRM_TRANSFER_EFFECT, crmTransferPayloadSchema } from '@guard/core';
 * const worker = guard.worker({
 *   effects: { [CRM_TRANSFER_EFFECT]: (e) => crm.transfer(crmTransferPayloadSchema.parse(e.payload), e.idempotencyKey) },
 * });
 * ```
 */
export const CRM_TRANSFER_EFFECT = 'crm.transfer';

/**
 * The payload of a `crm.transfer` effect: one customer moved in Guard, to be
 * mirrored in every connected CRM. Queued in the same transaction as the
 * move, only when the move happened, with an idempotency key that is unique
 * per move (pass it on to the CRM). `to: null` means the customer went back
 * to the public pool (公海); `version` is the customer's version after the move.
 *
 * @example
 * ```ts
 * import type { CrmTransferPayload } from '@guard/core';
 * const p: CrmTransferPayload = {
 *   customerId: 'c-1001', from: 'e-7', to: 'e-9', reason: 'handover', version: 12, at: '2026-11-30T10:00:00.000Z',
 * };
 * ```
 */
export type CrmTransferPayload = z.output<typeof crmTransferPayloadSchema>;

/**
 * The zod schema of a {@link CrmTransferPayload}: a connector parses an
 * effect's payload with it rather than trusting the outbox row.
 *
 * @example
 * ```ts
 * import { crmTransferPayloadSchema } from '@guard/core';
 * const move = crmTransferPayloadSchema.parse(effect.payload);
 * move.to; // 'e-9', or null for the public pool
 * ```
 */
export const crmTransferPayloadSchema = z.strictObject({
  customerId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  reason: z.enum([
    'claim',
    'transfer',
    'handover',
    'handover-fallback',
    'release',
    'follow-up-rule',
  ]) satisfies z.ZodType<OwnerChangeReason>,
  version: z.int().min(1),
  at: z.string(),
});

/**
 * Changes a customer's owner atomically, audits it, restarts the follow-up
 * clock and queues the `crm.transfer` effect; `null` (and nothing queued)
 * when the owner was no longer `from`.
 */
export async function changeOwner(
  ctx: GuardContext,
  uow: UnitOfWork,
  customerId: string,
  change: {
    from: string | null;
    to: string | null;
    reason: OwnerChangeReason;
    actor: ActorRef;
    data?: Record<string, Json>;
    /** The `crm.transfer` effect's idempotency key; by default `crm-transfer:<customerId>:v<new version>`. */
    effectKey?: string;
  },
): Promise<CustomerRecord | null> {
  const before = await uow.tx.getCustomer(uow.tenant.id, customerId);
  const updated = await uow.tx.setCustomerOwner(uow.tenant.id, customerId, {
    from: change.from,
    to: change.to,
    at: uow.now,
  });
  if (!updated) return null;
  await afterCustomerWrite(uow.tx, ctx, before, updated, uow.now);
  uow.session.record({
    actor: change.actor,
    action: 'customer.owner-change',
    subject: { type: 'customer', id: customerId },
    data: { from: change.from, to: change.to, reason: change.reason, version: updated.version, ...(change.data ?? {}) },
  });
  // Queued here, where the move is known to have happened, and for every move: connected CRMs follow Guard.
  const payload: CrmTransferPayload = {
    customerId,
    from: change.from,
    to: change.to,
    reason: change.reason,
    version: updated.version,
    at: uow.now,
  };
  await uow.tx.enqueueEffects([
    {
      id: ctx.ids.next('fx'),
      tenantId: uow.tenant.id,
      idempotencyKey: change.effectKey ?? `crm-transfer:${customerId}:v${updated.version}`,
      kind: CRM_TRANSFER_EFFECT,
      payload: toJson(payload),
      availableAt: uow.now,
      createdAt: uow.now,
    },
  ]);
  return updated;
}

/** Start of the current day in the tenant's time zone, as an ISO instant. */
function startOfLocalDay(now: string, timeZone: string): string {
  const ms = Date.parse(now);
  const offset = zoneOffsetMs(timeZone, ms);
  const localDay = Math.floor((ms + offset) / DAY_MS);
  return new Date(localDay * DAY_MS - offset).toISOString();
}

function forbidden(
  ctx: GuardContext,
  actorId: string,
  resourceId: string,
  decision: import('../domain/decision.js').Decision,
) {
  return new ForbiddenError({ actorId, resourceId, decision }, { locale: ctx.locale });
}

async function requireCustomer(ctx: GuardContext, tx: StoreTransaction, tenantId: string, id: string) {
  const customer = await tx.getCustomer(tenantId, id);
  if (!customer) throw new NotFoundError({ entity: 'customer', id, tenantId }, { locale: ctx.locale });
  return customer;
}

async function decide(
  ctx: GuardContext,
  uow: UnitOfWork,
  employee: EmployeeRecord,
  customer: CustomerRecord,
  action: 'claim' | 'transfer',
) {
  const [decided] = await decideOn(ctx, uow, employee, [customer], action);
  return (decided as Decided).decision;
}

/** The claim machine and its commands; the ownership-transfer approval hook; the follow-up timer. */
export function ownershipModule(): WorkflowModule<GuardContext> {
  const followUpDue = followUpTimer.handler<GuardContext>(async (due, c) => {
    const ctx = c.env;
    const customer = await c.tx.getCustomer(c.tenantId, due.customerId);
    if (!customer || customer.ownerId !== due.ownerId) return; // owner changed: the clock moved with it
    const tenant = await c.tx.getTenant(c.tenantId);
    if (!tenant) return;
    const settings = await loadSettings(c.tx, c.tenantId);
    const [owner] = await c.tx.getEmployees(c.tenantId, [due.ownerId]);
    const managerId = owner?.managerId ?? null;
    const sinceMs = Date.parse(due.since);
    const days = Math.floor((Date.parse(c.at) - sinceMs) / DAY_MS);
    const data = { customerId: customer.id, ownerId: due.ownerId, days };
    // The name is looked up when the notification goes out, so an erasure before then reaches it.
    const told = { ...data, customerName: customerName(customer.id) };
    const schedule = async (stage: FollowUpDue['stage'], afterDays: number) => {
      const next: FollowUpDue = { ...due, stage };
      await c.tx.scheduleTimer({
        id: ctx.ids.next('tm'),
        tenantId: c.tenantId,
        key: followUpTimerKey(customer.id),
        workflowId: null,
        event: followUpTimer.event(next),
        dueAt: new Date(sinceMs + afterDays * DAY_MS).toISOString(),
        createdAt: c.at,
      });
    };
    const system: ActorRef = { type: 'system', id: 'follow-up-rules' };
    const key = `follow-up:${customer.id}:${due.since}:${due.stage}`;
    if (due.stage === 'remind') {
      await enqueueNotification(ctx, c.tx, c.tenantId, {
        key,
        to: [due.ownerId],
        template: 'follow-up.reminder',
        data: told,
        now: c.at,
      });
      c.session.record({
        actor: system,
        action: 'follow-up.remind',
        subject: { type: 'customer', id: customer.id },
        data,
      });
      await schedule('alert-manager', settings.followUp.alertManagerAfterDays);
      return;
    }
    if (due.stage === 'alert-manager') {
      await addToFollowUpDigest(ctx, c.tx, tenant, c.at, {
        ownerId: due.ownerId,
        since: due.since,
        customerId: customer.id,
        days,
      });
      if (settings.followUp.returnToPoolAfterDays !== null) {
        await schedule('return-to-pool', settings.followUp.returnToPoolAfterDays);
      }
      return;
    }
    const uow: UnitOfWork = { tx: c.tx, tenant, session: c.session, now: c.at };
    const updated = await changeOwner(ctx, uow, customer.id, {
      from: due.ownerId,
      to: null,
      reason: 'follow-up-rule',
      actor: system,
      data: { days },
    });
    if (updated) {
      await enqueueNotification(ctx, c.tx, c.tenantId, {
        key,
        to: [due.ownerId, ...(managerId ? [managerId] : [])],
        template: 'follow-up.returned-to-pool',
        data: told,
        now: c.at,
      });
    }
  });

  return {
    definitions: [defineWorkflow({ machine: claimMachine, version: CLAIM_MACHINE_VERSION })],
    commands: {
      'claim.review': async (_payload, c) => {
        const context = WorkflowSession.contextFor(c.workflow, claimMachine);
        const tenant = await c.tx.getTenant(c.tenantId);
        if (!tenant) return [];
        const approval = await startApproval(
          c.env,
          { tx: c.tx, tenant, session: c.session, now: c.at },
          {
            requester: context.claimantId,
            kind: 'ownership-claim',
            title: deferredText('approvalTitles', 'claim', { customer: customerName(context.customerId) }),
            subject: { type: 'customer', id: context.customerId },
            payload: {
              claimId: c.workflow.id,
              customerId: context.customerId,
              duplicates: [...context.duplicates],
              reason: context.reason,
            },
            parentId: c.workflow.id,
            actor: c.actor,
          },
        );
        return [{ type: 'APPROVAL_STARTED', approvalId: approval.id }];
      },
      'claim.assign': async (_payload, c) => {
        const context = WorkflowSession.contextFor(c.workflow, claimMachine);
        const tenant = await c.tx.getTenant(c.tenantId);
        if (!tenant) return [{ type: 'LOST', reason: 'tenant gone' }];
        const updated = await changeOwner(
          c.env,
          { tx: c.tx, tenant, session: c.session, now: c.at },
          context.customerId,
          { from: null, to: context.claimantId, reason: 'claim', actor: c.actor, data: { claimId: c.workflow.id } },
        );
        return updated
          ? [{ type: 'ASSIGNED' }]
          : [{ type: 'LOST', reason: 'the customer is no longer in the public pool' }];
      },
      'claim.withdraw': async (payload, c) => {
        const approvalId = payload.approvalId;
        if (typeof approvalId !== 'string') return [];
        const approval = await c.session.find(approvalId);
        if (
          approval &&
          approval.state !== 'approved' &&
          approval.state !== 'rejected' &&
          approval.state !== 'withdrawn'
        ) {
          await c.session.send(approvalId, { type: 'WITHDRAW' }, { actor: c.actor, at: c.at });
        }
        return [];
      },
      'claim.done': async (_payload, c) => {
        const context = WorkflowSession.contextFor(c.workflow, claimMachine);
        const marker = await c.tx.getRecord(c.tenantId, PENDING_CLAIM_KIND, context.customerId);
        if (marker && (marker.data as { claimId: string }).claimId === c.workflow.id) {
          await c.tx.deleteRecord(c.tenantId, PENDING_CLAIM_KIND, context.customerId);
        }
        return [];
      },
    },
    timers: { ...followUpDue, ...followUpDigestHandler },
  };
}

/**
 * Approval hook: an approved transfer moves the customer if, now that it is
 * carried out, the requester may still transfer it (the policy is asked
 * again), the successor is still active, and the owner is still the one the
 * request named. Otherwise nothing moves and `customer.transfer-skipped` says why.
 */
export const transferDecided: ApprovalOutcomeHandler = async (approval, c) => {
  if (approval.outcome !== 'approved') return;
  const p = approval.payload as { customerId: string; from: string; to: string };
  const tenant = await c.tx.getTenant(c.tenantId);
  if (!tenant) return;
  const uow: UnitOfWork = { tx: c.tx, tenant, session: c.session, now: c.at };
  const skip = (reason: string, data: Record<string, Json> = {}) =>
    c.session.record({
      actor: c.actor,
      action: 'customer.transfer-skipped',
      subject: { type: 'customer', id: p.customerId },
      data: { approvalId: approval.id, reason, ...data },
    });
  const people = await c.tx.getEmployees(c.tenantId, [approval.requester, p.to]);
  const requester = people.find((e) => e.id === approval.requester);
  const successor = people.find((e) => e.id === p.to);
  const customer = await c.tx.getCustomer(c.tenantId, p.customerId);
  if (!requester || !customer) return skip('the requester or the customer no longer exists');
  const decision = await decide(c.env, uow, requester, customer, 'transfer');
  if (!decision.allow) {
    return skip('the requester may no longer transfer this customer', {
      decision: { code: decision.reason.code, rules: [...decision.reason.rules] },
    });
  }
  if (successor?.status !== 'active') return skip(`the successor "${p.to}" is no longer active`);
  const moved = await changeOwner(c.env, uow, p.customerId, {
    from: p.from,
    to: p.to,
    reason: 'transfer',
    actor: c.actor,
    data: { approvalId: approval.id },
    effectKey: `${approval.id}:crm-transfer`,
  });
  if (!moved) {
    skip('the owner changed after the request');
  }
};

/** The tenant-scoped ownership API. */
export function ownershipApi(ctx: GuardContext, tenantId: string): OwnershipApi {
  const { locale } = ctx;
  const employee = (id: string): ActorRef => ({ type: 'employee', id });
  return {
    claim: async (input) => {
      const p = parseInput(claimSchema, input, { what: 'claim', locale });
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        const claimant = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        await assertNotBlocked(ctx, uow, claimant.id, 'claim');
        const customer = await requireCustomer(ctx, uow.tx, tenantId, p.customerId);
        const decision = await decide(ctx, uow, claimant, customer, 'claim');
        if (!decision.allow || customer.ownerId !== null) {
          throw forbidden(ctx, claimant.id, customer.id, decision.allow ? { ...decision, allow: false } : decision);
        }
        const settings = await loadSettings(uow.tx, tenantId);
        // Counted only as far as the limits: a rep with 100,000 customers costs one page, not 100.
        const today = (
          await allRecords(
            uow.tx,
            tenantId,
            { kind: CLAIM_LOG_KIND, ref: claimant.id, from: startOfLocalDay(uow.now, uow.tenant.timeZone) },
            settings.claims.dailyQuota,
          )
        ).items.length;
        const owned = (
          await readPages((page) => uow.tx.listCustomers(tenantId, { ownerId: claimant.id }, page), {
            max: settings.claims.maxCustomersPerRep,
          })
        ).items.length;
        const issues = [
          ...(today >= settings.claims.dailyQuota
            ? [
                {
                  path: ['actor'],
                  code: 'custom',
                  message: validationMessage('quota-reached', { quota: settings.claims.dailyQuota }),
                },
              ]
            : []),
          ...(owned >= settings.claims.maxCustomersPerRep
            ? [
                {
                  path: ['actor'],
                  code: 'custom',
                  message: validationMessage('customer-cap', { owned, cap: settings.claims.maxCustomersPerRep }),
                },
              ]
            : []),
        ];
        if (issues.length > 0) throw new ValidationError('claim', issues, { locale });
        const blocked = await observeActivity(ctx, uow, claimant, 'ownershipChange', 1, {
          customerId: customer.id,
          via: 'claim',
        });
        if (blocked) {
          refuse(blocked);
          return undefined as never;
        }
        const id = ctx.ids.next('cl');
        try {
          await uow.tx.putRecord(
            {
              tenantId,
              kind: PENDING_CLAIM_KIND,
              id: customer.id,
              ref: claimant.id,
              status: null,
              at: uow.now,
              data: { claimId: id },
              version: 1,
              createdAt: uow.now,
              updatedAt: uow.now,
            },
            null,
          );
        } catch (error) {
          if (error instanceof ConflictError) {
            throw new ConflictError(
              { entity: 'customer', id: customer.id, expected: null, actual: 1 },
              { locale, cause: error },
            );
          }
          throw error;
        }
        await uow.tx.putRecord(
          {
            tenantId,
            kind: CLAIM_LOG_KIND,
            id,
            ref: claimant.id,
            status: null,
            at: uow.now,
            data: { customerId: customer.id },
            version: 1,
            createdAt: uow.now,
            updatedAt: uow.now,
          },
          null,
        );
        const duplicates = await likelyDuplicates(uow.tx, tenantId, customer);
        const record = await uow.session.start(
          CLAIM_MACHINE_ID,
          { id, customerId: customer.id, claimantId: claimant.id, reason: p.reason ?? null, duplicates, at: uow.now },
          { actor: employee(claimant.id), subject: { type: 'customer', id: customer.id }, at: uow.now },
        );
        return claimView(record);
      });
    },
    withdrawClaim: async (input) => {
      const p = parseInput(claimActionSchema, input, { what: 'claim withdrawal', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        const record = await uow.session.get(p.claimId);
        if (record.machine !== CLAIM_MACHINE_ID)
          throw new NotFoundError({ entity: 'workflow', id: p.claimId, tenantId }, { locale });
        return claimView(
          await uow.session.send(p.claimId, { type: 'WITHDRAW' }, { actor: employee(p.actor), at: uow.now }),
        );
      });
    },
    getClaim: async (claimId) => {
      const id = parseInput(idSchema, claimId, { what: 'claim id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const record = await uow.session.get(id);
        if (record.machine !== CLAIM_MACHINE_ID)
          throw new NotFoundError({ entity: 'workflow', id, tenantId }, { locale });
        return claimView(record);
      });
    },
    requestTransfer: async (input) => {
      const p = parseInput(transferSchema, input, { what: 'transfer request', locale });
      return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
        const actor = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        await assertNotBlocked(ctx, uow, actor.id, 'transfer');
        const target = await requireEmployee(ctx, uow.tx, tenantId, p.to);
        const customer = await requireCustomer(ctx, uow.tx, tenantId, p.customerId);
        const decision = await decide(ctx, uow, actor, customer, 'transfer');
        if (!decision.allow) throw forbidden(ctx, actor.id, customer.id, decision);
        if (target.status !== 'active' || customer.ownerId === target.id || customer.ownerId === null) {
          throw new ValidationError(
            'transfer request',
            [
              {
                path: ['to'],
                code: 'custom',
                message:
                  customer.ownerId === null
                    ? 'the customer is in the public pool: claim it instead'
                    : target.status !== 'active'
                      ? `employee "${target.id}" is ${target.status}`
                      : `employee "${target.id}" already owns the customer`,
              },
            ],
            { locale },
          );
        }
        const blocked = await observeActivity(ctx, uow, actor, 'ownershipChange', 1, {
          customerId: customer.id,
          via: 'transfer',
        });
        if (blocked) {
          refuse(blocked);
          return undefined as never;
        }
        const approval = await startApproval(ctx, uow, {
          requester: actor.id,
          kind: 'ownership-transfer',
          title: deferredText('approvalTitles', 'transfer', {
            customer: customerName(customer.id),
            to: employeeName(target.id),
          }),
          subject: { type: 'customer', id: customer.id },
          payload: { customerId: customer.id, from: customer.ownerId, to: target.id, reason: p.reason },
          actor: employee(actor.id),
        });
        return { approvalId: approval.id };
      });
    },
    release: async (input) => {
      const p = parseInput(releaseSchema, input, { what: 'release to the public pool', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const actor = await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        const customer = await requireCustomer(ctx, uow.tx, tenantId, p.customerId);
        const allowed =
          customer.ownerId !== null &&
          (customer.ownerId === actor.id ||
            actor.roles.includes('hr-admin') ||
            (await managesEmployee(uow.tx, tenantId, actor.id, customer.ownerId)));
        if (!allowed || actor.status !== 'active') {
          const decision = await decide(ctx, uow, actor, customer, 'transfer');
          throw forbidden(ctx, actor.id, customer.id, { ...decision, allow: false });
        }
        const updated = await changeOwner(ctx, uow, customer.id, {
          from: customer.ownerId,
          to: null,
          reason: 'release',
          actor: employee(actor.id),
          data: { note: p.reason },
        });
        if (!updated)
          throw new ConflictError(
            { entity: 'customer', id: customer.id, expected: customer.version, actual: null },
            { locale },
          );
        return updated;
      });
    },
    recordFollowUp: async (input) => {
      const p = parseInput(followUpSchema, input, { what: 'follow-up', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const actor = await requireActingEmployee(ctx, uow.tx, tenantId, p.actor, 'update');
        const customer = await requireCustomer(ctx, uow.tx, tenantId, p.customerId);
        const at = p.at === undefined ? uow.now : new Date(p.at).toISOString();
        if (inTheFuture(at, uow.now)) {
          throw new ValidationError(
            'follow-up',
            [{ path: ['at'], code: 'custom', message: validationMessage('follow-up-in-future') }],
            { locale },
          );
        }
        const view: FollowUpView = {
          id: ctx.ids.next('fu'),
          customerId: customer.id,
          employeeId: actor.id,
          channel: p.channel,
          at,
          note: p.note ?? null,
        };
        await uow.tx.putRecord(
          {
            tenantId,
            kind: FOLLOW_UP_KIND,
            id: view.id,
            ref: customer.id,
            status: p.channel,
            at,
            data: { employeeId: actor.id, channel: p.channel, note: view.note },
            version: 1,
            createdAt: uow.now,
            updatedAt: uow.now,
          },
          null,
        );
        // The follow-up counts in the risk facts of the customer and of the employee who made it.
        await recordOwnSignals(uow, [
          { kind: 'follow-up', employeeId: actor.id, customerId: customer.id, at, id: `follow-up:${view.id}` },
        ]);
        await restartFollowUpClock(uow.tx, ctx, tenantId, customer, actor.id, at, uow.now);
        uow.session.record({
          actor: employee(actor.id),
          action: 'customer.follow-up',
          subject: { type: 'customer', id: customer.id },
          data: { followUpId: view.id, channel: p.channel, at },
        });
        return view;
      });
    },
    followUps: async (customerId, page = {}) => {
      const id = parseInput(idSchema, customerId, { what: 'customer id', locale });
      const { cursor, limit } = parseInput(pageSchema, page, { what: 'page', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const result = await uow.tx.listRecords(
          tenantId,
          { kind: FOLLOW_UP_KIND, ref: id },
          { limit, ...(cursor === undefined ? {} : { cursor }) },
        );
        return {
          items: result.items.map((r) => {
            const d = r.data as { employeeId: string; channel: FollowUpView['channel']; note: string | null };
            return { id: r.id, customerId: id, employeeId: d.employeeId, channel: d.channel, at: r.at, note: d.note };
          }),
          nextCursor: result.nextCursor,
        };
      });
    },
    history: async (customerId, page = {}) => {
      const id = parseInput(idSchema, customerId, { what: 'customer id', locale });
      const { cursor, limit } = parseInput(pageSchema, page, { what: 'page', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const result = await uow.tx.queryAudit(tenantId, {
          subject: { type: 'customer', id },
          action: 'customer.owner-change',
          limit,
          ...(cursor === undefined ? {} : { cursor }),
        });
        return {
          items: result.items.map((e: AuditEntry) => {
            const d = e.data as { from: string | null; to: string | null; reason: string };
            return { seq: e.seq, at: e.at, from: d.from, to: d.to, reason: d.reason, actor: e.actor };
          }),
          nextCursor: result.nextCursor,
        };
      });
    },
  };
}
