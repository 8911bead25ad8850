export type { AgreementsApi } from './agreements.js';
export type { TrainingApi } from './training.js';
