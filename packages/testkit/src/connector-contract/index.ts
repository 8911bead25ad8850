export {
  type ConnectorContractOptions,
  connectorContractTests,
  describeConnectorContract,
} from './describe-connector-contract.js';
export { type ConnectorWiringOptions, describeConnectorWiring } from './describe-connector-wiring.js';
export { connectorErrorOf } from './expect-error.js';
export type { ConnectorHarness, CrmSeed, CrmUserSeed } from './harness.js';
export { type MemoryCrmOptions, memoryCrm } from './memory-crm.js';
