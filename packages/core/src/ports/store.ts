import type { AuditEntry, Customer, Employee, Json, OrgUnit, SubjectRef, Tenant } from '../domain/entities.js';

/**
 * A tenant as the store keeps it.
 *
 * @example
 * ```ts
 * import type { TenantRecord } from '@guard/core';
 * const t: TenantRecord = { id: 'acme', name: 'ACME', timeZone: 'UTC', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
 * ```
 */
export interface TenantRecord extends Tenant {
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * An org unit as the store keeps it: with its materialised `path`, the ids
 * from the tenant's root down to and including this unit. "The unit subtree
 * of X" is every unit whose path contains X.
 *
 * @example
 * ```ts
 * import type { OrgUnitRecord } from '@guard/core';
 * const u: OrgUnitRecord = { tenantId: 'acme', id: 'sh', name: 'Shanghai', kind: 'branch', parentId: 'hq', path: ['hq', 'sh'], updatedAt: '2026-01-01T00:00:00.000Z' };
 * ```
 */
export interface OrgUnitRecord extends OrgUnit {
  readonly tenantId: string;
  readonly path: readonly string[];
  readonly updatedAt: string;
}

/**
 * An employee as the store keeps it.
 *
 * @example
 * ```ts
 * import type { EmployeeRecord } from '@guard/core';
 * declare const e: EmployeeRecord;
 * e.status; // 'active' | 'resigning' | 'frozen' | 'departed'
 * ```
 */
export interface EmployeeRecord extends Employee {
  readonly tenantId: string;
  readonly updatedAt: string;
}

/**
 * A customer as the store keeps it. `version` starts at 1 and grows by one
 * with every write; writers pass the version they read (optimistic
 * concurrency).
 *
 * @example
 * ```ts
 * import type { CustomerRecord } from '@guard/core';
 * declare const c: CustomerRecord;
 * c.version; // 1, 2, 3…
 * ```
 */
export interface CustomerRecord extends Customer {
  readonly tenantId: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The head of a tenant's audit chain: the last sequence number and hash.
 *
 * @example
 * ```ts
 * import type { AuditHead } from '@guard/core';
 * const genesis: AuditHead = { seq: 0, hash: '0'.repeat(64) };
 * ```
 */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
  /**
   * The head's seal (`<keyId>:<hex HMAC>` of tenant, seq and hash), stored
   * with it by {@link StoreTransaction.appendAudit}: a head someone moved
   * back to hide a cut-off tail fails it. Absent on the genesis.
   */
  readonly seal?: string | null;
}

/**
 * A signed statement "the chain of tenant T had hash H at sequence S". Kept in
 * the store and, ideally, copied somewhere the database's administrators
 * cannot write (then pass it to `verify({ trusted })`): a cut-off tail is
 * detected by the newest checkpoint that points past it.
 *
 * @example
 * ```ts
 * import type { AuditCheckpoint } from '@guard/core';
 * declare const cp: AuditCheckpoint;
 * await fetch(archiveUrl, { method: 'PUT', body: JSON.stringify(cp) });
 * ```
 */
export interface AuditCheckpoint {
  readonly tenantId: string;
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly keyId: string;
  readonly algorithm: 'HMAC-SHA256' | 'Ed25519';
  /** Hex signature over the canonical JSON of the other fields (64 digits for HMAC, 128 for Ed25519). */
  readonly signature: string;
}

/**
 * A request for one page of results. Paging is by keyset: pass the previous
 * page's `nextCursor` as `cursor`.
 *
 * @example
 * ```ts
 * import type { PageRequest } from '@guard/core';
 * const first: PageRequest = { limit: 50 };
 * ```
 */
export interface PageRequest {
  /**
   * Opaque cursor from the previous page; omit for the first page. A cursor
   * no page returned is a `ValidationError`.
   */
  readonly cursor?: string | undefined;
  /** Page size, 1–1000. */
  readonly limit: number;
}

/**
 * One page of results, in a stable order. "Ordered by id" means by UTF-16
 * code units, as JavaScript compares strings (ids are ASCII, so this is byte
 * order too); SQL stores use a binary collation for ids.
 *
 * @example
 * ```ts
 * import type { Page } from '@guard/core';
 * async function* all<T>(fetch: (cursor?: string) => Promise<Page<T>>) {
 *   let cursor: string | undefined;
 *   do { const page = await fetch(cursor); yield* page.items; cursor = page.nextCursor ?? undefined; } while (cursor);
 * }
 * ```
 */
export interface Page<T> {
  readonly items: readonly T[];
  /** Cursor for the next page, or `null` when this is the last page. */
  readonly nextCursor: string | null;
}

/**
 * Which customers to list. Results are ordered by customer id.
 *
 * - `{ ownerId }` — the customers one employee owns
 * - `{ unitId }` — the customers of a unit and every unit below it
 * - `{ pool: true }` — unowned customers (公海)
 * - `{}` — every customer of the tenant (paged; never loaded at once)
 *
 * @example
 * ```ts
 * import type { CustomerFilter } from '@guard/core';
 * const mine: CustomerFilter = { ownerId: 'e-7' };
 * ```
 */
export type CustomerFilter =
  | { readonly ownerId: string }
  | { readonly unitId: string }
  | { readonly pool: true }
  | Readonly<Record<string, never>>;

/**
 * An audit query: all given conditions must hold. Results are ordered by
 * `seq`, ascending unless `order: 'desc'`.
 *
 * @example
 * ```ts
 * import type { AuditQuery } from '@guard/core';
 * const q: AuditQuery = { actorId: 'e-7', from: '2026-11-01T00:00:00Z', limit: 100 };
 * ```
 */
export interface AuditQuery extends PageRequest {
  readonly actorId?: string | undefined;
  readonly subject?: { readonly type: string; readonly id: string } | undefined;
  readonly action?: string | undefined;
  /** Inclusive lower bound on `at` (ISO date-time). */
  readonly from?: string | undefined;
  /** Exclusive upper bound on `at` (ISO date-time). */
  readonly to?: string | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
}

/**
 * What a store can do beyond the contract, so core adapts without special
 * cases per database.
 *
 * @example
 * ```ts
 * if (!store.capabilities.concurrentTransactions) console.warn('one writer at a time');
 * ```
 */
export interface StoreCapabilities {
  /** Transactions from several processes may run at the same time. */
  readonly concurrentTransactions: boolean;
  /**
   * Claims of due outbox effects and timers skip rows other workers hold
   * (`FOR UPDATE SKIP LOCKED`), so several workers share the work instead of
   * queueing behind each other.
   */
  readonly skipLocked: boolean;
}

/**
 * A durable workflow instance (an approval, a claim, an offboarding): the
 * persisted snapshot of its state machine, with an optimistic `version`.
 *
 * @example
 * ```ts
 * import type { WorkflowRecord } from '@guard/core';
 * declare const wf: WorkflowRecord;
 * wf.machine; // 'approval'
 * wf.state; // 'pending'
 * ```
 */
export interface WorkflowRecord {
  readonly tenantId: string;
  readonly id: string;
  /** The machine's id, e.g. `approval`, `offboarding`. */
  readonly machine: string;
  /** The machine definition's version the snapshot was written by. */
  readonly machineVersion: number;
  /** The top-level state, for queries (e.g. `pending`, `done`). */
  readonly state: string;
  /** The machine's persisted snapshot. */
  readonly snapshot: Json;
  /** What the workflow is about (a customer, an employee), if anything. */
  readonly subject: SubjectRef | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Which workflows to list; all given conditions must hold. Ordered by id.
 *
 * @example
 * ```ts
 * import type { WorkflowFilter } from '@guard/core';
 * const openApprovals: WorkflowFilter = { machine: 'approval', state: 'pending' };
 * ```
 */
export interface WorkflowFilter {
  readonly machine?: string | undefined;
  readonly state?: string | undefined;
  readonly subject?: SubjectRef | undefined;
}

/**
 * A secondary record of a tenant: a follow-up, an order, an alert, an
 * agreement signature, a training assignment, a per-tenant setting. Core
 * validates `data` with the zod schema of its `kind` before writing and after
 * reading; the store keeps it as JSON and indexes `ref` (what the record
 * belongs to: a customer id, an employee id), `status` and `at`. `version`
 * starts at 1 and grows by one with every write (optimistic concurrency, as
 * for customers and workflows).
 *
 * @example
 * ```ts
 * import type { StoredRecord } from '@guard/core';
 * const followUp: StoredRecord = {
 *   tenantId: 'acme', kind: 'follow-up', id: 'f-1', ref: 'c-1001', status: null,
 *   at: '2026-11-02T02:00:00.000Z', data: { channel: 'visit', employeeId: 'e-7' },
 *   version: 1, createdAt: '2026-11-02T02:00:00.000Z', updatedAt: '2026-11-02T02:00:00.000Z',
 * };
 * ```
 */
export interface StoredRecord {
  readonly tenantId: string;
  /** What the record is, e.g. `follow-up`, `order`, `alert`; at most 64 characters. */
  readonly kind: string;
  /** Unique per tenant and kind. */
  readonly id: string;
  /**
   * What the record belongs to (indexed), e.g. the customer of a follow-up;
   * `null` for none. At most 128 characters, like an id.
   */
  readonly ref: string | null;
  /** A short state for queries (indexed), e.g. `open` for an alert; `null` for none. At most 128 characters. */
  readonly status: string | null;
  /**
   * When the record happened or is due, as `Date#toISOString()` writes it
   * (the store keeps it as given and compares it as a string); lists are
   * ordered by it.
   */
  readonly at: string;
  readonly data: Json;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Which records to list: one kind, optionally narrowed by `ref` and
 * `status` (equal to the given value; there is no condition that matches
 * `null`), and by `at` (`from` inclusive, `to` exclusive). Ordered by `at`,
 * then `id` (both by UTF-16 code units, as {@link Page} says); both
 * descending when `order: 'desc'`.
 *
 * `from` and `to` may be any ISO 8601 date-time `Date.parse` reads (e.g.
 * without milliseconds, or with an offset): they are compared as the
 * instant they name, in `Date#toISOString()` form. A `from` or `to` that is
 * not a date matches nothing (as in {@link AuditQuery}).
 *
 * @example
 * ```ts
 * import type { RecordFilter } from '@guard/core';
 * const openAlerts: RecordFilter = { kind: 'alert', status: 'open' };
 * ```
 */
export interface RecordFilter {
  readonly kind: string;
  readonly ref?: string | undefined;
  readonly status?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
}

/**
 * An atomic, conditional change of a customer's owner.
 *
 * @example
 * ```ts
 * import type { OwnerChange } from '@guard/core';
 * const claim: OwnerChange = { from: null, to: 'e-7', at: new Date().toISOString() };
 * ```
 */
export interface OwnerChange {
  /** The owner the customer must have now (`null`: the public pool). */
  readonly from: string | null;
  /** The new owner (`null`: return to the pool). */
  readonly to: string | null;
  /** The change's time, stored as `updatedAt`. */
  readonly at: string;
}

/**
 * A side effect outside the database (a CRM transfer, a notification),
 * written in the transaction that decided it and delivered later, at least
 * once, by a worker. `idempotencyKey` (e.g. `workflowId:step`) is unique per
 * tenant: enqueuing the same key twice keeps the first.
 *
 * @example
 * ```ts
 * import type { NewOutboxEffect } from '@guard/core';
 * const effect: NewOutboxEffect = {
 *   id: 'fx-1', tenantId: 'acme', idempotencyKey: 'wf-9:notify-manager', kind: 'notify',
 *   payload: { to: 'e-2', template: 'claim-review' }, availableAt: '2026-11-02T02:00:00.000Z',
 *   createdAt: '2026-11-02T02:00:00.000Z',
 * };
 * ```
 */
export interface NewOutboxEffect {
  /** Unique across the whole store, not only the tenant (e.g. a UUID): workers settle effects by id. */
  readonly id: string;
  readonly tenantId: string;
  readonly idempotencyKey: string;
  /** What to do, e.g. `notify`, `crm.transfer`. */
  readonly kind: string;
  readonly payload: Json;
  /** Not delivered before this instant. */
  readonly availableAt: string;
  readonly createdAt: string;
}

/**
 * An outbox effect as stored, with its delivery state.
 *
 * @example
 * ```ts
 * import type { OutboxEffect } from '@guard/core';
 * declare const fx: OutboxEffect;
 * if (fx.status === 'dead') console.error(fx.lastError);
 * ```
 */
export interface OutboxEffect extends NewOutboxEffect {
  /** `pending` until delivered (`done`) or given up on (`dead`). */
  readonly status: 'pending' | 'done' | 'dead';
  /** Deliveries started so far (a claim counts as one). */
  readonly attempts: number;
  readonly lastError: string | null;
  /** The worker holding the lease, while one does. */
  readonly leaseOwner: string | null;
  /** Until when the lease holds; after it, another worker may claim the effect. */
  readonly leaseUntil: string | null;
}

/**
 * A durable timer: an event to deliver to a workflow at `dueAt`. XState's own
 * delays do not survive a restart; these do. `key` (e.g.
 * `wf-9:reminder`) is unique per tenant: scheduling it again moves it.
 *
 * @example
 * ```ts
 * import type { NewTimer } from '@guard/core';
 * const timer: NewTimer = {
 *   id: 'tm-1', tenantId: 'acme', key: 'wf-9:timeout', workflowId: 'wf-9',
 *   event: { type: 'TIMEOUT' }, dueAt: '2026-11-05T02:00:00.000Z', createdAt: '2026-11-02T02:00:00.000Z',
 * };
 * ```
 */
export interface NewTimer {
  /** Unique across the whole store, not only the tenant (e.g. a UUID): workers complete timers by id. */
  readonly id: string;
  readonly tenantId: string;
  readonly key: string;
  readonly workflowId: string | null;
  readonly event: Json;
  readonly dueAt: string;
  readonly createdAt: string;
}

/**
 * A timer as stored, with its lease.
 *
 * @example
 * ```ts
 * import type { TimerRecord } from '@guard/core';
 * declare const t: TimerRecord;
 * t.attempts; // how many times a worker claimed it
 * ```
 */
export interface TimerRecord extends NewTimer {
  readonly attempts: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: string | null;
}

/**
 * How a worker claims due work (outbox effects or timers): at most `limit`
 * rows that are due at `now` and not leased (or whose lease expired), leased
 * to `workerId` for `leaseMs`.
 *
 * `now` (the worker's instant) decides only what is due. Leases are judged on
 * the store's own clock — the database server's, or a memory store's
 * `clock` — which every worker shares: a lease runs `leaseMs` from the
 * store's now and expires when the store's now passes it, so a worker whose
 * clock runs ahead (or behind) can never take a lease another worker holds.
 *
 * @example
 * ```ts
 * import type { ClaimRequest } from '@guard/core';
 * const claim: ClaimRequest = { now: new Date().toISOString(), limit: 100, workerId: 'worker-1', leaseMs: 60_000 };
 * ```
 */
export interface ClaimRequest {
  readonly now: string;
  readonly limit: number;
  readonly workerId: string;
  readonly leaseMs: number;
}

/**
 * What became of one delivery attempt of an outbox effect.
 *
 * @example
 * ```ts
 * import type { EffectOutcome } from '@guard/core';
 * const retry: EffectOutcome = { status: 'pending', availableAt: '2026-11-02T02:05:00.000Z', error: 'HTTP 503' };
 * ```
 */
export type EffectOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'pending'; readonly availableAt: string; readonly error: string }
  | { readonly status: 'dead'; readonly error: string };

/**
 * Guard's persistence port. Every method takes the tenant id first and never
 * returns another tenant's rows (the worker's `claimEffects` and
 * `claimTimers` serve every tenant by design, and each row carries its
 * `tenantId`). All reads and writes happen inside {@link Store.transaction}.
 * Every instant is an ISO 8601 UTC string with milliseconds, as
 * `Date#toISOString()` writes it, so that comparing strings compares times.
 *
 * Implementations: `memoryStore()` (the reference semantics, in
 * `@guard/core`) and the SQL stores. `@guard/testkit` publishes the
 * conformance suite every implementation must pass.
 *
 * A new SQL engine is not a new store: `@guard/store-kysely` is written once
 * against a `DialectAdapter` (transactions, row locks, upserts, JSON, the
 * server's clock, migrations, error classification), so supporting another
 * engine means one more adapter and its migrations, then the conformance
 * suite against a real server.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@guard/core';
 * const store = memoryStore();
 * const unit = await store.transaction((tx) => tx.getUnits('acme', ['hq']));
 * ```
 */
export interface Store {
  /** Short name for messages, e.g. `memory`, `sqlite`, `postgres`. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  /**
   * Runs `work` in one transaction. Everything it writes commits together
   * when it resolves; nothing it wrote is visible to anyone when it rejects
   * (the store rolls back and rethrows the same error). Transactions are
   * serializable with respect to the audit head: two transactions that both
   * call {@link StoreTransaction.lockAuditHead} for a tenant run one after the
   * other. Failures of the database itself are thrown as `StoreError`.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Releases connections. The store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * The tenant, its org units and its employees. Units carry their materialised `path`, so "the subtree of X" is one indexed query; employees are written in batches by a directory sync.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const [rep] = await tx.getEmployees('acme', ['e-7']);
 * ```
 */
export interface DirectoryOperations {
  /** The tenant, or `null`. */
  getTenant(tenantId: string): Promise<TenantRecord | null>;
  /** Inserts or replaces the tenant. */
  putTenant(record: TenantRecord): Promise<void>;

