import { createHash } from 'node:crypto';
import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import type { AuditDraft } from '../audit/index.js';
import { checkConnector } from '../connectors/check.js';
import { type ActorRef, type CustomerInput, customerSchema, idSchema, orderSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import type { CrmFeature } from '../i18n/catalog.js';
import { customerName, deferredText } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import { type GuardContext, inTheFuture, withTenant } from '../kernel/context.js';
import { employeesWithRole } from '../kernel/roles.js';
import { currencyDigits, type OrderInput } from '../orders/orders.js';
import type { CrmActivity, CrmConnector, CrmCustomer, CrmListRequest, CrmOrder, CrmPage } from '../ports/crm.js';
import type { CustomerRecord, StoreTransaction } from '../ports/store.js';
import { isErased } from '../privacy/erased.js';
import type { SignalInput } from '../risk/signals.js';
import { loadSettings } from '../settings/tenant-settings.js';
import { recordIdOf, recordKind } from '../store/records.js';
import { linkedCustomers } from './links.js';
import { transferStateId, transferStates } from './transfer-state.js';
import { crmUsersOf } from './users.js';

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
  /** The most pages one call reads of each listing (default 20); call again while `caughtUp` is `false`. */
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
    /** The CRM has another owner than Guard, and no transfer of Guard's is on its way there. */
    readonly ownerConflicts: number;
    /**
     * Of those, the customers whose Guard owner became the CRM's (tenant
     * setting `crm.ownerConflicts: 'follow-crm'`); each of the others
     * raised a `crm-owner-differs` alert.
     */
    readonly ownersFollowed: number;
    /** New customers with no unit to go to (see `unitId`) or that Guard cannot store, or whose Guard customer was deleted. */
    readonly skipped: number;
    /**
     * Customers erased in Guard (`privacy.erase`) that the CRM still holds:
     * not written back. Erase them in the CRM too.
     */
    readonly erased: number;
  };
  /** Orders upserted (`orders.upsert`), and those skipped: their customer is not in Guard, or Guard cannot store them. */
  readonly orders: { readonly upserted: number; readonly skipped: number };
  /**
   * Activities recorded as `follow-up` risk signals, and those skipped:
   * without a customer in Guard or an owner who is an employee, or in the
   * future (a task not done yet).
   */
  readonly activities: { readonly recorded: number; readonly skipped: number };
  /** `false`: the CRM has more; call again. Orders and activities are read once customers have caught up. */
  readonly caughtUp: boolean;
}

