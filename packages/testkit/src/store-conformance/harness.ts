import type { Store } from '@guard/core';

/**
 * A customer row as the database really holds it, read without the store's
 * code.
 *
 * @example
 * ```ts
 * import type { RawCustomerRow } from '@guard/testkit';
 * const row: RawCustomerRow = { id: 'c-1', name: 'Huadong Machinery', ownerId: null, unitId: 'sh', version: 1 };
 * ```
 */
export interface RawCustomerRow {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string | null;
  readonly unitId: string;
  /** A JavaScript number, even where the driver returns integers as strings or bigints. */
  readonly version: number;
}

/**
 * An audit entry row as the database really holds it.
 *
 * @example
 * ```ts
 * import type { RawAuditRow } from '@guard/testkit';
 * declare const row: RawAuditRow;
 * row.prevHash; // the previous row's hash, or 64 zeros for seq 1
 * ```
 */
export interface RawAuditRow {
  readonly seq: number;
  readonly action: string;
  /** `actor.id` of the entry. */
  readonly actorId: string;
  readonly prevHash: string;
  readonly hash: string;
  /** The entry's seal as written (`<keyId>:<hex>`), or `null`. */
  readonly seal: string | null;
}

/**
 * A workflow row as the database really holds it.
 *
 * @example
 * ```ts
 * import type { RawWorkflowRow } from '@guard/testkit';
 * const row: RawWorkflowRow = { id: 'wf-1', state: 'pending', version: 2 };
 * ```
 */
export interface RawWorkflowRow {
  readonly id: string;
  readonly state: string;
  readonly version: number;
}

/**
 * An outbox row as the database really holds it.
 *
 * @example
 * ```ts
 * import type { RawEffectRow } from '@guard/testkit';
 * const row: RawEffectRow = { id: 'fx-1', idempotencyKey: 'wf-1:notify', status: 'pending', attempts: 0, leaseOwner: null };
 * ```
 */
export interface RawEffectRow {
  readonly id: string;
  readonly idempotencyKey: string;
  /** As stored, mapped to the port's words: `pending`, `done` or `dead`. */
  readonly status: string;
  readonly attempts: number;
  readonly leaseOwner: string | null;
}

/**
 * A timer row as the database really holds it.
 *
 * @example
 * ```ts
 * import type { RawTimerRow } from '@guard/testkit';
 * const row: RawTimerRow = { id: 'tm-1', key: 'wf-1:timeout', dueAt: '2026-11-02T02:00:00.000Z', leaseOwner: null };
 * ```
 */
export interface RawTimerRow {
  readonly id: string;
  readonly key: string;
  /** The instant as `Date#toISOString()` writes it, whatever column type holds it. */
  readonly dueAt: string;
  readonly leaseOwner: string | null;
}

/**
 * A record row as the database really holds it, its JSON `data` parsed.
 *
 * @example
 * ```ts
 * import type { RawRecordRow } from '@guard/testkit';
 * const row: RawRecordRow = {
 *   kind: 'alert', id: 'a-1', ref: 'e-7', status: 'open', at: '2026-11-02T02:00:00.000Z',
 *   data: { score: 90 }, version: 1,
 * };
 * ```
 */
export interface RawRecordRow {
  readonly kind: string;
  readonly id: string;
  readonly ref: string | null;
  readonly status: string | null;
  /** The instant exactly as stored (the store keeps `at` as it was given). */
  readonly at: string;
  /** The JSON value, parsed (whether the column holds text or the driver parses it). */
  readonly data: unknown;
  readonly version: number;
}

/**
 * Reads what a store really wrote, bypassing the store's code (raw SQL for a
 * SQL store, the backing maps for the memory store), so the conformance
 * suite checks the database and not only what the store says it wrote.
 * Every method reads committed data of one tenant; rows come in any order.
 * Numbers are JavaScript numbers and instants `Date#toISOString()` strings,
 * whatever the driver returns.
 *
 * @example
 * ```ts
 * import type { RawReader } from '@guard/testkit';
 * import type { Pool } from 'pg';
 * declare const pool: Pool;
 * const raw: Pick<RawReader, 'customers'> = {
 *   async customers(tenantId) {
 *     const { rows } = await pool.query(
 *       'select id, name, owner_id as "ownerId", unit_id as "unitId", version::int from guard_customers where tenant_id = $1',
 *       [tenantId],
 *     );
 *     return rows;
 *   },
 * };
 * ```
 */
export interface RawReader {
  /** The tenant's customer rows. */
  customers(tenantId: string): Promise<RawCustomerRow[]>;
  /** The tenant's audit entry rows. */
  auditEntries(tenantId: string): Promise<RawAuditRow[]>;
  /** The tenant's stored audit head row with its seal; `null` when there is none (or it is at seq 0). */
  auditHead(tenantId: string): Promise<{ seq: number; hash: string; seal: string | null } | null>;
  /** The tenant's workflow rows. */
  workflows(tenantId: string): Promise<RawWorkflowRow[]>;
  /** The tenant's outbox rows, whatever their status. */
  effects(tenantId: string): Promise<RawEffectRow[]>;
  /** The tenant's timer rows. */
  timers(tenantId: string): Promise<RawTimerRow[]>;
  /** The tenant's record rows, of every kind. */
  records(tenantId: string): Promise<RawRecordRow[]>;
}

/**
 * What the conformance suite needs for one test: a fresh store and a way to
 * read behind its back. The suite asks for a new harness before every test
 * and cleans it up after, so tests never see each other's data.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@guard/core';
 * import type { StoreHarness } from '@guard/testkit';
 * declare function memoryRawReader(store: ReturnType<typeof memoryStore>): StoreHarness['raw'];
 * async function harness(): Promise<StoreHarness> {
 *   const store = memoryStore();
 *   return { store, raw: memoryRawReader(store), cleanup: () => store.close() };
 * }
 * ```
 */
export interface StoreHarness {
  /** A fresh, empty, migrated store. */
  readonly store: Store;
  /** Reads what was really written, bypassing the store's code. */
  readonly raw: RawReader;
  /** Closes the store and drops whatever the harness created (a schema, a database file). */
  cleanup(): Promise<void>;
}
