import {
  type ConnectorOptions,
  connectorOptionsShape,
  connectorUrlSchema,
  parseConnectorOptions,
  validationMessage,
} from '@guard/core';
import * as z from 'zod';

/**
 * How the connector authenticates to HubSpot:
 * - `{ accessToken }`: a private app's token (or a service key). It does
 *   not expire; a 401 is an `auth` error at once.
 * - `{ tokenProvider }`: a function that returns an OAuth access token —
 *   your app's, refreshed with its refresh token. On a 401 the connector
 *   calls it with `{ expired: true }` once and sends the call again.
 *
 * @example
 * ```ts
 * import type { HubSpotAuth } from '@guard/crm-hubspot';
 * const privateApp: HubSpotAuth = { accessToken: process.env.HUBSPOT_TOKEN ?? '' };
 * const oauth: HubSpotAuth = { tokenProvider: async ({ expired }) => (expired ? refresh() : current()) };
 * declare function refresh(): Promise<string>;
 * declare function current(): Promise<string>;
 * ```
 */
export type HubSpotAuth =
  | { readonly accessToken: string }
  | { readonly tokenProvider: (request: { readonly expired: boolean }) => Promise<string> };

/**
 * Options of `hubspotConnector`. One connector serves one HubSpot account.
 *
 * @example
 * ```ts
 * import type { HubSpotConnectorOptions } from '@guard/crm-hubspot';
 * const options: HubSpotConnectorOptions = { auth: { accessToken: process.env.HUBSPOT_TOKEN ?? '' } };
 * ```
 */
export interface HubSpotConnectorOptions extends ConnectorOptions {
  readonly auth: HubSpotAuth;
  /** The API's base URL. Default `https://api.hubapi.com`; plain `http` only on loopback, for fakes. */
  readonly basePath?: string | undefined;
  /** The currency of deals without `deal_currency_code`. Default `CNY`. */
  readonly currency?: string | undefined;
  /**
   * Calls a second at most, spread evenly (the SDK's Bottleneck limiter).
   * Default 9: under HubSpot's search limit and a private app's 10 a second.
   */
  readonly requestsPerSecond?: number | undefined;
}

const secret = z.string().min(1).max(4096);

export const optionsSchema = z.strictObject({
  auth: z.union([
    z.strictObject({ accessToken: secret }),
    z.strictObject({
      tokenProvider: z.custom<(request: { expired: boolean }) => Promise<string>>((v) => typeof v === 'function', {
        error: validationMessage('function'),
      }),
    }),
  ]),
  basePath: connectorUrlSchema.optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, validationMessage('currency'))
    .optional(),
  requestsPerSecond: z.number().min(0.1).max(1000).optional(),
  ...connectorOptionsShape,
});

export type ParsedOptions = z.output<typeof optionsSchema>;

export function parseOptions(options: HubSpotConnectorOptions): ParsedOptions {
  return parseConnectorOptions(optionsSchema, options);
}
