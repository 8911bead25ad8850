import { sign } from 'node:crypto';
import { ConnectorError, type CrmMethod, isNetworkFailure, raceAbort, retryConnectorCall } from '@guard/core';
import { Connection } from 'jsforce';
import type { ParsedOptions } from './options.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Salesforce codes a wait can fix; every other request-level code needs someone to change something. */
const UNAVAILABLE = new Set([
  'SERVER_UNAVAILABLE',
  'INVALID_QUERY_LOCATOR',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
]);
const AUTH = new Set([
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'INSUFFICIENT_ACCESS',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'invalid_client',
  'invalid_client_id',
  'invalid_grant',
  'unsupported_grant_type',
  'inactive_user',
  'inactive_org',
]);
/** What a request through the session answers: the body jsforce parsed. */
export type Answer = unknown;

/**
 * A signed-in jsforce `Connection` and the one way the connector calls
 * Salesforce: every call signs in first if needed, refreshes an expired
 * session once, times out, and is retried with the connector's policy;
 * what still fails is a `ConnectorError` that says what to do.
 */
export class SalesforceSession {
  readonly #options: ParsedOptions;
  readonly #connection: Connection;
  #login: Promise<void> | null = null;
  /** Sessions asked for since a call last succeeded: more than two means new sessions do not help. */
  #refreshes = 0;
  #refreshFailure: ConnectorError | null = null;

  constructor(options: ParsedOptions) {
    this.#options = options;
    this.#connection = new Connection({
      oauth2: {
        loginUrl: options.loginUrl.replace(/\/+$/, ''),
        clientId: options.auth.clientId,
        ...(options.auth.flow === 'client-credentials' ? { clientSecret: options.auth.clientSecret } : {}),
      },
      version: options.apiVersion ?? '60.0',
      refreshFn: (_connection, callback) => {
        this.#refresh().then(
          (token) => callback(null, token.access_token, token as never),
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }

  get name(): string {
    return this.#options.name ?? 'salesforce';
  }

  /** The parameters of a token request in the configured flow. */
  #grant(): { grant_type: string; [name: string]: string } {
    const auth = this.#options.auth;
    if (auth.flow === 'client-credentials') return { grant_type: 'client_credentials' };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      iss: auth.clientId,
      sub: auth.username,
      aud: auth.audience ?? 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    };
    const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
    // RSA-SHA256 from node:crypto: the JWT bearer flow needs only this one signature (RS256).
    const signature = sign('RSA-SHA256', Buffer.from(input), auth.privateKey).toString('base64url');
    return { grant_type: JWT_GRANT, assertion: `${input}.${signature}` };
  }

  async #refresh(): Promise<{ access_token: string; instance_url: string }> {
    if (++this.#refreshes > 2) {
      this.#refreshFailure = this.#failure('listCustomers', 'auth', 'a new session was refused again at once');
      throw this.#refreshFailure;
    }
    try {
      const token = (await this.#connection.oauth2.requestToken(this.#grant())) as {
        access_token: string;
        instance_url: string;
      };
      this.#refreshFailure = null;
      return token;
    } catch (error) {
      this.#refreshFailure = this.classify(error, 'listCustomers');
      throw error;
    }
  }

  async #signIn(): Promise<void> {
    this.#login ??= this.#connection.authorize(this.#grant()).then(
      () => undefined,
      (error: unknown) => {
        this.#login = null;
        throw error;
      },
    );
    await this.#login;
  }

  #failure(
    operation: CrmMethod,
    kind: 'auth' | 'rate-limited' | 'unavailable' | 'rejected',
    detail: string,
    cause?: unknown,
  ): ConnectorError {
    return new ConnectorError(
      { connector: this.name, operation, kind, detail },
      { ...(this.#options.locale === undefined ? {} : { locale: this.#options.locale }), cause },
    );
  }

  /** Whatever a call threw, as a `ConnectorError` of the right kind. */
  classify(error: unknown, operation: CrmMethod): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const e = error as { name?: unknown; errorCode?: unknown; code?: unknown; message?: unknown } | null;
    const code = String(e?.errorCode ?? e?.name ?? '');
    const message = String(e?.message ?? error);
    if (message.startsWith('Unable to refresh session') && this.#refreshFailure !== null) {
      return this.#failure(operation, this.#refreshFailure.params.kind, this.#refreshFailure.params.detail, error);
    }
    const detail = code !== '' && code !== 'Error' ? `${code}: ${message}` : message;
    if (code === 'REQUEST_LIMIT_EXCEEDED') return this.#failure(operation, 'rate-limited', detail, error);
    if (AUTH.has(code)) return this.#failure(operation, 'auth', detail, error);
    if (
      UNAVAILABLE.has(code) ||
      /^ERROR_HTTP_5\d\d$/.test(code) ||
      code === 'AbortError' ||
      isNetworkFailure(error) ||
      message === 'Request Timeout'
    ) {
      return this.#failure(operation, 'unavailable', detail, error);
    }
    return this.#failure(operation, 'rejected', detail, error);
  }

  /**
   * Runs `work` (one or more calls through `request`) with the retry
   * policy: a retry runs all of `work` again, so it must be safe to repeat.
   */
  run<T>(operation: CrmMethod, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    return retryConnectorCall(
      async () => {
        await this.#signIn();
        return work();
      },
      { classify: (error) => this.classify(error, operation), policy: this.#options.retry, signal },
    );
  }

  /** One HTTP call to the REST API (a path under `/services/data/vXX.X`, or a `nextRecordsUrl`). */
  async request(method: 'GET' | 'PATCH', url: string, body?: unknown, signal?: AbortSignal): Promise<Answer> {
    const call = this.#connection.request(
      {
        method,
        url,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      },
      // The connector retries with its own policy; jsforce's own retries would multiply it.
      { retry: { maxRetries: 0 }, timeout: this.#options.callTimeoutMs ?? 60_000 } as never,
    ) as unknown as Promise<Answer>;
    const answer = await raceAbort(call, signal);
    this.#refreshes = 0;
    return answer;
  }
}
