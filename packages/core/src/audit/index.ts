export {
  type AuditDraft,
  AuditLog,
  type AuditLogOptions,
  type AuditStore,
  type AuditTransaction,
  type AuditVerifyOptions,
} from './audit-log.js';
export { canonicalJson } from './canonical-json.js';
export {
  ChainVerifier,
  type CheckpointClaim,
  type VerifyFailure,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
  type VerifySuccess,
  verifyEntries,
} from './chain.js';
export {
  type CheckpointStatement,
  signCheckpoint,
  verifyCheckpointSignature,
  verifyCheckpointWithPublicKey,
} from './checkpoint.js';
export {
  type AuditEntryBody,
  type AuditPayload,
  entryHash,
  GENESIS_HASH,
  payloadDigest,
  type RedactedAuditEntryBody,
  redactAuditEntry,
} from './hash.js';
