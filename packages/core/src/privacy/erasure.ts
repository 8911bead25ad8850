import type { DataKeys, DataSubject } from '../encryption/data-keys.js';
import { LegalHoldError, NotFoundError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import { afterCustomerWrite, duplicateKeys } from '../ownership/customer-hooks.js';
import type { IdGenerator } from '../ports/ids.js';
import type { CustomerRecord, StoreTransaction } from '../ports/store.js';
import { holdsCovering } from './legal-holds.js';

/**
 * What an erasure did.
 *
 * @example
 * ```ts
 * import type { ErasureReport } from '@guard/core';
 * const show = (r: ErasureReport) =>
 *   `${r.subject.type} ${r.subject.id}: key ${r.dataKeyDestroyed ? 'destroyed' : 'already gone'}, ` +
 *   `classes ${r.fieldClasses.join(', ')} removed`;
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
  /** The field classes removed from the customer, `public` included. */
  readonly fieldClasses: readonly string[];
  /** Whether the customer's name was replaced by its id. */
  readonly nameErased: boolean;
  /** Entries of the duplicate index (hashes of the name and phone numbers) removed. */
  readonly indexEntries: number;
}

/**
 * Erases a customer's personal data in `tx`: refuses (`LegalHoldError`)
 * while a legal hold covers them; otherwise destroys their data key, and
 * replaces the record with one that keeps only what others' records refer
 * to — id, owner, unit, CRM ids — with the name set to the id and no fields.
 */
export async function eraseCustomer(
  deps: { readonly dataKeys: DataKeys; readonly ids: IdGenerator; readonly locale: Locale },
  tx: StoreTransaction,
  tenantId: string,
  customerId: string,
  now: string,
): Promise<ErasureReport> {
  const subject: DataSubject = { type: 'customer', id: customerId };
  const current = await tx.getCustomer(tenantId, customerId);
  if (current === null) {
    throw new NotFoundError({ entity: 'customer', id: customerId, tenantId }, { locale: deps.locale });
  }
  const holds = await holdsCovering(tx, tenantId, subject);
  if (holds.length > 0) {
    throw new LegalHoldError(
      { tenantId, subject, holds: holds.map((h) => ({ id: h.id, on: h.on })) },
      { locale: deps.locale },
    );
  }
  const dataKeyDestroyed = await deps.dataKeys.destroy(tx, tenantId, subject);
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
    subject,
    erasedAt: now,
    dataKeyDestroyed,
    fieldClasses: Object.keys(current.fields).sort(),
    nameErased: current.name !== current.id,
    indexEntries: duplicateKeys(current).filter((k) => !after.has(k)).length,
  };
}
