export type { AlertsApi, AlertView } from './alerts.js';
