/**
 * Guard's Salesforce connector: Accounts with their owners, Opportunities
 * and Tasks since a cursor, users matched by e-mail, and ownership moved in
 * sObject Collections updates of at most 200 — on jsforce 3.
 *
 * @example
 * ```ts
 * import { checkConnector } from '@guard/core';
 * import { salesforceConnector } from '@guard/crm-salesforce';
 * const salesforce = checkConnector(
 *   salesforceConnector({
 *     loginUrl: 'https://acme.my.salesforce.com',
 *     auth: { flow: 'client-credentials', clientId: process.env.SF_CLIENT_ID ?? '', clientSecret: process.env.SF_CLIENT_SECRET ?? '' },
 *     poolOwnerId: '005xx000001SvXfAAK',
 *   }),
 *   ['customer-sync', 'ownership-transfer'],
 * );
 * ```
 *
 * @packageDocumentation
 */

export { salesforceConnector } from './connector.js';
export type { SalesforceAuth, SalesforceConnectorOptions } from './options.js';
