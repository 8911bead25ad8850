export { checkConnector } from './check.js';
export {
  type ConnectorOptions,
  connectorOptionsShape,
  connectorUrlSchema,
  foreignCursorError,
  isNetworkFailure,
  parseConnectorOptions,
} from './options.js';
export { parseCrmListRequest, parseCrmTransferRequest } from './requests.js';
export {
  type ConnectorRetryPolicy,
  connectorBackoffMs,
  connectorRetryPolicySchema,
  raceAbort,
  retryConnectorCall,
} from './retry.js';
