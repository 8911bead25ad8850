import type { AuditEntry } from '../domain/entities.js';
import { ConflictError, StoreError } from '../errors/guard-error.js';
import type { EntityName } from '../i18n/messages.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type {
  AuditCheckpoint,
  AuditHead,
  AuditQuery,
  ClaimRequest,
  CustomerFilter,
  CustomerRecord,
  EmployeeRecord,
  NewTimer,
  OrgUnitRecord,
  OutboxEffect,
  Page,
  PageRequest,
  RecordFilter,
  Store,
  StoredRecord,
  StoreTransaction,
  TenantRecord,
  TimerRecord,
  WorkflowFilter,
  WorkflowRecord,
} from '../ports/store.js';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.js';
import { type DueEntry, DueIndex } from './due-index.js';
import { checkStorableText } from './text.js';
import { checkVersions } from './versions.js';

/**
 * Everything a memory store holds for one tenant. Exposed through
 * {@link MemoryStore.raw} so tests can read (and deliberately corrupt) what was
 * really written.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@guard/core';
 * const store = memoryStore();
 * // …after some work:
 * const data = store.raw.get('acme');
 * console.log(data?.audit.length, data?.customers.size);
 * ```
 */
export interface MemoryTenantData {
  tenant: TenantRecord | null;
  readonly units: Map<string, OrgUnitRecord>;
  readonly employees: Map<string, EmployeeRecord>;
  readonly customers: Map<string, CustomerRecord>;
  /** Audit entries in append order; `audit[i].seq === i + 1` unless tampered with. */
  readonly audit: AuditEntry[];
  /** The audit chain's head row, moved by every append; `null` before the first entry. */
  auditHead: { seq: number; hash: string; seal: string | null } | null;
  readonly checkpoints: Map<number, AuditCheckpoint>;
  readonly workflows: Map<string, WorkflowRecord>;
  /** Outbox effects by idempotency key. */
  readonly effects: Map<string, OutboxEffect>;
  /** Timers by key. */
  readonly timers: Map<string, TimerRecord>;
  /** Records by kind, then id. */
  readonly records: Map<string, Map<string, StoredRecord>>;
}

/**
 * The in-memory {@link Store}: Guard's reference semantics. Every SQL store
 * is tested against the same conformance suite. Transactions run one at a
 * time and roll back completely when they throw. Data lives as long as the
 * object.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys, memoryStore } from '@guard/core';
 * const store = memoryStore();
 * const guard = createGuard({ store, keys: hmacKeys({ current: 'k1', keys: { k1: 'a-secret-of-at-least-32-bytes!!!!' } }) });
 * ```
 */
export interface MemoryStore extends Store {
  /**
   * The raw data, by tenant id. For tests and conformance raw readers only:
   * writing to it bypasses every guarantee (which is the point when testing
   * that tampering is detected).
   */
  readonly raw: ReadonlyMap<string, MemoryTenantData>;
}

type Undo = () => void;

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * import { manualClock, memoryStore, type MemoryStoreOptions } from '@guard/core';
 * const options: MemoryStoreOptions = { clock: manualClock('2026-11-02T02:00:00Z') };
 * const store = memoryStore(options);
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * The store's own clock — what a database server's clock is to a SQL
   * store: outbox and timer leases are judged on it, never on a worker's
   * clock. The system clock by default.
   */
  readonly clock?: Clock;
}