/** What a sync calls of the tenant's public API: customers, orders and signals go in through it. */
export interface CrmSyncDeps {
  upsertCustomers(batch: readonly CustomerInput[], options: { actor: ActorRef }): Promise<unknown>;
  upsertOrders(batch: readonly OrderInput[], options: { actor: ActorRef }): Promise<unknown>;
  recordSignals(batch: readonly SignalInput[], options: { actor: ActorRef }): Promise<unknown>;
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

/** The Guard id of a customer or order first seen in a CRM: `<connector>:<id>` when that is an id, else a digest. */
function newRecordId(connector: string, externalId: string): string {
  const plain = `${connector}:${externalId}`;
  return idSchema.safeParse(plain).success
    ? plain
    : `${connector}:sha256-${createHash('sha256').update(externalId).digest('hex').slice(0, 40)}`;
}

/** The employee a CRM user is, as a sync needs them. */
interface CrmUserEmployee {
  readonly id: string;
  readonly unitId: string;
  readonly active: boolean;
}

/** CRM user → Guard employee: `externalRefs` first, then the connector's `mapUsers` for everyone else. */
async function employeesByUser(
  ctx: GuardContext,
  tenantId: string,
  connector: CrmConnector,
  signal: AbortSignal | undefined,
): Promise<Map<string, CrmUserEmployee>> {
  const byUser = new Map<string, CrmUserEmployee>();
  let cursor: string | undefined;
  do {
    const page = await ctx.store.transaction((tx) =>
      tx.listEmployees(tenantId, { limit: 100, ...(cursor === undefined ? {} : { cursor }) }),
    );
    const users = await crmUsersOf(tenantId, connector, page.items, signal);
    for (const e of page.items) {
      const user = users.get(e.id);
      // An explicit `externalRefs` entry wins over a user found by e-mail or mobile.
      const explicit = Object.hasOwn(e.externalRefs, connector.name);
      if (user !== undefined && (explicit || !byUser.has(user))) {
        byUser.set(user, { id: e.id, unitId: e.unitId, active: e.status === 'active' });
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

/** Pulls customers, then orders and activities, from one CRM, each from the cursor the last sync left. */
export async function syncCrm(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connectorInput: CrmConnector,
  input: CrmSyncOptions,
): Promise<CrmSyncReport> {
  const features: CrmFeature[] = ['customer-sync'];
  if (connectorInput?.capabilities?.orders === true) features.push('order-sync');
  if (connectorInput?.capabilities?.activities === true) features.push('activity-sync');
  const connector = checkConnector(connectorInput, features, { locale: ctx.locale });
  const options = parseInput(optionsSchema, input, { what: 'CRM sync options', locale: ctx.locale, json: false });
  const name = connector.name;
  const limit = Math.min(
    options.pageSize ?? connector.capabilities.maxPageSize,
    connector.capabilities.maxPageSize,
    1000,
  );
  // Matching the whole directory to CRM users costs the CRM a call per page of employees (WeCom: one per
  // employee): done once per sync, and only when a page brings something to place.
  let users: Promise<Map<string, CrmUserEmployee>> | undefined;
  const usersNow = () => {
    users ??= employeesByUser(ctx, tenantId, connector, options.signal);
    return users;
  };
  const counts = { created: 0, updated: 0, unchanged: 0, ownerConflicts: 0, ownersFollowed: 0, skipped: 0, erased: 0 };
  const orders = { upserted: 0, skipped: 0 };
  const activities = { recorded: 0, skipped: 0 };

  /** Reads one listing from its stored cursor while pages are left; whether it caught up. */
  const pull = async <T>(
    listing: 'customers' | 'orders' | 'activities',
    list: (request: CrmListRequest) => Promise<CrmPage<T>>,
    apply: (items: readonly T[]) => Promise<void>,
  ): Promise<boolean> => {
    const cursorId = recordIdOf(`${name}:${listing}`);
    const stored = await withTenant(ctx, tenantId, async (tx) => ({
      result: await cursors.get(tx, tenantId, cursorId),
      audit: [],
    }));
    let cursor = stored?.data.cursor ?? null;
    for (let pages = 0; pages < options.maxPages; pages++) {
      options.signal?.throwIfAborted();
      const page = await list({ tenantId, cursor, limit, signal: options.signal });
      if (page.items.length > 0) await apply(page.items);
      cursor = page.cursor;
      const now = ctx.clock.now().toISOString();
      const data = { connector: name, listing, cursor };
      await ctx.store.transaction((tx) =>
        cursors.upsert(tx, { tenantId, id: cursorId, ref: name, status: null, at: now, data }, now),
      );
      if (page.caughtUp) return true;
    }
    return false;
  };

  const listCustomers = (connector.listCustomers as NonNullable<CrmConnector['listCustomers']>).bind(connector);
  let caughtUp = await pull('customers', listCustomers, (items) =>
    usersNow().then((users) => applyPage(ctx, tenantId, deps, name, items, users, options.unitId, counts)),
  );
  if (caughtUp && connector.listOrders && connector.capabilities.orders) {
    const listOrders = connector.listOrders.bind(connector);
    caughtUp = await pull('orders', listOrders, (items) =>
      usersNow().then((users) => applyOrders(ctx, tenantId, deps, name, items, users, orders)),
    );
  }
  if (caughtUp && connector.listActivities && connector.capabilities.activities) {
    const listActivities = connector.listActivities.bind(connector);
    caughtUp = await pull('activities', listActivities, (items) =>
      usersNow().then((users) => applyActivities(ctx, tenantId, deps, name, items, users, activities)),
    );
  }
  return { connector: name, customers: counts, orders, activities, caughtUp };
}

/** The Guard customer of each CRM id that is linked to one Guard still has (not one deleted since). */
async function customersInGuard(
  ctx: GuardContext,
  tenantId: string,
  connector: string,
  externalIds: readonly string[],
): Promise<Map<string, string>> {
  return ctx.store.transaction(async (tx) => {
    const linked = await linkedCustomers(tx, tenantId, connector, externalIds);
    const present = new Set((await tx.getCustomers(tenantId, [...new Set(linked.values())])).map((c) => c.id));
    return new Map([...linked].filter(([, customerId]) => present.has(customerId)));
  });
}

/** Orders of customers Guard has, through `orders.upsert`; the rest are counted as skipped. */
async function applyOrders(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connector: string,
  items: readonly CrmOrder[],
  users: ReadonlyMap<string, CrmUserEmployee>,
  counts: { upserted: number; skipped: number },
) {
  const guardIdOf = await customersInGuard(
    ctx,
    tenantId,
    connector,
    items.map((o) => o.customerExternalId),
  );
  const now = ctx.clock.now().toISOString();
  const batch: OrderInput[] = [];
  for (const o of items) {
    const customerId = guardIdOf.get(o.customerExternalId);
    const order: OrderInput = {
      id: newRecordId(connector, o.externalId),
      customerId: customerId ?? '',
      ownerId: o.ownerUserId === null ? null : (users.get(o.ownerUserId)?.id ?? null),
      amountMinor: Math.round(o.amount * 10 ** currencyDigits(o.currency)),
      currency: o.currency,
      orderedAt: o.at,
      status: o.status,
    };
    // A customer deleted in Guard since it was linked, an order Guard cannot store or one dated in the future would
    // fail the whole batch: each is skipped instead.
    const storable = orderSchema.safeParse(order).success && !inTheFuture(o.at, now);
    if (customerId === undefined || !storable) counts.skipped++;
    else batch.push(order);
  }
  if (batch.length > 0) await deps.upsertOrders(batch, { actor: SYNC_ACTOR });
  counts.upserted += batch.length;
}

/** Activities as `follow-up` signals (the employee who did it, the customer), each recorded once by its id. */
async function applyActivities(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connector: string,
  items: readonly CrmActivity[],
  users: ReadonlyMap<string, CrmUserEmployee>,
  counts: { recorded: number; skipped: number },
) {
  const guardIdOf = await customersInGuard(
    ctx,
    tenantId,
    connector,
    items.flatMap((a) => (a.customerExternalId === null ? [] : [a.customerExternalId])),
  );
  const now = ctx.clock.now().toISOString();
  const batch: SignalInput[] = [];
  for (const a of items) {
    const customerId = a.customerExternalId === null ? undefined : guardIdOf.get(a.customerExternalId);
    const employeeId = a.ownerUserId === null ? undefined : users.get(a.ownerUserId)?.id;
    const at = Date.parse(a.at);
    if (customerId === undefined || employeeId === undefined || !(at <= Date.parse(now))) {
      counts.skipped++;
      continue;
    }
    const id = newRecordId(connector, a.externalId);
    batch.push({ kind: 'follow-up', employeeId, customerId, at: new Date(at).toISOString(), id });
  }
  if (batch.length > 0) await deps.recordSignals(batch, { actor: SYNC_ACTOR });
  counts.recorded += batch.length;
}

/** Applies one page: new customers and renames through `customers.upsert`, owner conflicts as alerts. */
async function applyPage(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connector: string,
  items: readonly CrmCustomer[],
  users: ReadonlyMap<string, CrmUserEmployee>,
  poolUnitId: string | undefined,
  counts: {
    created: number;
    updated: number;
    unchanged: number;
    ownerConflicts: number;
    ownersFollowed: number;
    skipped: number;
    erased: number;
  },
) {
  const { linked, customers, erased } = await ctx.store.transaction(async (tx) => {
    const linked = await linkedCustomers(
      tx,
      tenantId,
      connector,
      items.map((i) => i.externalId),
    );
    const customers = new Map((await tx.getCustomers(tenantId, [...new Set(linked.values())])).map((c) => [c.id, c]));
    // An erased customer keeps only its id as its name: only those can be erased.
    const erased = new Set<string>();
    for (const c of customers.values()) {
      if (c.name === c.id && (await isErased(tx, tenantId, { type: 'customer', id: c.id }))) erased.add(c.id);
    }
    return { linked, customers, erased };
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
      const created: CustomerInput = {
        id: newRecordId(connector, item.externalId),
        name: item.name,
        ownerId: owner?.id ?? null,
        unitId,
        externalRefs: { [connector]: item.externalId },
      };
      // One customer Guard cannot store (a name too long, say) would fail the whole batch: it is skipped instead.
      if (!customerSchema.safeParse(created).success) {
        counts.skipped++;
        continue;
      }
      batch.push(created);
      counts.created++;
      continue;
    }
    const customer = customers.get(customerId);
    if (!customer) {
      counts.skipped++; // deleted in Guard: not brought back
      continue;
    }
    if (erased.has(customerId)) {
      counts.erased++; // erased in Guard: not written back
      continue;
    }
    const { tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...current } = customer;
    const renamed: CustomerInput = { ...current, name: item.name };
    if (customer.name === item.name || !customerSchema.safeParse(renamed).success) counts.unchanged++;
    else {
      batch.push(renamed);
      counts.updated++;
    }
    const crmOwner = item.ownerUserId === null ? null : (owner?.id ?? `?${item.ownerUserId}`);
    if (crmOwner !== customer.ownerId) conflicts.push({ customer, crm: item, crmOwner });
  }
  if (batch.length > 0) await deps.upsertCustomers(batch, { actor: SYNC_ACTOR });
  if (conflicts.length === 0) return;
  const { real, follow } = await ctx.store.transaction(async (tx) => {
    const settings = await loadSettings(tx, tenantId);
    const real: typeof conflicts = [];
    for (const conflict of conflicts) if (await isConflict(tx, connector, conflict.customer)) real.push(conflict);
    return { real, follow: settings.crm.ownerConflicts === 'follow-crm' };
  });
  counts.ownerConflicts += real.length;
  // With `follow-crm`, Guard takes the CRM's owner where it is an active employee or the pool.
  const followed = follow
    ? real.filter(({ crm, crmOwner }) => crmOwner === null || (users.get(crm.ownerUserId as string)?.active ?? false))
    : [];
  if (followed.length > 0) await followCrm(ctx, tenantId, deps, connector, followed);
  counts.ownersFollowed += followed.length;
  const alerted = real.filter((c) => !followed.includes(c));
  if (alerted.length === 0) return;
  const now = ctx.clock.now().toISOString();
  await ctx.store.transaction(async (tx) => {
    const audit: AuditDraft[] = [];
    const hr = await employeesWithRole(tx, tenantId, 'hr-admin');
    for (const { customer, crm, crmOwner } of alerted) {
      const unknownUser = crmOwner?.startsWith('?') === true;
      await raiseAlert(
        ctx,
        { tx, now, tenantId, record: (d) => audit.push(d) },
        {
          kind: 'crm-owner-differs',
          severity: 'medium',
          employeeId: customer.ownerId,
          summary: deferredText('summaries', 'crmOwnerDiffers', {
            connector,
            customerId: customer.id,
            customerName: customerName(customer.id),
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

/**
 * Makes the CRM's owners Guard's, through `customers.upsert` (audited as a
 * sync owner change; no transfer goes back), and notes in each transfer
 * state that the CRM holds the customer under that owner, so the next
 * transfer starts from there.
 */
async function followCrm(
  ctx: GuardContext,
  tenantId: string,
  deps: CrmSyncDeps,
  connector: string,
  followed: readonly { customer: CustomerRecord; crmOwner: string | null }[],
) {
  const ids = followed.map((f) => f.customer.id);
  const current = await ctx.store.transaction((tx) => tx.getCustomers(tenantId, ids));
  const owners = new Map(followed.map((f) => [f.customer.id, f.crmOwner]));
  await deps.upsertCustomers(
    current.map(({ tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...c }) => ({
      ...c,
      ownerId: owners.get(c.id) ?? null,
    })),
    { actor: SYNC_ACTOR },
  );
  const now = ctx.clock.now().toISOString();
  await ctx.store.transaction(async (tx) => {
    for (const id of ids) {
      const state = await transferStates.get(tx, tenantId, transferStateId(connector, id));
      if (state)
        await transferStates.update(tx, state, { data: { ...state.data, crmOwner: owners.get(id) ?? null } }, now);
    }
  });
}
