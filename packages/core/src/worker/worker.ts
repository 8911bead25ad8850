import * as z from 'zod';
import {
  CRM_TRANSFER_CHECK_EFFECT,
  type CrmWorkerOptions,
  crmTransferHandlers,
  crmWorkerOptionsSchema,
} from '../crm/transfers.js';
import type { Json } from '../domain/entities.js';
import type { WorkerProgress } from '../domain/progress.js';
import { parseInput } from '../errors/validate.js';
import { namesIn, renderDeferred } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import { renderNotification } from '../i18n/notifications.js';
import { type GuardContext, sessionFor } from '../kernel/context.js';
import { lookUpNames } from '../kernel/names.js';
import { CRM_TRANSFER_EFFECT } from '../ownership/ownership.js';
import type { Notifier } from '../ports/notifier.js';
import type { OutboxEffect } from '../ports/store.js';
import { tenantLocale } from '../settings/tenant-settings.js';
import { isInputEvent } from '../workflows/runtime/index.js';
import { recordDeadEffect } from './dead-effects.js';

/**
 * Delivers one outbox effect of a kind (e.g. `crm.transfer`). Throw to have
 * it retried later; the effect's `idempotencyKey` is stable across retries
 * and workers, so pass it to the remote API where it takes one.
 *
 * While the handler runs, the worker keeps extending its lease (every third
 * of `leaseMs`), so a slow delivery is not taken over by another worker. If
 * the lease is lost all the same (the worker was paused longer than a
 * lease), `context.signal` aborts: stop, and let the worker that took it
 * over deliver it.
 *
 * @example
 * ```ts
 * import type { EffectHandler } from '@guard/core';
 * const transfer: EffectHandler = async (effect, { signal }) => {
 *   await fetch(crmUrl, {
 *     method: 'POST',
 *     body: JSON.stringify(effect.payload),
 *     headers: { 'Idempotency-Key': effect.idempotencyKey },
 *     signal,
 *   });
 * };
 * ```
 */
export type EffectHandler = (effect: OutboxEffect, context: EffectContext) => Promise<void>;

/**
 * What a batch handler answers for one effect: delivered, or failed with
 * a reason (the effect is retried with the worker's backoff, and marked
 * dead after `maxAttempts`, like a single delivery that throws).
 *
 * @example
 * ```ts
 * import type { EffectResult } from '@guard/core';
 * const ok: EffectResult = { delivered: true };
 * const locked: EffectResult = { delivered: false, error: 'UNABLE_TO_LOCK_ROW' };
 * ```
 */
export type EffectResult = { readonly delivered: true } | { readonly delivered: false; readonly error: string };

/**
 * Delivers several outbox effects of one kind in one go (a CRM's batch
 * update), answering one {@link EffectResult} per effect, in their order.
 * The worker hands it every due effect of its kind that one claim round
 * took (at most `batchSize`); split them further as the remote API needs.
 * Throwing fails them all. While it runs, the worker extends every
 * effect's lease; `context.signal` aborts if it loses any of them.
 *
 * @example
 * ```ts
 * import type { EffectBatchHandler } from '@guard/core';
 * const transfers: EffectBatchHandler = async (effects, { signal }) => {
 *   const response = await fetch(crmUrl, { method: 'POST', body: JSON.stringify(effects.map((e) => e.payload)), signal });
 *   const saved = (await response.json()) as boolean[];
 *   return saved.map((ok) => (ok ? { delivered: true } : { delivered: false, error: 'refused by the CRM' }));
 * };
 * ```
 */
export type EffectBatchHandler = (
  effects: readonly OutboxEffect[],
  context: EffectContext,
) => Promise<readonly EffectResult[]>;

/**
 * What an {@link EffectHandler} gets besides the effect.
 *
 * @example
 * ```ts
 * import type { EffectContext } from '@guard/core';
 * const stopWhenLost = ({ signal }: EffectContext) => signal.throwIfAborted();
 * ```
 */
export interface EffectContext {
  /** Aborts when this worker has lost the effect's lease to another worker. */
  readonly signal: AbortSignal;
}

