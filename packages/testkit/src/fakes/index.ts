/**
 * Loopback fake CRM servers for connector tests: each speaks its API's
 * real wire format on 127.0.0.1 and injects the faults connectors must
 * survive (expired tokens, rate limits, outages, slow answers, per-record
 * failures). Plain `node:http`; no test runner needed.
 *
 * @example
 * ```ts
 * import { fakeSalesforce } from '@guard/testkit/fakes';
 * const org = await fakeSalesforce();
 * org.inject({ kind: 'session-expired', on: 'query' });
 * await org.close();
 * ```
 *
 * @packageDocumentation
 */

export type { FakeCall } from './http.js';
export {
  type FakeHubSpot,
  type FakeHubSpotFault,
  type FakeHubSpotOptions,
  fakeHubSpot,
  type HubSpotObjectType,
  type HubSpotOwnerSeed,
  type HubSpotRoute,
} from './hubspot/server.js';
export type { SalesforceObjectType } from './salesforce/schema.js';
export {
  type FakeSalesforce,
  type FakeSalesforceFault,
  type FakeSalesforceOptions,
  fakeSalesforce,
  type SalesforceFieldValue,
  type SalesforceRoute,
} from './salesforce/server.js';
export {
  type WecomCallbackRequest,
  type WecomCallbackSecrets,
  wecomCallback,
  wecomUrlCheck,
} from './wecom/callbacks.js';
export {
  type FakeWecom,
  type FakeWecomFault,
  type FakeWecomOptions,
  fakeWecom,
  type WecomDayStats,
  type WecomMemberSeed,
  type WecomRoute,
  type WecomTransferRecord,
} from './wecom/server.js';
