import { describeConnectorContract } from '@guard/testkit';
import { wecomHarness } from './harness.js';

describeConnectorContract('wecom connector against the fake corp', { harness: () => wecomHarness() });
