export { conformanceTests } from './catalog.js';
export { describeStoreConformance, type StoreConformanceOptions } from './describe-store-conformance.js';
export type {
  RawAuditRow,
  RawCustomerRow,
  RawEffectRow,
  RawReader,
  RawRecordRow,
  RawTimerRow,
  RawWorkflowRow,
  StoreHarness,
} from './harness.js';
export type { ConformanceTestInfo, ConformanceTestName } from './test-names.js';