/**
 * Creates an empty {@link MemoryStore}.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@guard/core';
 * const store = memoryStore();
 * await store.transaction(async (tx) => tx.getTenant('acme')); // null
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? systemClock;
  const tenants = new Map<string, MemoryTenantData>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const due: Indexes = { effects: new DueIndex(), timers: new DueIndex() };

  const data = (tenantId: string, undo: Undo[] | null): MemoryTenantData => {
    let t = tenants.get(tenantId);
    if (!t) {
      t = {
        tenant: null,
        units: new Map(),
        employees: new Map(),
        customers: new Map(),
        audit: [],
        auditHead: null,
        checkpoints: new Map(),
        workflows: new Map(),
        effects: new Map(),
        timers: new Map(),
        records: new Map(),
      };
      // Reads of an unknown tenant see an empty, throw-away tenant; only writes create one.
      if (undo === null) return t;
      tenants.set(tenantId, t);
      undo.push(() => tenants.delete(tenantId));
    }
    return t;
  };

  const transaction = <T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> => {
    if (closed) {
      return Promise.reject(
        new StoreError({ store: 'memory', operation: 'transaction', detail: 'the store has been closed' }),
      );
    }
    const run = async (): Promise<T> => {
      const undo: Undo[] = [];
      let open = true;
      const tx = createTransaction(
        (tenantId, write) => {
          if (!open) throw new StoreError({ store: 'memory', operation: 'transaction', detail: 'used after it ended' });
          return data(tenantId, write ? undo : null);
        },
        () => tenants.values(),
        undo,
        clock,
        due,
      );
      try {
        const result = await work(tx);
        open = false;
        return result;
      } catch (error) {
        open = false;
        for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
        throw error;
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    name: 'memory',
    capabilities: { concurrentTransactions: false, skipLocked: false },
    raw: tenants,
    transaction,
    async close() {
      closed = true;
      await queue;
    },
  };
}

const clone = <T>(value: T): T => structuredClone(value);

function setWithUndo<K, V>(map: Map<K, V>, key: K, value: V, undo: Undo[]): void {
  const had = map.has(key);
  const previous = map.get(key);
  map.set(key, value);
  undo.push(() => (had ? map.set(key, previous as V) : map.delete(key)));
}

/** The sort key of a row, as a cursor holds it: one value, or one per ordering column. */
type SortKey = string | number | readonly (string | number)[];

/**
 * The page of `sorted` that starts after the cursor's position. `pastOf`
 * turns the decoded position into a test of whether a row comes after it
 * (false, then true, along `sorted`: keys are unique and sorted), throwing
 * `invalidCursor()` when the position is not of this listing's shape.
 */
