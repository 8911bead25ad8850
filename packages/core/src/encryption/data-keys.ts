import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DataKeyError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import type { KeyProvider, SecretKey } from '../ports/keys.js';
import type { PageRequest, StoreTransaction } from '../ports/store.js';
import { recordIdOf, recordKind, type TypedRecord } from '../store/records.js';
import { deriveKey, newKey, open, seal } from './cipher.js';

/**
 * Whose personal data a data key protects: a customer or an employee.
 *
 * @example
 * ```ts
 * import type { DataSubject } from '@guard/core';
 * const subject: DataSubject = { type: 'customer', id: 'c-1001' };
 * ```
 */
export interface DataSubject {
  readonly type: 'customer' | 'employee';
  readonly id: string;
}

/** A subject's data key, unwrapped: `id` names this key (a new one after an erasure), `key` is 32 bytes. */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

const PURPOSE = 'data-key';
const WRAP_LABEL = 'guard/data-key-wrap/v1';

/** The record kind of wrapped data keys: one record per subject, deleted when the subject is erased. */
export const DATA_KEY_KIND = 'data-key';

const dataKeys = recordKind(
  DATA_KEY_KIND,
  z.strictObject({
    subject: z.strictObject({ type: z.enum(['customer', 'employee']), id: z.string() }),
    /** This data key's own id, bound into everything it encrypts. */
    id: z.string().regex(/^[0-9a-f]{16}$/),
    /** The id of the provider's key that wrapped it. */
    keyId: z.string(),
    /** The data key sealed under the wrapping key. */
    wrapped: z.string(),
  }),
);

type DataKeyRecord = TypedRecord<ReturnType<typeof dataKeys.read>['data']>;

/** The record id of a subject's data key. */
const recordId = (subject: DataSubject) => recordIdOf(`${subject.type}:${subject.id}`);

const wrapContext = (tenantId: string, subject: DataSubject, id: string) =>
  `guard/data-key/v1\n${tenantId}\n${subject.type}:${subject.id}\n${id}`;

/** How many unwrapped data keys a process keeps, and for how long. */
const CACHE_SIZE = 10_000;
const CACHE_MS = 5 * 60_000;

type KeyCache = Map<string, { readonly key: Buffer; readonly until: number }>;

/** Where {@link DataKeys.forSealed} keeps a key it has read: by tenant, subject and key id. */
const byIdKey = (tenantId: string, subject: DataSubject, keyId: string) =>
  `${tenantId}\n${subject.type}:${subject.id}\n${keyId}`;

/** Keeps `key` for {@link CACHE_MS}, dropping the oldest entry when the cache is full. */
function remember(cache: KeyCache, cacheKey: string, key: Buffer): void {
  cache.delete(cacheKey);
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(cacheKey, { key, until: Date.now() + CACHE_MS });
}

/**
 * Per-subject data keys (envelope encryption): each customer or employee has
 * a random AES-256 data key, stored wrapped (AES-256-GCM) by the
 * {@link KeyProvider}'s `data-key` key in a record of its own. Destroying
 * that record is what erases the subject: every value encrypted under the
 * key — wherever it was copied — can no longer be read.
 *
 * Rotating the provider's key needs no downtime: new data keys are wrapped
 * with the current key, old ones are unwrapped with the key that wrapped
 * them (by id), and {@link DataKeys.rewrap} moves them to the current key.
 *
 * {@link DataKeys.get} looks the wrapped key up in the caller's
 * transaction, so an erasure or a rolled-back creation is seen at once; only
 * the unwrapping is cached, by the wrapped bytes. {@link DataKeys.forSealed}
 * also keeps a key it has read, for rows cleared with their key.
 */
export class DataKeys {
  readonly #keys: KeyProvider;
  readonly #locale: Locale;
  readonly #unwrapped: KeyCache = new Map();
  readonly #byId: KeyCache = new Map();
  readonly #wrapping = new WeakMap<SecretKey, Buffer>();

