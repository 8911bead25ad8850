/**
 * Where the WeCom connector counts the 在职继承 transfers it started, so
 * that it never asks for one WeCom would refuse (`40128`: at most 2 per
 * customer in 90 days by default). Give a persistent one in production —
 * a table in the host's database — so the count survives restarts and is
 * shared by every worker.
 *
 * @example
 * ```ts
 * import type { WecomTransferLedger } from '@guard/crm-wecom';
 * declare const db: { query(sql: string, params: unknown[]): Promise<{ rows: { n: number }[] }> };
 * const ledger: WecomTransferLedger = {
 *   async count(tenantId, externalUserId, since) {
 *     const { rows } = await db.query('select count(*)::int as n from wecom_transfers where tenant_id = $1 and external_userid = $2 and at >= $3', [tenantId, externalUserId, new Date(since)]);
 *     return rows[0]?.n ?? 0;
 *   },
 *   async record(tenantId, externalUserId, at) {
 *     await db.query('insert into wecom_transfers (tenant_id, external_userid, at) values ($1, $2, $3)', [tenantId, externalUserId, new Date(at)]);
 *   },
 * };
 * ```
 */
export interface WecomTransferLedger {
  /** The transfers of the customer started at or after `since` (Unix ms). */
  count(tenantId: string, externalUserId: string, since: number): Promise<number>;
  /** Notes a transfer of the customer started at `at` (Unix ms). */
  record(tenantId: string, externalUserId: string, at: number): Promise<void>;
}

/**
 * A {@link WecomTransferLedger} in memory: the default, for tests and a
 * single process that may forget on restart.
 *
 * @example
 * ```ts
 * import { memoryTransferLedger } from '@guard/crm-wecom';
 * const ledger = memoryTransferLedger();
 * await ledger.record('acme', 'wmA', Date.now());
 * await ledger.count('acme', 'wmA', Date.now() - 90 * 86_400_000); // 1
 * ```
 */
export function memoryTransferLedger(): WecomTransferLedger {
  const started = new Map<string, number[]>();
  const key = (tenantId: string, externalUserId: string) => JSON.stringify([tenantId, externalUserId]);
  return {
    async count(tenantId, externalUserId, since) {
      return (started.get(key(tenantId, externalUserId)) ?? []).filter((at) => at >= since).length;
    },
    async record(tenantId, externalUserId, at) {
      const k = key(tenantId, externalUserId);
      started.set(k, [...(started.get(k) ?? []), at]);
    },
  };
}
