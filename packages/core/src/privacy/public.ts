export type { DataSubject } from '../encryption/data-keys.js';
export type { ErasureReport } from './erasure.js';
export type { LegalHold, LegalHoldTarget } from './legal-holds.js';
export type { KeyRotationResult, PrivacyApi } from './privacy-api.js';
