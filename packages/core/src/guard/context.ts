import type { AuditDraft, AuditLog } from '../audit/index.js';
import type { ActorRef } from '../domain/entities.js';
import { NotFoundError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import type { CompiledPolicy, MaskKind } from '../policy/index.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Store, StoreTransaction, TenantRecord } from '../ports/store.js';

/** Everything the tenant-scoped APIs share. Built once by `createGuard`. */
export interface GuardContext {
  readonly store: Store;
  readonly policy: CompiledPolicy;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly locale: Locale;
  readonly masks: Readonly<Record<string, MaskKind>>;
}

/** The actor recorded when the host does not name one. */
export const HOST_ACTOR: ActorRef = Object.freeze({ type: 'host', id: 'host' });

/**
 * Runs `work` in one transaction after checking that the tenant exists;
 * audit drafts it returns are appended in the same transaction.
 */
export async function withTenant<T>(
  ctx: GuardContext,
  tenantId: string,
  work: (tx: StoreTransaction, tenant: TenantRecord) => Promise<{ result: T; audit: readonly AuditDraft[] }>,
): Promise<T> {
  return ctx.store.transaction(async (tx) => {
    const tenant = await tx.getTenant(tenantId);
    if (!tenant) throw new NotFoundError({ entity: 'tenant', id: tenantId }, { locale: ctx.locale });
    const { result, audit } = await work(tx, tenant);
    if (audit.length > 0) await ctx.audit.append(tx, tenantId, audit);
    return result;
  });
}
