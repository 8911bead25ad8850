import * as z from 'zod';
import { idSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, withTenant } from '../kernel/context.js';
import type { CrmConnector } from '../ports/crm.js';
import type { Page } from '../ports/store.js';
import { type CrmSyncDeps, type CrmSyncOptions, type CrmSyncReport, syncCrm } from './sync.js';
import { type CrmTransferStatus, type CrmTransferView, transferStates, transferView } from './transfer-state.js';

const querySchema = z.strictObject({
  customerId: idSchema.optional(),
  status: z
    .enum(['sending', 'done', 'pending', 'retrying', 'failed', 'superseded', 'skipped'])
    .optional() satisfies z.ZodType<CrmTransferStatus | undefined>,
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

/**
 * How connected CRMs follow Guard: where each customer's ownership stands in
 * each CRM that a worker with `crm` options keeps in step. Every outcome is
 * also in the audit chain (`crm.transfer`), and a refusal raises a
 * `crm-transfer-failed` alert.
 *
 * @example
 * ```ts
 * const refused = await acme.crm.transfers({ status: 'failed' });
 * for (const t of refused.items) console.log(`${t.connector}: ${t.customerId} → ${t.to ?? 'pool'}: ${t.code}`);
 * const [inWecom] = (await acme.crm.transfers({ customerId: 'c-1001' })).items;
 * // Every few minutes: pull what changed in the CRM since the last sync.
 * let report;
 * do report = await acme.crm.sync(salesforce, { unitId: 'hq' });
 * while (!report.caughtUp);
 * ```
 */
export interface CrmApi {
  /**
   * Pulls customers and their owners from one CRM, from where the last
   * sync of this connector stopped (its cursor is kept per tenant): new
   * CRM customers become Guard customers (`customers.upsert`, linked by
   * `externalRefs`, in their owner's unit or `unitId`), renames follow, and
   * a customer the CRM gives another owner than Guard — with no transfer of
   * Guard's on its way — raises a `crm-owner-differs` alert for HR. Guard's
   * owner is kept: owners change in Guard, through its approvals, and the
   * CRM follows. The connector must list customers and map users
   * (`ConnectorIncompleteError` names what it lacks).
   */
  sync(connector: CrmConnector, options?: CrmSyncOptions): Promise<CrmSyncReport>;
  /**
   * Transfer states, the latest change first; narrow them to one customer
   * (one state per CRM) or one status. `limit` 1–200, default 50.
   */
  transfers(query?: {
    customerId?: string;
    status?: CrmTransferStatus;
    cursor?: string;
    limit?: number;
  }): Promise<Page<CrmTransferView>>;
}

/** The tenant-scoped CRM API. */
export function crmApi(ctx: GuardContext, tenantId: string, deps: CrmSyncDeps): CrmApi {
  return {
    sync: (connector, options = {}) => syncCrm(ctx, tenantId, deps, connector, options),
    transfers: async (query = {}) => {
      const q = parseInput(querySchema, query, { what: 'CRM transfer query', locale: ctx.locale });
      return withTenant(ctx, tenantId, async (tx) => {
        const page = await transferStates.list(
          tx,
          tenantId,
          {
            ...(q.customerId === undefined ? {} : { ref: q.customerId }),
            ...(q.status === undefined ? {} : { status: q.status }),
            order: 'desc',
          },
          { limit: q.limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) },
        );
        return { result: { items: page.items.map(transferView), nextCursor: page.nextCursor }, audit: [] };
      });
    },
  };
}
