export {
  EVIDENCE_PACK_FORMAT,
  type EvidenceAgreement,
  type EvidenceApi,
  type EvidenceHandover,
  type EvidencePack,
  type EvidenceProblem,
  type EvidenceVerification,
  verifyEvidencePack,
} from './evidence.js';
