export type { AgreementsApi, AgreementTemplate, AgreementView, SignatureEvidence } from './agreements.js';
export type { ComplianceSummary, TrainingApi, TrainingAssignment } from './training.js';
