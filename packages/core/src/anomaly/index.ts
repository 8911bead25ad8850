export type { ActivitySignal } from './anomaly.js';
