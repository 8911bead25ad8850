import type { AuditDraft, AuditLog } from '../audit/index.js';
import type { Decision } from '../domain/decision.js';
import type { ActorRef } from '../domain/entities.js';
import type { Action, FieldLevel } from '../domain/vocabulary.js';
import type { DataKeys } from '../encryption/data-keys.js';
import { ForbiddenError, NotFoundError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import type { CompiledPolicy, MaskKind } from '../policy/index.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Store, StoreTransaction, TenantRecord } from '../ports/store.js';
import { shareParsedSettings, tenantPolicy } from '../settings/tenant-settings.js';
import { type WorkflowRegistry, WorkflowSession } from '../workflows/runtime/index.js';

/** Everything the tenant-scoped APIs share. Built once by `createGuard`. */
export interface GuardContext {
  /** The host's store behind the encryption of personal data (see `protectedStore`). */
  readonly store: Store;
  /** The per-subject data keys that encrypt personal data. */
  readonly dataKeys: DataKeys;
  readonly policy: CompiledPolicy;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly locale: Locale;
  readonly masks: Readonly<Record<string, MaskKind>>;
  /** The machines Guard runs and the handlers of their commands and timers. */
  readonly workflows: WorkflowRegistry<GuardContext>;
}

/** Clocks differ: a time up to this far ahead of Guard's clock is not in the future. */
const CLOCK_SLACK_MS = 60_000;

/** Whether `at` (a host-given time) lies after `now` by more than the clock slack. */
export function inTheFuture(at: string, now: string): boolean {
  return Date.parse(at) > Date.parse(now) + CLOCK_SLACK_MS;
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
    shareParsedSettings(tx, ctx.store);
    const tenant = await tx.getTenant(tenantId);
    if (!tenant) throw new NotFoundError({ entity: 'tenant', id: tenantId }, { locale: ctx.locale });
    const { result, audit } = await work(tx, tenant);
    if (audit.length > 0) await ctx.audit.append(tx, tenantId, audit);
    return result;
  });
}

/** What a unit of work with workflows sees. */
export interface UnitOfWork {
  readonly tx: StoreTransaction;
  readonly tenant: TenantRecord;
  readonly session: WorkflowSession<GuardContext>;
  /** The wall-clock instant of this transaction. */
  readonly now: string;
}

/** A workflow session over a transaction; its audit drafts are the caller's to append. */
export function sessionFor(ctx: GuardContext, tx: StoreTransaction, tenantId: string, now: string) {
  return new WorkflowSession<GuardContext>({
    tx,
    tenantId,
    registry: ctx.workflows,
    ids: ctx.ids,
    locale: ctx.locale,
    now,
    env: ctx,
  });
}

/**
 * Runs `work` in one transaction with a workflow session: every transition,
 * effect, timer and the audit entries (the session's and `extra`'s) commit
 * together, or nothing does.
 */
export async function inUnitOfWork<T>(
  ctx: GuardContext,
  tenantId: string,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  return withTenant(ctx, tenantId, async (tx, tenant) => {
    const now = ctx.clock.now().toISOString();
    const session = sessionFor(ctx, tx, tenantId, now);
    const result = await work({ tx, tenant, session, now });
    return { result, audit: session.audit };
  });
}

/**
 * Like {@link inUnitOfWork}, for actions that can be refused *and* leave a
 * trace: `refuse(error)` makes the transaction commit what was written so
 * far (e.g. the alert that explains the refusal) and then throws `error`.
 * Work that calls `refuse` must not perform the action itself.
 */
export async function inRefusableUnitOfWork<T>(
  ctx: GuardContext,
  tenantId: string,
  work: (uow: UnitOfWork, refuse: (error: Error) => void) => Promise<T>,
): Promise<T> {
  let refusal: Error | null = null;
  const result = await inUnitOfWork(ctx, tenantId, (uow) =>
    work(uow, (error) => {
      refusal = error;
    }),
  );
  if (refusal) throw refusal;
  return result;
}

/**
 * A `ForbiddenError` for an action the access policy does not cover (who
 * may resolve an alert, open an offboarding case, download an export): a
 * default-deny decision with every field class hidden.
 */
export async function forbiddenOutsidePolicy(
  ctx: Pick<GuardContext, 'policy' | 'locale'>,
  tx: StoreTransaction,
  tenantId: string,
  actorId: string,
  resourceId: string,
  action: Action,
): Promise<ForbiddenError> {
  const { fieldClasses } = await tenantPolicy(ctx, tx, tenantId);
  const fields: Record<string, FieldLevel> = Object.fromEntries(fieldClasses.map((c) => [c, 'hide']));
  const decision: Decision = {
    allow: false,
    action,
    fields,
    obligations: [],
    reason: { code: 'no-matching-rule', rules: [] },
  };
  return new ForbiddenError({ actorId, resourceId, decision }, { locale: ctx.locale });
}
