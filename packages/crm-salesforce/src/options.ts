import {
  type ConnectorOptions,
  connectorOptionsShape,
  connectorUrlSchema,
  parseConnectorOptions,
  validationMessage,
} from '@guard/core';
import * as z from 'zod';

/**
 * How the connector signs in to Salesforce, with a connected app:
 * - `client-credentials`: the app's consumer key and secret; the app runs
 *   as its configured integration user. Salesforce requires the org's My
 *   Domain URL as `loginUrl` for this flow.
 * - `jwt-bearer`: the consumer key, the Salesforce username to act as, and
 *   the private key (PEM) whose certificate is uploaded to the app;
 *   `audience` is `https://login.salesforce.com` (default) or
 *   `https://test.salesforce.com` for a sandbox.
 *
 * Neither flow has a refresh token: the connector asks for a new session
 * when Salesforce says the old one expired (401 `INVALID_SESSION_ID`).
 *
 * @example
 * ```ts
 * import type { SalesforceAuth } from '@guard/crm-salesforce';
 * const auth: SalesforceAuth = { flow: 'client-credentials', clientId: process.env.SF_CLIENT_ID ?? '', clientSecret: process.env.SF_CLIENT_SECRET ?? '' };
 * ```
 */
export type SalesforceAuth =
  | { readonly flow: 'client-credentials'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly flow: 'jwt-bearer';
      readonly clientId: string;
      readonly username: string;
      readonly privateKey: string;
      readonly audience?: string | undefined;
    };

/**
 * Options of `salesforceConnector`. One connector serves one Salesforce org.
 *
 * @example
 * ```ts
 * import type { SalesforceConnectorOptions } from '@guard/crm-salesforce';
 * const options: SalesforceConnectorOptions = {
 *   loginUrl: 'https://acme.my.salesforce.com',
 *   auth: { flow: 'client-credentials', clientId: '3MVG9…', clientSecret: '…' },
 *   poolOwnerId: '005xx000001SvXfAAK', // the "公海" user: accounts it owns are unowned to Guard
 * };
 * ```
 */
export interface SalesforceConnectorOptions extends ConnectorOptions {
  /** The org's My Domain URL (`https://acme.my.salesforce.com`), or `https://login.salesforce.com` for JWT. Plain `http` only on loopback, for fakes. */
  readonly loginUrl: string;
  readonly auth: SalesforceAuth;
  /**
   * The Salesforce user that holds unowned accounts (an integration user
   * standing for the public pool): Accounts cannot be owned by a queue, so
   * the connector reports its accounts as unowned (`ownerUserId: null`) and
   * moves to `toUserId: null` go to it.
   */
  readonly poolOwnerId: string;
  /** The REST API version. Default `60.0` (sObject Collections need 42.0 or later). */
  readonly apiVersion?: string | undefined;
  /** The org's currency (ISO 4217), for opportunity amounts. Default `CNY`. */
  readonly currency?: string | undefined;
}

const text = z.string().min(1).max(4096);

export const optionsSchema = z.strictObject({
  loginUrl: connectorUrlSchema,
  auth: z.discriminatedUnion('flow', [
    z.strictObject({ flow: z.literal('client-credentials'), clientId: text, clientSecret: text }),
    z.strictObject({
      flow: z.literal('jwt-bearer'),
      clientId: text,
      username: text,
      privateKey: z.string().regex(/-----BEGIN (RSA )?PRIVATE KEY-----/, validationMessage('pem-private-key')),
      audience: z.url({ protocol: /^https?$/ }).optional(),
    }),
  ]),
  poolOwnerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, validationMessage('crm-id')),
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, validationMessage('api-version', { example: '60.0', min: '42.0' }))
    .refine((v) => Number.parseFloat(v) >= 42, validationMessage('api-version', { example: '60.0', min: '42.0' }))
    .optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, validationMessage('currency'))
    .optional(),
  ...connectorOptionsShape,
});

export type ParsedOptions = z.output<typeof optionsSchema>;

export function parseOptions(options: SalesforceConnectorOptions): ParsedOptions {
  return parseConnectorOptions(optionsSchema, options);
}