/**
 * Options of {@link Guard.worker}.
 *
 * @example
 * ```ts
 * import type { WorkerOptions } from '@guard/core';
 * const options: WorkerOptions = { notifier, workerId: `worker-${process.pid}`, effects: { 'crm.transfer': transfer } };
 * ```
 */
export interface WorkerOptions {
  /** Where `notify` effects go. Without one, notifications stay pending in the outbox. */
  readonly notifier?: Notifier;
  /** Handlers of other effect kinds, e.g. `crm.transfer`. */
  readonly effects?: Readonly<Record<string, EffectHandler>>;
  /**
   * Handlers that deliver many effects of a kind at once (see
   * {@link EffectBatchHandler}); a kind is either here or in `effects`.
   * Set `batchSize` to at least the largest batch the remote API takes.
   */
  readonly batchEffects?: Readonly<Record<string, EffectBatchHandler>>;
  /**
   * Delivers every effect whose kind has no handler in `effects` (not
   * `notify`, which goes to the `notifier`) — e.g. a relay that posts each
   * effect to the host's webhook. Without it, such an effect fails and is
   * retried until it is dead.
   */
  readonly fallback?: EffectHandler;
  /**
   * Keeps connected CRMs in step with Guard's owner changes: the worker
   * delivers `crm.transfer` effects to these connectors in batches of each
   * one's size, records every outcome in the audit chain (see
   * `crm.transfers`), raises a `crm-transfer-failed` alert when a CRM
   * refuses a move, and follows moves that complete later. With it,
   * `crm.transfer` and `crm.transfer-check` may not have handlers in
   * `effects` or `batchEffects`.
   */
  readonly crm?: CrmWorkerOptions;
  /** Identifies this worker in leases; unique per process. Default: a random id. */
  readonly workerId?: string;
  /** How long a claimed row is this worker's (default 60 s). */
  readonly leaseMs?: number;
  /** Rows claimed per round (default 100). */
  readonly batchSize?: number;
  /** Delivery attempts before an effect is marked `dead` (default 10). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt up to one hour (default 30 s). */
  readonly retryBaseMs?: number;
  /**
   * Told how long-running jobs (the scheduled risk scan, retention) progress: one update
   * per committed page. An error it throws is reported in `timerErrors` and
   * changes nothing else.
   */
  readonly onProgress?: (progress: WorkerProgress) => void;
}

/**
 * What one {@link Worker.runDue} call did.
 *
 * @example
 * ```ts
 * const r = await worker.runDue();
 * console.log(`${r.timersFired} timers, ${r.effectsDelivered} effects delivered, ${r.effectsFailed} to retry`);
 * ```
 */
export interface RunDueResult {
  /** Timers whose event a workflow or a rule accepted. */
  readonly timersFired: number;
  /** Timers dropped: stale (the workflow moved on), or with an event nothing can dispatch (no `type`). */
  readonly timersDropped: number;
  readonly effectsDelivered: number;
  /** Deliveries that failed and will be retried. */
  readonly effectsFailed: number;
  /** Effects given up on after `maxAttempts`. */
  readonly effectsDead: number;
  /** Timers whose handling failed; each is retried after its lease runs out. */
  readonly timerErrors: readonly string[];
}

/**
 * Runs what is due: fires durable timers (each in its own transaction, with
 * the event, its audit entries and the timer's completion committed
 * together), then delivers outbox effects at least once. Call `runDue` from
 * a cron job or a loop; several workers may run at once.
 *
 * @example
 * ```ts
 * const worker = guard.worker({ notifier });
 * setInterval(() => worker.runDue().catch(console.error), 30_000);
 * ```
 */
export interface Worker {
  readonly workerId: string;
  /** Fires every timer due at `now` (default: the clock) and delivers due effects. */
  runDue(now?: Date): Promise<RunDueResult>;
}

