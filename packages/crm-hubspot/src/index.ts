/**
 * Guard's HubSpot connector: companies with their owners and deals since a
 * cursor, owners matched by e-mail, and ownership moved in batch updates of
 * at most 100 — on `@hubspot/api-client` 13.
 *
 * @example
 * ```ts
 * import { checkConnector } from '@guard/core';
 * import { hubspotConnector } from '@guard/crm-hubspot';
 * const hubspot = checkConnector(hubspotConnector({ auth: { accessToken: process.env.HUBSPOT_TOKEN ?? '' } }), [
 *   'customer-sync',
 *   'ownership-transfer',
 * ]);
 * ```
 *
 * @packageDocumentation
 */

export { hubspotConnector } from './connector.js';
export type { HubSpotAuth, HubSpotConnectorOptions } from './options.js';
