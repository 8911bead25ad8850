import * as z from 'zod';
import { validationMessage } from '../i18n/keys.js';
import { policySchema } from '../policy/policy-schema.js';
import { customSignalsSchema } from '../risk/custom-signals.js';
import { approvalKindSchema, approvalLevelSchema } from '../workflows/approval/types.js';

const days = (max: number) => z.int().min(1).max(max);
const windowSchema = z.strictObject({
  /** Events allowed in the window; one more is a breach. */
  limit: z.int().min(1).max(1_000_000),
  /** The window's length. It is counted in 60 buckets: events up to 1/60 of it older may count too. */
  windowMinutes: z
    .int()
    .min(1)
    .max(60 * 24 * 31),
});
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: validationMessage('time-of-day') });

/**
 * Per-tenant rules, as JSON: the public-pool (公海) follow-up rules, claim
 * limits, anomaly thresholds, when exports and discounts need approval, and
 * the approval chains of each kind. Every field has a default, so `{}` is a
 * valid settings document. Validated with zod; a bad document is a
 * `ValidationError` that names the path.
 *
 * @example
 * ```ts
 * import { tenantSettingsSchema } from '@guard/core';
 * const settings = tenantSettingsSchema.parse({ followUp: { remindAfterDays: 3, alertManagerAfterDays: 7, returnToPoolAfterDays: 14 } });
 * settings.claims.dailyQuota; // 10 (default)
 * ```
 */
