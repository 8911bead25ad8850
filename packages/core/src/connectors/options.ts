import * as z from 'zod';
import { nameSchema } from '../domain/entities.js';
import { ConnectorError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { CrmMethod } from '../i18n/catalog.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import { type ConnectorRetryPolicy, connectorRetryPolicySchema } from './retry.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A CRM's base URL in a connector's options: `https`, or plain `http` on a
 * loopback address only (the fake servers in tests).
 *
 * @example
 * ```ts
 * import { connectorUrlSchema } from '@guard/core';
 * connectorUrlSchema.safeParse('https://api.hubapi.com').success; // true
 * connectorUrlSchema.safeParse('http://api.hubapi.com').success; // false
 * connectorUrlSchema.safeParse('http://127.0.0.1:8080').success; // true
 * ```
 */
export const connectorUrlSchema = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}, validationMessage('https-url'));

/**
 * The options every connector takes, besides its own: its name, its retry
 * policy, a deadline per HTTP call and the language of its errors.
 *
 * @example
 * ```ts
 * import type { ConnectorOptions } from '@guard/core';
 * interface MyCrmOptions extends ConnectorOptions {
 *   readonly baseUrl: string;
 * }
 * const options: MyCrmOptions = { baseUrl: 'https://crm.example.com', retry: { attempts: 6 }, locale: 'zh-CN' };
 * ```
 */
export interface ConnectorOptions {
  /** The connector's name, and the key of a customer's id in `externalRefs`. Each connector has its default. */
  readonly name?: string | undefined;
  /** Retries of a call that failed for a reason waiting can fix (limits, 5xx, timeouts, network errors). */
  readonly retry?: ConnectorRetryPolicy | undefined;
  /** How long one HTTP call may take before it counts as failed (and is retried). */
  readonly callTimeoutMs?: number | undefined;
  /** The language of the connector's errors. Default `en`. */
  readonly locale?: Locale | undefined;
}

/**
 * The options every connector takes ({@link ConnectorOptions}), as a zod shape to spread into its own
 * options schema: `name`, `retry` (a `ConnectorRetryPolicy`),
 * `callTimeoutMs` (1 to 600,000) and `locale`.
 *
 * @example
 * ```ts
 * import { connectorOptionsShape, connectorUrlSchema } from '@guard/core';
 * import * as z from 'zod';
 * const myOptions = z.strictObject({ baseUrl: connectorUrlSchema, token: z.string().min(1), ...connectorOptionsShape });
 * ```
 */
export const connectorOptionsShape = {
  name: nameSchema.optional(),
  retry: connectorRetryPolicySchema.optional(),
  callTimeoutMs: z.int().min(1).max(600_000).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
};

/**
 * Validates a connector's options with its schema, in the language the
 * options ask for: a `ValidationError` (`what: 'connector options'`) that
 * names each bad option. Functions and objects of the host's (a token
 * provider, a ledger) are allowed.
 *
 * @throws ValidationError naming each bad option.
 *
 * @example
 * ```ts
 * import { connectorOptionsShape, parseConnectorOptions } from '@guard/core';
 * import * as z from 'zod';
 * const schema = z.strictObject({ token: z.string().min(1), ...connectorOptionsShape });
 * const options = parseConnectorOptions(schema, { token: 't', locale: 'zh-CN' });
 * ```
 */
export function parseConnectorOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const locale = (options as { locale?: unknown } | null | undefined)?.locale;
  return parseInput(schema, options, {
    what: 'connector options',
    json: false,
    locale: locale === 'zh-CN' ? 'zh-CN' : 'en',
  });
}

/**
 * The error for a cursor a connector never gave (a `ConnectorError` of
 * kind `rejected`, as the connector contract requires), quoting the start
 * of the cursor.
 *
 * @example
 * ```ts
 * import { foreignCursorError } from '@guard/core';
 * throw foreignCursorError('hubspot', 'listCustomers', 'garbage');
 * ```
 */
export function foreignCursorError(
  connector: string,
  operation: CrmMethod,
  cursor: string,
  options: { readonly locale?: Locale | undefined } = {},
): ConnectorError {
  return new ConnectorError(
    {
      connector,
      operation,
      kind: 'rejected',
      detail: `not a cursor this connector gave: ${JSON.stringify(cursor.slice(0, 80))}`,
    },
    options.locale === undefined ? {} : { locale: options.locale },
  );
}

/** Error codes Node and fetch clients give network failures that a later try may not meet. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether an error is a network failure or a timeout — a dropped
 * connection, a refused one, a DNS failure, a `TimeoutError` from
 * `AbortSignal.timeout`, node-fetch's `FetchError` — so that a connector
 * reports it as `unavailable` and retries.
 *
 * @example
 * ```ts
 * import { isNetworkFailure } from '@guard/core';
 * isNetworkFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })); // true
 * isNetworkFailure(new Error('400 Bad Request')); // false
 * ```
 */
export function isNetworkFailure(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  const name = String(e?.name ?? '');
  return (
    name === 'FetchError' ||
    name === 'TimeoutError' ||
    NETWORK_CODES.has(String(e?.code ?? '')) ||
    NETWORK_CODES.has(String(e?.cause?.code ?? ''))
  );
}
