/**
 * Where a connector's listing stands: the cursor to pass next time and
 * whether it has caught up. A connector's cursor is its own opaque string (a
 * `SystemModstamp` watermark, a HubSpot `after`, a WeCom `next_cursor`);
 * Guard stores it and passes it back unchanged, so a sync resumes where the
 * last one stopped, across restarts.
 *
 * @example
 * ```ts
 * import type { CrmPage, CrmCustomer } from '@guard/core';
 * const page: CrmPage<CrmCustomer> = { items: [], cursor: '2026-11-30T10:00:00.000Z|001xx0000001', caughtUp: true };
 * ```
 */
export interface CrmPage<T> {
  readonly items: readonly T[];
  /** Pass it as `cursor` next time, in this sync or the next one. Never `null`: a caught-up listing still knows where it stands. */
  readonly cursor: string;
  /** `true` when nothing newer is there now: stop, and come back later with `cursor`. */
  readonly caughtUp: boolean;
}

/**
 * One call of a listing: from `cursor` (`null`: from the beginning), at most
 * `limit` items. `signal` aborts a slow call (the worker's lease ran out, or
 * the host is shutting down).
 *
 * @example
 * ```ts
 * import type { CrmListRequest } from '@guard/core';
 * const first: CrmListRequest = { tenantId: 'acme', cursor: null, limit: 200 };
 * ```
 */
