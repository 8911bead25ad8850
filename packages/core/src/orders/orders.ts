import * as z from 'zod';
import { canonicalJson } from '../audit/canonical-json.js';
import { sha256Hex } from '../audit/hash.js';
import { type ActorRef, actorRefSchema, type Order, orderSchema } from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import { ValidationError, type ValidationIssue } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import { type GuardContext, HOST_ACTOR, inTheFuture, inUnitOfWork, type UnitOfWork } from '../kernel/context.js';
import { existingIds } from '../kernel/directory.js';
import { applyLedgerDeltas, type LedgerDelta } from '../risk/ledger-store.js';
import { recordKind } from '../store/records.js';

/**
 * Orders are records of this kind: `id` = the order id, `ref` = the customer
 * id, `status` = the order's status, `at` = when it was ordered, `data` an
 * {@link Order}. Write them with {@link OrdersApi.upsert}; the offboarding
 * checklist and evidence packs read them.
 *
 * @example
 * ```ts
 * import { ORDER_KIND } from '@guard/core';
 * const page = await tx.listRecords('acme', { kind: ORDER_KIND, ref: 'c-1001' }, { limit: 100 });
 * ```
 */
export const ORDER_KIND = 'order';

const orderRecords = recordKind(ORDER_KIND, orderSchema);

/** Statuses of an order that is (or was) business: they count in the risk facts; `lost` and `cancelled` do not. */
const COUNTED = new Set<Order['status']>(['open', 'won', 'fulfilled']);
/** Up to this many orders per call, as for signals. */
const BATCH = 10_000;

const ordersSchema = z.array(orderSchema).min(1).max(BATCH);
const optionsSchema = z.strictObject({ actor: actorRefSchema.optional() });

/**
 * An order as the host sends it: {@link Order}, with `receivableMinor`
 * optional (0) and an optional `title` shown on handover checklists.
 *
 * @example
 * ```ts
 * import type { OrderInput } from '@guard/core';
 * const o: OrderInput = {
 *   id: 'o-9', customerId: 'c-1001', ownerId: 'e-7', amountMinor: 12_000_00, currency: 'CNY',
 *   orderedAt: '2026-10-30T08:00:00+08:00', status: 'won',
 * };
 * ```
 */
export type OrderInput = z.input<typeof orderSchema>;

/**
 * What {@link OrdersApi.upsert} did.
 *
 * @example
 * ```ts
 * const r = await acme.orders.upsert(batch);
 * console.log(`${r.created} new, ${r.updated} changed, ${r.unchanged} as they were`);
 * ```
 */
export interface UpsertOrdersResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

/**
 * Orders the host syncs from its CRM or ERP: the way to feed Guard orders
 * (never raw store records). Orders feed the risk facts of their customer
 * and of the employee who owned it when ordered (`orderAmount90d`,
 * `orderAmountTrend`, `orders90d`, `daysSinceLastOrder`,
 * `ordersSinceOwnerLeft`), the offboarding checklist (open orders and money
 * still owed) and evidence packs.
 *
 * @example
 * ```ts
 * await acme.orders.upsert([
 *   { id: 'o-9', customerId: 'c-1001', ownerId: 'e-7', amountMinor: 12_000_00, currency: 'CNY',
 *     orderedAt: '2026-10-30T08:00:00+08:00', status: 'won', receivableMinor: 6_000_00, title: 'PO 2026-118' },
 * ], { actor: { type: 'host', id: 'erp-sync' } });
 * ```
 */
export interface OrdersApi {
  /**
   * Creates or replaces orders by id, up to 10,000 per call, in one
   * transaction. A second upsert of the same order is `unchanged` and
   * changes nothing, so a sync can be re-run. A bad order — malformed, an
   * unknown customer or owner, dated in the future, or an id twice in the
   * batch — is a `ValidationError` whose paths start with its index, and
   * nothing of the batch is written.
   *
   * The risk facts follow the change, kept at write time: an order counts
   * while its status is `open`, `won` or `fulfilled`; a change of amount,
   * date, customer or owner moves its contribution, and `lost` or
   * `cancelled` takes it out. Amounts enter the facts in major units of
   * their currency (fen ÷ 100, yen as they are); facts add amounts of
   * different currencies as they are, so feed one currency per tenant.
   * Each call is audited once (`orders.upsert`: the counts and the
   * SHA-256 of the batch as validated).
   */
  upsert(
    orders: OrderInput | readonly OrderInput[],
    options?: { readonly actor?: ActorRef },
  ): Promise<UpsertOrdersResult>;
}

