import type { Json } from '../domain/entities.js';
import { namesIn, type ResolvedNames, renderDeferred } from '../i18n/deferred-text.js';
import type { Locale } from '../i18n/locale.js';
import type { StoreTransaction } from '../ports/store.js';

/**
 * The current names of the customers and employees that stored values
 * refer to, in one read per kind. An erased customer or employee reads as
 * their id, which erasure made their name.
 */
export async function lookUpNames(
  tx: Pick<StoreTransaction, 'getCustomers' | 'getEmployees'>,
  tenantId: string,
  values: readonly Json[],
): Promise<ResolvedNames> {
  const { customers, employees } = namesIn(values);
  const [c, e] = await Promise.all([
    customers.size === 0 ? [] : tx.getCustomers(tenantId, [...customers]),
    employees.size === 0 ? [] : tx.getEmployees(tenantId, [...employees]),
  ]);
  return {
    customers: new Map(c.map((r) => [r.id, r.name])),
    employees: new Map(e.map((r) => [r.id, r.name])),
  };
}

/**
 * Stored values as a reader sees them now: names looked up, catalog texts
 * rendered in `locale` (see `renderDeferred`).
 */
export async function readableNow<T extends Json>(
  tx: Pick<StoreTransaction, 'getCustomers' | 'getEmployees'>,
  tenantId: string,
  locale: Locale,
  values: readonly T[],
): Promise<Json[]> {
  const names = await lookUpNames(tx, tenantId, values);
  return values.map((v) => renderDeferred(locale, v, names));
}
