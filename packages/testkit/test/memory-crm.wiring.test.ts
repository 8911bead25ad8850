import { describeConnectorWiring, memoryCrm } from '../src/index.js';

// The reference connector inside Guard, as a CRM whose transfers complete at once…
describeConnectorWiring('memory CRM in Guard', {
  harness: async () => memoryCrm({ transfer: { maxBatch: 200, completesLater: false } }),
});
// …and as one whose transfers complete later, in batches of 100 (WeCom).
describeConnectorWiring('memory CRM in Guard, transfers complete later', {
  harness: async () => memoryCrm({ name: 'wecom-like', transfer: { maxBatch: 100, completesLater: true } }),
  customers: 250,
});
