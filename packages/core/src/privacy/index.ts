export { type KeyRotationResult, type PrivacyApi, privacyApi } from './privacy-api.js';
