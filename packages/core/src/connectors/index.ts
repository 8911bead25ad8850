export { checkConnector } from './check.js';
export { parseCrmListRequest, parseCrmTransferRequest } from './requests.js';
export {
  type ConnectorRetryPolicy,
  connectorBackoffMs,
  connectorRetryPolicySchema,
  raceAbort,
  retryConnectorCall,
} from './retry.js';
