import { validationMessage } from '../i18n/keys.js';
import { recordWriteError } from './write-error.js';

/**
 * The check every store makes before a versioned write (`putCustomer`,
 * `putWorkflow`, `putRecord`): the record's `version` is a whole number
 * and `expectedVersion` is `null` or a whole number ≥ 0. Anything else — a
 * version given as text (`'3'`), in an array, a fraction — throws the same
 * `ValidationError` on every store, before anything is written; a SQL
 * store would otherwise let the database coerce it (`'32' + 1` is `'321'`).
 *
 * @example
 * ```ts
 * import { checkVersions } from '@guard/core';
 * checkVersions('customer', 'c-1', 4, 3); // fine
 * checkVersions('customer', 'c-1', '321' as never, '32' as never); // throws ValidationError
 * ```
 */
export function checkVersions(entity: string, id: string, version: unknown, expectedVersion: unknown): void {
  const whole = (v: unknown, min: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
  const issues = [
    ...(whole(version, 0)
      ? []
      : [{ path: ['version'], code: 'invalid_type', message: validationMessage('whole-number') }]),
    ...(expectedVersion === null || whole(expectedVersion, 0)
      ? []
      : [{ path: ['expectedVersion'], code: 'invalid_type', message: validationMessage('expected-version') }]),
  ];
  if (issues.length > 0) throw recordWriteError(entity, id, issues);
}
