export {
  EVIDENCE_PACK_FORMAT,
  type EvidenceAgreement,
  type EvidenceApi,
  type EvidenceHandover,
  type EvidenceManifest,
  type EvidencePack,
  type EvidenceProblem,
  type EvidenceSection,
  type EvidenceVerification,
  verifyEvidencePack,
} from './evidence.js';
