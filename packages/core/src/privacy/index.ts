export type { ErasureReport } from './erasure.js';
export type { LegalHold, LegalHoldTarget } from './legal-holds.js';
export { type KeyRotationResult, type PrivacyApi, privacyApi } from './privacy-api.js';
export { retentionModule, retentionPass, syncRetentionTimer } from './retention.js';
