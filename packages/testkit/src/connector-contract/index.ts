export {
  type ConnectorContractOptions,
  connectorContractTests,
  describeConnectorContract,
} from './describe-connector-contract.js';
export { connectorErrorOf } from './expect-error.js';
export type { ConnectorHarness, CrmSeed, CrmUserSeed } from './harness.js';
export { type MemoryCrmOptions, memoryCrm } from './memory-crm.js';
