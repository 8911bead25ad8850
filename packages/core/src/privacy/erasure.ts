import type { DataKeys, DataSubject } from '../encryption/data-keys.js';
import { LegalHoldError, NotFoundError, ValidationError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import { validationMessage } from '../i18n/messages.js';
import { afterCustomerWrite, duplicateKeys } from '../ownership/customer-hooks.js';
import type { IdGenerator } from '../ports/ids.js';
import type { CustomerRecord, EmployeeRecord, StoreTransaction } from '../ports/store.js';
import { markErased } from './erased.js';
import { holdsCovering } from './legal-holds.js';

/**
 * What an erasure did.
 *
 * @example
 * ```ts
 * import type { ErasureReport } from '@guard/core';
 * const show = (r: ErasureReport) =>
 *   `${r.subject.type} ${r.subject.id}: ${r.erased.join(', ') || 'nothing left'} erased`;
 * ```
 */
export interface ErasureReport {
  readonly subject: DataSubject;
  readonly erasedAt: string;
  /**
   * Whether the subject's data key was destroyed now: everything encrypted
   * under it, wherever Guard copied it, can no longer be read. `false` when
   * there was none (nothing of theirs was encrypted, or they were erased
   * before).
   */
  readonly dataKeyDestroyed: boolean;
  /**
   * What was removed from the record, as paths: `name` (replaced by the id),
   * a customer's field classes (`fields.contact`, …), an employee's `email`,
   * `mobile`, `externalRefs` and `performanceBand`. Empty when nothing was
   * left to erase.
   */
  readonly erased: readonly string[];
  /** Entries of the duplicate index (hashes of a customer's name and phone numbers) removed. */
  readonly indexEntries: number;
}

type Deps = { readonly dataKeys: DataKeys; readonly ids: IdGenerator; readonly locale: Locale };

/**
 * Erases a customer's or a departed employee's personal data in `tx`:
 * refuses (`LegalHoldError`) while a legal hold covers them; otherwise
 * destroys their data key and replaces their record with one that keeps
 * only what others' records refer to, the name set to the id.
 */
export async function eraseSubject(
  deps: Deps,
  tx: StoreTransaction,
  tenantId: string,
  subject: DataSubject,
  now: string,
): Promise<ErasureReport> {
  // Read (and refuse what cannot be erased) before the holds are looked at.
  const current: { readonly customer: CustomerRecord } | { readonly employee: EmployeeRecord } =
    subject.type === 'customer'
      ? { customer: await requireCustomer(deps, tx, tenantId, subject.id) }
      : { employee: await requireDeparted(deps, tx, tenantId, subject.id) };
  const holds = await holdsCovering(tx, tenantId, subject);
  if (holds.length > 0) {
    throw new LegalHoldError(
      { tenantId, subject, holds: holds.map((h) => ({ id: h.id, on: h.on })) },
      { locale: deps.locale },
    );
  }
  const dataKeyDestroyed = await deps.dataKeys.destroy(tx, tenantId, subject);
  const { erased, indexEntries } =
    'customer' in current
      ? await scrubCustomer(deps, tx, current.customer, now)
      : await scrubEmployee(tx, current.employee, now);
  await markErased(tx, tenantId, subject, now);
  return { subject, erasedAt: now, dataKeyDestroyed, erased, indexEntries };
}

async function requireCustomer(deps: Deps, tx: StoreTransaction, tenantId: string, id: string) {
  const customer = await tx.getCustomer(tenantId, id);
  if (customer === null) throw new NotFoundError({ entity: 'customer', id, tenantId }, { locale: deps.locale });
  return customer;
}

async function requireDeparted(deps: Deps, tx: StoreTransaction, tenantId: string, id: string) {
  const [employee] = await tx.getEmployees(tenantId, [id]);
  if (employee === undefined) throw new NotFoundError({ entity: 'employee', id, tenantId }, { locale: deps.locale });
  if (employee.status !== 'departed') {
    const message = validationMessage('erase-departed-only', { id, status: employee.status });
    throw new ValidationError('erasure request', [{ path: ['employeeId'], code: 'custom', message }], {
      locale: deps.locale,
    });
  }
  return employee;
}

/** Replaces the customer with its id, owner, unit and CRM ids, and drops it from the duplicate index. */
async function scrubCustomer(deps: Deps, tx: StoreTransaction, current: CustomerRecord, now: string) {
  const erased: CustomerRecord = {
    ...current,
    name: current.id,
    fields: {},
    version: current.version + 1,
    updatedAt: now,
  };
  await tx.putCustomer(erased, current.version);
  await afterCustomerWrite(tx, deps, current, erased, now);
  const after = new Set(duplicateKeys(erased));
  return {
    erased: [
      ...(current.name === current.id ? [] : ['name']),
      ...Object.keys(current.fields)
        .sort()
        .map((c) => `fields.${c}`),
    ],
    indexEntries: duplicateKeys(current).filter((k) => !after.has(k)).length,
  };
}

/** Replaces the employee's name with the id and removes their contacts, CRM user ids and rating. */
async function scrubEmployee(tx: StoreTransaction, current: EmployeeRecord, now: string) {
  const erased: EmployeeRecord = {
    ...current,
    name: current.id,
    email: null,
    mobile: null,
    externalRefs: {},
    performanceBand: null,
    updatedAt: now,
  };
  await tx.putEmployees([erased]);
  return {
    erased: [
      ...(current.name === current.id ? [] : ['name']),
      ...(current.email === null ? [] : ['email']),
      ...(current.mobile === null ? [] : ['mobile']),
      ...(Object.keys(current.externalRefs).length === 0 ? [] : ['externalRefs']),
      ...(current.performanceBand === null ? [] : ['performanceBand']),
    ],
    indexEntries: 0,
  };
}
