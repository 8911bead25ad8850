import { createHmac } from 'node:crypto';
import { createGuard, type EffectHandler, type Notifier, type RunDueResult } from '@guard/core';
import { localeOf, noPositionals, numberOption, optional, parse, required } from '../args.js';
import { databaseTarget, withStore } from '../database.js';
import { commandHelp } from '../help.js';
import { exitCodes, usage, write } from '../io.js';
import { labelsFor } from '../labels.js';
import { auditKeys } from './audit-verify.js';
import type { Context } from './context.js';

const COMMAND = 'guard worker';
/** How long the webhook may take to answer one delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** The webhook a worker relays effects and notifications to, and how it signs them. */
interface Relay {
  readonly url: string;
  readonly secret: string;
}

/**
 * POSTs one JSON body to the webhook, signed like GitHub's and Stripe's
 * webhooks: `x-guard-signature: sha256=<HMAC-SHA256 of the body>`, with the
 * effect's idempotency key. Anything but a 2xx answer is a failed delivery,
 * which the worker retries with backoff.
 */
async function post(relay: Relay, key: string, body: object, signal?: AbortSignal): Promise<void> {
  const text = JSON.stringify(body);
  const signature = createHmac('sha256', relay.secret).update(text).digest('hex');
  const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  const response = await fetch(relay.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-guard-signature': `sha256=${signature}` },
    body: text,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${relay.url} answered ${response.status} ${response.statusText}`.trim());
}

function relayOf(ctx: Context, url: string): Relay {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`${COMMAND}: --deliver must be an http(s) URL, not ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw usage(`${COMMAND}: --deliver must be an http(s) URL, not ${JSON.stringify(url)}`);
  }
  const secret = ctx.env.GUARD_WEBHOOK_SECRET;
  if (secret === undefined || secret.length < 32) {
    throw usage(
      `${COMMAND}: set GUARD_WEBHOOK_SECRET (at least 32 characters): every delivery is signed with it (x-guard-signature: sha256=<HMAC of the body>) so the webhook can tell Guard's calls from anyone else's`,
    );
  }
  return { url, secret };
}

/** Resolves after `ms`, or at once when `stop` fires. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });
}

/**
 * `guard worker --deliver <url> [--once] [--every <s>]`: fires due timers
 * (scheduled risk scans, offboarding deadlines, follow-up rules…) and
 * relays every outbox effect — notifications rendered in the tenant's
 * language, CRM transfers and the rest — to the host's webhook.
 */
export async function workerCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    db: { type: 'string' },
    keys: { type: 'string' },
    deliver: { type: 'string' },
    once: { type: 'boolean' },
    every: { type: 'string' },
    'worker-id': { type: 'string' },
    'table-prefix': { type: 'string' },
    locale: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.worker);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);
  const relay = relayOf(ctx, required(COMMAND, parsed, 'deliver', '<url>'));
  const every = numberOption(COMMAND, parsed, 'every', 30, { min: 1, max: 3600, whole: true, unit: 'seconds' });
  const keys = await auditKeys(ctx, COMMAND, optional(parsed, 'keys'));
  const target = databaseTarget(optional(parsed, 'db'), ctx.env, ctx.cwd);
  const once = parsed.values.once === true;
  const workerId = optional(parsed, 'worker-id');

  return withStore(target, optional(parsed, 'table-prefix'), async (store) => {
    if ((await store.schemaVersion()) === 0) {
      throw usage(`${target.shown}: Guard's tables are not there yet; run guard migrate first`);
    }
    const notifier: Notifier = {
      send: (n) => post(relay, n.id, { type: 'notification', notification: n }),
    };
    const fallback: EffectHandler = (effect, { signal }) =>
      post(
        relay,
        `${effect.tenantId}:${effect.idempotencyKey}`,
        {
          type: 'effect',
          effect: {
            id: effect.id,
            tenantId: effect.tenantId,
            kind: effect.kind,
            idempotencyKey: effect.idempotencyKey,
            attempt: effect.attempts,
            payload: effect.payload,
            createdAt: effect.createdAt,
          },
        },
        signal,
      );
    const worker = createGuard({ store, keys, locale }).worker({
      notifier,
      fallback,
      ...(workerId === undefined ? {} : { workerId }),
    });
    const report = async (r: RunDueResult) => {
      await write(ctx.stdout, `${labels.workerRound(new Date().toISOString(), r)}\n`);
      for (const e of r.timerErrors) await write(ctx.stderr, `${e}\n`);
    };
    if (once) {
      const result = await worker.runDue();
      await report(result);
      return result.timerErrors.length > 0 ? exitCodes.invalid : exitCodes.ok;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    await write(ctx.stderr, `${labels.workerStarted(worker.workerId, target.shown, every)}\n`);
    try {
      while (!stop.signal.aborted) {
        const result = await worker.runDue();
        const busy =
          result.timersFired +
          result.timersDropped +
          result.effectsDelivered +
          result.effectsFailed +
          result.effectsDead;
        if (busy > 0 || result.timerErrors.length > 0) await report(result);
        await pause(every * 1000, stop.signal);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await write(ctx.stderr, `${labels.workerStopped}\n`);
    return exitCodes.ok;
  });
}
