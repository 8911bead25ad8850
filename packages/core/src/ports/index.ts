export { type Clock, type ManualClock, manualClock, systemClock } from './clock.js';
export { type IdGenerator, randomIds, sequentialIds } from './ids.js';
export { ed25519Keys, hmacKeys, type KeyProvider, type KeyPurpose, keysByPurpose, type SecretKey } from './keys.js';
export { memoryNotifier, type Notification, type Notifier } from './notifier.js';
export type {
  AuditCheckpoint,
  AuditHead,
  AuditQuery,
  ClaimRequest,
  CustomerFilter,
  CustomerRecord,
  EffectOutcome,
  EmployeeRecord,
  NewOutboxEffect,
  NewTimer,
  OrgUnitRecord,
  OutboxEffect,
  OwnerChange,
  Page,
  PageRequest,
  RecordFilter,
  Store,
  StoreCapabilities,
  StoredRecord,
  StoreTransaction,
  TenantRecord,
  TimerRecord,
  WorkflowFilter,
  WorkflowRecord,
} from './store.js';
