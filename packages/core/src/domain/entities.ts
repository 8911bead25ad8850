import * as z from 'zod';
import { validationMessage } from '../i18n/keys.js';
import { employeeStatusSchema, followUpChannelSchema, severitySchema } from './vocabulary.js';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * An identifier: 1–128 characters, letters, digits and `. _ : @ -`, starting
 * with a letter, digit or `_`. The charset is ASCII so that every database
 * sorts ids the same way (keyset paging relies on it).
 *
 * @example
 * ```ts
 * import { idSchema } from '@guard/core';
 * idSchema.parse('emp-0042'); // ok
 * idSchema.safeParse('has space').success; // false
 * ```
 */
export const idSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._:@-]{0,127}$/, {
  error: validationMessage('id-format'),
});

/**
 * A name for a field, field class, role or connector: an identifier of
 * letters, digits, `_` and `-`, starting with a letter, at most 64 characters.
 *
 * @example
 * ```ts
 * import { nameSchema } from '@guard/core';
 * nameSchema.parse('hr-admin');
 * ```
 */
export const nameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
    error: validationMessage('field-key-format'),
  })
  .refine((s) => !RESERVED_KEYS.has(s), { error: validationMessage('reserved-word') });

const displayName = z.string().trim().min(1).max(500);

/** A CRM's own id (an Account id, a HubSpot object id, a WeCom `userid`): any printable text up to 256 characters. */
export const crmIdSchema = z.string().regex(/^[^\p{Cc}]{1,256}$/u, { error: validationMessage('crm-id') });

/** Ids of a record in connected systems, by connector name. */
const externalRefsSchema = z.record(nameSchema, crmIdSchema);

/**
 * A calendar date, `YYYY-MM-DD` (e.g. a hire date).
 *
 * @example
 * ```ts
 * import { isoDateSchema } from '@guard/core';
 * isoDateSchema.parse('2024-03-01');
 * ```
 */
export const isoDateSchema = z.iso.date({ error: validationMessage('date') });

/**
 * An instant, ISO 8601 with a `Z` or an offset (e.g. `2026-01-31T09:00:00+08:00`).
 *
 * @example
 * ```ts
 * import { isoDateTimeSchema } from '@guard/core';
 * isoDateTimeSchema.parse('2026-01-31T09:00:00Z');
 * ```
 */
export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: validationMessage('date-time'),
});

/**
 * An IANA time zone name that this runtime knows (e.g. `Asia/Shanghai`).
 *
 * @example
 * ```ts
 * import { timeZoneSchema } from '@guard/core';
 * timeZoneSchema.parse('Asia/Shanghai');
 * ```
 */
export const timeZoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: validationMessage('time-zone') },
);

/**
 * A tenant: one customer company of the vendor. Every record Guard keeps
 * belongs to exactly one tenant; no API reads across tenants.
 *
 * @example
 * ```ts
 * import { tenantSchema } from '@guard/core';
 * tenantSchema.parse({ id: 'acme', name: 'ACME Trading', timeZone: 'Asia/Shanghai' });
 * ```
 */
export const tenantSchema = z.strictObject({
  id: idSchema,
  name: displayName,
  /** Local time zone, used by time-of-day policy conditions. */
  timeZone: timeZoneSchema.default('UTC'),
});

/**
 * A tenant as given to `guard.tenants.upsert` (defaults not yet applied).
 *
 * @example
 * ```ts
 * import type { TenantInput } from '@guard/core';
 * const input: TenantInput = { id: 'acme', name: 'ACME' }; // timeZone defaults to UTC
 * ```
 */
export type TenantInput = z.input<typeof tenantSchema>;
/**
 * A validated tenant.
 *
 * @example
 * ```ts
 * import { tenantSchema, type Tenant } from '@guard/core';
 * const tenant: Tenant = tenantSchema.parse({ id: 'acme', name: 'ACME' });
 * ```
 */
export type Tenant = z.output<typeof tenantSchema>;

/**
 * Kinds of org unit, from the top of the tree down: HQ → region → branch →
 * team. A unit's parent must be of a higher kind (a team may sit directly
 * under a branch or a region; a branch under a region or the HQ).
 *
 * @example
 * ```ts
 * import { orgUnitKindSchema } from '@guard/core';
 * orgUnitKindSchema.parse('branch');
 * ```
 */
