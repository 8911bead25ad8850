export type { CrmApi } from './crm-api.js';
export type { CrmSyncOptions, CrmSyncReport } from './sync.js';
export type { CrmTransferStatus, CrmTransferView } from './transfer-state.js';
export { CRM_TRANSFER_CHECK_EFFECT, type CrmWorkerOptions } from './transfers.js';
