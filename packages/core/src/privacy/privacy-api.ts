import * as z from 'zod';
import type { AuditDraft } from '../audit/index.js';
import { type ActorRef, actorRefSchema, idSchema, type Json } from '../domain/entities.js';
import type { RetentionReport } from '../domain/progress.js';
import type { DataSubject } from '../encryption/data-keys.js';
import { NotFoundError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/messages.js';
import { type GuardContext, HOST_ACTOR, withTenant } from '../kernel/context.js';
import type { Page } from '../ports/store.js';
import { type ErasureReport, eraseSubject } from './erasure.js';
import {
  getLegalHold,
  type LegalHold,
  type LegalHoldTarget,
  legalHoldOf,
  legalHoldTargetSchema,
  listLegalHolds,
  releaseLegalHold,
  setLegalHold,
} from './legal-holds.js';
import { retentionPass } from './retention.js';

/**
 * What {@link PrivacyApi.rotateKeys} did.
 *
 * @example
 * ```ts
 * import type { KeyRotationResult } from '@guard/core';
 * const show = (r: KeyRotationResult) => `${r.rewrapped} of ${r.checked} data keys moved to the current key`;
 * ```
 */
export interface KeyRotationResult {
  /** Data keys looked at: every one the tenant has. */
  readonly checked: number;
  /** Data keys that were wrapped with an older key and are now wrapped with the current one. */
  readonly rewrapped: number;
}

/**
 * Personal data under PIPL and GDPR: erasure, the legal holds that stop it,
 * and the per-subject data keys that encrypt customers' field classes.
 *
 * @example
 * ```ts
 * const acme = guard.tenant('acme');
 * const hold = await acme.privacy.hold({ on: { type: 'offboarding', caseId: 'wf-12' }, reason: '(2026)沪0115民初123号' });
 * await acme.privacy.erase({ customerId: 'c-1', reason: 'PIPL request' }); // LegalHoldError while c-1 is covered
 * await acme.privacy.release(hold.id, { reason: 'case closed' });
 * const report = await acme.privacy.erase({ customerId: 'c-1', reason: 'PIPL request' });
 * report.dataKeyDestroyed; // true: every copy of c-1's contact and commercial fields is unreadable
 * ```
 */
export interface PrivacyApi {
  /**
   * Erases the personal data of a customer or of a departed employee (a PIPL
   * or GDPR erasure request), in one transaction:
   *
   * - a customer: destroys their data key — so their contact and commercial
   *   fields can no longer be read, wherever Guard copied them — and keeps a
   *   record with only what others' records refer to (id, owner, unit, CRM
   *   ids; the name becomes the id, no fields);
   * - an employee, once `departed` (else a `ValidationError`): replaces their
   *   name with the id and removes their e-mail, mobile, CRM user ids and
   *   performance band; unit, manager, roles, rank and hire date stay, for
   *   the records that refer to them.
   *
   * The audit chain is not touched and still verifies; the erasure is
   * audited as `privacy.erase`. A backup taken before still holds what was
   * erased: after restoring one, erase again the subjects that
   * `privacy.erase` audit entries name.
   *
   * Refused with `LegalHoldError` (naming each hold) while a legal hold
   * covers the subject; then nothing is erased. A subject that does not
   * exist is a `NotFoundError`. Erasing again is harmless.
   */
  erase(
    input:
      | { readonly customerId: string; readonly reason: string; readonly actor?: ActorRef }
      | { readonly employeeId: string; readonly reason: string; readonly actor?: ActorRef },
  ): Promise<ErasureReport>;
  /**
   * Sets a legal hold on an offboarding case or an evidence pack. It covers
   * the case's or pack's employee and the customers they own now or that
   * are named in their handovers — the customers the pack shows. Audited as
   * `privacy.hold`. A case or pack that does not exist is a
   * `ValidationError` at `on`.
   */
  hold(input: { readonly on: LegalHoldTarget; readonly reason: string; readonly actor?: ActorRef }): Promise<LegalHold>;
  /**
   * Runs retention now, as the worker does once a day while
   * `settings.retention` limits a kind: erases the records past their time,
   * except those still in use and those a legal hold covers, a bounded pass
   * per transaction until none is left. Each pass is audited as
   * `privacy.retention` with its report; returns them all added up.
   */
  applyRetention(options?: { readonly actor?: ActorRef }): Promise<RetentionReport>;
  /** Releases a hold (audited as `privacy.release`); releasing a released hold changes nothing. */
  release(holdId: string, input: { readonly reason: string; readonly actor?: ActorRef }): Promise<LegalHold>;
  /** The tenant's holds, newest first; `status` narrows to active or released ones. `limit` 1–200, default 50. */
  holds(query?: {
    readonly status?: LegalHold['status'];
    readonly cursor?: string;
    readonly limit?: number;
  }): Promise<Page<LegalHold>>;
  /**
   * Rewraps every data key of the tenant that an older `data-key` key
   * wrapped with the provider's current one, a page per transaction (each
   * page that changed something audited as `privacy.keys-rotate`). The data
   * keys, and what they encrypt, stay as they are: nothing is re-encrypted
   * and the tenant keeps working meanwhile. Afterwards the old key may be
   * removed from the provider. Safe to run again, and to resume after a
   * failure.
   */
  rotateKeys(options?: { readonly actor?: ActorRef; readonly pageSize?: number }): Promise<KeyRotationResult>;
}

const reasonSchema = z.string().trim().min(1).max(2000);
const eraseSchema = z
  .strictObject({
    customerId: idSchema.optional(),
    employeeId: idSchema.optional(),
    reason: reasonSchema,
    actor: actorRefSchema.optional(),
  })
  .refine((e) => (e.customerId === undefined) !== (e.employeeId === undefined), {
    error: validationMessage('customer-or-employee'),
  });
const holdSchema = z.strictObject({
  on: legalHoldTargetSchema,
  reason: reasonSchema,
  actor: actorRefSchema.optional(),
});
const releaseSchema = z.strictObject({ reason: reasonSchema, actor: actorRefSchema.optional() });
const holdQuerySchema = z.strictObject({
  status: z.enum(['active', 'released']).optional(),
  cursor: z.string().max(2000).optional(),
  limit: z.int().min(1).max(200).default(50),
});

const actorOptionsSchema = z.strictObject({ actor: actorRefSchema.optional() });

/** Two passes' reports as one: counts added, the later pass's instants. */
function addReports(a: RetentionReport, b: RetentionReport): RetentionReport {
  const kinds: Record<string, { before: string; erased: number; held: number }> = {};
  for (const [kind, k] of Object.entries(b.kinds)) {
    const earlier = a.kinds[kind as keyof RetentionReport['kinds']];
    kinds[kind] = { before: k.before, erased: k.erased + (earlier?.erased ?? 0), held: k.held };
  }
  return { ranAt: b.ranAt, kinds, more: b.more };
}

const rotateOptionsSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  pageSize: z.int().min(1).max(1000).optional(),
});