export const orgUnitKindSchema = z.enum(['hq', 'region', 'branch', 'team']);

/**
 * A kind of org unit; see {@link orgUnitKindSchema}.
 *
 * @example
 * ```ts
 * import type { OrgUnitKind } from '@guard/core';
 * const kind: OrgUnitKind = 'team';
 * ```
 */
export type OrgUnitKind = z.infer<typeof orgUnitKindSchema>;

/**
 * A node of the org tree. The tenant's single root is its HQ (`parentId:
 * null`).
 *
 * @example
 * ```ts
 * import { orgUnitSchema } from '@guard/core';
 * orgUnitSchema.parse({ id: 'sh-team-1', name: '上海一组', kind: 'team', parentId: 'sh' });
 * ```
 */
export const orgUnitSchema = z.strictObject({
  id: idSchema,
  name: displayName,
  kind: orgUnitKindSchema,
  parentId: idSchema.nullable(),
});

/**
 * An org unit as given to a directory sync.
 *
 * @example
 * ```ts
 * import type { OrgUnitInput } from '@guard/core';
 * const hq: OrgUnitInput = { id: 'hq', name: '总部', kind: 'hq', parentId: null };
 * ```
 */
export type OrgUnitInput = z.input<typeof orgUnitSchema>;
/**
 * A validated org unit.
 *
 * @example
 * ```ts
 * import { orgUnitSchema, type OrgUnit } from '@guard/core';
 * const unit: OrgUnit = orgUnitSchema.parse({ id: 'sh', name: 'Shanghai', kind: 'branch', parentId: 'hq' });
 * ```
 */
export type OrgUnit = z.output<typeof orgUnitSchema>;

/**
 * An employee as the host's HR system knows them. `email` and `mobile` are
 * how CRM connectors find the employee's user there (`mapUsers`);
 * `externalRefs` names that user outright, by connector name, and wins over
 * the lookup — for CRMs whose users have no e-mail, or where it differs.
 *
 * @example
 * ```ts
 * import { employeeSchema } from '@guard/core';
 * const li = employeeSchema.parse({
 *   id: 'e-7', name: '李雷', unitId: 'sh-team-1', managerId: 'e-2',
 *   roles: ['sales'], rank: 2, hireDate: '2023-04-01', performanceBand: 'B', status: 'active',
 *   email: 'li.lei@acme.cn', mobile: '+86 138 1234 5678', externalRefs: { wecom: 'LiLei' },
 * });
 * li.mobile; // '+8613812345678' (spaces, dashes and brackets dropped)
 * ```
 */
export const employeeSchema = z.strictObject({
  id: idSchema,
  name: displayName,
  unitId: idSchema,
  managerId: idSchema.nullable().default(null),
  /** Role names the policy grants by, e.g. `sales`, `manager`, `hr-admin`. */
  roles: z.array(nameSchema).max(32).default([]),
  /** Job rank; larger is more senior. */
  rank: z.int().min(0).max(1000).default(0),
  hireDate: isoDateSchema,
  /** The latest performance band, e.g. `A`…`E`; `null` when not rated. */
  performanceBand: z.string().trim().min(1).max(16).nullable().default(null),
  status: employeeStatusSchema.default('active'),
  /** Work e-mail; `null` when unknown. Compared without regard to case. */
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ error: validationMessage('email') }))
    .transform((s) => s.toLowerCase())
    .nullable()
    .default(null),
  /** Mobile number, digits with an optional leading `+`; spaces, dashes, dots and brackets are dropped. */
  mobile: z
    .string()
    .transform((s) => s.replace(/[\s().-]/g, ''))
    .pipe(z.string().regex(/^\+?[0-9]{5,20}$/, { error: validationMessage('mobile') }))
    .nullable()
    .default(null),
  /** The employee's user ids in connected systems, by connector name, e.g. `{ wecom: 'LiLei' }`. */
  externalRefs: externalRefsSchema.default({}),
});

/**
 * An employee as given to a directory sync (defaults not yet applied).
 *
 * @example
 * ```ts
 * import type { EmployeeInput } from '@guard/core';
 * const rep: EmployeeInput = { id: 'e-7', name: '李雷', unitId: 'sh-1', roles: ['sales'], hireDate: '2023-04-01' };
 * ```
 */
