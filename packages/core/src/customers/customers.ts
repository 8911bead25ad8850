import * as z from 'zod';
import { assertNotBlocked, type BlockedRead, blockedRead, observeActivity } from '../anomaly/anomaly.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { sha256Hex } from '../audit/hash.js';
import type { AuditDraft } from '../audit/index.js';
import type { Decision } from '../domain/decision.js';
import {
  type ActorRef,
  actorRefSchema,
  type CustomerInput,
  customerSchema,
  type FieldValue,
  idSchema,
} from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import {
  ActorBlockedError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { Locale } from '../i18n/locale.js';
import { messages, validationMessage } from '../i18n/messages.js';
import { type GuardContext, HOST_ACTOR, inRefusableUnitOfWork, withTenant } from '../kernel/context.js';
import { type Decided, decideOn } from '../kernel/decide.js';
import { requireEmployee } from '../kernel/directory.js';
import { afterCustomersInserted, afterCustomerWrite } from '../ownership/customer-hooks.js';
import { applyFieldLevels } from '../policy/index.js';
import type { CustomerFilter, CustomerRecord, Page, StoreTransaction } from '../ports/store.js';
import { tenantLocale, tenantPolicy } from '../settings/tenant-settings.js';

/**
 * A customer as one subject may see it: hidden field classes are absent,
 * masked classes hold masked values (`1******5678`), and `decision` says why.
 * Show `notices` (e.g. the confidentiality notice 保密提示) next to the data.
 *
 * @example
 * ```ts
 * const view = await guard.tenant('acme').customers.read({ actor: 'e-7', customerId: 'c-1001' });
 * view.fields.contact?.phone; // '13812345678' for the owner, '1******5678' for HR
 * view.notices; // ['Confidential: …']
 * ```
 */
export interface CustomerView {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string | null;
  readonly unitId: string;
  readonly version: number;
  /** Visible field classes only; masked classes hold masked values. */
  readonly fields: Readonly<Record<string, Readonly<Record<string, FieldValue>>>>;
  /** The access decision this view was built from. */
  readonly decision: Decision;
  /** Obligation texts in the guard's locale, for the host to display. */
  readonly notices: readonly string[];
  /**
   * The alert blocking the reader, when the view is narrowed because of it
   * (tenant setting `anomaly.whileBlocked`: by default only the public
   * class is shown until a manager resolves the alert); else `null`.
   */
  readonly restrictedBy: string | null;
}

/**
 * Which customers a guarded list walks:
 * `own` — the actor's customers; `team` — the customers of the actor's unit
 * and every unit below it; `pool` — unowned customers (公海); `tenant` —
 * all of them. Each row is still decided by the policy: rows the actor may
 * not read are left out.
 *
 * @example
 * ```ts
 * import type { ListScope } from '@guard/core';
 * const scope: ListScope = 'team';
 * ```
 */
export type ListScope = 'own' | 'team' | 'pool' | 'tenant';

/**
 * Parameters of a guarded read.
 *
 * @example
 * ```ts
 * import type { ReadCustomerParams } from '@guard/core';
 * const params: ReadCustomerParams = { actor: 'e-7', customerId: 'c-1001' };
 * ```
 */
export interface ReadCustomerParams {
  /** The employee id of the logged-in user. */
  readonly actor: string;
  readonly customerId: string;
}

/**
 * Parameters of a guarded list.
 *
 * @example
 * ```ts
 * import type { ListCustomersParams } from '@guard/core';
 * const params: ListCustomersParams = { actor: 'e-7', scope: 'own', limit: 20 };
 * ```
 */
export interface ListCustomersParams {
  readonly actor: string;
  /** Default `own`. */
  readonly scope?: ListScope;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Rows to examine, 1–200 (default 50). A page may hold fewer when the policy leaves some out. */
  readonly limit?: number;
}

/**
 * Options of a customer upsert.
 *
 * @example
 * ```ts
 * import type { UpsertCustomerOptions } from '@guard/core';
 * const options: UpsertCustomerOptions = { expectedVersion: 3, actor: { type: 'host', id: 'crm-sync' } };
 * ```
 */
export interface UpsertCustomerOptions {
  /**
   * The version you read. The write fails with `ConflictError` if the stored
   * customer has another version. Omit to overwrite whatever is stored.
   */
  readonly expectedVersion?: number | null;
  /** Who made the change, for the audit log. Default: the host. */
  readonly actor?: ActorRef;
}

const upsertOptionsSchema = z.strictObject({
  expectedVersion: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  actor: actorRefSchema.optional(),
});
const readSchema = z.strictObject({ actor: idSchema, customerId: idSchema });
const listSchema = z.strictObject({
  actor: idSchema,
  scope: z.enum(['own', 'team', 'pool', 'tenant']).default('own'),
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

/**
 * Options of a batch of customer upserts.
 *
 * @example
 * ```ts
 * import type { UpsertCustomersOptions } from '@guard/core';
 * const options: UpsertCustomersOptions = { actor: { type: 'host', id: 'crm-sync' } };
 * ```
 */
export interface UpsertCustomersOptions {
  /** Who made the change, for the audit log. Default: the host. */
  readonly actor?: ActorRef;
}

/**
 * What a batch of customer upserts did.
 *
 * @example
 * ```ts
 * const result = await acme.customers.upsert(batch);
 * console.log(`${result.created} new, ${result.updated} changed, ${result.unchanged} as they were`);
 * result.versions['c-1001']; // 3
 * ```
 */
export interface UpsertCustomersResult {
  readonly created: number;
  readonly updated: number;
  /** Customers equal to what was stored: left as they were, with no new version. */
  readonly unchanged: number;
  /** Each customer's version after the batch, by id. */
  readonly versions: Readonly<Record<string, number>>;
}

/** A customer as validated: defaults filled in. */
type ValidCustomer = z.output<typeof customerSchema>;

/**
 * The most customers one `customers.upsert` batch may hold; send a larger
 * sync in slices of this size.
 *
 * @example
 * ```ts
 * import { MAX_CUSTOMER_BATCH } from '@guard/core';
 * for (let i = 0; i < rows.length; i += MAX_CUSTOMER_BATCH) {
 *   await acme.customers.upsert(rows.slice(i, i + MAX_CUSTOMER_BATCH));
 * }
 * ```
 */
export const MAX_CUSTOMER_BATCH = 10_000;

const batchOptionsSchema = z.strictObject({ actor: actorRefSchema.optional() });
const batchSchema = z.array(customerSchema).min(1).max(MAX_CUSTOMER_BATCH);

/** What the tenant's policy and directory say about a customer: a field class, unit or owner it does not have. */
function tenantIssues(
  customer: ValidCustomer,
  known: {
    readonly fieldClasses: readonly string[];
    readonly units: ReadonlySet<string>;
    readonly owners: ReadonlySet<string>;
  },
  at: readonly (string | number)[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const cls of Object.keys(customer.fields)) {
    if (known.fieldClasses.includes(cls)) continue;
    issues.push({
      path: [...at, 'fields', cls],
      code: 'custom',
      message: validationMessage('unknown-field-class', { name: cls, classes: known.fieldClasses.join(', ') }),
    });
  }
  if (!known.units.has(customer.unitId))
    issues.push({
      path: [...at, 'unitId'],
      code: 'custom',
      message: validationMessage('unknown-unit', { id: customer.unitId }),
    });
  if (customer.ownerId !== null && !known.owners.has(customer.ownerId))
    issues.push({
      path: [...at, 'ownerId'],
      code: 'custom',
      message: validationMessage('unknown-employee', { id: customer.ownerId }),
    });
  return issues;
}

/** The units and owners of `customers` the tenant has, read in one go each. */
async function knownOf(tx: StoreTransaction, tenantId: string, customers: readonly ValidCustomer[]) {
  const unitIds = [...new Set(customers.map((c) => c.unitId))];
  const ownerIds = [...new Set(customers.flatMap((c) => (c.ownerId === null ? [] : [c.ownerId])))];
  const [units, owners] = await Promise.all([
    tx.getUnits(tenantId, unitIds),
    ownerIds.length === 0 ? Promise.resolve([]) : tx.getEmployees(tenantId, ownerIds),
  ]);
  return { units: new Set(units.map((u) => u.id)), owners: new Set(owners.map((e) => e.id)) };
}

/** Writes a checked customer over what is stored (`current`), keeping the duplicate index and follow-up clock in step. */
async function writeCustomer(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  customer: ValidCustomer,
  current: CustomerRecord | null,
  expected: number | null,
  now: string,
): Promise<CustomerRecord> {
  const record: CustomerRecord = {
    ...customer,
    tenantId,
    version: (expected ?? 0) + 1,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
  await tx.putCustomer(record, expected);
  await afterCustomerWrite(tx, ctx, current, record, now);
  return record;
}

/** Writes a customer (insert or replace) with its audit entry. */
export async function upsertCustomer(
  ctx: GuardContext,
  tenantId: string,
  input: CustomerInput,
  options: UpsertCustomerOptions = {},
): Promise<CustomerRecord> {
  const valid = parseInput(upsertOptionsSchema, options, { what: 'customer upsert options', locale: ctx.locale });
  const customer = parseInput(customerSchema, input, { what: 'customer', locale: ctx.locale });
  const actor = valid.actor ?? HOST_ACTOR;

  return withTenant(ctx, tenantId, async (tx) => {
    // The field classes are the tenant's policy's: checked in the transaction, which writes nothing when they fail.
    const { fieldClasses } = await tenantPolicy(ctx, tx, tenantId);
    const [known, current] = await Promise.all([
      knownOf(tx, tenantId, [customer]),
      tx.getCustomer(tenantId, customer.id),
    ]);
    const issues = tenantIssues(customer, { fieldClasses, ...known }, []);
    if (issues.length > 0) throw new ValidationError('customer', issues, { locale: ctx.locale });

    const expected = valid.expectedVersion === undefined ? (current?.version ?? null) : valid.expectedVersion;
    const now = ctx.clock.now().toISOString();
    const record = await writeCustomer(ctx, tx, tenantId, customer, current, expected, now);
    const audit: AuditDraft = {
      actor,
      action: current ? 'customer.update' : 'customer.create',
      subject: { type: 'customer', id: customer.id },
      data: {
        version: record.version,
        // names only: audit entries never copy customers' personal data
        changedFields: changedFieldPaths(current, record),
        ...(current?.ownerId !== record.ownerId
          ? { owner: { from: current?.ownerId ?? null, to: record.ownerId } }
          : {}),
        ...(current && current.unitId !== record.unitId ? { unit: { from: current.unitId, to: record.unitId } } : {}),
      },
    };
    const ownerChange: AuditDraft[] =
      (current?.ownerId ?? null) !== record.ownerId
        ? [
            {
              actor,
              action: 'customer.owner-change',
              subject: { type: 'customer', id: customer.id },
              data: { from: current?.ownerId ?? null, to: record.ownerId, reason: 'sync', version: record.version },
            },
          ]
        : [];
    return { result: record, audit: [audit, ...ownerChange] };
  });
}

/**
 * Writes a batch of customers (a CRM sync, a first import) in one
 * transaction: all of them, or — when one is invalid — none, with every
 * problem named by its index. A customer equal to the stored one is left
 * as it is. The batch is audited as one `customers.upsert` entry — the
 * counts, every unit move (`[id, from, to]`) and the SHA-256 of the batch as
 * given (`batchDigest`, so the sync file can be matched to the entry later)
 * — and, as with a single upsert, a `customer.owner-change` entry for each
 * customer whose owner changed (its ownership history reads them), all
 * appended in one statement. Audit entries never copy customers' personal
 * data.
 */
export async function upsertCustomers(
  ctx: GuardContext,
  tenantId: string,
  input: readonly CustomerInput[],
  options: UpsertCustomersOptions = {},
): Promise<UpsertCustomersResult> {
  const valid = parseInput(batchOptionsSchema, options, { what: 'customer batch options', locale: ctx.locale });
  const customers = parseInput(batchSchema, input, { what: 'customers', locale: ctx.locale });
  const first = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  for (const [i, c] of customers.entries()) {
    const seen = first.get(c.id);
    if (seen === undefined) first.set(c.id, i);
    else
      issues.push({
        path: [i, 'id'],
        code: 'custom',
        message: validationMessage('duplicate', { value: c.id, first: seen }),
      });
  }
  if (issues.length > 0) throw new ValidationError('customers', issues, { locale: ctx.locale });

  return withTenant(ctx, tenantId, async (tx) => {
    const { fieldClasses } = await tenantPolicy(ctx, tx, tenantId);
    const [known, stored] = await Promise.all([
      knownOf(tx, tenantId, customers),
      tx.getCustomers(
        tenantId,
        customers.map((c) => c.id),
      ),
    ]);
    for (const [i, c] of customers.entries()) issues.push(...tenantIssues(c, { fieldClasses, ...known }, [i]));
    if (issues.length > 0) throw new ValidationError('customers', issues, { locale: ctx.locale });

    const currentOf = new Map(stored.map((c) => [c.id, c]));
    const now = ctx.clock.now().toISOString();
    const versions: Record<string, number> = {};
    const owners: [string, string | null, string | null][] = [];
    const units: [string, string, string][] = [];
    const inserted: CustomerRecord[] = [];
    let updated = 0;
    for (const customer of customers) {
      const current = currentOf.get(customer.id) ?? null;
      if (current && sameCustomer(current, customer)) {
        versions[customer.id] = current.version;
        continue;
      }
      // New customers are inserted together below; changed ones are written one by one, each checked against its version.
      const record = current
        ? await writeCustomer(ctx, tx, tenantId, customer, current, current.version, now)
        : { ...customer, tenantId, version: 1, createdAt: now, updatedAt: now };
      versions[customer.id] = record.version;
      if (current) updated++;
      else inserted.push(record);
      if ((current?.ownerId ?? null) !== record.ownerId)
        owners.push([record.id, current?.ownerId ?? null, record.ownerId]);
      if (current && current.unitId !== record.unitId) units.push([record.id, current.unitId, record.unitId]);
    }
    await tx.insertCustomers(inserted);
    await afterCustomersInserted(tx, ctx, inserted, now);
    const created = inserted.length;
    const unchanged = customers.length - created - updated;
    const actor = valid.actor ?? HOST_ACTOR;
    const audit: AuditDraft = {
      actor,
      action: 'customers.upsert',
      subject: { type: 'tenant', id: tenantId },
      data: {
        customers: customers.length,
        created,
        updated,
        unchanged,
        ownerChanges: owners.length,
        units,
        batchDigest: sha256Hex(canonicalJson(toJson(customers))),
      },
    };
    // Each owner change has its own entry, as with a single upsert: a customer's ownership history reads them.
    const ownerChanges: AuditDraft[] = owners.map(([id, from, to]) => ({
      actor,
      action: 'customer.owner-change',
      subject: { type: 'customer', id },
      data: { from, to, reason: 'sync', version: versions[id] as number },
    }));
    return { result: { created, updated, unchanged, versions }, audit: [audit, ...ownerChanges] };
  });
}

/** Whether writing `input` over `stored` would change nothing. */
function sameCustomer(stored: CustomerRecord, input: ValidCustomer): boolean {
  return (
    stored.name === input.name &&
    stored.ownerId === input.ownerId &&
    stored.unitId === input.unitId &&
    changedFieldPaths(stored, { ...stored, fields: input.fields }).length === 0 &&
    canonicalJson(toJson(stored.externalRefs)) === canonicalJson(toJson(input.externalRefs))
  );
}

function changedFieldPaths(before: CustomerRecord | null, after: CustomerRecord): string[] {
  const paths = new Set<string>();
  const classes = new Set([...Object.keys(before?.fields ?? {}), ...Object.keys(after.fields)]);
  for (const cls of classes) {
    const a = before?.fields[cls] ?? {};
    const b = after.fields[cls] ?? {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[name] !== b[name] || !(name in a) !== !(name in b)) paths.add(`${cls}.${name}`);
    }
  }
  if (before?.name !== after.name) paths.add('name');
  return [...paths].sort();
}

function viewOf(
  ctx: GuardContext,
  locale: Locale,
  customer: CustomerRecord,
  decided: Decision,
  block: BlockedRead | null = null,
): { view: CustomerView; data: AuditDraft['data'] } {
  const decision: Decision = block
    ? {
        ...decided,
        fields: Object.fromEntries(Object.entries(decided.fields).filter(([cls]) => block.classes.includes(cls))),
      }
    : decided;
  const masked = applyFieldLevels(customer.fields, decision.fields, ctx.masks);
  const catalog = messages(locale);
  const view: CustomerView = {
    id: customer.id,
    name: customer.name,
    ownerId: customer.ownerId,
    unitId: customer.unitId,
    version: customer.version,
    fields: masked.fields,
    decision,
    notices: decision.obligations.map((o) => catalog.obligations[o.type]),
    restrictedBy: block?.alertId ?? null,
  };
  const data = {
    decision: { code: decision.reason.code, rules: [...decision.reason.rules] },
    shown: masked.shown,
    masked: masked.masked,
    hidden: masked.hidden,
    obligations: decision.obligations.map((o) => o.type),
    ...(block ? { restrictedBy: block.alertId } : {}),
  };
  return { view, data };
}

/**
 * A guarded read: decides, masks and audits in one transaction. A denied read
 * is audited and then thrown as `ForbiddenError`. Every read (allowed or not)
 * counts as one `view` for the anomaly detector, plus one after-hours event
 * outside the tenant's working hours. When a read breaches a limit, the
 * alert (which blocks the actor's bulk actions) commits with the read. While
 * the actor is blocked, reads follow the tenant's `anomaly.whileBlocked`:
 * only the public class by default (`restrictedBy` names the alert), or
 * refused with `ActorBlockedError`.
 */
export async function readCustomer(
  ctx: GuardContext,
  tenantId: string,
  params: ReadCustomerParams,
): Promise<CustomerView> {
  const { actor, customerId } = parseInput(readSchema, params, { what: 'read request', locale: ctx.locale });
  return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
    const { tx } = uow;
    const employee = await requireEmployee(ctx, tx, tenantId, actor);
    const customer = await tx.getCustomer(tenantId, customerId);
    if (!customer) throw new NotFoundError({ entity: 'customer', id: customerId, tenantId }, { locale: ctx.locale });
    // A single read counts but is never refused: the returned block only concerns bulk actions.
    await observeActivity(ctx, uow, employee, 'view', 1, { customerId, via: 'read' });
    const [{ decision }] = (await decideOn(ctx, uow, employee, [customer], 'read')) as [Decided];
    const subject = { type: 'customer', id: customerId } as const;
    const by: ActorRef = { type: 'employee', id: actor };
    if (!decision.allow) {
      // Refused reads are a signal of their own: someone opening customers that are not theirs.
      await observeActivity(ctx, uow, employee, 'denied', 1, { customerId, via: 'read' });
      const data = { decision: { code: decision.reason.code, rules: [...decision.reason.rules] } };
      uow.session.record({ actor: by, action: 'customer.read-denied', subject, data });
      refuse(new ForbiddenError({ actorId: actor, resourceId: customerId, decision }, { locale: ctx.locale }));
      return undefined as never;
    }
    const block = await blockedRead(ctx, uow, employee.id);
    if (block?.deny) {
      uow.session.record({ actor: by, action: 'customer.read-denied', subject, data: { blockedBy: block.alertId } });
      refuse(new ActorBlockedError({ actorId: actor, action: 'read', alertId: block.alertId }, { locale: ctx.locale }));
      return undefined as never;
    }
    const { view, data } = viewOf(ctx, await tenantLocale(ctx, tx, tenantId), customer, decision, block);
    uow.session.record({ actor: by, action: 'customer.read', subject, data: { via: 'read', ...data } });
    return view;
  });
}

/**
 * A guarded, paged list: one page of the scope, each row decided and masked;
 * rows the actor may not read are left out. Every returned row is audited as
 * a read. A list is a bulk action: refused with `ActorBlockedError` while the
 * actor is blocked, and the rows returned count as `view`s — a page that
 * breaches the limit is refused (nothing returned, nothing audited as read)
 * while the blocking alert commits.
 */
export async function listCustomers(
  ctx: GuardContext,
  tenantId: string,
  params: ListCustomersParams,
): Promise<Page<CustomerView>> {
  const { actor, scope, cursor, limit } = parseInput(listSchema, params, { what: 'list request', locale: ctx.locale });
  return inRefusableUnitOfWork(ctx, tenantId, async (uow, refuse) => {
    const { tx } = uow;
    const employee = await requireEmployee(ctx, tx, tenantId, actor);
    await assertNotBlocked(ctx, uow, employee.id, 'list');
    const filter: CustomerFilter =
      scope === 'own'
        ? { ownerId: actor }
        : scope === 'team'
          ? { unitId: employee.unitId }
          : scope === 'pool'
            ? { pool: true }
            : {};
    const page = await tx.listCustomers(tenantId, filter, { cursor, limit });
    const decided = await decideOn(ctx, uow, employee, page.items, 'read');
    const by: ActorRef = { type: 'employee', id: actor };
    const items: CustomerView[] = [];
    const audit: AuditDraft[] = [];
    const locale = await tenantLocale(ctx, tx, tenantId);
    for (const { customer, decision } of decided) {
      if (!decision.allow) continue;
      const { view, data } = viewOf(ctx, locale, customer, decision);
      items.push(view);
      audit.push({
        actor: by,
        action: 'customer.read',
        subject: { type: 'customer', id: customer.id },
        data: { via: 'list', scope, ...data },
      });
    }
    const blocked = await observeActivity(ctx, uow, employee, 'view', items.length, { via: 'list', scope });
    if (blocked) {
      refuse(blocked);
      return undefined as never;
    }
    for (const draft of audit) uow.session.record(draft);
    return { items, nextCursor: page.nextCursor };
  });
}