const digitsOf = new Map<string, number>();
/** Minor-unit digits of a currency (2 for CNY, 0 for JPY, 3 for BHD), from the runtime's ICU data; 2 when unknown. */
export function currencyDigits(currency: string): number {
  let digits = digitsOf.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsOf.set(currency, digits);
  }
  return digits;
}

function majorUnits(order: Order): number {
  return order.amountMinor / 10 ** currencyDigits(order.currency);
}

/** What an order adds to the ledgers (`sign` 1) or takes out of them (`sign` -1). */
function contribution(order: Order, sign: 1 | -1): LedgerDelta[] {
  if (!COUNTED.has(order.status)) return [];
  const at = new Date(order.orderedAt).toISOString();
  const value = majorUnits(order);
  const subjects = [
    { type: 'customer' as const, id: order.customerId },
    ...(order.ownerId === null ? [] : [{ type: 'employee' as const, id: order.ownerId }]),
  ];
  return subjects.map((subject) => ({ subject, kind: 'order' as const, at, count: sign, sum: sign * value }));
}

/** What only the store can tell about validated orders; paths start with the order's index. */
async function orderProblems(uow: UnitOfWork, orders: readonly Order[]): Promise<ValidationIssue[]> {
  const { tx, tenant } = uow;
  const customers = await existingIds(
    tx,
    tenant.id,
    'customer',
    orders.map((o) => o.customerId),
  );
  const employees = await existingIds(
    tx,
    tenant.id,
    'employee',
    orders.flatMap((o) => (o.ownerId === null ? [] : [o.ownerId])),
  );
  const firstIndex = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  orders.forEach((o, i) => {
    const first = firstIndex.get(o.id);
    if (first === undefined) firstIndex.set(o.id, i);
    else
      issues.push({ path: [i, 'id'], code: 'custom', message: validationMessage('duplicate', { value: o.id, first }) });
    if (!customers.has(o.customerId)) {
      issues.push({
        path: [i, 'customerId'],
        code: 'custom',
        message: validationMessage('unknown-customer', { id: o.customerId }),
      });
    }
    if (o.ownerId !== null && !employees.has(o.ownerId)) {
      issues.push({
        path: [i, 'ownerId'],
        code: 'custom',
        message: validationMessage('unknown-employee', { id: o.ownerId }),
      });
    }
    if (inTheFuture(o.orderedAt, uow.now)) {
      issues.push({ path: [i, 'orderedAt'], code: 'custom', message: validationMessage('order-in-future') });
    }
  });
  return issues;
}

/**
 * The tenant-scoped orders API; see {@link OrdersApi}.
 *
 * @example
 * ```ts
 * const r = await ordersApi(ctx, 'acme').upsert(order);
 * ```
 */
export function ordersApi(ctx: GuardContext, tenantId: string): OrdersApi {
  const { locale } = ctx;
  return {
    upsert: async (input, options = {}) => {
      const orders = parseInput(ordersSchema, Array.isArray(input) ? input : [input], { what: 'orders', locale });
      const { actor } = parseInput(optionsSchema, options, { what: 'orders options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const issues = await orderProblems(uow, orders);
        if (issues.length > 0) throw new ValidationError('orders', issues, { locale });
        let created = 0;
        let updated = 0;
        const deltas: LedgerDelta[] = [];
        for (const order of orders) {
          const stored = await uow.tx.getRecord(tenantId, ORDER_KIND, order.id);
          // A record written before this API (raw, in another shape) never fed the facts: nothing to take out.
          const before = stored ? orderSchema.safeParse(stored.data) : null;
          if (before?.success && canonicalJson(toJson(before.data)) === canonicalJson(toJson(order))) continue;
          if (before?.success) deltas.push(...contribution(before.data, -1));
          deltas.push(...contribution(order, 1));
          const at = new Date(order.orderedAt).toISOString();
          const draft = { tenantId, id: order.id, ref: order.customerId, status: order.status, at, data: order };
          await orderRecords.upsert(uow.tx, draft, uow.now, stored);
          if (stored) updated++;
          else created++;
        }
        await applyLedgerDeltas(uow.tx, tenantId, uow.now, deltas);
        const unchanged = orders.length - created - updated;
        uow.session.record({
          actor: actor ?? HOST_ACTOR,
          action: 'orders.upsert',
          subject: { type: 'tenant', id: tenantId },
          data: {
            orders: orders.length,
            created,
            updated,
            unchanged,
            batchDigest: sha256Hex(canonicalJson(toJson(orders))),
          },
        });
        return { created, updated, unchanged };
      });
    },
  };
}