export type EmployeeInput = z.input<typeof employeeSchema>;
/**
 * A validated employee: defaults applied (`status: 'active'`, `rank: 0`, …).
 *
 * @example
 * ```ts
 * import { employeeSchema, type Employee } from '@guard/core';
 * const e: Employee = employeeSchema.parse({ id: 'e-7', name: 'Li', unitId: 'sh-1', hireDate: '2023-04-01' });
 * e.status; // 'active'
 * ```
 */
export type Employee = z.output<typeof employeeSchema>;

/**
 * A customer field's value: text, a number, a flag or null.
 *
 * @example
 * ```ts
 * import { fieldValueSchema } from '@guard/core';
 * fieldValueSchema.parse('13812345678');
 * ```
 */
export const fieldValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

/**
 * A customer field's value; see {@link fieldValueSchema}.
 *
 * @example
 * ```ts
 * import type { FieldValue } from '@guard/core';
 * const v: FieldValue = 'a@example.com';
 * ```
 */
export type FieldValue = z.infer<typeof fieldValueSchema>;

/**
 * A customer of the tenant. `ownerId: null` puts the customer in the public
 * pool (公海). Fields are grouped by sensitivity class (by default `public`,
 * `contact`, `commercial`); the policy decides per class whether a subject
 * sees a class in full, masked or not at all. The `name` identifies the
 * record and is shown to anyone allowed to read it.
 *
 * @example
 * ```ts
 * import { customerSchema } from '@guard/core';
 * customerSchema.parse({
 *   id: 'c-1001', name: '华东机电', ownerId: 'e-7', unitId: 'sh-team-1',
 *   fields: {
 *     public: { industry: '制造业', city: '上海' },
 *     contact: { phone: '13812345678', email: 'wang@hdjd.cn' },
 *     commercial: { creditLimit: 500000 },
 *   },
 *   externalRefs: { salesforce: '001xx000003DGb2AAG' },
 * });
 * ```
 */
export const customerSchema = z.strictObject({
  id: idSchema,
  name: displayName,
  ownerId: idSchema.nullable(),
  unitId: idSchema,
  fields: z.record(nameSchema, z.record(nameSchema, fieldValueSchema)).default({}),
  /** Ids of this customer in connected systems, by connector name. */
  externalRefs: externalRefsSchema.default({}),
});

/**
 * A customer as given to `customers.upsert` (defaults not yet applied).
 *
 * @example
 * ```ts
 * import type { CustomerInput } from '@guard/core';
 * const c: CustomerInput = { id: 'c-1', name: '华东机电', ownerId: null, unitId: 'sh', fields: { contact: { phone: '13812345678' } } };
 * ```
 */
export type CustomerInput = z.input<typeof customerSchema>;
/**
 * A validated customer.
 *
 * @example
 * ```ts
 * import { customerSchema, type Customer } from '@guard/core';
 * const c: Customer = customerSchema.parse({ id: 'c-1', name: 'ACME', ownerId: 'e-7', unitId: 'sh-1' });
 * c.fields; // {}
 * ```
 */
export type Customer = z.output<typeof customerSchema>;

/**
 * A follow-up (跟进记录): one contact between an employee and a customer.
 *
 * @example
 * ```ts
 * import { followUpSchema } from '@guard/core';
 * followUpSchema.parse({ id: 'f-1', customerId: 'c-1001', employeeId: 'e-7', at: '2026-11-02T10:00:00+08:00', channel: 'visit' });
 * ```
 */
export const followUpSchema = z.strictObject({
  id: idSchema,
  customerId: idSchema,
  employeeId: idSchema,
  at: isoDateTimeSchema,
  channel: followUpChannelSchema,
  summary: z.string().max(4000).optional(),
});

/**
 * A validated follow-up record.
 *
 * @example
 * ```ts
 * import type { FollowUp } from '@guard/core';
 * const f: FollowUp = { id: 'f-1', customerId: 'c-1', employeeId: 'e-7', at: '2026-11-02T10:00:00Z', channel: 'call' };
 * ```
 */
export type FollowUp = z.output<typeof followUpSchema>;

