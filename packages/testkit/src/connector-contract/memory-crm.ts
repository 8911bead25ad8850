import {
  type CrmActivity,
  type CrmCapabilities,
  type CrmConnector,
  type CrmCustomer,
  type CrmListRequest,
  type CrmMove,
  type CrmMoveResult,
  type CrmOrder,
  type CrmPage,
  type CrmTransferRequest,
  foreignCursorError,
  parseCrmListRequest,
  parseCrmTransferRequest,
} from '@guard/core';
import type { ConnectorHarness, CrmSeed, CrmUserSeed } from './harness.js';

/**
 * Options of {@link memoryCrm}.
 *
 * @example
 * ```ts
 * import type { MemoryCrmOptions } from '@guard/testkit';
 * const wecomLike: MemoryCrmOptions = { name: 'wecom', transfer: { maxBatch: 100, completesLater: true }, maxPageSize: 100 };
 * ```
 */
export interface MemoryCrmOptions {
  /** Default `memory-crm`. */
  readonly name?: string;
  /** Default `{ maxBatch: 200, completesLater: false }`; `null`: no transfers. */
  readonly transfer?: CrmCapabilities['transfer'];
  /** Default 100. */
  readonly maxPageSize?: number;
}

interface Row<T> {
  /** Position in the change log: what a cursor counts. */
  seq: number;
  item: T;
}

/**
 * A CRM held in memory that implements the whole {@link CrmConnector}
 * contract: the reference the connector contract suite is checked against,
 * and a stand-in CRM for hosts' own tests. Cursors are positions in its
 * change log; users are matched by e-mail, then mobile; a move is checked
 * against the owner the CRM has now. With `completesLater`, moves stay
 * `pending` until `settlePending()`, as WeCom's do for 24 hours.
 *
 * @example
 * ```ts
 * import { memoryCrm } from '@guard/testkit';
 * const crm = memoryCrm();
 * await crm.seed({ users: [{ userId: 'u-1', email: 'wang@acme.cn' }], customers: [{ externalId: 'a-1', name: '华东机电', ownerUserId: 'u-1' }] });
 * const page = await crm.connector.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 50 });
 * page?.items[0]?.ownerUserId; // 'u-1'
 * ```
 */
