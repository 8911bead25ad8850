export * from './backtest.js';
export * from './custom-signals.js';
export * from './defaults.js';
export * from './evaluate.js';
export * from './facts.js';
export * from './history.js';
export * from './json-schema.js';
export * from './operators.js';
export * from './pack.js';
export type {
  InstalledPack,
  PackChangeOptions,
  RecordSignalsResult,
  RiskApi,
  RiskScanResult,
  RiskScorePoint,
  SignalsApi,
} from './service.js';
export * from './signals.js';