/** A hold as set or released, with its audit entry (subject: the employee it covers). */
function holdChange(
  hold: LegalHold,
  actor: ActorRef,
  action: 'privacy.hold' | 'privacy.release',
  data: Record<string, Json>,
): { result: LegalHold; audit: AuditDraft[] } {
  const subject = { type: 'employee', id: hold.covers.employeeId } as const;
  return { result: hold, audit: [{ actor, action, subject, data: { holdId: hold.id, ...data } }] };
}

/** The tenant's {@link PrivacyApi}. */
export function privacyApi(ctx: GuardContext, tenantId: string): PrivacyApi {
  const { locale } = ctx;
  return {
    async erase(input) {
      const {
        customerId,
        employeeId,
        reason,
        actor = HOST_ACTOR,
      } = parseInput(eraseSchema, input, {
        what: 'erasure request',
        locale,
      });
      const subject: DataSubject =
        customerId === undefined
          ? { type: 'employee', id: employeeId as string }
          : { type: 'customer', id: customerId };
      return withTenant(ctx, tenantId, async (tx) => {
        const report = await eraseSubject(ctx, tx, tenantId, subject, ctx.clock.now().toISOString());
        const { subject: _, ...done } = report;
        return {
          result: report,
          audit: [{ actor, action: 'privacy.erase', subject, data: { reason, ...done } }],
        };
      });
    },
    async hold(input) {
      const { on, reason, actor = HOST_ACTOR } = parseInput(holdSchema, input, { what: 'legal hold', locale });
      return withTenant(ctx, tenantId, async (tx) => {
        const hold = await setLegalHold(
          tx,
          tenantId,
          { id: ctx.ids.next('hold'), on, reason, actor },
          ctx.clock.now().toISOString(),
          locale,
        );
        return holdChange(hold, actor, 'privacy.hold', { on, reason, customers: hold.covers.customerIds.length });
      });
    },
    async release(holdId, input) {
      const id = parseInput(idSchema, holdId, { what: 'legal hold release', locale });
      const { reason, actor = HOST_ACTOR } = parseInput(releaseSchema, input, { what: 'legal hold release', locale });
      return withTenant(ctx, tenantId, async (tx) => {
        const record = await getLegalHold(tx, tenantId, id);
        if (record === null) throw new NotFoundError({ entity: 'legal hold', id, tenantId }, { locale });
        if (record.data.released !== null) return { result: legalHoldOf(record), audit: [] };
        const hold = await releaseLegalHold(tx, record, { by: actor, reason }, ctx.clock.now().toISOString());
        return holdChange(hold, actor, 'privacy.release', { reason });
      });
    },
    async applyRetention(options = {}) {
      const { actor = HOST_ACTOR } = parseInput(actorOptionsSchema, options, { what: 'retention options', locale });
      let total: RetentionReport | null = null;
      for (;;) {
        const { report } = await withTenant(ctx, tenantId, async (tx) => {
          const pass = await retentionPass(tx, tenantId, ctx.clock.now().toISOString(), actor);
          return { result: pass, audit: pass.audit };
        });
        total = total === null ? report : addReports(total, report);
        if (!report.more) return total;
      }
    },
    async holds(query = {}) {
      const { status, cursor, limit } = parseInput(holdQuerySchema, query, { what: 'legal hold query', locale });
      return withTenant(ctx, tenantId, async (tx) => ({
        result: await listLegalHolds(tx, tenantId, status, { cursor, limit }),
        audit: [],
      }));
    },
    async rotateKeys(options = {}) {
      const { actor = HOST_ACTOR, pageSize = 200 } = parseInput(rotateOptionsSchema, options, {
        what: 'key rotation options',
        locale: ctx.locale,
      });
      let checked = 0;
      let rewrapped = 0;
      let cursor: string | null = null;
      do {
        const after: string | null = cursor;
        const page = await withTenant(ctx, tenantId, async (tx) => {
          const now = ctx.clock.now().toISOString();
          const result = await ctx.dataKeys.rewrap(
            tx,
            tenantId,
            { limit: pageSize, ...(after === null ? {} : { cursor: after }) },
            now,
          );
          const audit: AuditDraft[] =
            result.rewrapped === 0
              ? []
              : [
                  {
                    actor,
                    action: 'privacy.keys-rotate',
                    subject: { type: 'tenant', id: tenantId },
                    data: { checked: result.checked, rewrapped: result.rewrapped },
                  },
                ];
          return { result, audit };
        });
        checked += page.checked;
        rewrapped += page.rewrapped;
        cursor = page.nextCursor;
      } while (cursor !== null);
      return { checked, rewrapped };
    },
  };
}
