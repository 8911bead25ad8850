import { ValidationError, type ValidationIssue } from '../errors/guard-error.js';

/** A write a store refuses: the issues' paths start with the record's kind and id (`customer["c-1"].name`). */
export function recordWriteError(entity: string, id: string, issues: readonly ValidationIssue[]): ValidationError {
  return new ValidationError(
    'record write',
    issues.map((i) => ({ ...i, path: [entity, id, ...i.path] })),
  );
}