const optionsSchema = z
  .strictObject({
    notifier: z
      .custom<Notifier>((v) => typeof (v as Notifier | undefined)?.send === 'function', {
        error: validationMessage('notifier-option'),
      })
      .optional(),
    effects: z
      .record(
        z.string(),
        z.custom<EffectHandler>((v) => typeof v === 'function', { error: validationMessage('function') }),
      )
      .optional(),
    batchEffects: z
      .record(
        z.string(),
        z.custom<EffectBatchHandler>((v) => typeof v === 'function', { error: validationMessage('function') }),
      )
      .optional(),
    fallback: z
      .custom<EffectHandler>((v) => typeof v === 'function', { error: validationMessage('function') })
      .optional(),
    crm: crmWorkerOptionsSchema.optional(),
    workerId: z.string().min(1).max(128).optional(),
    leaseMs: z.int().min(1000).max(3_600_000).optional(),
    batchSize: z.int().min(1).max(1000).optional(),
    maxAttempts: z.int().min(1).max(1000).optional(),
    retryBaseMs: z.int().min(0).max(3_600_000).optional(),
    onProgress: z
      .custom<(progress: WorkerProgress) => void>((v) => typeof v === 'function', {
        error: validationMessage('function'),
      })
      .optional(),
  })
  .superRefine((o, ctx) => {
    if (o.crm !== undefined) {
      for (const kind of [CRM_TRANSFER_EFFECT, CRM_TRANSFER_CHECK_EFFECT]) {
        for (const option of ['effects', 'batchEffects'] as const) {
          if (o[option] !== undefined && Object.hasOwn(o[option], kind)) {
            ctx.addIssue({
              code: 'custom',
              path: [option, kind],
              message: validationMessage('one-handler-per-kind', { kind }),
            });
          }
        }
      }
    }
    for (const kind of Object.keys(o.batchEffects ?? {})) {
      if (kind === 'notify' || (o.effects !== undefined && Object.hasOwn(o.effects, kind))) {
        ctx.addIssue({
          code: 'custom',
          path: ['batchEffects', kind],
          message: validationMessage('one-handler-per-kind', { kind }),
        });
      }
    }
  });

/** At most this many claim rounds per `runDue`, so one call always ends. */
const MAX_ROUNDS = 50;