  constructor(options: { readonly keys: KeyProvider; readonly locale: Locale }) {
    this.#keys = options.keys;
    this.#locale = options.locale;
  }

  /** The subject's data key, or `null` when it has none (never had one, or was erased). */
  async get(tx: StoreTransaction, tenantId: string, subject: DataSubject): Promise<DataKey | null> {
    const record = await dataKeys.get(tx, tenantId, recordId(subject));
    return record === null ? null : this.#unwrap(tenantId, subject, record.data);
  }

  /**
   * The subject's data key to decrypt something sealed under the key `keyId`:
   * {@link DataKeys.get}, but a key this process has already read is taken
   * from memory without reading the store. Use it only for a record that is
   * cleared in the transaction that destroys its key (as an erasure clears
   * the customer's row): a copy elsewhere must be read with `get`, which sees
   * an erasure at once.
   */
  async forSealed(
    tx: StoreTransaction,
    tenantId: string,
    subject: DataSubject,
    keyId: string,
  ): Promise<DataKey | null> {
    const cacheKey = byIdKey(tenantId, subject, keyId);
    const cached = this.#byId.get(cacheKey);
    if (cached !== undefined && cached.until > Date.now()) return { id: keyId, key: cached.key };
    const key = await this.get(tx, tenantId, subject);
    if (key !== null && key.id === keyId) remember(this.#byId, cacheKey, key.key);
    return key;
  }

  /** The subject's data key, created (and stored in `tx`) when it has none. */
  async getOrCreate(tx: StoreTransaction, tenantId: string, subject: DataSubject, now: string): Promise<DataKey> {
    const found = await this.get(tx, tenantId, subject);
    if (found !== null) return found;
    const fresh = this.#fresh(tenantId, subject, await this.#current(tenantId, subject), now);
    await dataKeys.insert(tx, fresh.draft, now);
    this.#madeHere(tenantId, subject, fresh.key);
    return fresh.key;
  }

  /**
   * The data keys of subjects that are new (a batch of new customers): all
   * created in one statement; should one exist already, it is read and
   * kept. By subject id.
   */
  async getOrCreateMany(
    tx: StoreTransaction,
    tenantId: string,
    subjects: readonly DataSubject[],
    now: string,
  ): Promise<Map<string, DataKey>> {
    const keys = new Map<string, DataKey>();
    const [first] = subjects;
    if (first === undefined) return keys;
    const wrapper = await this.#current(tenantId, first);
    const fresh = subjects.map((subject) => this.#fresh(tenantId, subject, wrapper, now));
    const records = fresh.map(({ draft }) => ({
      ...draft,
      kind: DATA_KEY_KIND,
      version: 1,
      createdAt: now,
      updatedAt: now,
    }));
    const inserted = await tx.insertRecords(records);
    for (const [i, subject] of subjects.entries()) {
      const made = (fresh[i] as (typeof fresh)[number]).key;
      // Every one new (the usual case), or read what is stored: ours, or one that was there before.
      const key = inserted === records.length ? made : ((await this.get(tx, tenantId, subject)) ?? made);
      if (key === made) this.#madeHere(tenantId, subject, made);
      keys.set(subject.id, key);
    }
    return keys;
  }

  /**
   * Keeps a key this process has just made for {@link DataKeys.forSealed}: the rows sealed with it are read
   * next. Should its transaction roll back, so do those rows, and no row names the key.
   */
  #madeHere(tenantId: string, subject: DataSubject, key: DataKey): void {
    remember(this.#byId, byIdKey(tenantId, subject, key.id), key.key);
  }

  /** A new data key for `subject`, and the draft of its record, wrapped with `wrapper`. */
  #fresh(tenantId: string, subject: DataSubject, wrapper: SecretKey, now: string) {
    const key: DataKey = { id: randomBytes(8).toString('hex'), key: newKey() };
    const draft = {
      tenantId,
      id: recordId(subject),
      ref: subject.id,
      status: subject.type,
      at: now,
      data: {
        subject: { type: subject.type, id: subject.id },
        id: key.id,
        keyId: wrapper.id,
        wrapped: seal(this.#wrappingKey(wrapper), wrapContext(tenantId, subject, key.id), key.key),
      },
    };
    return { key, draft };
  }

  /** Destroys the subject's data key; `false` when it had none. */
  destroy(tx: StoreTransaction, tenantId: string, subject: DataSubject): Promise<boolean> {
    const prefix = `${tenantId}\n${subject.type}:${subject.id}\n`;
    for (const cached of this.#byId.keys()) if (cached.startsWith(prefix)) this.#byId.delete(cached);
    return tx.deleteRecord(tenantId, DATA_KEY_KIND, recordId(subject));
  }

  /**
   * Rewraps one page of the tenant's data keys with the provider's current
   * key (those already under it are left alone). The data keys themselves,
   * and so everything they encrypt, do not change.
   */
  async rewrap(
    tx: StoreTransaction,
    tenantId: string,
    page: PageRequest,
    now: string,
  ): Promise<{ readonly checked: number; readonly rewrapped: number; readonly nextCursor: string | null }> {
    const result = await dataKeys.list(tx, tenantId, {}, page);
    const [first] = result.items;
    const wrapper = first === undefined ? null : await this.#current(tenantId, first.data.subject);
    let rewrapped = 0;
    for (const record of result.items) {
      const subject = record.data.subject;
      if (wrapper === null || record.data.keyId === wrapper.id) continue;
      const key = await this.#unwrap(tenantId, subject, record.data);
      const wrapped = seal(this.#wrappingKey(wrapper), wrapContext(tenantId, subject, key.id), key.key);
      await dataKeys.update(tx, record, { data: { ...record.data, keyId: wrapper.id, wrapped } }, now);
      rewrapped++;
    }
    return { checked: result.items.length, rewrapped, nextCursor: result.nextCursor };
  }

  async #current(tenantId: string, subject: DataSubject): Promise<SecretKey> {
    const key = await this.#keys.currentKey(tenantId, PURPOSE);
    if (key === null || key.algorithm === 'Ed25519' || key.secret.byteLength < 32) {
      throw this.#error(tenantId, subject, 'no-current-key', key?.id);
    }
    return key;
  }

  async #unwrap(tenantId: string, subject: DataSubject, data: DataKeyRecord['data']): Promise<DataKey> {
    const cacheKey = `${data.keyId}\n${data.wrapped}`;
    const cached = this.#unwrapped.get(cacheKey);
    if (cached !== undefined && cached.until > Date.now()) return { id: data.id, key: cached.key };
    const wrapper = await this.#keys.keyById(tenantId, PURPOSE, data.keyId);
    if (wrapper === null || wrapper.algorithm === 'Ed25519') {
      throw this.#error(tenantId, subject, 'unknown-key', data.keyId);
    }
    const key = open(this.#wrappingKey(wrapper), wrapContext(tenantId, subject, data.id), data.wrapped);
    if (key === null || key.length !== 32) throw this.#error(tenantId, subject, 'tampered', data.keyId);
    remember(this.#unwrapped, cacheKey, key);
    return { id: data.id, key };
  }

  #wrappingKey(key: SecretKey): Buffer {
    let derived = this.#wrapping.get(key);
    if (derived === undefined) {
      derived = deriveKey(key.secret, WRAP_LABEL);
      this.#wrapping.set(key, derived);
    }
    return derived;
  }

  #error(
    tenantId: string,
    subject: DataSubject,
    problem: 'no-current-key' | 'unknown-key' | 'tampered',
    keyId?: string,
  ) {
    return new DataKeyError(
      { tenantId, subject: { type: subject.type, id: subject.id }, problem, ...(keyId === undefined ? {} : { keyId }) },
      { locale: this.#locale },
    );
  }
}