/**
 * An order, synced from the CRM/ERP or written by the host. Money is in
 * integer minor units (fen, cents) of `currency`, so sums never round.
 *
 * @example
 * ```ts
 * import { orderSchema } from '@guard/core';
 * orderSchema.parse({
 *   id: 'o-9', customerId: 'c-1001', ownerId: 'e-7', amountMinor: 12_000_00, currency: 'CNY',
 *   orderedAt: '2026-10-30T08:00:00Z', status: 'open', receivableMinor: 6_000_00,
 * });
 * ```
 */
export const orderSchema = z.strictObject({
  id: idSchema,
  customerId: idSchema,
  ownerId: idSchema.nullable(),
  amountMinor: z.int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: validationMessage('currency') }),
  orderedAt: isoDateTimeSchema,
  status: z.enum(['open', 'won', 'fulfilled', 'lost', 'cancelled']),
  /** What the customer still owes on this order. */
  receivableMinor: z.int().min(0).default(0),
  /** How handover checklists name the order; `Order <id>` when absent. */
  title: z.string().trim().min(1).max(500).optional(),
});

/**
 * A validated order.
 *
 * @example
 * ```ts
 * import type { Order } from '@guard/core';
 * const o: Order = { id: 'o-1', customerId: 'c-1', ownerId: 'e-7', amountMinor: 990_00, currency: 'CNY', orderedAt: '2026-11-02T10:00:00Z', status: 'won', receivableMinor: 0 };
 * ```
 */
export type Order = z.output<typeof orderSchema>;

/**
 * What an alert or audit entry is about.
 *
 * @example
 * ```ts
 * import { subjectRefSchema } from '@guard/core';
 * subjectRefSchema.parse({ type: 'customer', id: 'c-1001' });
 * ```
 */
export const subjectRefSchema = z.strictObject({
  type: z.enum(['tenant', 'unit', 'employee', 'customer', 'order', 'audit', 'workflow']),
  id: idSchema,
});

/**
 * A reference to a record; see {@link subjectRefSchema}.
 *
 * @example
 * ```ts
 * import type { SubjectRef } from '@guard/core';
 * const ref: SubjectRef = { type: 'employee', id: 'e-7' };
 * ```
 */
export type SubjectRef = z.infer<typeof subjectRefSchema>;

/**
 * A JSON value that can be hashed canonically: no `undefined`, no
 * non-finite numbers.
 *
 * @example
 * ```ts
 * import type { Json } from '@guard/core';
 * const data: Json = { fields: { contact: 'mask' }, count: 3 };
 * ```
 */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * Any JSON value: strings, finite numbers, booleans, `null`, arrays and
 * objects of them.
 *
 * @example
 * ```ts
 * import { jsonSchema } from '@guard/core';
 * jsonSchema.parse({ a: [1, 'x', null] }); // ok
 * jsonSchema.safeParse(Number.NaN).success; // false
 * ```
 */
export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, { error: validationMessage('finite-number') }),
    z.boolean(),
    z.null(),
    z.array(jsonSchema),
    z.record(z.string(), jsonSchema),
  ]),
);

/**
 * An alert: something a human should look at (a bulk export, a risk score
 * over its threshold, a broken audit chain).
 *
 * @example
 * ```ts
 * import { alertSchema } from '@guard/core';
 * alertSchema.parse({
 *   id: 'a-1', kind: 'bulk-delete', severity: 'high', subject: { type: 'employee', id: 'e-7' },
 *   evidence: { deletes: 12, windowMinutes: 10 }, status: 'open',
 *   raisedAt: '2026-11-02T10:00:00Z', updatedAt: '2026-11-02T10:00:00Z',
 * });
 * ```
 */
export const alertSchema = z.strictObject({
  id: idSchema,
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,63}$/, { error: validationMessage('kebab-case', { example: 'bulk-export' }) }),
  severity: severitySchema,
  subject: subjectRefSchema,
  evidence: z.record(z.string(), jsonSchema),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  raisedAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});

/**
 * A validated alert.
 *
 * @example
 * ```ts
 * import type { Alert } from '@guard/core';
 * const open = (alerts: Alert[]) => alerts.filter((a) => a.status === 'open');
 * ```
 */
export type Alert = z.output<typeof alertSchema>;

/**
 * Who did something: an employee (through the host app), the host itself
 * (e.g. a directory sync job) or Guard's own machinery.
 *
 * @example
 * ```ts
 * import { actorRefSchema } from '@guard/core';
 * actorRefSchema.parse({ type: 'employee', id: 'e-7' });
 * ```
 */
