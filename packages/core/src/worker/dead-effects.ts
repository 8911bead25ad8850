import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import { type Json, jsonSchema } from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { deferredText } from '../i18n/deferred-text.js';
import { type GuardContext, inUnitOfWork, sessionFor } from '../kernel/context.js';
import { employeesWithRole } from '../kernel/roles.js';
import type { OutboxEffect, Page, StoreTransaction, WorkBacklog } from '../ports/store.js';
import { recordKind, type TypedRecord } from '../store/records.js';

/** A dead effect is kept as a record of this kind (id = the effect id, `ref` = its kind). */
const DEAD_EFFECT_KIND = 'dead-effect';

/**
 * An outbox effect Guard gave up on after every retry — a CRM transfer
 * that never went through, a notification nobody received. Each one raised
 * an `outbox-effect-dead` alert to HR; fix the cause and carry it out by
 * hand (its `idempotencyKey` makes that safe).
 *
 * @example
 * ```ts
 * const { items } = await acme.outbox.dead();
 * for (const e of items) console.log(e.kind, e.idempotencyKey, e.attempts, e.lastError);
 * ```
 */
export interface DeadEffectView {
  readonly id: string;
  readonly kind: string;
  readonly idempotencyKey: string;
  readonly payload: Json;
  readonly attempts: number;
  readonly lastError: string;
  /** When it was given up on. */
  readonly diedAt: string;
}

/**
 * The worker's queues of a tenant, as far as people need to see them: how
 * much work waits, and the effects that could not be delivered.
 *
 * @example
 * ```ts
 * const page = await acme.outbox.dead({ limit: 20 });
 * const { effects, timers } = await acme.outbox.backlog();
 * console.log(`${effects.due} effects and ${timers.due} timers due, ${effects.dead} dead`);
 * ```
 */
export interface OutboxApi {
  /** Dead effects, newest first, paged. */
  dead(page?: { cursor?: string; limit?: number }): Promise<Page<DeadEffectView>>;
  /**
   * The tenant's effects and timers now: pending, due, leased to a worker,
   * being retried, dead; and when the next one is due. For an operator
   * page or a health check (a `due` count that keeps growing means no worker
   * is running). Reads counts only.
   */
  backlog(): Promise<WorkBacklog>;
}

const deadEffectSchema = z.object({
  kind: z.string(),
  idempotencyKey: z.string(),
  payload: jsonSchema,
  attempts: z.int().min(0),
  lastError: z.string(),
});

/** Effects given up on, one record each, parsed on every read and write. */
const deadEffects = recordKind(DEAD_EFFECT_KIND, deadEffectSchema);

/**
 * In the transaction that marks `effect` dead: keeps it for {@link OutboxApi.dead}
 * and raises one alert per effect kind while unresolved (repeats count on it),
 * told to HR, audited.
 */
export async function recordDeadEffect(
  ctx: GuardContext,
  tx: StoreTransaction,
  effect: OutboxEffect,
  error: string,
  now: string,
): Promise<void> {
  const data = {
    kind: effect.kind,
    idempotencyKey: effect.idempotencyKey,
    payload: effect.payload,
    attempts: effect.attempts,
    lastError: error.slice(0, 2000),
  };
  await deadEffects.upsert(
    tx,
    { tenantId: effect.tenantId, id: effect.id, ref: effect.kind, status: 'dead', at: now, data },
    now,
  );
  const session = sessionFor(ctx, tx, effect.tenantId, now);
  await raiseAlert(
    ctx,
    { tx, now, tenantId: effect.tenantId, record: (d) => session.record(d) },
    {
      kind: 'outbox-effect-dead',
      severity: effect.kind === 'notify' ? 'medium' : 'high',
      employeeId: null,
      summary: deferredText('summaries', 'effectDead', {
        effect: effect.kind === 'crm.transfer' || effect.kind === 'notify' ? effect.kind : 'other',
        key: effect.idempotencyKey,
        attempts: effect.attempts,
        lastError: data.lastError,
      }),
      evidence: { effectId: effect.id, ...data },
      notify: await employeesWithRole(tx, effect.tenantId, 'hr-admin'),
      actor: { type: 'system', id: 'worker' },
      dedupeKey: `outbox-effect-dead:${effect.kind}`,
    },
  );
  if (session.audit.length > 0) await ctx.audit.append(tx, effect.tenantId, session.audit);
}

const pageSchema = z.strictObject({
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

function deadView(record: TypedRecord<z.output<typeof deadEffectSchema>>): DeadEffectView {
  return { id: record.id, ...record.data, diedAt: record.at };
}

/** The tenant-scoped outbox API. */
export function outboxApi(ctx: GuardContext, tenantId: string): OutboxApi {
  return {
    dead: async (page = {}) => {
      const { cursor, limit } = parseInput(pageSchema, page, { what: 'dead effects page', locale: ctx.locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const found = await deadEffects.list(
          uow.tx,
          tenantId,
          { order: 'desc' },
          { limit, ...(cursor === undefined ? {} : { cursor }) },
        );
        return { items: found.items.map(deadView), nextCursor: found.nextCursor };
      });
    },
    backlog: () => inUnitOfWork(ctx, tenantId, (uow) => uow.tx.backlog(tenantId, uow.now)),
  };
}
