import * as z from 'zod';
import type { ConnectorError } from '../errors/guard-error.js';

/**
 * How a connector retries one CRM call that failed for a reason waiting can
 * fix (a rate limit, an outage, a timeout): how many tries in all, the first
 * wait, which doubles each time (with jitter), and the longest wait. A CRM
 * that asks for a longer wait than `maxDelayMs` (a daily limit) fails the
 * call at once, so a worker's lease is not spent sleeping.
 *
 * @example
 * ```ts
 * import type { ConnectorRetryPolicy } from '@guard/core';
 * const patient: ConnectorRetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };
 * ```
 */
export interface ConnectorRetryPolicy {
  /** Tries in all, the first one included; 1 never retries. Default 4. */
  readonly attempts?: number | undefined;
  /** The wait before the second try. Default 500 ms. */
  readonly baseDelayMs?: number | undefined;
  /** The longest wait between two tries. Default 30,000 ms. */
  readonly maxDelayMs?: number | undefined;
}

/**
 * The schema of a {@link ConnectorRetryPolicy}, for connectors that
 * validate their options with zod.
 *
 * @example
 * ```ts
 * import { connectorRetryPolicySchema } from '@guard/core';
 * connectorRetryPolicySchema.parse({ attempts: 3 }); // { attempts: 3 }
 * ```
 */
export const connectorRetryPolicySchema = z.strictObject({
  attempts: z.int().min(1).max(20).optional(),
  baseDelayMs: z.int().min(0).max(600_000).optional(),
  maxDelayMs: z.int().min(0).max(3_600_000).optional(),
});

/**
 * The wait before try `attempt + 1` under a policy: `baseDelayMs` doubled
 * for each try already made, at most `maxDelayMs`, with jitter (between
 * half and all of it) so that many workers do not retry in step.
 *
 * @example
 * ```ts
 * import { connectorBackoffMs } from '@guard/core';
 * connectorBackoffMs({ baseDelayMs: 1000 }, 3); // between 2000 and 4000
 * ```
 */
export function connectorBackoffMs(policy: ConnectorRetryPolicy | undefined, attempt: number): number {
  const backoff = Math.min(policy?.maxDelayMs ?? 30_000, (policy?.baseDelayMs ?? 500) * 2 ** (attempt - 1));
  return Math.round(backoff / 2 + (Math.random() * backoff) / 2);
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });

/**
 * Runs one CRM call, retrying it with exponential backoff and jitter while
 * it fails with a retryable {@link ConnectorError} (`rate-limited`,
 * `unavailable`), waiting what the CRM asked for (`retryAfterMs`) when it
 * did. `classify` turns whatever the call threw into a `ConnectorError`. An
 * aborted `signal` stops the waiting and rethrows its reason. For connector
 * authors: every connector retries the same way.
 *
 * @throws ConnectorError — the last failure, when it is not retryable, the tries are used up, or the CRM asks for a wait longer than `maxDelayMs`.
 *
 * @example
 * ```ts
 * import { ConnectorError, retryConnectorCall } from '@guard/core';
 * let calls = 0;
 * const answer = await retryConnectorCall(
 *   async () => {
 *     calls += 1;
 *     if (calls < 3) throw new Error('503');
 *     return 'ok';
 *   },
 *   {
 *     policy: { baseDelayMs: 10 },
 *     classify: (e) =>
 *       e instanceof ConnectorError
 *         ? e
 *         : new ConnectorError({ connector: 'demo', operation: 'listCustomers', kind: 'unavailable', detail: String(e) }),
 *   },
 * );
 * // answer === 'ok' after three calls
 * ```
 */
export async function retryConnectorCall<T>(
  call: (attempt: number) => Promise<T>,
  options: {
    readonly classify: (error: unknown) => ConnectorError;
    readonly policy?: ConnectorRetryPolicy | undefined;
    readonly signal?: AbortSignal | undefined;
    /** Told before each wait: for logs and metrics. */
    readonly onRetry?: ((error: ConnectorError, delayMs: number, attempt: number) => void) | undefined;
  },
): Promise<T> {
  const attempts = options.policy?.attempts ?? 4;
  const max = options.policy?.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason;
    try {
      return await call(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const failure = options.classify(error);
      if (!failure.retryable || attempt >= attempts) throw failure;
      const asked = failure.params.retryAfterMs;
      if (asked !== undefined && asked > max) throw failure;
      const delay = asked ?? connectorBackoffMs(options.policy, attempt);
      options.onRetry?.(failure, delay, attempt);
      await sleep(delay, options.signal);
    }
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as `signal`
 * aborts — for HTTP clients that take no signal of their own (the call
 * itself goes on in the background until it ends). Combine the caller's
 * signal with `AbortSignal.timeout(ms)` to bound a slow call.
 *
 * @example
 * ```ts
 * import { raceAbort } from '@guard/core';
 * const slow = new Promise((resolve) => setTimeout(resolve, 60_000));
 * await raceAbort(slow, AbortSignal.timeout(100)); // rejects after 100 ms with a TimeoutError
 * ```
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // its failure, if any, comes after the caller stopped listening
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