export function memoryCrm(options: MemoryCrmOptions = {}): ConnectorHarness {
  const name = options.name ?? 'memory-crm';
  const capabilities: CrmCapabilities = {
    customers: true,
    orders: true,
    activities: true,
    users: true,
    transfer: options.transfer === undefined ? { maxBatch: 200, completesLater: false } : options.transfer,
    maxPageSize: options.maxPageSize ?? 100,
  };
  let seq = 0;
  let clock = Date.parse('2026-11-02T01:00:00.000Z');
  /** The CRM's clock: a second later at every change. */
  const now = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };
  const users = new Map<string, CrmUserSeed>();
  const customers = new Map<string, Row<CrmCustomer>>();
  const orders = new Map<string, Row<CrmOrder>>();
  const activities = new Map<string, Row<CrmActivity>>();
  /** Moves accepted and not yet completed: customer → the user it goes to. */
  const pending = new Map<string, string | null>();

  const put = <T extends { externalId: string }>(rows: Map<string, Row<T>>, item: T) => {
    rows.delete(item.externalId); // re-inserted at the end: Map order is change order
    rows.set(item.externalId, { seq: ++seq, item });
  };

  const list = async <T>(
    rows: Map<string, Row<T>>,
    input: CrmListRequest,
    operation: 'listCustomers' | 'listOrders' | 'listActivities',
  ): Promise<CrmPage<T>> => {
    const request = parseCrmListRequest(input, capabilities);
    const after = request.cursor === null ? 0 : Number(request.cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw foreignCursorError(name, operation, String(request.cursor));
    const limit = request.limit;
    const newer = [...rows.values()].filter((r) => r.seq > after);
    const items = newer.slice(0, limit);
    const last = items.at(-1)?.seq ?? after;
    return { items: items.map((r) => structuredClone(r.item)), cursor: String(last), caughtUp: newer.length <= limit };
  };

  const moveResult = (move: CrmMove): CrmMoveResult => {
    const row = customers.get(move.customerExternalId);
    if (!row) {
      return {
        customerExternalId: move.customerExternalId,
        status: 'failed',
        code: 'NOT_FOUND',
        message: 'no such customer in the CRM',
        retryable: false,
      };
    }
    const owner = row.item.ownerUserId;
    if (pending.has(move.customerExternalId) && pending.get(move.customerExternalId) === move.toUserId) {
      return { customerExternalId: move.customerExternalId, status: 'pending' };
    }
    // Already where it should go: done, without a second move (a replay is harmless).
    if (owner === move.toUserId) return { customerExternalId: move.customerExternalId, status: 'done' };
    if (owner !== move.fromUserId) {
      return {
        customerExternalId: move.customerExternalId,
        status: 'failed',
        code: 'OWNER_CHANGED',
        message: `owned by ${owner ?? 'nobody'} in the CRM, not ${move.fromUserId ?? 'nobody'}`,
        retryable: false,
      };
    }
    if (move.toUserId !== null && !users.has(move.toUserId)) {
      return {
        customerExternalId: move.customerExternalId,
        status: 'failed',
        code: 'USER_NOT_FOUND',
        message: `no user ${move.toUserId} in the CRM`,
        retryable: false,
      };
    }
    if (capabilities.transfer?.completesLater) {
      pending.set(move.customerExternalId, move.toUserId);
      return { customerExternalId: move.customerExternalId, status: 'pending' };
    }
    put(customers, { ...row.item, ownerUserId: move.toUserId, updatedAt: now() });
    return { customerExternalId: move.customerExternalId, status: 'done' };
  };

  const connector: CrmConnector = {
    name,
    capabilities,
    listCustomers: (request) => list(customers, request, 'listCustomers'),
    listOrders: (request) => list(orders, request, 'listOrders'),
    listActivities: (request) => list(activities, request, 'listActivities'),
    async mapUsers(_tenantId, employees) {
      const all = [...users.values()];
      return new Map(
        employees.map((e) => {
          const user =
            (e.email && all.find((u) => u.email?.toLowerCase() === e.email?.toLowerCase())) ||
            (e.mobile && all.find((u) => u.mobile === e.mobile)) ||
            undefined;
          return [e.employeeId, user ? user.userId : null];
        }),
      );
    },
    async transferOwnership(input: CrmTransferRequest) {
      const request = parseCrmTransferRequest(input, { name, maxBatch: capabilities.transfer?.maxBatch ?? 0 });
      return request.moves.map(moveResult);
    },
    async transferStatus(_tenantId, moves) {
      return moves.map((move): CrmMoveResult => {
        if (pending.has(move.customerExternalId))
          return { customerExternalId: move.customerExternalId, status: 'pending' };
        const owner = customers.get(move.customerExternalId)?.item.ownerUserId;
        return owner === move.toUserId
          ? { customerExternalId: move.customerExternalId, status: 'done' }
          : {
              customerExternalId: move.customerExternalId,
              status: 'failed',
              code: 'NOT_TRANSFERRED',
              message: 'the transfer did not complete',
              retryable: false,
            };
      });
    },
  };

  return {
    connector,
    async seed(data: CrmSeed) {
      for (const u of data.users ?? []) users.set(u.userId, { ...u });
      for (const c of data.customers ?? []) {
        put(customers, { externalId: c.externalId, name: c.name, ownerUserId: c.ownerUserId, updatedAt: now() });
      }
      for (const o of data.orders ?? []) put(orders, { ...o });
      for (const a of data.activities ?? []) put(activities, { ...a });
    },
    async change(externalId, change) {
      const row = customers.get(externalId);
      if (!row) throw new Error(`memoryCrm: no customer ${externalId}`);
      put(customers, { ...row.item, ...change, updatedAt: now() });
    },
    async ownerOf(externalId) {
      const row = customers.get(externalId);
      if (!row) throw new Error(`memoryCrm: no customer ${externalId}`);
      return row.item.ownerUserId;
    },
    async settlePending() {
      for (const [externalId, to] of pending) {
        const row = customers.get(externalId);
        if (row) put(customers, { ...row.item, ownerUserId: to, updatedAt: now() });
      }
      pending.clear();
    },
    async cleanup() {},
  };
}
