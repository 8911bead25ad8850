import { DataKeyError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import type { EmployeeRecord, StoreTransaction } from '../ports/store.js';
import { open, seal } from './cipher.js';
import type { DataKey, DataKeys, DataSubject } from './data-keys.js';
import { defineLazy } from './lazy.js';

/**
 * How an employee's encrypted `email` or `mobile` starts in the store. No
 * valid e-mail address or mobile number starts with `~`, so a value without
 * it is one written in clear before encryption.
 */
export const SEALED_CONTACT_PREFIX = '~A256GCM.';

/** The employee fields encrypted at rest: personal contacts, which nobody needs to query by. */
const CONTACT_FIELDS = ['email', 'mobile'] as const;
type ContactField = (typeof CONTACT_FIELDS)[number];

const contactContext = (tenantId: string, employeeId: string, field: ContactField, keyId: string) =>
  `guard/employee-contact/v1\n${tenantId}\n${employeeId}\n${field}\n${keyId}`;

/** `~A256GCM.<key id>.<sealed>`: the data key's id, then the cipher's own text form. */
function sealedOf(value: string | null): { readonly key: string; readonly data: string } | null | 'malformed' {
  if (value === null || !value.startsWith(SEALED_CONTACT_PREFIX)) return null;
  const rest = value.slice(SEALED_CONTACT_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return 'malformed';
  return { key: rest.slice(0, dot), data: rest.slice(dot + 1) };
}

/**
 * Employees' `email` and `mobile` encrypted at rest under each employee's
 * data key, the way customers' contact fields are: written sealed, read in
 * clear. They are opened only when read: a read that does not look at them —
 * the acting employee of every guarded call — pays for the key lookup (from
 * memory once the process has seen it) and no decryption.
 */
export class EmployeeContactCipher {
  readonly #keys: DataKeys;
  readonly #locale: Locale;

  constructor(keys: DataKeys, locale: Locale) {
    this.#keys = keys;
    this.#locale = locale;
  }

  /** The records as stored: every contact sealed under its employee's data key, created when needed (one statement per tenant). */
  async sealAll(tx: StoreTransaction, records: readonly EmployeeRecord[]): Promise<EmployeeRecord[]> {
    const todo = records.filter((r) => r.email !== null || r.mobile !== null);
    if (todo.length === 0) return [...records];
    const keys = new Map<string, DataKey>();
    const tenants = new Map<string, EmployeeRecord[]>();
    for (const r of todo) tenants.set(r.tenantId, [...(tenants.get(r.tenantId) ?? []), r]);
    for (const [tenantId, group] of tenants) {
      const ids = [...new Set(group.map((r) => r.id))];
      // Employees stored with sealed contacts already have a key, named in the row: usually in memory (a sync
      // has just read them). Only the others need their key read or made, all in one statement.
      const missing = new Set(ids);
      for (const stored of await tx.getEmployees(tenantId, ids)) {
        const sealed = sealedOf(stored.email) ?? sealedOf(stored.mobile);
        if (sealed === null || sealed === 'malformed') continue;
        const key = await this.#keys.forSealed(tx, tenantId, { type: 'employee', id: stored.id }, sealed.key);
        if (key === null) continue;
        keys.set(`${tenantId}\n${stored.id}`, key);
        missing.delete(stored.id);
      }
      const subjects = [...missing].map((id): DataSubject => ({ type: 'employee', id }));
      const made = await this.#keys.getOrCreateMany(tx, tenantId, subjects, (group[0] as EmployeeRecord).updatedAt);
      for (const [id, key] of made) keys.set(`${tenantId}\n${id}`, key);
    }
    return records.map((r) => {
      const key = keys.get(`${r.tenantId}\n${r.id}`);
      if (key === undefined) return r;
      const sealField = (field: ContactField) => {
        const value = r[field];
        if (value === null) return null;
        const data = seal(key.key, contactContext(r.tenantId, r.id, field, key.id), Buffer.from(value, 'utf8'));
        return `${SEALED_CONTACT_PREFIX}${key.id}.${data}`;
      };
      return { ...r, email: sealField('email'), mobile: sealField('mobile') };
    });
  }

  /** The records as Guard reads them: contacts in clear when looked at; `null` for an employee whose key was destroyed. */
  openAll(tx: StoreTransaction, records: readonly EmployeeRecord[]): Promise<EmployeeRecord[]> {
    return Promise.all(records.map((r) => this.#open(tx, r)));
  }

  async #open(tx: StoreTransaction, record: EmployeeRecord): Promise<EmployeeRecord> {
    const sealed = { email: sealedOf(record.email), mobile: sealedOf(record.mobile) };
    if (sealed.email === null && sealed.mobile === null) return record;
    const subject: DataSubject = { type: 'employee', id: record.id };
    const tampered = () =>
      new DataKeyError({ tenantId: record.tenantId, subject, problem: 'tampered' }, { locale: this.#locale });
    const { email, mobile } = sealed;
    if (email === 'malformed' || mobile === 'malformed') throw tampered();
    const keyId = (email ?? mobile)?.key as string;
    if (email !== null && mobile !== null && email.key !== mobile.key) throw tampered();
    const parts = { email, mobile };
    // Erasure clears these columns in the transaction that destroys the key: a key read before may come from memory.
    const key = await this.#keys.forSealed(tx, record.tenantId, subject, keyId);
    if (key !== null && key.id !== keyId) throw tampered();
    const opened: EmployeeRecord = { ...record };
    for (const field of CONTACT_FIELDS) {
      const s = parts[field];
      if (s === null) continue;
      defineLazy(opened, field, () => {
        if (key === null) return null; // erased: what was sealed is gone
        const plain = open(key.key, contactContext(record.tenantId, record.id, field, key.id), s.data);
        if (plain === null) throw tampered();
        return plain.toString('utf8');
      });
    }
    return opened;
  }
}
