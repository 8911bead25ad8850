export { checkConnector } from './check.js';
export { parseCrmListRequest, parseCrmTransferRequest } from './requests.js';
export {
  type ConnectorRetryPolicy,
  connectorBackoffMs,
  connectorRetryPolicySchema,
  retryConnectorCall,
} from './retry.js';
