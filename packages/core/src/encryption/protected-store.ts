import type { FieldValue } from '../domain/entities.js';
import { DataKeyError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import type { CustomerRecord, Store, StoreTransaction } from '../ports/store.js';
import { open, seal } from './cipher.js';
import type { DataKey, DataKeys } from './data-keys.js';
import { EmployeeContactCipher } from './employee-contact.js';
import { defineLazy } from './lazy.js';

/**
 * Where a customer's encrypted field classes are stored in its `fields`: a
 * name no field class can have (class names start with a letter).
 */
export const SEALED_FIELDS = '~sealed';

/** The field classes stored in clear: the ones the policy shows to anyone who may read the customer. */
const PLAIN_CLASSES: ReadonlySet<string> = new Set(['public']);

type Fields = CustomerRecord['fields'];

/** What `fields['~sealed']` holds: the data key's id and the sealed JSON of every other class. */
interface SealedFields {
  readonly alg: 'A256GCM';
  readonly key: string;
  readonly data: string;
}

const fieldsContext = (tenantId: string, customerId: string, keyId: string) =>
  `guard/customer-fields/v1\n${tenantId}\n${customerId}\n${keyId}`;

/** The sealed classes of stored `fields`: `null` when there are none, `'malformed'` when they are not in the sealed form. */
function sealedOf(fields: Fields): SealedFields | null | 'malformed' {
  const sealed = (fields as Record<string, unknown>)[SEALED_FIELDS] as Partial<SealedFields> | null | undefined;
  if (sealed === undefined) return null;
  if (
    sealed === null ||
    typeof sealed !== 'object' ||
    typeof sealed.key !== 'string' ||
    typeof sealed.data !== 'string'
  ) {
    return 'malformed';
  }
  return { alg: 'A256GCM', key: sealed.key, data: sealed.data };
}

/**
 * The store as Guard's features see it: customers' field classes other than
 * `public` (by default `contact` and `commercial`) and employees' `email`
 * and `mobile` are encrypted before they reach the host's store, and
 * decrypted when read, with the customer's or employee's own data key
 * ({@link DataKeys}). Everything else passes through unchanged.
 *
 * - A customer whose data key was destroyed (erased) reads with only its
 *   clear classes: what was encrypted is gone.
 * - Rows written before encryption (clear classes, no `~sealed`) read as
 *   they are and are encrypted by their next write.
 * - Ciphertext that fails authentication is a `DataKeyError` (`tampered`),
 *   never a silently wrong value, thrown where the fields are first looked
 *   at: they are decrypted then, not when the row is read.
 */
export function protectedStore(store: Store, keys: DataKeys, locale: Locale): Store {
  const customers = new CustomerCipher(keys, locale);
  const employees = new EmployeeContactCipher(keys, locale);
  return {
    name: store.name,
    capabilities: store.capabilities,
    transaction: (work) => store.transaction((tx) => work(customers.wrap(tx, employees))),
    close: () => store.close(),
  };
}

type ClassValues = Record<string, Record<string, FieldValue>>;

/** A record's classes in clear and to seal, or `null` when it has none to seal. */
function split(record: CustomerRecord): { clear: ClassValues; secret: ClassValues } | null {
  const clear: ClassValues = {};
  const secret: ClassValues = {};
  let secrets = false;
  for (const [name, values] of Object.entries(record.fields)) {
    if (PLAIN_CLASSES.has(name)) clear[name] = values;
    else {
      secret[name] = values;
      secrets = true;
    }
  }
  return secrets ? { clear, secret } : null;
}

function sealWith(record: CustomerRecord, parts: { clear: ClassValues; secret: ClassValues }, key: DataKey) {
  const context = fieldsContext(record.tenantId, record.id, key.id);
  const data = seal(key.key, context, Buffer.from(JSON.stringify(parts.secret), 'utf8'));
  const sealed: SealedFields = { alg: 'A256GCM', key: key.id, data };
  return { ...record, fields: { ...parts.clear, [SEALED_FIELDS]: sealed as unknown as Record<string, FieldValue> } };
}

class CustomerCipher {
  readonly #keys: DataKeys;
  readonly #locale: Locale;

  constructor(keys: DataKeys, locale: Locale) {
    this.#keys = keys;
    this.#locale = locale;
  }

  /** `tx` with its customer and employee operations encrypting and decrypting. */
  wrap(tx: StoreTransaction, employees: EmployeeContactCipher): StoreTransaction {
    const overrides: Partial<StoreTransaction> = {
      getEmployees: async (tenantId, ids) => employees.openAll(tx, await tx.getEmployees(tenantId, ids)),
      listEmployees: async (tenantId, page) => {
        const result = await tx.listEmployees(tenantId, page);
        return { items: await employees.openAll(tx, result.items), nextCursor: result.nextCursor };
      },
      putEmployees: async (records) => tx.putEmployees(await employees.sealAll(tx, records)),
      getCustomer: async (tenantId, id) => {
        const record = await tx.getCustomer(tenantId, id);
        return record === null ? null : this.open(tx, record);
      },
      getCustomers: async (tenantId, ids) => this.openAll(tx, await tx.getCustomers(tenantId, ids)),
      listCustomers: async (tenantId, filter, page) => {
        const result = await tx.listCustomers(tenantId, filter, page);
        return { items: await this.openAll(tx, result.items), nextCursor: result.nextCursor };
      },
      setCustomerOwner: async (tenantId, customerId, change) => {
        const record = await tx.setCustomerOwner(tenantId, customerId, change);
        return record === null ? null : this.open(tx, record);
      },
      putCustomer: async (record, expectedVersion) => tx.putCustomer(await this.seal(tx, record), expectedVersion),
      insertCustomers: async (records) => tx.insertCustomers(await this.sealNew(tx, records)),
    };
    return new Proxy(tx, {
      get(target, property) {
        if (Object.hasOwn(overrides, property)) return overrides[property as keyof StoreTransaction];
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** The record as stored: its classes but `public` sealed under the customer's data key (created when needed). */
  async seal(tx: StoreTransaction, record: CustomerRecord): Promise<CustomerRecord> {
    const parts = split(record);
    if (parts === null) return record;
    const subject = { type: 'customer', id: record.id } as const;
    return sealWith(record, parts, await this.#keys.getOrCreate(tx, record.tenantId, subject, record.updatedAt));
  }

  /** {@link seal} for a batch of new customers: their data keys are created together. */
  async sealNew(tx: StoreTransaction, records: readonly CustomerRecord[]): Promise<CustomerRecord[]> {
    const parts = records.map(split);
    const needKeys = records.filter((_, i) => parts[i] !== null);
    const [first] = needKeys;
    if (first === undefined) return [...records];
    const subjects = needKeys.map((r) => ({ type: 'customer', id: r.id }) as const);
    const keys = await this.#keys.getOrCreateMany(tx, first.tenantId, subjects, first.updatedAt);
    return records.map((record, i) => {
      const p = parts[i];
      const key = keys.get(record.id);
      return p === null || p === undefined || key === undefined ? record : sealWith(record, p, key);
    });
  }

  async open(tx: StoreTransaction, record: CustomerRecord): Promise<CustomerRecord> {
    const sealed = sealedOf(record.fields);
    if (sealed === null) return record;
    const subject = { type: 'customer', id: record.id } as const;
    const tampered = () =>
      new DataKeyError({ tenantId: record.tenantId, subject, problem: 'tampered' }, { locale: this.#locale });
    if (sealed === 'malformed') throw tampered();
    const { [SEALED_FIELDS]: _, ...clear } = record.fields;
    // The row is cleared in the transaction that destroys its key: a key read before may be taken from memory.
    const key = await this.#keys.forSealed(tx, record.tenantId, subject, sealed.key);
    // Erased: what was sealed is gone. (Erasure clears the row too; this is what a copy made before it reads as.)
    if (key === null) return { ...record, fields: clear };
    if (key.id !== sealed.key) throw tampered();
    // Opened when looked at: a read that needs only the name, owner or unit (a name shown in a text, an
    // ownership check) decrypts nothing.
    const opened: CustomerRecord = { ...record };
    defineLazy(opened, 'fields', () => {
      const plain = open(key.key, fieldsContext(record.tenantId, record.id, key.id), sealed.data);
      if (plain === null) throw tampered();
      return { ...clear, ...(JSON.parse(plain.toString('utf8')) as Fields) };
    });
    return opened;
  }

  openAll(tx: StoreTransaction, records: readonly CustomerRecord[]): Promise<CustomerRecord[]> {
    return Promise.all(records.map((record) => this.open(tx, record)));
  }
}
