import type { ConnectorRetryPolicy } from '@guard/core';
import type { ConnectorHarness } from '@guard/testkit';
import { type FakeSalesforce, type FakeSalesforceOptions, fakeSalesforce } from '@guard/testkit/fakes';
import { type SalesforceConnectorOptions, salesforceConnector } from '../src/index.js';

/** The user standing for the public pool in the fake org. */
export const POOL = '005POOL';

const STAGE = { open: 'Prospecting', won: 'Closed Won', lost: 'Closed Lost' } as const;
const TASK_TYPE = {
  call: 'Call',
  email: 'Email',
  meeting: 'Meeting',
  task: 'Other',
  note: 'Other',
  other: 'Other',
} as const;

export interface SalesforceHarness extends ConnectorHarness {
  readonly org: FakeSalesforce;
}

/**
 * The Salesforce connector against a fresh fake org: small query batches,
 * so listings follow `nextRecordsUrl`, and short retry waits.
 */
export async function salesforceHarness(
  fake: FakeSalesforceOptions = {},
  connector: Partial<SalesforceConnectorOptions> = {},
): Promise<SalesforceHarness> {
  const org = await fakeSalesforce({ batchSize: 5, ...fake });
  org.insert('User', [{ Id: POOL, Username: 'pool@acme.cn', Name: '公海' }]);
  const retry: ConnectorRetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 };
  return {
    org,
    connector: salesforceConnector({
      loginUrl: org.url,
      auth: { flow: 'client-credentials', clientId: org.clientId, clientSecret: org.clientSecret },
      poolOwnerId: POOL,
      retry,
      ...connector,
    }),
    async seed(data) {
      if (data.users?.length) {
        org.insert(
          'User',
          data.users.map((u) => ({
            Id: u.userId,
            Username: u.email ?? `${u.userId}@example.invalid`,
            Email: u.email ?? null,
            MobilePhone: u.mobile ?? null,
            Name: u.name ?? u.userId,
          })),
        );
      }
      if (data.customers?.length) {
        org.insert(
          'Account',
          data.customers.map((c) => ({ Id: c.externalId, Name: c.name, OwnerId: c.ownerUserId ?? POOL })),
        );
      }
      if (data.orders?.length) {
        org.insert(
          'Opportunity',
          data.orders.map((o) => ({
            Id: o.externalId,
            Name: o.externalId,
            AccountId: o.customerExternalId,
            OwnerId: o.ownerUserId ?? POOL,
            Amount: o.amount,
            StageName: STAGE[o.status],
            CloseDate: o.at.slice(0, 10),
            LastStageChangeDate: o.at,
          })),
        );
      }
      if (data.activities?.length) {
        org.insert(
          'Task',
          data.activities.map((a) => ({
            Id: a.externalId,
            Subject: a.kind,
            WhatId: a.customerExternalId,
            OwnerId: a.ownerUserId ?? POOL,
            TaskSubtype: a.kind === 'call' ? 'Call' : a.kind === 'email' ? 'Email' : 'Task',
            Type: TASK_TYPE[a.kind],
            Status: 'Completed',
            CompletedDateTime: a.at,
          })),
        );
      }
    },
    async change(externalId, change) {
      org.update('Account', externalId, {
        ...(change.name === undefined ? {} : { Name: change.name }),
        ...(change.ownerUserId === undefined ? {} : { OwnerId: change.ownerUserId ?? POOL }),
      });
    },
    async ownerOf(externalId) {
      const account = org.get('Account', externalId);
      if (account === undefined) throw new Error(`no account ${externalId}`);
      return account.OwnerId === POOL ? null : (account.OwnerId as string);
    },
    async settlePending() {},
    cleanup: () => org.close(),
  };
}
