export * from './agreement/index.js';
export * from './approval/index.js';
export * from './claim/index.js';
export * from './offboarding/index.js';
export type { WorkflowEmitted, WorkflowEventBase } from './protocol.js';
export * from './runtime/index.js';
