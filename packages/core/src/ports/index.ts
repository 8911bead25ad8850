export { type Clock, type ManualClock, manualClock, systemClock } from './clock.js';
export { type IdGenerator, randomIds, sequentialIds } from './ids.js';
export { hmacKeys, type KeyProvider, type KeyPurpose, type SecretKey } from './keys.js';
export type {
  AuditCheckpoint,
  AuditHead,
  AuditQuery,
  CustomerFilter,
  CustomerRecord,
  EmployeeRecord,
  OrgUnitRecord,
  Page,
  PageRequest,
  Store,
  StoreCapabilities,
  StoreTransaction,
  TenantRecord,
} from './store.js';
