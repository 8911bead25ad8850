export {
  defineWorkflow,
  type PersistedWorkflowSnapshot,
  type SnapshotMigration,
  type WorkflowDefinition,
} from './definition.js';
export {
  type TimerHandler,
  type WorkflowCommandContext,
  type WorkflowCommandHandler,
  type WorkflowInputEvent,
  type WorkflowModule,
  type WorkflowRegistry,
  WorkflowSession,
  type WorkflowSessionOptions,
  workflowRegistry,
} from './session.js';
export { isInputEvent, type TimerKind, timerKind } from './timer-kind.js';
