import { describeConnectorContract } from '@guard/testkit';
import { hubspotHarness } from './harness.js';

describeConnectorContract('hubspot connector against the fake portal', { harness: () => hubspotHarness() });
