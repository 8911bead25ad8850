import type { StoreCapabilities } from '@guard/core';

/**
 * The full name of every test of the store conformance suite: the suite's
 * name, ` > `, the test's title. `optOut` is typed against it, so a renamed
 * test breaks the build of every runner that names it.
 *
 * @example
 * ```ts
 * import type { ConformanceTestName } from '@guard/testkit';
 * const name: ConformanceTestName = 'transactions > rolls back every write when the work throws';
 * ```
 */
export type ConformanceTestName =
  | 'transactions > commits every write together when the work resolves, and returns its result'
  | 'transactions > rolls back every write when the work throws'
  | 'transactions > rolls back owner changes, claims, settlements, cancellations and completions when the work throws'
  | 'transactions > rethrows the very error the work threw'
  | 'transactions > never keeps or returns references a caller could mutate'
  | 'tenants & directory > getTenant is null for an unknown tenant; putTenant inserts, then replaces'
  | 'tenants & directory > putUnits inserts or replaces by tenant and id; getUnits returns the ones that exist'
  | 'tenants & directory > putEmployees inserts or replaces by tenant and id; getEmployees returns the ones that exist'
  | 'customers > insertCustomers inserts many new customers at once, every field round-tripping'
  | 'customers > insertCustomers throws ConflictError for an id the tenant has or one given twice, and writes nothing'
  | 'customers > getCustomer is null for a missing customer'
  | 'customers > inserts a new customer with expectedVersion null, every field round-tripping'
  | 'customers > updates a customer given its current version'
  | 'customers > a NUL or a lone surrogate anywhere in a record is the same ValidationError on every store, and writes nothing'
  | 'customers > keeps every other text exactly: emoji, CJK, combining marks, RTL, quotes and backslashes'
  | 'customers > a version that is not a whole number is a ValidationError on every versioned write, and writes nothing'
  | 'customers > throws ConflictError on a stale or wrong version, and writes nothing'
  | 'customers > throws ConflictError when inserting an id that exists, and writes nothing'
  | 'customers > throws ConflictError when updating a customer that does not exist, and writes nothing'
  | 'customers > getCustomers returns the customers that exist, ignoring unknown ids'
  | 'customers > ids that differ only in case are different customers'
  | 'claims > claims an unowned customer, bumping its version and nothing else'
  | 'claims > a second claim from the pool returns null and writes nothing'
  | 'claims > transfers a customer from its owner to another'
  | 'claims > returns a customer to the pool'
  | 'claims > returns null and writes nothing when the customer is owned by someone else'
  | 'claims > returns null for a missing customer and creates nothing'
  | 'claims > of many concurrent claims on an unowned customer exactly one wins'
  | 'workflows > getWorkflow is null for a missing workflow'
  | 'workflows > inserts a new workflow with expectedVersion null, every field round-tripping'
  | 'workflows > updates a workflow given its current version'
  | 'workflows > throws ConflictError on a stale or wrong version, and writes nothing'
  | 'workflows > throws ConflictError when inserting an id that exists, and writes nothing'
  | 'workflows > throws ConflictError when updating a workflow that does not exist, and writes nothing'
  | 'records > insertRecords inserts the records that do not exist, leaves the others as they are, and counts what it inserted'
  | 'records > getRecord is null for a missing record, another kind or another tenant'
  | 'records > inserts a new record with expectedVersion null, every field round-tripping'
  | 'records > updates a record given its current version, every field but the key changing'
  | 'records > throws ConflictError on a stale or wrong version, leaving the row unchanged and the transaction usable'
  | 'records > throws ConflictError unless the version is expectedVersion + 1, and writes nothing'
  | 'records > throws ConflictError when inserting an id that exists, and writes nothing'
  | 'records > throws ConflictError when updating a record that does not exist, and writes nothing'
  | 'records > of concurrent writers with the same expected version exactly one wins'
  | 'records > kinds are separate: the same id in another kind is another record'
  | "records > tenants are separate: another tenant's records are never read, listed, changed or deleted"
  | 'records > deleteRecord removes the record and returns true; false when there was none'
  | 'records > listRecords orders by at, then id, and by both descending with order desc'
  | 'records > listRecords filters by ref, by status, and by both'
  | 'records > listRecords keeps records with from <= at < to'
  | 'records > listRecords pages through any filter without duplicates or gaps, for any limit'
  | 'records > a cursor that no page of listRecords returned is a ValidationError, and its cursors fit no other listing'
  | 'records > rolls back record writes and deletes when the work throws'
  | 'records > never keeps or returns references a caller could mutate'
  | 'audit > lockAuditHead is null before the first entry, then the last appended entry'
  | 'audit > appendAudit stores the seal of each entry and of the head exactly as given'
  | 'audit > appendAudit keeps each entry’s salt exactly, null on an entry written before salts'
  | 'audit > appendAudit continues the chain with consecutive seq across transactions'
  | 'audit > appendAudit throws ConflictError for a seq already taken, and writes nothing'
  | 'audit > readAudit returns up to limit entries after afterSeq, ascending, exactly as written'
  | 'audit > putCheckpoint keeps an Ed25519 checkpoint, with its 128-digit signature, exactly'
  | 'audit > latestCheckpoint is null, then the checkpoint with the highest seq'
  | 'audit > putCheckpoint replaces a checkpoint at the same seq'
  | 'audit > readCheckpoints returns up to limit checkpoints after afterSeq, ascending'
  | 'audit > a chain written through AuditLog verifies'
  | 'outbox > enqueueEffects adds pending effects with no attempts and returns how many'
  | 'outbox > enqueueEffects ignores an idempotency key already in the outbox, keeping the first'
  | 'outbox > idempotency keys are unique per tenant, not across tenants'
  | 'outbox > getEffect is null for an unknown idempotency key'
  | 'outbox > claimEffects leases only due, pending, unleased effects, oldest availableAt first, then id'
  | 'outbox > claimEffects returns at most limit effects'
  | 'outbox > claimEffects sets the lease owner, leaseUntil = the store clock now + leaseMs and one more attempt'
  | 'outbox > a lease holds on the store clock, however far ahead the clock of the next worker runs'
  | 'outbox > a second claim at the same now gets nothing'
  | 'outbox > after the lease expires on the store clock another worker can claim the effect'
  | 'outbox > extendEffectLease moves the lease of its holder to the store clock now + leaseMs'
  | 'outbox > extendEffectLease by a worker that does not hold the lease returns null and writes nothing'
  | 'outbox > claimEffects serves every tenant, each effect carrying its own tenantId'
  | 'outbox > settleEffect done: the effect is delivered, its lease cleared, and never claimed again'
  | 'outbox > settleEffect pending: the effect is retried at the new availableAt, with the error recorded'
  | 'outbox > settleEffect dead: the effect is given up on, with the error recorded, and never claimed again'
  | 'outbox > settleEffect by a worker that does not hold the lease returns false and writes nothing'
  | "outbox > backlog counts a tenant's pending, due, leased, retrying and dead effects and its timers, and nothing of another tenant"
  | 'timers > scheduleTimer stores a timer with no lease and no attempts, every field round-tripping'
  | 'timers > scheduleTimers schedules many at once, as one scheduleTimer after another: the last timer of a key wins'
  | 'timers > getTimer is null for an unknown key'
  | 'timers > scheduling a key again moves the timer: new id, event and dueAt; lease and attempts reset'
  | 'timers > cancelTimer removes the timer and returns true; false when there was none'
  | 'timers > claimTimers leases only due, unleased timers, earliest dueAt first, then id'
  | 'timers > claimTimers returns at most limit timers'
  | 'timers > claimTimers sets the lease owner, leaseUntil = the store clock now + leaseMs and one more attempt'
  | 'timers > a lease holds on the store clock, however far ahead the clock of the next worker runs'
  | 'timers > a second claim at the same now gets nothing'
  | 'timers > after the lease expires on the store clock another worker can claim the timer'
  | 'timers > claimTimers serves every tenant, each timer carrying its own tenantId'
  | 'timers > completeTimer by the lease holder deletes the timer'
  | 'timers > completeTimer by a worker that does not hold the lease returns false and deletes nothing'
  | 'timers > timer keys are unique per tenant, not across tenants'
  | 'paging > listCustomers({}) walks every customer of the tenant once, in id order'
  | 'paging > listCustomers({ ownerId }) walks the customers of one owner once, in id order'
  | 'paging > listCustomers({ pool: true }) walks the unowned customers once, in id order'
  | 'paging > listCustomers({ unitId }) walks the customers of the unit subtree once, by unit path then id'
  | 'paging > listCustomers({ unitId }) follows units that move, and a unit added after its customers'
  | 'paging > listUnitsUnder walks the units strictly below a unit once, in id order'
  | "paging > listEmployees walks a tenant's employees once, in id order, whatever their status"
  | 'paging > listWorkflows filters by machine, state and subject, in id order'
  | 'paging > queryAudit filters by actorId, subject and action'
  | 'paging > queryAudit keeps entries with from <= at < to'
  | 'paging > queryAudit pages ascending and descending by seq'
  | 'paging > a cursor that no page returned is a ValidationError'
  | 'concurrency > concurrent appenders to one tenant queue behind the audit head, and the chain verifies'
  | 'concurrency > concurrent claimEffects calls never lease one effect to two workers'
  | 'concurrency > concurrent claimTimers calls never lease one timer to two workers'
  | 'concurrency > two transactions can be open at the same time'
  | 'concurrency > a claim of effects skips the rows another open transaction holds'
  | 'concurrency > a claim of timers skips the rows another open transaction holds'
  | 'concurrency > concurrent workers each get a full batch of distinct effects'
  | 'isolation > every read with one tenant id returns only rows of that tenant'
  | 'isolation > claims return each row with the tenantId it was written under';

/**
 * One entry of {@link conformanceTests}: a test's full name and the
 * capability it needs, if any.
 *
 * @example
 * ```ts
 * import { conformanceTests, type ConformanceTestInfo } from '@guard/testkit';
 * const needsSkipLocked: ConformanceTestInfo[] = conformanceTests.filter((t) => t.requires === 'skipLocked');
 * ```
 */
export interface ConformanceTestInfo {
  readonly name: ConformanceTestName;
  /** The store capability the test needs; a store declaring it `false` skips the test. */
  readonly requires?: keyof StoreCapabilities | undefined;
}
