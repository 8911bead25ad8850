import * as z from 'zod';
import { idSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, withTenant } from '../kernel/context.js';
import type { Page } from '../ports/store.js';
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
 * ```
 */
export interface CrmApi {
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
export function crmApi(ctx: GuardContext, tenantId: string): CrmApi {
  return {
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
