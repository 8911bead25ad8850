import { describeConnectorContract, memoryCrm } from '../src/index.js';

// The reference connector, as a CRM whose transfers complete at once (Salesforce, HubSpot)…
describeConnectorContract('memory CRM', { harness: async () => memoryCrm() });
// …as one whose transfers complete later, in batches of 100 (WeCom)…
describeConnectorContract('memory CRM, transfers complete later', {
  harness: async () =>
    memoryCrm({ name: 'wecom-like', transfer: { maxBatch: 100, completesLater: true }, maxPageSize: 5 }),
});
// …and as one that cannot transfer: its transfer tests are skipped, and say why.
describeConnectorContract('memory CRM, read only', { harness: async () => memoryCrm({ transfer: null }) });
