import { createHash } from 'node:crypto';
import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import type { AuditDraft } from '../audit/index.js';
import { checkConnector } from '../connectors/check.js';
import { type ActorRef, type CustomerInput, idSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import { type GuardContext, withTenant } from '../kernel/context.js';
import { employeesWithRole } from '../kernel/roles.js';
import type { CrmConnector, CrmCustomer } from '../ports/crm.js';
import type { CustomerRecord, StoreTransaction } from '../ports/store.js';
import { recordIdOf, recordKind } from '../store/records.js';
import { linkedCustomers } from './links.js';
import { transferStateId, transferStates } from './transfer-state.js';

/**
 * How far one {@link CrmApi.sync} call goes, and where new customers whose
 * CRM owner is not a Guard employee go.
 *
 * @example
 * ```ts
 * import type { CrmSyncOptions } from '@guard/core';
 * const options: CrmSyncOptions = { unitId: 'hq', maxPages: 50 };
 * ```
 */
export interface CrmSyncOptions {
  /**
   * The unit of new customers whose CRM owner is the pool or no Guard
   * employee (a customer with a known owner goes to the owner's unit).
   * Without it such customers are skipped and counted in `skipped`.
   */
  readonly unitId?: string;
  /** The most pages one call reads (default 20); call again while `caughtUp` is `false`. */
  readonly maxPages?: number;
  /** Items per page (default the connector's `maxPageSize`, at most 1,000). */
  readonly pageSize?: number;
  /** Aborts between pages and in the connector's calls. */
  readonly signal?: AbortSignal;
}

/**
 * What one {@link CrmApi.sync} call did.
 *
 * @example
 * ```ts
 * import type { CrmSyncReport } from '@guard/core';
 * declare const r: CrmSyncReport;
 * console.log(`${r.customers.created} new, ${r.customers.ownerConflicts} owners differ; caught up: ${r.caughtUp}`);
 * ```
 */
export interface CrmSyncReport {
  readonly connector: string;
  readonly customers: {
    /** New in Guard, linked to the CRM record by `externalRefs`. */
    readonly created: number;
    /** Renamed from the CRM. */
    readonly updated: number;
    readonly unchanged: number;
    /** The CRM has another owner than Guard, and no transfer of Guard's is on its way: each raised an alert. */
    readonly ownerConflicts: number;
    /** New customers with no unit to go to (see `unitId`), or whose Guard customer was deleted. */
    readonly skipped: number;
  };
  /** `false`: the CRM has more; call again. */
  readonly caughtUp: boolean;
}

/** What a sync calls of the tenant's public API: every customer goes through `customers.upsert`. */
export interface CrmSyncDeps {
  upsertCustomers(batch: readonly CustomerInput[], options: { actor: ActorRef }): Promise<unknown>;
}

const optionsSchema = z.strictObject({
  unitId: idSchema.optional(),
  maxPages: z.int().min(1).max(1000).default(20),
  pageSize: z.int().min(1).max(1000).optional(),
  signal: z
    .custom<AbortSignal>((v) => v instanceof AbortSignal, { error: validationMessage('abort-signal') })
    .optional(),
});

/** Where a connector's customer listing stands, per tenant: the cursor to resume from. */
const cursors = recordKind(
  'crm-cursor',
  z.strictObject({ connector: z.string(), listing: z.string(), cursor: z.string() }),
);

const SYNC_ACTOR: ActorRef = { type: 'system', id: 'crm-sync' };

/** The Guard id of a customer first seen in a CRM: `<connector>:<id>` when that is an id, else a digest. */
function newCustomerId(connector: string, externalId: string): string {
  const plain = `${connector}:${externalId}`;
  return idSchema.safeParse(plain).success
    ? plain
    : `${connector}:sha256-${createHash('sha256').update(externalId).digest('hex').slice(0, 40)}`;
}

/** CRM user → Guard employee: `externalRefs` first, then the connector's `mapUsers` for everyone else. */
async function employeesByUser(
  ctx: GuardContext,
  tenantId: string,
  connector: CrmConnector,
  signal: AbortSignal | undefined,
): Promise<Map<string, { id: string; unitId: string }>> {
  const byUser = new Map<string, { id: string; unitId: string }>();
  let cursor: string | undefined;
  do {
    const page = await ctx.store.transaction((tx) =>
      tx.listEmployees(tenantId, { limit: 100, ...(cursor === undefined ? {} : { cursor }) }),
    );
    const unknown = page.items.filter((e) => !Object.hasOwn(e.externalRefs, connector.name));
    for (const e of page.items) {
      const ref = Object.hasOwn(e.externalRefs, connector.name) ? e.externalRefs[connector.name] : undefined;
      if (ref !== undefined) byUser.set(ref, { id: e.id, unitId: e.unitId });
    }
    if (unknown.length > 0 && connector.mapUsers && connector.capabilities.users) {
      signal?.throwIfAborted();
      const mapped = await connector.mapUsers(
        tenantId,
        unknown.map((e) => ({
          employeeId: e.id,
          name: e.name,
          ...(e.email === null ? {} : { email: e.email }),
          ...(e.mobile === null ? {} : { mobile: e.mobile }),
        })),
      );
      for (const e of unknown) {
        const user = mapped.get(e.id);
        if (typeof user === 'string' && !byUser.has(user)) byUser.set(user, { id: e.id, unitId: e.unitId });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return byUser;
}

/**
 * Whether a customer's owner in the CRM differing from Guard's is a
 * conflict, or Guard's own transfer on its way there: Guard's latest owner
 * change (from the audit chain) not yet delivered to this CRM, or delivered
 * and not final.
 */
async function isConflict(tx: StoreTransaction, connector: string, customer: CustomerRecord): Promise<boolean> {
  const state = (await transferStates.get(tx, customer.tenantId, transferStateId(connector, customer.id)))?.data;
  const [latest] = (
    await tx.queryAudit(customer.tenantId, {
      subject: { type: 'customer', id: customer.id },
      action: 'customer.owner-change',
      order: 'desc',
      limit: 1,
    })
  ).items;
  // An owner set by a sync (the host's or a CRM's) queues no transfer; every other change does.
  const queued = latest !== undefined && latest.data.reason !== 'sync';
  const changed = queued && typeof latest.data.version === 'number' ? latest.data.version : null;
  if (changed !== null && (state === undefined || state.version < changed)) return false; // queued, not yet sent
  if (state === undefined) return true; // Guard never moved it: the CRM and Guard were given different owners
  if (state.status === 'sending' || state.status === 'pending' || state.status === 'retrying') return false;
  return state.status !== 'failed'; // a refusal raised its own alert
}

/** Pulls customers and their owners from one CRM into Guard, from the cursor the last sync left. */
export async function syncCustomers(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connectorInput: CrmConnector,
  input: CrmSyncOptions,
): Promise<CrmSyncReport> {
  const connector = checkConnector(connectorInput, ['customer-sync'], { locale: ctx.locale });
  const options = parseInput(optionsSchema, input, { what: 'CRM sync options', locale: ctx.locale, json: false });
  const name = connector.name;
  const list = connector.listCustomers as NonNullable<CrmConnector['listCustomers']>;
  const limit = Math.min(
    options.pageSize ?? connector.capabilities.maxPageSize,
    connector.capabilities.maxPageSize,
    1000,
  );
  const cursorId = recordIdOf(`${name}:customers`);
  const stored = await withTenant(ctx, tenantId, async (tx) => ({
    result: await cursors.get(tx, tenantId, cursorId),
    audit: [],
  }));
  let cursor = stored?.data.cursor ?? null;
  const users = await employeesByUser(ctx, tenantId, connector, options.signal);
  const counts = { created: 0, updated: 0, unchanged: 0, ownerConflicts: 0, skipped: 0 };
  let caughtUp = false;
  for (let pages = 0; pages < options.maxPages && !caughtUp; pages++) {
    options.signal?.throwIfAborted();
    const page = await list({ tenantId, cursor, limit, signal: options.signal });
    await applyPage(ctx, tenantId, deps, name, page.items, users, options.unitId, counts);
    cursor = page.cursor;
    caughtUp = page.caughtUp;
    const data = { connector: name, listing: 'customers', cursor };
    await ctx.store.transaction((tx) =>
      cursors.upsert(
        tx,
        { tenantId, id: cursorId, ref: name, status: null, at: ctx.clock.now().toISOString(), data },
        ctx.clock.now().toISOString(),
      ),
    );
  }
  return { connector: name, customers: counts, caughtUp };
}

/** Applies one page: new customers and renames through `customers.upsert`, owner conflicts as alerts. */
async function applyPage(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connector: string,
  items: readonly CrmCustomer[],
  users: ReadonlyMap<string, { id: string; unitId: string }>,
  poolUnitId: string | undefined,
  counts: { created: number; updated: number; unchanged: number; ownerConflicts: number; skipped: number },
) {
  if (items.length === 0) return;
  const { linked, customers } = await ctx.store.transaction(async (tx) => {
    const linked = await linkedCustomers(
      tx,
      tenantId,
      connector,
      items.map((i) => i.externalId),
    );
    const customers = new Map((await tx.getCustomers(tenantId, [...new Set(linked.values())])).map((c) => [c.id, c]));
    return { linked, customers };
  });
  const batch: CustomerInput[] = [];
  const conflicts: { customer: CustomerRecord; crm: CrmCustomer; crmOwner: string | null }[] = [];
  for (const item of items) {
    const owner = item.ownerUserId === null ? null : users.get(item.ownerUserId);
    const customerId = linked.get(item.externalId);
    if (customerId === undefined) {
      const unitId = owner?.unitId ?? poolUnitId;
      if (unitId === undefined) {
        counts.skipped++;
        continue;
      }
      batch.push({
        id: newCustomerId(connector, item.externalId),
        name: item.name,
        ownerId: owner?.id ?? null,
        unitId,
        externalRefs: { [connector]: item.externalId },
      });
      counts.created++;
      continue;
    }
    const customer = customers.get(customerId);
    if (!customer) {
      counts.skipped++; // deleted in Guard: not brought back
      continue;
    }
    if (customer.name !== item.name) {
      const { tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...current } = customer;
      batch.push({ ...current, name: item.name });
      counts.updated++;
    } else counts.unchanged++;
    const crmOwner = item.ownerUserId === null ? null : (owner?.id ?? `?${item.ownerUserId}`);
    if (crmOwner !== customer.ownerId) conflicts.push({ customer, crm: item, crmOwner });
  }
  if (batch.length > 0) await deps.upsertCustomers(batch, { actor: SYNC_ACTOR });
  if (conflicts.length === 0) return;
  const now = ctx.clock.now().toISOString();
  await ctx.store.transaction(async (tx) => {
    const audit: AuditDraft[] = [];
    const hr = await employeesWithRole(tx, tenantId, 'hr-admin');
    for (const { customer, crm, crmOwner } of conflicts) {
      if (!(await isConflict(tx, connector, customer))) continue;
      counts.ownerConflicts++;
      const unknownUser = crmOwner?.startsWith('?') === true;
      await raiseAlert(
        ctx,
        { tx, now, tenantId, record: (d) => audit.push(d) },
        {
          kind: 'crm-owner-differs',
          severity: 'medium',
          employeeId: customer.ownerId,
          summary: (text) =>
            text.crmOwnerDiffers({
              connector,
              customerId: customer.id,
              customerName: customer.name,
              guardOwner: customer.ownerId,
              crmOwner: unknownUser ? (crm.ownerUserId as string) : crmOwner,
              knownInGuard: !unknownUser,
            }),
          evidence: {
            connector,
            customerId: customer.id,
            customerExternalId: crm.externalId,
            guardOwner: customer.ownerId,
            crmOwnerUserId: crm.ownerUserId,
            crmOwnerEmployee: unknownUser ? null : crmOwner,
            crmUpdatedAt: crm.updatedAt,
          },
          notify: hr,
          actor: SYNC_ACTOR,
          dedupeKey: `crm-owner-differs:${connector}:${customer.id}`,
        },
      );
    }
    if (audit.length > 0) await ctx.audit.append(tx, tenantId, audit);
  });
}
