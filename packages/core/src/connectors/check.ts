import * as z from 'zod';
import { nameSchema } from '../domain/entities.js';
import { ConnectorIncompleteError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { CrmFeature, CrmMethod } from '../i18n/catalog.js';
import type { Locale } from '../i18n/locale.js';
import type { CrmCapabilities, CrmConnector } from '../ports/crm.js';

const positive = z.int().min(1).max(1_000_000);

const connectorSchema = z.looseObject({
  name: nameSchema,
  capabilities: z.strictObject({
    customers: z.boolean(),
    orders: z.boolean(),
    activities: z.boolean(),
    users: z.boolean(),
    transfer: z.strictObject({ maxBatch: positive, completesLater: z.boolean() }).nullable(),
    maxPageSize: positive,
    customerChanges: z.enum(['all', 'ownership']).optional(),
  }),
});

/** The capability and method each feature needs, in the order they are reported. */
interface Need {
  readonly method: CrmMethod;
  /** The capability that promises the method. */
  readonly capable: (c: CrmCapabilities) => boolean;
  /** Whether the feature needs it of this connector (default: always). */
  readonly needed?: (c: CrmCapabilities) => boolean;
}

const NEEDS: Readonly<Record<CrmFeature, readonly Need[]>> = {
  'customer-sync': [
    { capable: (c) => c.customers, method: 'listCustomers' },
    { capable: (c) => c.users, method: 'mapUsers' },
  ],
  'order-sync': [
    { capable: (c) => c.orders, method: 'listOrders' },
    { capable: (c) => c.users, method: 'mapUsers' },
  ],
  'activity-sync': [
    { capable: (c) => c.activities, method: 'listActivities' },
    { capable: (c) => c.users, method: 'mapUsers' },
  ],
  'ownership-transfer': [
    { capable: (c) => c.transfer !== null, method: 'transferOwnership' },
    { capable: (c) => c.users, method: 'mapUsers' },
    // Moves that complete later must be asked about.
    {
      capable: (c) => c.transfer !== null,
      method: 'transferStatus',
      needed: (c) => c.transfer?.completesLater === true,
    },
  ],
};

const featuresSchema = z.array(z.enum(Object.keys(NEEDS) as [CrmFeature, ...CrmFeature[]])).max(16);

/**
 * Checks, before anything runs, that a CRM connector can serve the features
 * a tenant enables: its shape (a name, well-formed capabilities) and, for
 * each feature, the capability and the method it needs. A connector that
 * declares a capability must implement its method; one whose transfers
 * complete later must also answer `transferStatus`. Returns the connector.
 *
 * @throws ValidationError (`what: 'connector'`) when the connector or the feature list is malformed.
 * @throws ConnectorIncompleteError naming every feature that cannot run and the method it needs.
 *
 * @example
 * ```ts
 * import { checkConnector } from '@guard/core';
 * declare const hubspot: import('@guard/core').CrmConnector;
 * // At start-up: fails now, in the operator's terms, rather than at the first sync.
 * checkConnector(hubspot, ['customer-sync', 'ownership-transfer']);
 * ```
 */
export function checkConnector(
  connector: CrmConnector,
  features: readonly CrmFeature[],
  options: { readonly locale?: Locale } = {},
): CrmConnector {
  const locale = options.locale ?? 'en';
  const parsed = parseInput(connectorSchema, connector, { what: 'connector', locale, json: false });
  const wanted = parseInput(featuresSchema, features, { what: 'connector', locale });
  const missing: { feature: CrmFeature; method: CrmMethod }[] = [];
  for (const feature of new Set(wanted)) {
    for (const need of NEEDS[feature]) {
      if (need.needed && !need.needed(parsed.capabilities)) continue;
      const implemented = typeof (connector as unknown as Record<string, unknown>)[need.method] === 'function';
      if (!need.capable(parsed.capabilities) || !implemented) missing.push({ feature, method: need.method });
    }
  }
  if (missing.length > 0) throw new ConnectorIncompleteError({ connector: parsed.name, missing }, { locale });
  return connector;
}
