export {
  type EvidenceApi,
  type EvidencePack,
  type EvidenceProblem,
  type EvidenceVerification,
  verifyEvidencePack,
} from './evidence.js';
