export type { DataSubject } from '../encryption/data-keys.js';
export type { KeyRotationResult, PrivacyApi } from './privacy-api.js';