export interface CrmListRequest {
  readonly tenantId: string;
  readonly cursor: string | null;
  readonly limit: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * A customer as the CRM has it: its id there, its name and its owner there
 * (a CRM user id; `null`: unowned, or owned by a queue).
 *
 * @example
 * ```ts
 * import type { CrmCustomer } from '@guard/core';
 * const account: CrmCustomer = { externalId: '001xx000003DGb2AAG', name: '华东机电', ownerUserId: '005xx0000012Q9f', updatedAt: '2026-11-30T10:00:00.000Z' };
 * ```
 */
export interface CrmCustomer {
  readonly externalId: string;
  readonly name: string;
  readonly ownerUserId: string | null;
  /** When the CRM last changed it (ISO 8601). */
  readonly updatedAt: string;
  /** Other fields the connector maps, by field class (`public`, `contact`, `commercial`). */
  readonly fields?: { readonly [fieldClass: string]: { readonly [field: string]: string | number | boolean | null } };
}

/**
 * An order (Salesforce Opportunity, HubSpot deal, an ERP's sales order) of a
 * CRM customer.
 *
 * @example
 * ```ts
 * import type { CrmOrder } from '@guard/core';
 * const won: CrmOrder = { externalId: '006xx01', customerExternalId: '001xx01', ownerUserId: '005xx09', amount: 120000, currency: 'CNY', status: 'won', at: '2026-11-28T08:00:00.000Z' };
 * ```
 */
export interface CrmOrder {
  readonly externalId: string;
  readonly customerExternalId: string;
  readonly ownerUserId: string | null;
  readonly amount: number;
  /** ISO 4217, e.g. `CNY`. */
  readonly currency: string;
  readonly status: 'open' | 'won' | 'lost';
  /** When it was created or last changed stage (ISO 8601). */
  readonly at: string;
}

/**
 * A sales activity in the CRM (a call, e-mail, meeting or task on a
 * customer): the follow-ups Guard counts for its risk signals.
 *
 * @example
 * ```ts
 * import type { CrmActivity } from '@guard/core';
 * const call: CrmActivity = { externalId: '00Txx01', customerExternalId: '001xx01', ownerUserId: '005xx09', kind: 'call', at: '2026-11-29T03:00:00.000Z' };
 * ```
 */
export interface CrmActivity {
  readonly externalId: string;
  readonly customerExternalId: string | null;
  readonly ownerUserId: string | null;
  readonly kind: 'call' | 'email' | 'meeting' | 'task' | 'note' | 'other';
  readonly at: string;
}

/**
 * What Guard knows of an employee that a connector may match a CRM user on.
 *
 * @example
 * ```ts
 * import type { CrmEmployeeRef } from '@guard/core';
 * const wang: CrmEmployeeRef = { employeeId: 'e-7', email: 'wang@acme.cn', mobile: '13812345678', name: '王伟' };
 * ```
 */
export interface CrmEmployeeRef {
  readonly employeeId: string;
  readonly email?: string | undefined;
  readonly mobile?: string | undefined;
  readonly name?: string | undefined;
}

/**
 * One ownership move for the CRM: the customer's id there, and the users
 * there it moves from and to (`to: null`: back to the pool or queue the
 * connector is configured with).
 *
 * @example
 * ```ts
 * import type { CrmMove } from '@guard/core';
 * const move: CrmMove = { customerExternalId: '001xx01', fromUserId: '005xx07', toUserId: '005xx09' };
 * ```
 */
export interface CrmMove {
  readonly customerExternalId: string;
  readonly fromUserId: string | null;
  readonly toUserId: string | null;
}

/**
 * A batch of moves, at most the connector's `transfer.maxBatch`. The CRM
 * call carries `idempotencyKey` where the API has one; a connector that
 * sees a key again answers with the outcome it recorded rather than moving
 * twice.
 *
 * @example
 * ```ts
 * import type { CrmTransferRequest } from '@guard/core';
 * const request: CrmTransferRequest = { tenantId: 'acme', idempotencyKey: 'off-1:crm:0', moves: [] };
 * ```
 */
export interface CrmTransferRequest {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly moves: readonly CrmMove[];
  readonly signal?: AbortSignal | undefined;
}

/**
 * The outcome of one move. `done`: the CRM shows the new owner. `pending`:
 * the CRM accepted it and completes it later (WeCom hands a customer over
 * after 24 hours unless the customer refuses); ask again with
 * `transferStatus`. `failed`: this record was refused; `retryable` says
 * whether the same move may succeed later (a locked row) or needs a person
 * (the successor's limit, a customer who refused).
 *
 * @example
 * ```ts
 * import type { CrmMoveResult } from '@guard/core';
 * const locked: CrmMoveResult = { customerExternalId: '001xx01', status: 'failed', code: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access', retryable: true };
 * ```
 */
export type CrmMoveResult =
  | { readonly customerExternalId: string; readonly status: 'done' | 'pending' }
  | {
      readonly customerExternalId: string;
      readonly status: 'failed';
      /** The CRM's own code, e.g. `UNABLE_TO_LOCK_ROW`, HubSpot's `category`, WeCom's `errcode`. */
      readonly code: string;
      readonly message: string;
      readonly retryable: boolean;
    };

/**
 * What a connector can do. Guard checks at start-up that every feature the
 * tenant enables has what it needs (see `checkConnector`).
 *
 * @example
 * ```ts
 * import type { CrmCapabilities } from '@guard/core';
 * const salesforce: CrmCapabilities = { customers: true, orders: true, activities: true, users: true, transfer: { maxBatch: 200, completesLater: false }, maxPageSize: 2000 };
 * ```
 */
export interface CrmCapabilities {
  readonly customers: boolean;
  readonly orders: boolean;
  readonly activities: boolean;
  /** Can match Guard's employees to CRM users (`mapUsers`). */
  readonly users: boolean;
  /** Can move ownership (`transferOwnership`), at most `maxBatch` moves a call; `completesLater`: moves may be `pending`. */
  readonly transfer: { readonly maxBatch: number; readonly completesLater: boolean } | null;
  /** The most items one listing call returns. */
  readonly maxPageSize: number;
  /**
   * What `listCustomers` resumed from a cursor reports: every change
   * (`all`, the default), or only customers that are new or changed owner
   * (`ownership`) — for CRMs whose API cannot list other changes (WeCom
   * lists relationships, not edits; renames arrive by callback).
   */
  readonly customerChanges?: 'all' | 'ownership' | undefined;
}

/**
 * Guard's port to a CRM (Salesforce, HubSpot, WeCom 企业微信, a home-grown
 * ERP). A connector lists what changed since a cursor, matches employees to
 * CRM users, and moves ownership in batches; it handles its API's token
 * refresh, paging, rate limits and retries of single calls, and throws a
 * `ConnectorError` that says what went wrong and what to do when a call
 * fails as a whole. Methods a connector's `capabilities` leave out may be
 * absent. `@guard/testkit`'s connector contract suite checks an
 * implementation against this contract.
 *
 * @example
 * ```ts
 * import type { CrmConnector } from '@guard/core';
 * declare const salesforce: CrmConnector;
 * const page = await salesforce.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 200 });
 * for (const account of page?.items ?? []) console.log(account.externalId, account.ownerUserId);
 * ```
 */
export interface CrmConnector {
  /** The connector's name, also the key of a customer's id in `externalRefs`, e.g. `salesforce`. */
  readonly name: string;
  readonly capabilities: CrmCapabilities;
  /** Customers created or changed since `cursor`, oldest change first, with their owners. */
  listCustomers?(request: CrmListRequest): Promise<CrmPage<CrmCustomer>>;
  /** Orders created or changed since `cursor`, oldest first. */
  listOrders?(request: CrmListRequest): Promise<CrmPage<CrmOrder>>;
  /** Activities since `cursor`, oldest first. */
  listActivities?(request: CrmListRequest): Promise<CrmPage<CrmActivity>>;
  /** The CRM user id of each employee, by employee id; `null` for one with no user there. */
  mapUsers?(tenantId: string, employees: readonly CrmEmployeeRef[]): Promise<ReadonlyMap<string, string | null>>;
  /** Moves ownership; one result per move, in the order of `moves`. */
  transferOwnership?(request: CrmTransferRequest): Promise<readonly CrmMoveResult[]>;
  /** Where `pending` moves stand now, for connectors whose transfers complete later. */
  transferStatus?(tenantId: string, moves: readonly CrmMove[]): Promise<readonly CrmMoveResult[]>;
}
