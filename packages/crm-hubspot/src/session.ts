import { ConnectorError, type CrmMethod, isNetworkFailure, raceAbort, retryConnectorCall } from '@guard/core';
import { Client } from '@hubspot/api-client';
import type { ParsedOptions } from './options.js';

/** The status and body of the SDK's `ApiException`, when the error is one. */
function apiError(
  error: unknown,
): { code: number; message: string; category: string; headers: Record<string, string> } | null {
  const e = error as { code?: unknown; body?: unknown; headers?: unknown } | null;
  // The SDK's ApiException: a status code, a body and headers (a DOMException also has a numeric code).
  if (typeof e?.code !== 'number' || !('body' in e) || !('headers' in e)) return null;
  const body = (typeof e.body === 'object' && e.body !== null ? e.body : {}) as {
    message?: unknown;
    category?: unknown;
  };
  return {
    code: e.code,
    message: typeof body.message === 'string' ? body.message : `HTTP ${e.code}`,
    category: typeof body.category === 'string' ? body.category : '',
    headers: (e.headers ?? {}) as Record<string, string>,
  };
}

/** One API call through the SDK client, with its own deadline. */
export type HubSpotCall = <T>(request: (client: Client) => Promise<T>) => Promise<T>;

/** Milliseconds until the next midnight UTC: when a daily limit is known to have reset at the latest is the account's time zone, which the API does not say. */
const untilMidnight = (now: number) => {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
};

/**
 * The HubSpot SDK client and the one way the connector calls HubSpot:
 * a token from the provider when there is one (renewed once on a 401),
 * HubSpot's request spacing, a deadline per call, and the connector's
 * retry policy; what still fails is a `ConnectorError`.
 */
export class HubSpotSession {
  readonly client: Client;
  readonly #options: ParsedOptions;
  #token: string | null = null;

  constructor(options: ParsedOptions) {
    this.#options = options;
    const rps = options.requestsPerSecond ?? 9;
    this.client = new Client({
      ...('accessToken' in options.auth ? { accessToken: options.auth.accessToken } : {}),
      basePath: (options.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, ''),
      // The connector retries with its own policy: the SDK's waits (10 s per 429) cannot be aborted or tuned.
      numberOfApiCallRetries: 0,
      limiterOptions: { minTime: Math.ceil(1000 / rps), maxConcurrent: 6 },
    });
  }

  get name(): string {
    return this.#options.name ?? 'hubspot';
  }

  #failure(
    operation: CrmMethod,
    kind: ConnectorError['params']['kind'],
    detail: string,
    cause?: unknown,
    retryAfterMs?: number,
  ) {
    return new ConnectorError(
      { connector: this.name, operation, kind, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      { ...(this.#options.locale === undefined ? {} : { locale: this.#options.locale }), cause },
    );
  }

  /** Whatever a call threw, as a `ConnectorError` of the right kind. */
  classify(error: unknown, operation: CrmMethod): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const api = apiError(error);
    if (api !== null) {
      const detail = `HTTP ${api.code}${api.category === '' ? '' : ` ${api.category}`}: ${api.message}`;
      if (api.code === 401 || api.code === 403) return this.#failure(operation, 'auth', detail, error);
      if (api.code === 429) {
        const header = Number(api.headers['retry-after']);
        const retryAfterMs = /daily/i.test(api.message)
          ? untilMidnight(Date.now())
          : Number.isFinite(header) && header > 0
            ? header * 1000
            : undefined;
        return this.#failure(operation, 'rate-limited', detail, error, retryAfterMs);
      }
      if (api.code >= 500) return this.#failure(operation, 'unavailable', detail, error);
      return this.#failure(operation, 'rejected', detail, error);
    }
    const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
    const name = String(e?.name ?? '');
    if (isNetworkFailure(error)) {
      return this.#failure(operation, 'unavailable', `${name}: ${String(e?.message ?? error)}`, error);
    }
    return this.#failure(operation, 'rejected', String(e?.message ?? error), error);
  }

  async #useToken(expired: boolean): Promise<void> {
    const auth = this.#options.auth;
    if (!('tokenProvider' in auth)) return;
    let token: string;
    try {
      token = await auth.tokenProvider({ expired });
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw this.#failure(
        'listCustomers',
        'auth',
        `the token provider failed: ${String((error as Error)?.message ?? error)}`,
        error,
      );
    }
    if (typeof token !== 'string' || token === '') {
      throw this.#failure('listCustomers', 'auth', 'the token provider gave no token');
    }
    this.#token = token;
    this.client.setAccessToken(token);
  }

  /**
   * Runs `work` with the retry policy; `work` sends each API call through
   * `call`, which gives it its own deadline (`callTimeoutMs`). A retry runs
   * all of `work` again, so it must be safe to repeat.
   */
  run<T>(operation: CrmMethod, signal: AbortSignal | undefined, work: (call: HubSpotCall) => Promise<T>): Promise<T> {
    const timeout = this.#options.callTimeoutMs ?? 60_000;
    const call: HubSpotCall = (request) => {
      const deadline = AbortSignal.timeout(timeout);
      return raceAbort(request(this.client), signal === undefined ? deadline : AbortSignal.any([signal, deadline]));
    };
    return retryConnectorCall(
      async () => {
        if (this.#token === null && 'tokenProvider' in this.#options.auth) await this.#useToken(false);
        try {
          return await work(call);
        } catch (error) {
          if (apiError(error)?.code !== 401 || !('tokenProvider' in this.#options.auth)) throw error;
          await this.#useToken(true);
          return await work(call);
        }
      },
      { classify: (error) => this.classify(error, operation), policy: this.#options.retry, signal },
    );
  }
}
