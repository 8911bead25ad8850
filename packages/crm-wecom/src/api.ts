import { ConnectorError, type CrmMethod, retryConnectorCall } from '@guard/core';
import type { ParsedOptions } from './options.js';

/** An answer of the WeCom server API: `errcode` 0 is success, whatever the HTTP status says. */
export interface WecomAnswer {
  readonly errcode: number;
  readonly errmsg?: string;
  readonly [field: string]: unknown;
}

/** A call WeCom answered with an `errcode` other than 0. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
  ) {
    super(`${path}: errcode ${errcode} ${errmsg}`);
    this.name = 'WecomApiError';
  }
}

/** Codes meaning the token is missing, invalid or expired: fetch a new one and send again. */
const TOKEN = new Set([40014, 41001, 42001]);
/** Codes of credentials or permissions: a person must fix them. */
const AUTH = new Set([40001, 40013, 40091, 48002, 60011, 60020, 84074]);
/** How long WeCom blocks after `45009` at the least (its minute limit). */
const FREQUENCY_BLOCK_MS = 60_000;

/**
 * The one way the connector calls WeCom: an `access_token` cached until
 * shortly before it expires (and fetched again on `40014`/`42001`), a
 * deadline per call that aborts the request, and the connector's retry
 * policy; what still fails is a `ConnectorError`.
 */
export class WecomApi {
  readonly #options: ParsedOptions;
  readonly #base: string;
  #token: { value: string; expiresAt: number } | null = null;
  #fetching: Promise<string> | null = null;

  constructor(options: ParsedOptions) {
    this.#options = options;
    this.#base = (options.baseUrl ?? 'https://qyapi.weixin.qq.com').replace(/\/+$/, '');
  }

  get name(): string {
    return this.#options.name ?? 'wecom';
  }

  failure(
    operation: CrmMethod,
    kind: ConnectorError['params']['kind'],
    detail: string,
    cause?: unknown,
    retryAfterMs?: number,
  ): ConnectorError {
    return new ConnectorError(
      { connector: this.name, operation, kind, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      { ...(this.#options.locale === undefined ? {} : { locale: this.#options.locale }), cause },
    );
  }

  classify(error: unknown, operation: CrmMethod): ConnectorError {
    if (error instanceof ConnectorError) return error;
    if (error instanceof WecomApiError) {
      const code = error.errcode;
      if (code === -1) return this.failure(operation, 'unavailable', error.message, error);
      if (code === 45009) return this.failure(operation, 'rate-limited', error.message, error, FREQUENCY_BLOCK_MS);
      if (code === 45033) return this.failure(operation, 'rate-limited', error.message, error);
      if (AUTH.has(code) || TOKEN.has(code)) return this.failure(operation, 'auth', error.message, error);
      return this.failure(operation, 'rejected', error.message, error);
    }
    const e = error as { name?: unknown; message?: unknown } | null;
    return this.failure(
      operation,
      'unavailable',
      `${String(e?.name ?? 'Error')}: ${String(e?.message ?? error)}`,
      error,
    );
  }

  async #send(
    path: string,
    query: Record<string, string>,
    body: unknown,
    caller: AbortSignal | undefined,
  ): Promise<WecomAnswer> {
    const deadline = AbortSignal.timeout(this.#options.callTimeoutMs ?? 30_000);
    const signal = caller === undefined ? deadline : AbortSignal.any([caller, deadline]);
    const url = new URL(`${this.#base}/cgi-bin/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal,
    });
    if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status} from ${path}`), { name: 'HttpError' });
    const answer = (await response.json()) as WecomAnswer;
    if (typeof answer?.errcode !== 'number')
      throw Object.assign(new Error(`no errcode from ${path}`), { name: 'HttpError' });
    return answer;
  }

  /** A valid token: the cached one, or a new one from `gettoken` (one request at a time). */
  async #accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.#token !== null && this.#token.expiresAt > Date.now()) return this.#token.value;
    this.#fetching ??= (async () => {
      try {
        const answer = await this.#send(
          'gettoken',
          { corpid: this.#options.corpId, corpsecret: this.#options.corpSecret },
          undefined,
          signal,
        );
        if (answer.errcode !== 0) throw new WecomApiError(answer.errcode, String(answer.errmsg ?? ''), 'gettoken');
        const seconds = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
        // Renew five minutes early: WeCom may end a token before its time.
        this.#token = {
          value: String(answer.access_token),
          expiresAt: Date.now() + Math.max(60, seconds - 300) * 1000,
        };
        return this.#token.value;
      } finally {
        this.#fetching = null;
      }
    })();
    return this.#fetching;
  }

  /**
   * One API call, with a token, answering the body when `errcode` is 0
   * and throwing `WecomApiError` otherwise — except the codes `accept`
   * lists, which the caller handles (a transfer's per-call codes).
   */
  async call(
    path: string,
    options: {
      query?: Record<string, string>;
      body?: unknown;
      signal: AbortSignal | undefined;
      accept?: readonly number[];
    },
  ): Promise<WecomAnswer> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.#accessToken(options.signal);
      const answer = await this.#send(path, { ...options.query, access_token: token }, options.body, options.signal);
      if (TOKEN.has(answer.errcode) && !renewed) {
        this.#token = null;
        continue;
      }
      if (answer.errcode === 0 || options.accept?.includes(answer.errcode)) return answer;
      throw new WecomApiError(answer.errcode, String(answer.errmsg ?? ''), path);
    }
  }

  /**
   * Runs `work` with the retry policy (each HTTP call has its own
   * deadline); a retry runs all of `work` again, so it must be safe to
   * repeat.
   */
  run<T>(operation: CrmMethod, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    return retryConnectorCall(work, {
      classify: (error) => this.classify(error, operation),
      policy: this.#options.retry,
      signal,
    });
  }
}
