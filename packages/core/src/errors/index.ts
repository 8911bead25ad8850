export { didYouMean } from './did-you-mean.js';
export {
  ActorBlockedError,
  AuditIntegrityError,
  AuditKeyError,
  CallbackRejectedError,
  ConflictError,
  ConnectorError,
  ConnectorIncompleteError,
  errorCodes,
  ForbiddenError,
  formatPath,
  GuardError,
  type GuardErrorCode,
  type GuardErrorOptions,
  isGuardError,
  NotFoundError,
  StoreError,
  ValidationError,
  type ValidationIssue,
  WorkflowRejectedError,
  WorkflowVersionError,
} from './guard-error.js';
export { parseInput } from './validate.js';