export const tenantSettingsSchema = z.strictObject({
  /**
   * The language of everything this tenant's people see: errors, alert
   * summaries, approval titles, checklists and notifications. `null`
   * (default) uses the Guard's `locale`.
   */
  locale: z.enum(['en', 'zh-CN']).nullable().default(null),
  /**
   * This tenant's access policy (the same JSON as `createGuard({ policy })`),
   * validated when saved and compiled once per settings version; `null`
   * (default) uses the Guard's policy.
   */
  policy: policySchema.nullable().default(null),
  followUp: z
    .strictObject({
      /** Remind the owner after this many days without a follow-up (default 3). */
      remindAfterDays: days(365).default(3),
      /** Alert the owner's manager after this many days (default 7). */
      alertManagerAfterDays: days(365).default(7),
      /** Return the customer to the public pool after this many days; `null` (default) never does. */
      returnToPoolAfterDays: days(3650).nullable().default(null),
    })
    .refine((f) => f.alertManagerAfterDays >= f.remindAfterDays, {
      error: validationMessage('at-least', { other: 'remindAfterDays' }),
      path: ['alertManagerAfterDays'],
    })
    .refine((f) => f.returnToPoolAfterDays === null || f.returnToPoolAfterDays >= f.alertManagerAfterDays, {
      error: validationMessage('at-least', { other: 'alertManagerAfterDays' }),
      path: ['returnToPoolAfterDays'],
    })
    .default({ remindAfterDays: 3, alertManagerAfterDays: 7, returnToPoolAfterDays: null }),
  claims: z
    .strictObject({
      /** Claims one employee may start per day (in the tenant's time zone). */
      dailyQuota: z.int().min(0).max(10_000).default(10),
      /** Customers one employee may own at most; claims beyond it are refused. */
      maxCustomersPerRep: z.int().min(0).max(1_000_000).default(500),
    })
    .default({ dailyQuota: 10, maxCustomersPerRep: 500 }),
  anomaly: z
    .strictObject({
      view: windowSchema.default({ limit: 200, windowMinutes: 60 }),
      export: windowSchema.default({ limit: 3, windowMinutes: 24 * 60 }),
      delete: windowSchema.default({ limit: 5, windowMinutes: 60 }),
      ownershipChange: windowSchema.default({ limit: 20, windowMinutes: 24 * 60 }),
      afterHours: windowSchema.default({ limit: 20, windowMinutes: 24 * 60 }),
      /** Reads the policy refused (someone opening customers that are not theirs): a warning alert, no block. */
      denied: windowSchema.default({ limit: 10, windowMinutes: 24 * 60 }),
      /** Limits are multiplied by this while an employee is resigning (rounded down, at least 1). */
      resigningFactor: z.number().min(0.01).max(1).default(0.5),
      workingHours: z
        .strictObject({
          start: hhmm.default('08:00'),
          end: hhmm.default('20:00'),
          /** ISO weekdays: 1 = Monday … 7 = Sunday. */
          weekdays: z.array(z.int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
        })
        .default({ start: '08:00', end: '20:00', weekdays: [1, 2, 3, 4, 5] }),
      /**
       * What a single customer read shows while the employee is blocked by an
       * alert (lists, exports, deletes and transfers are refused outright):
       * `restrict` (default) shows only the `readClasses` field classes, at
       * most as the policy would; `deny` refuses the read.
       */
      whileBlocked: z
        .strictObject({
          reads: z.enum(['restrict', 'deny']).default('restrict'),
          readClasses: z.array(z.string().trim().min(1).max(64)).max(32).default(['public']),
        })
        .default({ reads: 'restrict', readClasses: ['public'] }),
    })
    .prefault({}),
  exports: z
    .strictObject({
      /** Exports of more rows than this need approval. */
      approvalAboveRows: z.int().min(0).max(1_000_000).default(20),
      /** Exports that include the `contact` field class need approval whatever their size. */
      contactFieldsNeedApproval: z.boolean().default(true),
    })
    .default({ approvalAboveRows: 20, contactFieldsNeedApproval: true }),
  discounts: z
    .strictObject({
      /** Discounts above this percentage need approval (`large-discount`). */
      approvalAbovePercent: z.number().min(0).max(100).default(15),
    })
    .default({ approvalAbovePercent: 15 }),
  /** Approval chains per kind (`customer-export`, `large-discount`…), replacing the defaults. */
  approvals: z.partialRecord(approvalKindSchema, z.array(approvalLevelSchema).min(1).max(10)).default({}),
  offboarding: z
    .strictObject({
      /** Escalate when the handover is still open this many days before the last working day. */
      escalateDaysBefore: z.int().min(0).max(90).default(3),
    })
    .default({ escalateDaysBefore: 3 }),
  risk: z
    .strictObject({
      /**
       * Signal kinds of the host's own (`x-usb-copy`, …): `signals.record`
       * accepts them, and the tenant's rule packs may read their facts. See
       * `CustomSignal`. A kind an installed pack reads cannot be removed.
       */
      customSignals: customSignalsSchema.default([]),
    })
    .prefault({}),
  /**
   * How many days each kind of record is kept (`null`, the default: for
   * ever). The worker erases what is past its time once a day, except
   * records still in use and records a legal hold covers; each pass is
   * audited as `privacy.retention` with its report. See `RetentionKind`.
   */
  retention: z
    .strictObject({
      followUps: days(36_500).nullable().default(null),
      orders: days(36_500).nullable().default(null),
      alerts: days(36_500).nullable().default(null),
      exports: days(36_500).nullable().default(null),
    })
    .prefault({}),
  crm: z
    .strictObject({
      /**
       * When a CRM sync finds another owner in the CRM than in Guard, with no
       * transfer of Guard's on its way there: `alert` (default) keeps
       * Guard's owner and raises a `crm-owner-differs` alert for HR;
       * `follow-crm` makes the CRM's owner Guard's — an active employee, or
       * the public pool — as a sync does (audited, no transfer back), and
       * alerts only when it cannot (the CRM user is no active employee).
       */
      ownerConflicts: z.enum(['alert', 'follow-crm']).default('alert'),
    })
    .prefault({}),
});

/**
 * A tenant's settings as JSON, before defaults are applied; see
 * {@link tenantSettingsSchema}.
 *
 * @example
 * ```ts
 * import type { TenantSettingsInput } from '@guard/core';
 * const input: TenantSettingsInput = { claims: { dailyQuota: 5 } };
 * ```
 */
export type TenantSettingsInput = z.input<typeof tenantSettingsSchema>;

/**
 * A tenant's settings with every default filled in.
 *
 * @example
 * ```ts
 * import type { TenantSettings } from '@guard/core';
 * declare const s: TenantSettings;
 * s.followUp.remindAfterDays; // 3
 * ```
 */
export type TenantSettings = z.output<typeof tenantSettingsSchema>;

/**
 * The settings every tenant starts with.
 *
 * @example
 * ```ts
 * import { defaultTenantSettings } from '@guard/core';
 * defaultTenantSettings.anomaly.delete; // { limit: 5, windowMinutes: 60 }
 * ```
 */
export const defaultTenantSettings: TenantSettings = Object.freeze(tenantSettingsSchema.parse({}));
