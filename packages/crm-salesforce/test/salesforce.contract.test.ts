import { describeConnectorContract } from '@guard/testkit';
import { salesforceHarness } from './harness.js';

describeConnectorContract('salesforce connector against the fake org', { harness: () => salesforceHarness() });
