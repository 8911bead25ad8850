import type { ConnectorHarness } from '@guard/testkit';
import { type FakeHubSpot, type FakeHubSpotOptions, fakeHubSpot } from '@guard/testkit/fakes';
import { type HubSpotConnectorOptions, hubspotConnector } from '../src/index.js';

const STAGE = { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' } as const;

export interface HubSpotHarness extends ConnectorHarness {
  readonly portal: FakeHubSpot;
}

/** The HubSpot connector against a fresh fake portal, with short retry waits and no request spacing. */
export async function hubspotHarness(
  fake: FakeHubSpotOptions = {},
  connector: Partial<HubSpotConnectorOptions> = {},
): Promise<HubSpotHarness> {
  const portal = await fakeHubSpot(fake);
  return {
    portal,
    connector: hubspotConnector({
      auth: { accessToken: portal.accessToken },
      basePath: portal.url,
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
      requestsPerSecond: 1000,
      ...connector,
    }),
    async seed(data) {
      if (data.users?.length) {
        portal.addOwners(data.users.map((u) => ({ id: u.userId, email: u.email ?? `${u.userId}@example.invalid` })));
      }
      if (data.customers?.length) {
        portal.insert(
          'companies',
          data.customers.map((c) => ({
            id: c.externalId,
            properties: { name: c.name, hubspot_owner_id: c.ownerUserId },
          })),
        );
      }
      if (data.orders?.length) {
        portal.insert(
          'deals',
          data.orders.map((o) => ({
            id: o.externalId,
            companyId: o.customerExternalId,
            properties: {
              dealname: o.externalId,
              amount: String(o.amount),
              deal_currency_code: o.currency,
              dealstage: STAGE[o.status],
              closedate: o.at,
              hubspot_owner_id: o.ownerUserId,
            },
          })),
        );
      }
    },
    async change(externalId, change) {
      portal.update('companies', externalId, {
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.ownerUserId === undefined ? {} : { hubspot_owner_id: change.ownerUserId }),
      });
    },
    async ownerOf(externalId) {
      const company = portal.get('companies', externalId);
      if (company === undefined) throw new Error(`no company ${externalId}`);
      return company.hubspot_owner_id ?? null;
    },
    async settlePending() {},
    cleanup: () => portal.close(),
  };
}