export const actorRefSchema = z.strictObject({
  type: z.enum(['employee', 'host', 'system']),
  id: idSchema,
});

/**
 * An actor; see {@link actorRefSchema}.
 *
 * @example
 * ```ts
 * import type { ActorRef } from '@guard/core';
 * const actor: ActorRef = { type: 'host', id: 'hr-sync' };
 * ```
 */
export type ActorRef = z.infer<typeof actorRefSchema>;

/**
 * One entry of a tenant's append-only audit log. Entries are hash-chained
 * (see `entryHash`); `seq` counts from 1 per tenant.
 *
 * Entries Guard writes carry a random `salt` and are hashed in **format 2**:
 * the hash commits to `tenantId`, `seq`, `at` and a salted digest of the
 * payload (`action`, `actor`, `subject`, `data`), so the payload can be
 * left out of a copy (see `redactAuditEntry`) and the chain still verifies.
 * Entries without a salt were written before format 2 (format 1: the hash
 * covers the whole body); they verify as they always did and cannot be
 * redacted.
 *
 * @example
 * ```ts
 * import { auditEntrySchema } from '@guard/core';
 * const entry = auditEntrySchema.parse(JSON.parse(line)); // e.g. from an evidence export
 * ```
 */
export const auditEntrySchema = z.strictObject({
  tenantId: idSchema,
  seq: z.int().min(1),
  at: isoDateTimeSchema,
  actor: actorRefSchema,
  /** Dotted, kebab-case action name, e.g. `customer.read`, `directory.sync`. */
  action: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, {
    error: validationMessage('dotted-kebab-case'),
  }),
  subject: subjectRefSchema.nullable(),
  data: z.record(z.string(), jsonSchema),
  /**
   * 32 hex digits of randomness mixed into the payload digest (format 2), so
   * that a redacted entry's digest cannot be matched against guessed
   * payloads; `null` on format-1 entries.
   */
  salt: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable()
    .default(null),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * `<keyId>:<hex HMAC>` of `hash` with the tenant's `audit-seal` key,
   * written with the entry: proves Guard wrote it. Not part of the hash, so
   * a chain verifies without the key (as a court does with an evidence
   * pack); `null` only on entries not written by Guard.
   */
  seal: z.string().max(400).nullable().default(null),
});

/**
 * An audit entry with its payload (`action`, `actor`, `subject`, `data`)
 * left out and replaced by the salted digest the entry's hash commits to.
 * It still links into the chain: `ChainVerifier` checks it like a whole
 * entry. Evidence packs carry other people's entries this way. Only
 * format-2 entries (with a salt) can be redacted.
 *
 * @example
 * ```ts
 * import { redactedAuditEntrySchema } from '@guard/core';
 * const entry = redactedAuditEntrySchema.parse({
 *   tenantId: 'acme', seq: 42, at: '2026-11-02T02:00:00.000Z', redacted: true,
 *   payloadDigest: 'ab'.repeat(32), prevHash: 'cd'.repeat(32), hash: 'ef'.repeat(32), seal: null,
 * });
 * ```
 */
export const redactedAuditEntrySchema = z.strictObject({
  tenantId: idSchema,
  seq: z.int().min(1),
  at: isoDateTimeSchema,
  redacted: z.literal(true),
  payloadDigest: z.string().regex(/^[0-9a-f]{64}$/),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  seal: z.string().max(400).nullable().default(null),
});

/**
 * A redacted audit entry; see {@link redactedAuditEntrySchema}.
 *
 * @example
 * ```ts
 * import type { RedactedAuditEntry } from '@guard/core';
 * const line = (e: RedactedAuditEntry) => `#${e.seq} ${e.at} (redacted)`;
 * ```
 */
export type RedactedAuditEntry = z.output<typeof redactedAuditEntrySchema>;

/**
 * A validated audit entry.
 *
 * @example
 * ```ts
 * import type { AuditEntry } from '@guard/core';
 * const line = (e: AuditEntry) => `#${e.seq} ${e.at} ${e.actor.id} ${e.action}`;
 * ```
 */
export type AuditEntry = z.output<typeof auditEntrySchema>;
