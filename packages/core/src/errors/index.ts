export {
  AuditKeyError,
  ConflictError,
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
} from './guard-error.js';
export { parseInput } from './validate.js';