/** Creates a worker over a Guard's context. */
export function createWorker(ctx: GuardContext, options: WorkerOptions = {}): Worker {
  const o = parseInput(optionsSchema, options, { what: 'worker options', locale: ctx.locale, json: false });
  const workerId = o.workerId ?? ctx.ids.next('worker');
  const leaseMs = o.leaseMs ?? 60_000;
  const limit = o.batchSize ?? 100;
  const maxAttempts = o.maxAttempts ?? 10;
  const retryBaseMs = o.retryBaseMs ?? 30_000;
  const batchEffects: Readonly<Record<string, EffectBatchHandler>> = {
    ...o.batchEffects,
    ...(o.crm === undefined ? {} : crmTransferHandlers(ctx, o.crm)),
  };

  async function fireTimers(now: string, errors: string[]) {
    let fired = 0;
    let dropped = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const timers = await ctx.store.transaction((tx) => tx.claimTimers({ now, limit, workerId, leaseMs }));
      if (timers.length === 0) break;
      for (const timer of timers) {
        /** Progress the handler reported: told to `onProgress` only once its transaction has committed. */
        let reported: WorkerProgress[] = [];
        const accepted = await ctx.store
          .transaction(async (tx) => {
            // Complete first: handling the event may schedule the same key again (a reminder's next round).
            if (!(await tx.completeTimer(timer.id, workerId))) {
              // Another worker took the timer over (our lease ran out): leave it to them.
              throw new LeaseLost();
            }
            const session = sessionFor(ctx, tx, timer.tenantId, now);
            const event = timer.event;
            reported = [];
            let ok = false;
            if (!isInputEvent(event)) {
              // Not an event Guard scheduled (no `type`): nothing can handle it; it is dropped and counted.
            } else if (timer.workflowId !== null) {
              ok = await session.deliverTimer(timer.workflowId, event, timer.dueAt);
            } else {
              const handler = ctx.workflows.timers.get(event.type);
              if (handler) {
                const progress = (update: WorkerProgress) => void reported.push(update);
                await handler(event, { env: ctx, tx, tenantId: timer.tenantId, at: timer.dueAt, session, progress });
                ok = true;
              }
            }
            if (session.audit.length > 0) await ctx.audit.append(tx, timer.tenantId, session.audit);
            return ok;
          })
          .catch((error: unknown) => {
            if (error instanceof LeaseLost) return null;
            // The timer stays leased and is retried when the lease runs out; other timers go on.
            errors.push(`timer ${timer.key}: ${error instanceof Error ? error.message : String(error)}`);
            return null;
          });
        if (accepted === true) fired++;
        else if (accepted === false) dropped++;
        if (accepted === true && o.onProgress) {
          for (const update of reported) {
            try {
              o.onProgress(update);
            } catch (error) {
              errors.push(`onProgress: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }
      }
    }
    return { fired, dropped };
  }

  /** A notification's data as its reader sees it: names looked up (one read, only when it names someone), texts rendered. */
  async function readableData(
    tenantId: string,
    locale: Locale,
    data: { [key: string]: Json },
  ): Promise<{ [key: string]: Json }> {
    const { customers, employees } = namesIn([data]);
    const names =
      customers.size + employees.size === 0
        ? { customers: new Map<string, string>(), employees: new Map<string, string>() }
        : await ctx.store.transaction((tx) => lookUpNames(tx, tenantId, [data]));
    return renderDeferred(locale, data, names) as { [key: string]: Json };
  }

  async function deliver(
    effect: OutboxEffect,
    signal: AbortSignal,
    localeOf: (tenantId: string) => Promise<Locale>,
  ): Promise<void> {
    if (effect.kind === 'notify') {
      if (!o.notifier) throw new Error('no notifier configured: pass worker({ notifier })');
      const p = effect.payload as { template: string; to: string[]; data: { [key: string]: Json } };
      // In the tenant's language as it is now, with the names as they are now: a notification is read when it
      // arrives, and an erasure before then reaches it.
      const locale = await localeOf(effect.tenantId);
      const data = await readableData(effect.tenantId, locale, p.data);
      const { title, body } = renderNotification(locale, p.template, data);
      await o.notifier.send({
        id: `${effect.tenantId}:${effect.idempotencyKey}`,
        tenantId: effect.tenantId,
        to: p.to,
        template: p.template,
        title,
        body,
        locale,
        data,
      });
      return;
    }
    const handler =
      (o.effects && Object.hasOwn(o.effects, effect.kind) ? o.effects[effect.kind] : undefined) ?? o.fallback;
    if (!handler)
      throw new Error(
        effect.kind === CRM_TRANSFER_EFFECT || effect.kind === CRM_TRANSFER_CHECK_EFFECT
          ? `no handler for effect kind "${effect.kind}": pass worker({ crm: { connectors } }) with the tenant's CRM connectors, or connectors: [] when it has no CRM (owner changes then live in Guard alone)`
          : `no handler for effect kind "${effect.kind}": pass worker({ effects: { '${effect.kind}': … } })`,
      );
    await handler(effect, { signal });
  }

  /**
   * Runs a delivery while extending the effects' leases every third of a
   * lease (all in one transaction); the signal aborts if any lease is lost.
   */
  async function withLeases<T>(
    effects: readonly OutboxEffect[],
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let extending: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(
      () => {
        extending = ctx.store
          .transaction(async (tx) => {
            for (const effect of effects) {
              if ((await tx.extendEffectLease(effect.id, workerId, leaseMs)) === null) return false;
            }
            return true;
          })
          .then(
            (held) => {
              if (!held) controller.abort(new LeaseLost());
            },
            // A failed extension is retried at the next beat; the lease holds until it runs out.
            () => undefined,
          );
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    try {
      return await work(controller.signal);
    } finally {
      clearInterval(heartbeat);
      await extending;
    }
  }

  /**
   * The effects whose lease this worker still holds, each extended by a
   * lease, in one transaction. A round's effects wait while the ones before
   * them are delivered; one whose lease ran out meanwhile may have been
   * claimed by another worker, which delivers it: this one must not.
   */
  async function stillHeld(effects: readonly OutboxEffect[]): Promise<OutboxEffect[]> {
    return ctx.store.transaction(async (tx) => {
      const held: OutboxEffect[] = [];
      for (const effect of effects) {
        if ((await tx.extendEffectLease(effect.id, workerId, leaseMs)) !== null) held.push(effect);
      }
      return held;
    });
  }

  /** Delivers a batch through its handler: one error message (or `null`, delivered) per effect, in order. */
  async function deliverBatch(handler: EffectBatchHandler, group: readonly OutboxEffect[]): Promise<(string | null)[]> {
    try {
      const results = await withLeases(group, (signal) => handler(group, { signal }));
      if (!Array.isArray(results) || results.length !== group.length) {
        const count = Array.isArray(results) ? results.length : 'no';
        return group.map(() => `the batch handler answered ${count} results for ${group.length} effects`);
      }
      return results.map((r: EffectResult | undefined) =>
        r?.delivered === true ? null : String((r as { error?: unknown } | undefined)?.error ?? 'not delivered'),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return group.map(() => message);
    }
  }

  async function deliverEffects(now: string) {
    // Each tenant's language is read once per run, not once per notification.
    const locales = new Map<string, Promise<Locale>>();
    const localeOf = (tenantId: string) => {
      let locale = locales.get(tenantId);
      if (!locale) {
        locale = ctx.store.transaction((tx) => tenantLocale(ctx, tx, tenantId));
        locales.set(tenantId, locale);
      }
      return locale;
    };
    let delivered = 0;
    let failed = 0;
    let dead = 0;
    /** Settles one delivery: done, retried with backoff, or dead after `maxAttempts`. */
    const settle = async (effect: OutboxEffect, error: string | null) => {
      let outcome: Parameters<import('../ports/store.js').StoreTransaction['settleEffect']>[2];
      if (error === null) {
        outcome = { status: 'done' };
        delivered++;
      } else if (effect.attempts >= maxAttempts) {
        outcome = { status: 'dead', error };
        dead++;
      } else {
        const delay = Math.min(retryBaseMs * 2 ** Math.max(0, effect.attempts - 1), 3_600_000);
        outcome = { status: 'pending', availableAt: new Date(Date.parse(now) + delay).toISOString(), error };
        failed++;
      }
      const settled = outcome;
      await ctx.store.transaction(async (tx) => {
        // A dead effect is kept for people to see and raises an alert, in the transaction that marks it dead.
        if ((await tx.settleEffect(effect.id, workerId, settled)) && settled.status === 'dead') {
          await recordDeadEffect(ctx, tx, effect, settled.error, now);
        }
      });
    };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const effects = await ctx.store.transaction((tx) => tx.claimEffects({ now, limit, workerId, leaseMs }));
      if (effects.length === 0) break;
      const handled = new Set<string>();
      for (const effect of effects) {
        if (handled.has(effect.id)) continue;
        const batch = Object.hasOwn(batchEffects, effect.kind) ? batchEffects[effect.kind] : undefined;
        if (batch) {
          // Every effect of this kind the round claimed, in claim order, in one call.
          const claimed = effects.filter((e) => e.kind === effect.kind && !handled.has(e.id));
          for (const e of claimed) handled.add(e.id);
          const group = await stillHeld(claimed);
          if (group.length === 0) continue;
          const errors = await deliverBatch(batch, group);
          for (const [i, e] of group.entries()) await settle(e, errors[i] ?? null);
          continue;
        }
        handled.add(effect.id);
        if ((await stillHeld([effect])).length === 0) continue;
        let error: string | null = null;
        try {
          await withLeases([effect], (signal) => deliver(effect, signal, localeOf));
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        await settle(effect, error);
      }
      if (effects.length < limit) break;
    }
    return { delivered, failed, dead };
  }

  return {
    workerId,
    async runDue(at) {
      const now = (at ?? ctx.clock.now()).toISOString();
      const errors: string[] = [];
      const timers = await fireTimers(now, errors);
      const effects = await deliverEffects(now);
      return {
        timersFired: timers.fired,
        timersDropped: timers.dropped,
        effectsDelivered: effects.delivered,
        effectsFailed: effects.failed,
        effectsDead: effects.dead,
        timerErrors: errors,
      };
    },
  };
}

class LeaseLost extends Error {}
