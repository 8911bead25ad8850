import type { Json } from '../domain/entities.js';
import type { ValidationIssue } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';
import { hasLoneSurrogate, type JsonProblem, jsonProblemMessage } from './canonical-json.js';

/** As deep as `parseInput` allows. */
const MAX_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_ISSUES = 20;

/**
 * Validates an audit draft's `data` and returns a deep, frozen copy that the
 * caller can no longer change; problems are added to `issues` with paths
 * under `at`.
 *
 * It accepts what `auditEntrySchema`'s `data` accepts (an object of JSON
 * values), minus what `parseInput` rejects everywhere (the keys `__proto__`,
 * `constructor`, `prototype`; nesting deeper than 64) and what has no
 * canonical form (lone surrogates, objects that are not plain). It exists
 * because zod's recursive JSON union plus `parseInput`'s scan cost about twice
 * as much as hashing the entry; this is one pass.
 * @internal
 *
 * @example
 * ```ts
 * const issues: ValidationIssue[] = [];
 * const data = copyAuditData(draft.data, [0, 'data'], 'en', issues);
 * if (issues.length > 0) throw new ValidationError('audit entry', issues);
 * ```
 */
export function copyAuditData(
  value: unknown,
  at: readonly (string | number)[],
  locale: Locale,
  issues: ValidationIssue[],
): Record<string, Json> {
  const walk: Walk = { path: [...at], top: at.length, locale, issues };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(walk, 'not_object', value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);
    return {};
  }
  return copyObject(walk, value);
}

// Plain functions over a shared state rather than closures: this runs for every appended entry.

interface Walk {
  readonly path: (string | number)[];
  readonly top: number;
  readonly locale: Locale;
  readonly issues: ValidationIssue[];
}

function report(walk: Walk, problem: JsonProblem, detail = ''): void {
  if (walk.issues.length >= MAX_ISSUES) return;
  walk.issues.push({ path: [...walk.path], code: problem, message: jsonProblemMessage(walk.locale, problem, detail) });
}

function copy(walk: Walk, value: unknown): Json {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) report(walk, 'lone_surrogate');
      return value;
    case 'number':
      if (!Number.isFinite(value)) report(walk, 'non_finite', String(value));
      return value;
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (walk.path.length - walk.top >= MAX_DEPTH) {
        report(walk, 'too_deep', String(MAX_DEPTH));
        return null;
      }
      return Array.isArray(value) ? copyArray(walk, value) : copyObject(walk, value);
    default:
      report(walk, 'unsupported_type', typeof value);
      return null;
  }
}

function copyArray(walk: Walk, array: readonly unknown[]): Json {
  const out: Json[] = new Array(array.length);
  for (let i = 0; i < array.length; i++) {
    walk.path.push(i);
    const item = array[i];
    if (item === undefined) report(walk, 'undefined_in_array');
    else out[i] = copy(walk, item);
    walk.path.pop();
  }
  return Object.freeze(out);
}

function copyObject(walk: Walk, object: object): { [key: string]: Json } {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const name = (object.constructor as { name?: unknown } | undefined)?.name;
    report(walk, 'non_plain_object', typeof name === 'string' && name !== '' ? name : 'object');
    return {};
  }
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(object)) {
    walk.path.push(key);
    const member = (object as Record<string, unknown>)[key];
    if (FORBIDDEN_KEYS.has(key)) report(walk, 'forbidden_key', key);
    else if (hasLoneSurrogate(key)) report(walk, 'lone_surrogate');
    else if (member === undefined) report(walk, 'undefined_member');
    else out[key] = copy(walk, member);
    walk.path.pop();
  }
  return Object.freeze(out);
}