  /** The units with these ids that exist, in no particular order. */
  getUnits(tenantId: string, ids: readonly string[]): Promise<OrgUnitRecord[]>;
  /** The units strictly below `unitId` (by path), ordered by id. */
  listUnitsUnder(tenantId: string, unitId: string, page: PageRequest): Promise<Page<OrgUnitRecord>>;
  /** Inserts or replaces units (matched by tenant and id). */
  putUnits(records: readonly OrgUnitRecord[]): Promise<void>;

  /** The employees with these ids that exist, in no particular order. */
  getEmployees(tenantId: string, ids: readonly string[]): Promise<EmployeeRecord[]>;
  /** A page of the tenant's employees, ordered by id (every status). */
  listEmployees(tenantId: string, page: PageRequest): Promise<Page<EmployeeRecord>>;
  /** Inserts or replaces employees (matched by tenant and id). */
  putEmployees(records: readonly EmployeeRecord[]): Promise<void>;
}

/**
 * Customers with their optimistic `version`: `putCustomer` refuses a stale `expectedVersion` with a `ConflictError`, and `setCustomerOwner` moves ownership only from the owner the caller saw (a compare-and-set), so two claims of one pool customer cannot both win.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const moved = await tx.setCustomerOwner('acme', 'c-1', { from: null, to: 'e-7', at: now }); // null if someone was first
 * ```
 */
export interface CustomerOperations {
  /** The customer, or `null`. */
  getCustomer(tenantId: string, id: string): Promise<CustomerRecord | null>;
  /** The customers with these ids that exist, in no particular order. */
  getCustomers(tenantId: string, ids: readonly string[]): Promise<CustomerRecord[]>;
  /**
   * Writes a customer if, and only if, its stored version is
   * `expectedVersion` (`null`: the customer must not exist yet). The check
   * and the write are one atomic step in the database; on a mismatch it
   * throws `ConflictError` and writes nothing, and the transaction stays
   * usable (the caller may catch the conflict and go on). `record.version` must be
   * `expectedVersion + 1` (or 1 for a new customer).
   */
  putCustomer(record: CustomerRecord, expectedVersion: number | null): Promise<void>;
  /**
   * Inserts new customers, each at version 1, in as few statements as the
   * database allows (a first sync writes thousands at once). Ids are
   * distinct within the call. A customer whose id the tenant already has is
   * a `ConflictError`, after which the transaction must be rolled back (let
   * the error propagate): unlike {@link putCustomer}, a SQL store may have
   * written part of the batch, and Postgres aborts the transaction.
   */
  insertCustomers(records: readonly CustomerRecord[]): Promise<void>;
  /**
   * One page of customers matching `filter`, ordered by id — except a unit's
   * subtree (`{ unitId }`), which is ordered by the path of each customer's
   * unit (`/hq/east/sh/`, compared as code units) and then id, so that a SQL
   * store serves a page of a team of any size from one index range. A
   * customer whose unit is not in the directory is in no subtree.
   */
  listCustomers(tenantId: string, filter: CustomerFilter, page: PageRequest): Promise<Page<CustomerRecord>>;
  /**
   * Atomically changes a customer's owner from `change.from` to `change.to`,
   * bumping its version: the condition on the current owner is both the
   * selector and the guard, in one statement. Of two concurrent claims on an
   * unowned customer exactly one succeeds. Returns the updated customer, or
   * `null` (and writes nothing) when the customer does not exist or is not
   * owned by `change.from`.
   */
  setCustomerOwner(tenantId: string, customerId: string, change: OwnerChange): Promise<CustomerRecord | null>;
}

/**
 * Persisted workflow snapshots (approvals, claims, offboarding cases, agreements), versioned like customers so two transitions of one workflow cannot both commit.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const wf = await tx.getWorkflow('acme', 'off-1');
 * ```
 */
export interface WorkflowOperations {
  /** The workflow, or `null`. */
  getWorkflow(tenantId: string, id: string): Promise<WorkflowRecord | null>;
  /**
   * Writes a workflow if, and only if, its stored version is
   * `expectedVersion` (`null`: it must not exist yet), atomically; otherwise
   * throws `ConflictError` and writes nothing. `record.version` must be
   * `expectedVersion + 1` (or 1).
   */
  putWorkflow(record: WorkflowRecord, expectedVersion: number | null): Promise<void>;
  /** One page of workflows matching `filter`, ordered by id. */
  listWorkflows(tenantId: string, filter: WorkflowFilter, page: PageRequest): Promise<Page<WorkflowRecord>>;
}

/**
 * Feature records (alerts, exports, settings, risk-signal counters…): a generic, versioned key-value table by tenant, `kind` and `id`, with a `ref`, a `status` and an instant `at` to list by.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const settings = await tx.getRecord('acme', 'settings', 'tenant');
 * ```
 */
export interface RecordOperations {
  /** The record, or `null`. */
  getRecord(tenantId: string, kind: string, id: string): Promise<StoredRecord | null>;
  /**
   * Writes a record if, and only if, its stored version is `expectedVersion`
   * (`null`: it must not exist yet), atomically; otherwise throws
   * `ConflictError` and writes nothing, and the transaction stays usable.
   * `record.version` must be `expectedVersion + 1` (or 1). The record is
   * matched by `(record.tenantId, record.kind, record.id)`; the
   * conflict's `params.id` is `kind/id`.
   */
  putRecord(record: StoredRecord, expectedVersion: number | null): Promise<void>;
  /**
   * Inserts records, each at version 1, that do not exist yet, in as few
   * statements as the database allows; a record whose tenant, kind and id
   * exist is left as it is (for records whose content follows from their
   * id, such as index entries). Returns how many it inserted.
   */
  insertRecords(records: readonly StoredRecord[]): Promise<number>;
  /**
   * One page of records matching `filter`, ordered by `at`, then `id`. The
   * cursor holds the `(at, id)` of the page's last record; a cursor of
   * another listing is a `ValidationError`.
   */
  listRecords(tenantId: string, filter: RecordFilter, page: PageRequest): Promise<Page<StoredRecord>>;
  /** Deletes the record, whatever its version; `false` if there was none. */
  deleteRecord(tenantId: string, kind: string, id: string): Promise<boolean>;
}

/**
 * The transactional outbox: effects enqueued in the transaction that decided them (idempotent by key), leased to workers on the store's clock, settled once by the lease holder.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * await tx.enqueueEffects([{ id: 'fx-1', tenantId: 'acme', idempotencyKey: 'k-1', kind: 'notify', payload: {}, availableAt: now, createdAt: now }]);
 * ```
 */
export interface OutboxOperations {
  /**
   * Adds effects to the outbox (status `pending`, no attempts). An effect
   * whose `(tenantId, idempotencyKey)` is already in the outbox is ignored.
   * Returns how many were added.
   */
  enqueueEffects(effects: readonly NewOutboxEffect[]): Promise<number>;
  /**
   * Leases due effects of every tenant to a worker: `pending`, `availableAt
   * <= now`, and not leased or with an expired lease (`leaseUntil` before the
   * store's clock; see {@link ClaimRequest}); oldest `availableAt` first, then
   * id. Each claimed effect gets `leaseOwner = workerId`, `leaseUntil = the
   * store's now + leaseMs` and one more attempt. Rows another open
   * transaction holds are skipped where the store has `skipLocked`.
   */
  claimEffects(request: ClaimRequest): Promise<OutboxEffect[]>;
  /**
   * Records the outcome of a delivery if `workerId` still holds the lease —
   * it is the `leaseOwner`; an expired lease no one else has claimed still
   * counts — and clears the lease; returns `false` and writes nothing
   * otherwise (e.g. another worker has claimed the effect since).
   */
  settleEffect(id: string, workerId: string, outcome: EffectOutcome): Promise<boolean>;
  /**
   * Extends the lease of a `pending` effect `workerId` holds (as
   * {@link StoreTransaction.settleEffect} judges holding) to the store's now
   * + `leaseMs`, so a delivery slower than one lease keeps it; returns the new
   * `leaseUntil`, or `null` and writes nothing when the worker no longer holds
   * the lease (another worker claimed the effect, or it was settled).
   */
  extendEffectLease(id: string, workerId: string, leaseMs: number): Promise<string | null>;
  /** The effect with this idempotency key, or `null`. */
  getEffect(tenantId: string, idempotencyKey: string): Promise<OutboxEffect | null>;
}

/**
 * Durable timers, one per tenant and key (scheduling the same key moves it), leased to workers like outbox effects and deleted when fired by the lease holder.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * await tx.scheduleTimer({ id: 'tm-1', tenantId: 'acme', key: 'off-1:escalate', workflowId: 'off-1', event: { type: 'ESCALATE' }, dueAt, createdAt: now });
 * ```
 */
export interface TimerOperations {
  /**
   * Schedules a timer, or moves the tenant's timer with the same `key` (new
   * `id`, `event` and `dueAt`; lease and attempts reset).
   */
  scheduleTimer(timer: NewTimer): Promise<void>;
  /**
   * {@link scheduleTimer} for many timers at once, in as few statements as
   * the database allows. Each timer has its own tenant and key within the
   * call.
   */
  scheduleTimers(timers: readonly NewTimer[]): Promise<void>;
  /** Cancels the tenant's timer with this key; `false` if there was none. */
  cancelTimer(tenantId: string, key: string): Promise<boolean>;
  /** Leases due timers of every tenant to a worker, like {@link StoreTransaction.claimEffects}, by `dueAt` then id. */
  claimTimers(request: ClaimRequest): Promise<TimerRecord[]>;
  /** Deletes a fired timer if `workerId` still holds its lease; `false` otherwise. */
  completeTimer(id: string, workerId: string): Promise<boolean>;
  /** The tenant's timer with this key, or `null`. */
  getTimer(tenantId: string, key: string): Promise<TimerRecord | null>;
}

/**
 * A tenant's share of the worker's queues at one instant: outbox effects and
 * timers waiting, due, leased to a worker or being retried, and effects given
 * up on. What an operator page shows; see {@link BacklogOperations.backlog}.
 *
 * @example
 * ```ts
 * import type { WorkBacklog } from '@guard/core';
 * const b: WorkBacklog = {
 *   effects: { pending: 12, due: 3, leased: 1, retrying: 2, nextAt: '2026-11-02T09:00:00.000Z', dead: 0 },
 *   timers: { pending: 40, due: 0, leased: 0, nextAt: '2026-11-02T10:00:00.000Z' },
 * };
 * ```
 */
export interface WorkBacklog {
  readonly effects: {
    /** Effects not yet delivered nor given up on (status `pending`). */
    readonly pending: number;
    /** Pending effects available at the instant: what a worker would claim now. */
    readonly due: number;
    /** Pending effects a worker holds a lease on (judged on the store's clock, as claims are). */
    readonly leased: number;
    /** Pending effects tried before and waiting for their next attempt (not leased). */
    readonly retrying: number;
    /** The earliest `availableAt` of a pending effect, or `null`. */
    readonly nextAt: string | null;
    /** Effects given up on (status `dead`). */
    readonly dead: number;
  };
  readonly timers: {
    /** Timers scheduled and not yet fired. */
    readonly pending: number;
    /** Timers due at the instant. */
    readonly due: number;
    /** Timers a worker holds a lease on (store's clock). */
    readonly leased: number;
    /** The earliest `dueAt`, or `null`. */
    readonly nextAt: string | null;
  };
}

/**
 * Counts of a tenant's queued work, for operators.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const backlog = await tx.backlog('acme', new Date().toISOString());
 * if (backlog.effects.dead > 0) console.warn(`${backlog.effects.dead} effects need a look`);
 * ```
 */
export interface BacklogOperations {
  /**
   * The tenant's effects and timers at `now` (ISO): `now` decides what is
   * due, the store's clock what is leased. Reads indexes only; never locks.
   */
  backlog(tenantId: string, now: string): Promise<WorkBacklog>;
}

/**
 * The hash-chained audit log: entries appended under the tenant's locked head (so appends of one tenant queue), with their seals, and signed checkpoints.
 * One concern of {@link StoreTransaction}.
 *
 * @example
 * ```ts
 * const head = await tx.lockAuditHead('acme'); // null before the first entry
 * ```
 */
export interface AuditOperations {
  /**
   * The tenant's audit head, locked until the transaction ends so that
   * concurrent appenders queue behind it; `null` before the first entry.
   */
  lockAuditHead(tenantId: string): Promise<AuditHead | null>;
  /**
   * Appends entries that continue the head read by `lockAuditHead` (their
   * `seq` values are consecutive, starting at head + 1, all of one tenant)
   * and moves the head to the last one, storing `headSeal` with it (and each
   * entry's `seal` with the entry) exactly as given. Throws `ConflictError`
   * if a `seq` is already taken, and writes nothing then.
   */
  appendAudit(entries: readonly AuditEntry[], headSeal?: string | null): Promise<void>;
  /** Up to `limit` entries with `seq > afterSeq`, ascending by `seq`. */
  readAudit(tenantId: string, afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** Entries matching the query, paged. */
  queryAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEntry>>;
  /** Stores a checkpoint (replacing one at the same `seq`). */
  putCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** The newest checkpoint of the tenant (highest `seq`), or `null`. */
  latestCheckpoint(tenantId: string): Promise<AuditCheckpoint | null>;
  /** Up to `limit` checkpoints with `seq > afterSeq`, ascending by `seq`. */
  readCheckpoints(tenantId: string, afterSeq: number, limit: number): Promise<AuditCheckpoint[]>;
}

/**
 * The operations available inside a transaction, grouped by concern:
 * {@link DirectoryOperations}, {@link CustomerOperations},
 * {@link WorkflowOperations}, {@link RecordOperations},
 * {@link OutboxOperations}, {@link TimerOperations} and
 * {@link AuditOperations}; each states its contract, and the conformance
 * suite of `@guard/testkit` checks it on every store. Records passed in and
 * returned are plain data; the store never keeps or returns references a
 * caller could mutate afterwards.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   const c = await tx.getCustomer('acme', 'c-1');
 *   if (c) await tx.putCustomer({ ...c, name: 'New name', version: c.version + 1 }, c.version);
 * });
 * ```
 */
export interface StoreTransaction
  extends DirectoryOperations,
    CustomerOperations,
    WorkflowOperations,
    RecordOperations,
    OutboxOperations,
    TimerOperations,
    BacklogOperations,
    AuditOperations {}
