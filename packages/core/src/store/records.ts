import { createHash } from 'node:crypto';
import type * as z from 'zod';
import type { Json } from '../domain/entities.js';
import { StoreError } from '../errors/guard-error.js';
import type { Page, PageRequest, RecordFilter, StoredRecord, StoreTransaction } from '../ports/store.js';

/** A key as a record id: itself when it fits the 128-character id, else `sha256:` and its SHA-256. */
export function recordIdOf(key: string): string {
  if (key.length <= 128) return key;
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** What a writer chooses of a record; its version and timestamps are {@link upsertRecord}'s business. */
export type RecordDraft = Pick<StoredRecord, 'tenantId' | 'kind' | 'id' | 'ref' | 'status' | 'at' | 'data'>;

/**
 * Writes a record whether or not it exists: one version above the stored
 * one (1 for a new record), `createdAt` kept, `updatedAt` now, with the
 * store's version check in the same write, so a concurrent writer gets a
 * `ConflictError` instead of a lost update. Pass `current` when it was just
 * read, to save reading it again. Returns what was written.
 */
export async function upsertRecord(
  tx: StoreTransaction,
  draft: RecordDraft,
  now: string,
  current?: Pick<StoredRecord, 'version' | 'createdAt'> | null,
): Promise<StoredRecord> {
  const stored = current === undefined ? await tx.getRecord(draft.tenantId, draft.kind, draft.id) : current;
  const record: StoredRecord = {
    ...draft,
    version: (stored?.version ?? 0) + 1,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
  };
  await tx.putRecord(record, stored?.version ?? null);
  return record;
}

/**
 * A stored record whose `data` has been parsed by its kind's schema.
 */
export type TypedRecord<T> = Omit<StoredRecord, 'data'> & { readonly data: T };

/** What a writer chooses of a typed record. */
export type TypedDraft<T> = Omit<RecordDraft, 'kind' | 'data'> & { readonly data: T };

/**
 * One kind of feature record (alerts, exports, training…) with the zod
 * schema of its data: data is parsed when written and when read, versions are
 * bumped here and only here, and a stored record that no longer parses is a
 * `StoreError` naming it — never a silent cast.
 */
export interface RecordKind<T> {
  readonly kind: string;
  /** Parses a record of this kind read some other way (e.g. from a list). */
  read(record: StoredRecord): TypedRecord<T>;
  /** The record with this id, parsed, or `null`. */
  get(tx: StoreTransaction, tenantId: string, id: string): Promise<TypedRecord<T> | null>;
  /** A page of records of this kind, parsed. */
  list(
    tx: StoreTransaction,
    tenantId: string,
    filter: Omit<RecordFilter, 'kind'>,
    page: PageRequest,
  ): Promise<Page<TypedRecord<T>>>;
  /** Writes a new record (version 1); a record with the id already there is a `ConflictError`. */
  insert(tx: StoreTransaction, draft: TypedDraft<T>, now: string): Promise<TypedRecord<T>>;
  /** Writes the next version of `current` with `change` applied, checked against the stored version. */
  update(
    tx: StoreTransaction,
    current: TypedRecord<T>,
    change: Partial<Pick<StoredRecord, 'ref' | 'status' | 'at'>> & { readonly data?: T },
    now: string,
  ): Promise<TypedRecord<T>>;
  /** Writes the record whether or not it exists; see {@link upsertRecord}. */
  upsert(
    tx: StoreTransaction,
    draft: TypedDraft<T>,
    now: string,
    current?: Pick<StoredRecord, 'version' | 'createdAt'> | null,
  ): Promise<TypedRecord<T>>;
}

/**
 * Parses JSON Guard stored earlier (record data, a timer's event) with its
 * schema; data that does not fit — written by another version, or behind
 * Guard's back — is a `StoreError` naming each bad path.
 *
 * @example
 * ```ts
 * const due = parseStored(followUpDueSchema, timer.event, 'timers', 'read follow-up.due event');
 * ```
 */
export function parseStored<S extends z.ZodType>(
  schema: S,
  data: unknown,
  store: string,
  operation: string,
): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
    throw new StoreError({ store, operation, detail });
  }
  return parsed.data;
}

/**
 * Declares a record kind with the schema of its data.
 *
 * @example
 * ```ts
 * const exportsKind = recordKind('export', z.object({ requester: z.string(), rows: z.int() }));
 * const record = await exportsKind.get(tx, 'acme', 'ex-1'); // record.data.rows is a number
 * ```
 */
export function recordKind<S extends z.ZodType>(kind: string, schema: S): RecordKind<z.output<S>> {
  type T = z.output<S>;
  const check = (data: unknown, operation: string, id: string): T =>
    parseStored(schema, data, 'records', `${operation} ${kind} "${id}"`);
  const parse = (record: StoredRecord): TypedRecord<T> => ({ ...record, data: check(record.data, 'read', record.id) });
  // Written data is parsed once, before the write, so what is stored is exactly what a read gives back. The one
  // cast of record data in core: a schema of JSON data parses to JSON.
  const write = async (id: string, data: T, put: (json: Json) => Promise<StoredRecord>): Promise<TypedRecord<T>> => {
    const checked = check(data, 'write', id);
    return { ...(await put(checked as unknown as Json)), data: checked };
  };
  const self: RecordKind<T> = {
    kind,
    read: parse,
    async get(tx, tenantId, id) {
      const record = await tx.getRecord(tenantId, kind, id);
      return record ? parse(record) : null;
    },
    async list(tx, tenantId, filter, page) {
      const result = await tx.listRecords(tenantId, { ...filter, kind }, page);
      return { items: result.items.map((r) => parse(r)), nextCursor: result.nextCursor };
    },
    insert: (tx, { data, ...draft }, now) =>
      write(draft.id, data, async (json) => {
        const record: StoredRecord = { ...draft, kind, data: json, version: 1, createdAt: now, updatedAt: now };
        await tx.putRecord(record, null);
        return record;
      }),
    update: (tx, current, { data, ...change }, now) =>
      write(current.id, data ?? current.data, async (json) => {
        const record: StoredRecord = {
          ...current,
          ...change,
          data: json,
          version: current.version + 1,
          updatedAt: now,
        };
        await tx.putRecord(record, current.version);
        return record;
      }),
    upsert: (tx, { data, ...draft }, now, current) =>
      write(draft.id, data, (json) => upsertRecord(tx, { ...draft, kind, data: json }, now, current)),
  };
  return self;
}