function keysetPage<T, K extends SortKey>(
  sorted: readonly T[],
  page: PageRequest,
  keyOf: (item: T) => K,
  pastOf: (after: string | number | (string | number)[]) => (item: T) => boolean,
): Page<T> {
  let start = 0;
  if (page.cursor !== undefined) {
    const past = pastOf(decodeCursor(page.cursor).after);
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (past(sorted[mid] as T)) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const items = sorted.slice(start, start + page.limit);
  const last = items.at(-1);
  const more = start + page.limit < sorted.length;
  return { items, nextCursor: more && last !== undefined ? encodeCursor({ after: keyOf(last) }) : null };
}

/** A page of rows sorted ascending by one key. */
function pageOf<T>(sorted: readonly T[], keyOf: (item: T) => string | number, page: PageRequest): Page<T> {
  return keysetPage(sorted, page, keyOf, (after) => {
    if (Array.isArray(after)) throw invalidCursor();
    return (item) => keyOf(item) > after;
  });
}

/** An instant in `Date#toISOString()` form, for comparing strings; `null` when it is not a date. */
function normalizeInstant(instant: string): string | null {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The entity records' conflicts name. `EntityName` has no word for a record
 * of any kind yet: until the message catalogue has one, the message names it
 * by its `kind/id` alone.
 */
const RECORD_ENTITY: EntityName = 'record';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byId = (a: { id: string }, b: { id: string }) => compare(a.id, b.id);
const byAtThenId = (a: StoredRecord, b: StoredRecord) => compare(a.at, b.at) || compare(a.id, b.id);

/** The records of `filter` among `records` (of its kind), ordered by `at` then id, both descending for `desc`. */
function listRecordsOf(records: Iterable<StoredRecord>, filter: RecordFilter, page: PageRequest): Page<StoredRecord> {
  const from = filter.from === undefined ? undefined : normalizeInstant(filter.from);
  const to = filter.to === undefined ? undefined : normalizeInstant(filter.to);
  const desc = filter.order === 'desc';
  // An instant that is not a date matches nothing, as in queryAudit.
  const rows =
    from === null || to === null
      ? []
      : [...records]
          .filter(
            (r) =>
              (filter.ref === undefined || r.ref === filter.ref) &&
              (filter.status === undefined || r.status === filter.status) &&
              (from === undefined || r.at >= from) &&
              (to === undefined || r.at < to),
          )
          .sort(desc ? (a, b) => byAtThenId(b, a) : byAtThenId);
  return keysetPage(
    rows,
    page,
    (r): [string, string] => [r.at, r.id],
    (after) => {
      const [at, id, ...rest] = Array.isArray(after) ? after : [];
      if (typeof at !== 'string' || typeof id !== 'string' || rest.length > 0) throw invalidCursor();
      return desc ? (r) => r.at < at || (r.at === at && r.id < id) : (r) => r.at > at || (r.at === at && r.id > id);
    },
  );
}

/** The store's indexes of claimable rows, shared by its transactions. */
interface Indexes {
  readonly effects: DueIndex;
  readonly timers: DueIndex;
}

function createTransaction(
  tenant: (tenantId: string, write: boolean) => MemoryTenantData,
  everyTenant: () => Iterable<MemoryTenantData>,
  undo: Undo[],
  clock: Clock,
  indexes: Indexes,
): StoreTransaction {
  /**
   * Leases up to `limit` due, unleased rows of every tenant, oldest first
   * (then by id), taking them from the index in that order: a claim looks
   * at the due rows it takes and at those leased right now, never at rows
   * due later or settled. Every row still claimable later (leased ones, if
   * their lease runs out) goes back into the index.
   */
  const claim = <R extends { id: string; leaseOwner: string | null; leaseUntil: string | null; attempts: number }>(
    index: DueIndex,
    pick: (t: MemoryTenantData) => Map<string, R>,
    dueAt: (row: R) => string,
    eligible: (row: R) => boolean,
    request: ClaimRequest,
  ): R[] => {
    // Due by the caller's instant; leased by the store's clock, the one clock every worker shares.
    const storeNow = clock.now().toISOString();
    const taken: { map: Map<string, R>; key: string; row: R }[] = [];
    const back: DueEntry[] = [];
    const seen = new Set<string>();
    for (let entry = index.peek(); entry !== undefined && entry.due <= request.now; entry = index.peek()) {
      if (!(taken.length < request.limit)) break;
      index.pop();
      const map = pick(tenant(entry.tenantId, false));
      const row = map.get(entry.key);
      const sig = `${entry.tenantId}\u0000${entry.key}`;
      // Stale (the row changed since it was indexed, and was indexed again if still claimable) or a duplicate.
      if (!row || row.id !== entry.id || !eligible(row) || dueAt(row) !== entry.due || seen.has(sig)) continue;
      seen.add(sig);
      back.push(entry);
      if (row.leaseUntil === null || row.leaseUntil < storeNow) taken.push({ map, key: entry.key, row });
    }
    for (const entry of back) index.add(entry);
    const leaseUntil = new Date(Date.parse(storeNow) + request.leaseMs).toISOString();
    return taken.map(({ map, key, row }) => {
      const leased = { ...row, leaseOwner: request.workerId, leaseUntil, attempts: row.attempts + 1 };
      setWithUndo(map, key, leased, undo);
      return clone(leased);
    });
  };
  /** Finds a row by id: where the index says it is, else (a row the index does not know) in every tenant. */
  const findById = <R extends { id: string }>(
    index: DueIndex,
    pick: (t: MemoryTenantData) => Map<string, R>,
    id: string,
  ) => {
    const hint = index.where(id);
    if (hint !== undefined) {
      const map = pick(tenant(hint.tenantId, false));
      const row = map.get(hint.key);
      if (row?.id === id) return { map, key: hint.key, row };
    }
    for (const t of everyTenant()) {
      for (const [key, row] of pick(t)) if (row.id === id) return { map: pick(t), key, row };
    }
    return null;
  };

  /** Schedules (or moves) a timer, and indexes it. */
  const schedule = (timer: NewTimer) => {
    const row: TimerRecord = { ...clone(timer), attempts: 0, leaseOwner: null, leaseUntil: null };
    setWithUndo(tenant(timer.tenantId, true).timers, timer.key, row, undo);
    indexes.timers.add({ tenantId: timer.tenantId, key: timer.key, id: row.id, due: row.dueAt });
  };

  return {
    async getTenant(tenantId) {
      const t = tenant(tenantId, false).tenant;
      return t ? clone(t) : null;
    },
    async putTenant(record) {
      checkStorableText('tenant', record.id, record);
      const t = tenant(record.id, true);
      const previous = t.tenant;
      t.tenant = clone(record);
      undo.push(() => {
        t.tenant = previous;
      });
    },

    async getUnits(tenantId, ids) {
      const units = tenant(tenantId, false).units;
      return ids.flatMap((id) => {
        const u = units.get(id);
        return u ? [clone(u)] : [];
      });
    },
    async listUnitsUnder(tenantId, unitId, page) {
      const under = [...tenant(tenantId, false).units.values()]
        .filter((u) => u.id !== unitId && u.path.includes(unitId))
        .sort(byId);
      const result = pageOf(under, (u) => u.id, page);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },
    async putUnits(records) {
      for (const r of records) checkStorableText('unit', r.id, r);
      for (const r of records) setWithUndo(tenant(r.tenantId, true).units, r.id, clone(r), undo);
    },

    async getEmployees(tenantId, ids) {
      const employees = tenant(tenantId, false).employees;
      return ids.flatMap((id) => {
        const e = employees.get(id);
        return e ? [clone(e)] : [];
      });
    },
    async listEmployees(tenantId, page) {
      const all = [...tenant(tenantId, false).employees.values()].sort(byId);
      const result = pageOf(all, (e) => e.id, page);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },
    async putEmployees(records) {
      for (const r of records) checkStorableText('employee', r.id, r);
      for (const r of records) setWithUndo(tenant(r.tenantId, true).employees, r.id, clone(r), undo);
    },

    async getCustomer(tenantId, id) {
      const c = tenant(tenantId, false).customers.get(id);
      return c ? clone(c) : null;
    },
    async getCustomers(tenantId, ids) {
      const customers = tenant(tenantId, false).customers;
      return ids.flatMap((id) => {
        const c = customers.get(id);
        return c ? [clone(c)] : [];
      });
    },
    async putCustomer(record, expectedVersion) {
      checkVersions('customer', record.id, record.version, expectedVersion);
      checkStorableText('customer', record.id, record);
      const customers = tenant(record.tenantId, true).customers;
      const actual = customers.get(record.id)?.version ?? null;
      if (actual !== expectedVersion) {
        throw new ConflictError({ entity: 'customer', id: record.id, expected: expectedVersion, actual });
      }
      if (record.version !== (expectedVersion ?? 0) + 1) {
        throw new ConflictError({
          entity: 'customer',
          id: record.id,
          expected: (expectedVersion ?? 0) + 1,
          actual: record.version,
        });
      }
      setWithUndo(customers, record.id, clone(record), undo);
    },
    async insertCustomers(records) {
      // Every check first: the memory store writes all of the batch or none of it.
      const given = new Set<string>();
      for (const record of records) {
        checkVersions('customer', record.id, record.version, null);
        checkStorableText('customer', record.id, record);
        const key = `${record.tenantId}\u0000${record.id}`;
        const actual = given.has(key) ? 1 : (tenant(record.tenantId, true).customers.get(record.id)?.version ?? null);
        given.add(key);
        if (actual !== null) throw new ConflictError({ entity: 'customer', id: record.id, expected: null, actual });
        if (record.version !== 1) {
          throw new ConflictError({ entity: 'customer', id: record.id, expected: 1, actual: record.version });
        }
      }
      for (const record of records)
        setWithUndo(tenant(record.tenantId, true).customers, record.id, clone(record), undo);
    },
    async listCustomers(tenantId, filter, page) {
      const t = tenant(tenantId, false);
      if ('unitId' in filter) {
        const result = teamPage(t, filter.unitId, page);
        return { items: result.items.map(clone), nextCursor: result.nextCursor };
      }
      const matches = customerMatcher(filter);
      const rows = [...t.customers.values()].filter(matches).sort(byId);
      const result = pageOf(rows, (c) => c.id, page);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },

    async setCustomerOwner(tenantId, customerId, change) {
      const customers = tenant(tenantId, true).customers;
      const current = customers.get(customerId);
      if (!current || current.ownerId !== change.from) return null;
      const next: CustomerRecord = {
        ...current,
        ownerId: change.to,
        version: current.version + 1,
        updatedAt: change.at,
      };
      setWithUndo(customers, customerId, next, undo);
      return clone(next);
    },

    async getWorkflow(tenantId, id) {
      const w = tenant(tenantId, false).workflows.get(id);
      return w ? clone(w) : null;
    },
    async putWorkflow(record, expectedVersion) {
      checkVersions('workflow', record.id, record.version, expectedVersion);
      checkStorableText('workflow', record.id, record);
      const workflows = tenant(record.tenantId, true).workflows;
      const actual = workflows.get(record.id)?.version ?? null;
      const next = (expectedVersion ?? 0) + 1;
      if (actual !== expectedVersion || record.version !== next) {
        throw new ConflictError({
          entity: 'workflow',
          id: record.id,
          expected: actual !== expectedVersion ? expectedVersion : next,
          actual: actual !== expectedVersion ? actual : record.version,
        });
      }
      setWithUndo(workflows, record.id, clone(record), undo);
    },
    async listWorkflows(tenantId, filter: WorkflowFilter, page) {
      const rows = [...tenant(tenantId, false).workflows.values()]
        .filter(
          (w) =>
            (filter.machine === undefined || w.machine === filter.machine) &&
            (filter.state === undefined || w.state === filter.state) &&
            (filter.subject === undefined ||
              (w.subject !== null && w.subject.type === filter.subject.type && w.subject.id === filter.subject.id)),
        )
        .sort(byId);
      const result = pageOf(rows, (w) => w.id, page);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },

    async getRecord(tenantId, kind, id) {
      const r = tenant(tenantId, false).records.get(kind)?.get(id);
      return r ? clone(r) : null;
    },
    async putRecord(record, expectedVersion) {
      checkVersions('record', record.id, record.version, expectedVersion);
      checkStorableText('record', record.id, record);
      const records = tenant(record.tenantId, true).records;
      let ofKind = records.get(record.kind);
      const actual = ofKind?.get(record.id)?.version ?? null;
      const next = (expectedVersion ?? 0) + 1;
      if (actual !== expectedVersion || record.version !== next) {
        throw new ConflictError({
          entity: RECORD_ENTITY,
          id: `${record.kind}/${record.id}`,
          expected: actual !== expectedVersion ? expectedVersion : next,
          actual: actual !== expectedVersion ? actual : record.version,
        });
      }
      if (!ofKind) {
        ofKind = new Map();
        setWithUndo(records, record.kind, ofKind, undo);
      }
      setWithUndo(ofKind, record.id, clone(record), undo);
    },
    async insertRecords(records) {
      for (const record of records) {
        checkVersions('record', record.id, record.version, null);
        checkStorableText('record', record.id, record);
        if (record.version !== 1) {
          throw new ConflictError({
            entity: RECORD_ENTITY,
            id: `${record.kind}/${record.id}`,
            expected: 1,
            actual: record.version,
          });
        }
      }
      let inserted = 0;
      for (const record of records) {
        const byKind = tenant(record.tenantId, true).records;
        let ofKind = byKind.get(record.kind);
        if (ofKind?.has(record.id)) continue;
        if (!ofKind) {
          ofKind = new Map();
          setWithUndo(byKind, record.kind, ofKind, undo);
        }
        setWithUndo(ofKind, record.id, clone(record), undo);
        inserted++;
      }
      return inserted;
    },
    async listRecords(tenantId, filter, page) {
      const ofKind = tenant(tenantId, false).records.get(filter.kind)?.values() ?? [];
      const result = listRecordsOf(ofKind, filter, page);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },
    async deleteRecord(tenantId, kind, id) {
      const ofKind = tenant(tenantId, false).records.get(kind);
      const current = ofKind?.get(id);
      if (!ofKind || !current) return false;
      ofKind.delete(id);
      undo.push(() => ofKind.set(id, current));
      return true;
    },

    async enqueueEffects(effects) {
      let added = 0;
      for (const effect of effects) {
        const map = tenant(effect.tenantId, true).effects;
        if (map.has(effect.idempotencyKey)) continue;
        const row: OutboxEffect = {
          ...clone(effect),
          status: 'pending',
          attempts: 0,
          lastError: null,
          leaseOwner: null,
          leaseUntil: null,
        };
        setWithUndo(map, effect.idempotencyKey, row, undo);
        indexes.effects.add({
          tenantId: effect.tenantId,
          key: effect.idempotencyKey,
          id: row.id,
          due: row.availableAt,
        });
        added++;
      }
      return added;
    },
    async claimEffects(request) {
      return claim(
        indexes.effects,
        (t) => t.effects,
        (e) => e.availableAt,
        (e) => e.status === 'pending',
        request,
      );
    },
    async settleEffect(id, workerId, outcome) {
      const found = findById(indexes.effects, (t) => t.effects, id);
      if (!found || found.row.leaseOwner !== workerId || found.row.status !== 'pending') return false;
      const settled: OutboxEffect = {
        ...found.row,
        status: outcome.status,
        availableAt: outcome.status === 'pending' ? outcome.availableAt : found.row.availableAt,
        lastError: outcome.status === 'done' ? found.row.lastError : outcome.error,
        leaseOwner: null,
        leaseUntil: null,
      };
      setWithUndo(found.map, found.key, settled, undo);
      if (settled.status === 'pending') {
        indexes.effects.add({ tenantId: settled.tenantId, key: found.key, id, due: settled.availableAt });
      }
      return true;
    },
    async extendEffectLease(id, workerId, leaseMs) {
      const found = findById(indexes.effects, (t) => t.effects, id);
      if (!found || found.row.leaseOwner !== workerId || found.row.status !== 'pending') return null;
      const leaseUntil = new Date(clock.now().getTime() + leaseMs).toISOString();
      setWithUndo(found.map, found.key, { ...found.row, leaseUntil }, undo);
      return leaseUntil;
    },
    async getEffect(tenantId, idempotencyKey) {
      const e = tenant(tenantId, false).effects.get(idempotencyKey);
      return e ? clone(e) : null;
    },

    async scheduleTimer(timer) {
      schedule(timer);
    },
    async scheduleTimers(timers) {
      for (const timer of timers) schedule(timer);
    },
    async cancelTimer(tenantId, key) {
      const timers = tenant(tenantId, true).timers;
      const current = timers.get(key);
      if (!current) return false;
      timers.delete(key);
      indexes.timers.forget(current.id);
      undo.push(() => timers.set(key, current));
      return true;
    },
    async claimTimers(request) {
      return claim(
        indexes.timers,
        (t) => t.timers,
        (timer) => timer.dueAt,
        () => true,
        request,
      );
    },
    async completeTimer(id, workerId) {
      const found = findById(indexes.timers, (t) => t.timers, id);
      if (!found || found.row.leaseOwner !== workerId) return false;
      found.map.delete(found.key);
      indexes.timers.forget(id);
      undo.push(() => found.map.set(found.key, found.row));
      return true;
    },
    async getTimer(tenantId, key) {
      const timer = tenant(tenantId, false).timers.get(key);
      return timer ? clone(timer) : null;
    },
    async backlog(tenantId, now) {
      const t = tenant(tenantId, false);
      const storeNow = clock.now().toISOString();
      const leased = (row: { leaseUntil: string | null }) => row.leaseUntil !== null && row.leaseUntil >= storeNow;
      const earliest = (a: string | null, b: string) => (a === null || b < a ? b : a);
      const effects = { pending: 0, due: 0, leased: 0, retrying: 0, nextAt: null as string | null, dead: 0 };
      for (const e of t.effects.values()) {
        if (e.status === 'dead') effects.dead++;
        if (e.status !== 'pending') continue;
        effects.pending++;
        if (e.availableAt <= now) effects.due++;
        if (leased(e)) effects.leased++;
        else if (e.attempts > 0) effects.retrying++;
        effects.nextAt = earliest(effects.nextAt, e.availableAt);
      }
      const timers = { pending: 0, due: 0, leased: 0, nextAt: null as string | null };
      for (const timer of t.timers.values()) {
        timers.pending++;
        if (timer.dueAt <= now) timers.due++;
        if (leased(timer)) timers.leased++;
        timers.nextAt = earliest(timers.nextAt, timer.dueAt);
      }
      return { effects, timers };
    },

    async lockAuditHead(tenantId): Promise<AuditHead | null> {
      // Transactions already run one at a time, so reading is locking.
      const head = tenant(tenantId, false).auditHead;
      return head ? { ...head } : null;
    },
    async appendAudit(entries, headSeal = null) {
      const first = entries[0];
      if (!first) return;
      const t = tenant(first.tenantId, true);
      const log = t.audit;
      const head = Math.max(t.auditHead?.seq ?? 0, log.at(-1)?.seq ?? 0);
      entries.forEach((entry, i) => {
        if (entry.tenantId !== first.tenantId || entry.seq !== head + 1 + i) {
          throw new ConflictError({
            entity: 'audit entry',
            id: `${entry.tenantId}#${entry.seq}`,
            expected: head + 1 + i,
            actual: entry.seq,
          });
        }
      });
      const before = log.length;
      const headBefore = t.auditHead;
      const last = entries[entries.length - 1] as AuditEntry;
      log.push(...entries.map((e) => clone({ ...e, seal: e.seal ?? null })));
      t.auditHead = { seq: last.seq, hash: last.hash, seal: headSeal };
      undo.push(() => {
        log.length = before;
        t.auditHead = headBefore;
      });
    },
    async readAudit(tenantId, afterSeq, limit) {
      // Like `WHERE seq > afterSeq ORDER BY seq LIMIT limit`: the raw log may
      // have been tampered with, so never assume it is in order.
      const later = tenant(tenantId, false).audit.filter((e) => e.seq > afterSeq);
      let ordered = true;
      for (let i = 1; i < later.length && ordered; i++)
        ordered = (later[i - 1] as AuditEntry).seq < (later[i] as AuditEntry).seq;
      if (!ordered) later.sort((a, b) => a.seq - b.seq);
      return later.slice(0, limit).map(clone);
    },
    async queryAudit(tenantId, query: AuditQuery) {
      const log = tenant(tenantId, false).audit;
      const rows = log.filter(
        (e) =>
          (query.actorId === undefined || e.actor.id === query.actorId) &&
          (query.action === undefined || e.action === query.action) &&
          (query.subject === undefined ||
            (e.subject !== null && e.subject.type === query.subject.type && e.subject.id === query.subject.id)) &&
          (query.from === undefined || Date.parse(e.at) >= Date.parse(query.from)) &&
          (query.to === undefined || Date.parse(e.at) < Date.parse(query.to)),
      );
      const desc = query.order === 'desc';
      rows.sort((a, b) => (desc ? b.seq - a.seq : a.seq - b.seq));
      // keyset on seq; for descending order compare on the negated key
      const result = pageOf(rows, (e) => (desc ? -e.seq : e.seq), query);
      return { items: result.items.map(clone), nextCursor: result.nextCursor };
    },
    async putCheckpoint(checkpoint) {
      setWithUndo(tenant(checkpoint.tenantId, true).checkpoints, checkpoint.seq, clone(checkpoint), undo);
    },
    async latestCheckpoint(tenantId) {
      let latest: AuditCheckpoint | null = null;
      for (const cp of tenant(tenantId, false).checkpoints.values()) {
        if (latest === null || cp.seq > latest.seq) latest = cp;
      }
      return latest ? clone(latest) : null;
    },
    async readCheckpoints(tenantId, afterSeq, limit) {
      return [...tenant(tenantId, false).checkpoints.values()]
        .filter((cp) => cp.seq > afterSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
        .map(clone);
    },
  };
}

function customerMatcher(filter: Exclude<CustomerFilter, { unitId: string }>): (c: CustomerRecord) => boolean {
  if ('ownerId' in filter) return (c) => c.ownerId === filter.ownerId;
  if ('pool' in filter) return (c) => c.ownerId === null;
  return () => true;
}

/**
 * A page of the customers of a unit's subtree, ordered by their unit's path
 * key (`/hq/east/sh/`) and then id, as the SQL stores' index serves them.
 */
function teamPage(t: MemoryTenantData, unitId: string, page: PageRequest): Page<CustomerRecord> {
  const paths = new Map<string, string>();
  for (const u of t.units.values()) if (u.path.includes(unitId)) paths.set(u.id, `/${u.path.join('/')}/`);
  const rows = [...t.customers.values()]
    .filter((c) => paths.has(c.unitId))
    .map((c) => ({ c, path: paths.get(c.unitId) as string }))
    .sort((x, y) => compare(x.path, y.path) || byId(x.c, y.c));
  const result = keysetPage(
    rows,
    page,
    (r): [string, string] => [r.path, r.c.id],
    (after) => {
      const [path, id, ...rest] = Array.isArray(after) ? after : [];
      if (typeof path !== 'string' || typeof id !== 'string' || rest.length > 0) throw invalidCursor();
      return (r) => r.path > path || (r.path === path && r.c.id > id);
    },
  );
  return { items: result.items.map((r) => r.c), nextCursor: result.nextCursor };
}
