import { ValidationError } from '../errors/guard-error.js';
import type { Locale } from '../i18n/locale.js';

/** Nesting deeper than this is rejected (it also stops cycles). Input validation allows 64. */
const MAX_DEPTH = 128;

/** A lone surrogate: in `u` mode a well-formed pair is one code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What can be wrong with a value that is to be hashed as JSON; the `code` of
 * the {@link ValidationError} issue.
 * @internal
 *
 * @example
 * ```ts
 * const problem: JsonProblem = 'non_finite';
 * ```
 */
export type JsonProblem =
  | 'lone_surrogate'
  | 'non_finite'
  | 'undefined_in_array'
  | 'undefined_member'
  | 'unsupported_type'
  | 'non_plain_object'
  | 'forbidden_key'
  | 'not_object'
  | 'too_deep';

class CanonicalProblem {
  constructor(
    readonly problem: JsonProblem,
    readonly path: (string | number)[],
    readonly detail: string,
  ) {}
}

const MESSAGES: Readonly<Record<Locale, (detail: string) => Record<JsonProblem, string>>> = {
  en: (detail) => ({
    lone_surrogate: 'contains a lone UTF-16 surrogate (not valid Unicode)',
    non_finite: `is ${detail}; only finite numbers can be written as JSON`,
    undefined_in_array: 'is undefined inside an array',
    undefined_member: 'is undefined; leave the key out or use null',
    unsupported_type: `is of type ${detail}, which JSON cannot represent`,
    non_plain_object: `is a ${detail}; only plain objects and arrays are allowed`,
    forbidden_key: `the key "${detail}" is not allowed`,
    not_object: `must be an object of JSON values, not ${detail}`,
    too_deep: `is nested more than ${detail} levels deep (or circular)`,
  }),
  'zh-CN': (detail) => ({
    lone_surrogate: '包含孤立的 UTF-16 代理项（不是有效的 Unicode）',
    non_finite: `值为 ${detail}；JSON 只能表示有限数值`,
    undefined_in_array: '数组中出现 undefined',
    undefined_member: '值为 undefined；请省略该键或使用 null',
    unsupported_type: `类型为 ${detail}，JSON 无法表示`,
    non_plain_object: `是 ${detail}；只允许普通对象和数组`,
    forbidden_key: `不允许使用键名「${detail}」`,
    not_object: `必须是由 JSON 值组成的对象，而不是 ${detail}`,
    too_deep: `嵌套超过 ${detail} 层（或存在循环引用）`,
  }),
};

/**
 * The message for a {@link JsonProblem}, in `locale`.
 * @internal
 *
 * @example
 * ```ts
 * jsonProblemMessage('en', 'non_finite', 'NaN'); // 'is NaN; only finite numbers can be written as JSON'
 * ```
 */
export function jsonProblemMessage(locale: Locale, problem: JsonProblem, detail: string): string {
  return MESSAGES[locale](detail)[problem];
}

/**
 * True when `text` has a UTF-16 surrogate that is not part of a pair.
 * @internal
 *
 * @example
 * ```ts
 * hasLoneSurrogate('😀'); // false
 * hasLoneSurrogate('\ud83d'); // true
 * ```
 */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return LONE_SURROGATE.test(text);
  }
  return false;
}

/**
 * Serialises a JSON value canonically, in the style of RFC 8785 (JCS): object
 * keys sorted by UTF-16 code units, no whitespace, numbers as ECMAScript
 * writes them (`1e+21`, `0.002`, `-0` → `0`), strings escaped as
 * `JSON.stringify` escapes them. Equal data always gives the same text, so
 * the text can be hashed.
 *
 * Object members whose value is `undefined` are left out. Everything JSON
 * cannot represent faithfully is rejected rather than silently changed:
 * `NaN` and `±Infinity`, strings with a lone surrogate (UTF-8 would turn it
 * into U+FFFD, so two different strings would hash alike), `undefined` inside
 * an array or at the top, functions, symbols, bigints, and objects that are
 * not plain (`Date`, `Map`, class instances). Symbol-keyed and non-enumerable
 * properties are not data and are ignored, as `JSON.stringify` ignores them.
 *
 * @param options.locale - language of the error message; `en` by default
 * @throws ValidationError (`what: 'audit data'`) naming the path of the first problem.
 *
 * @example
 * ```ts
 * import { canonicalJson } from '@guard/core';
 * canonicalJson({ b: [1e21, 0.5], a: 'é', skip: undefined }); // '{"a":"é","b":[1e+21,0.5]}'
 * ```
 */
export function canonicalJson(value: unknown, options: { locale?: Locale } = {}): string {
  try {
    return write(value, 0, false);
  } catch (error) {
    if (!(error instanceof CanonicalProblem)) throw error;
    const locale = options.locale ?? 'en';
    throw new ValidationError(
      'audit data',
      [{ path: error.path, code: error.problem, message: jsonProblemMessage(locale, error.problem, error.detail) }],
      { locale },
    );
  }
}

// The writers keep no path while all is well (this is the verify hot path): a
// problem is thrown with an empty path, and each container it passes through
// on the way out puts its own key in front.

function write(value: unknown, depth: number, inArray: boolean): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalProblem('non_finite', [], String(value));
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw new CanonicalProblem('too_deep', [], String(MAX_DEPTH));
      if (Array.isArray(value)) return writeArray(value, depth + 1);
      return writeObject(value, depth + 1);
    case 'undefined':
      throw new CanonicalProblem(inArray ? 'undefined_in_array' : 'unsupported_type', [], 'undefined');
    default:
      throw new CanonicalProblem('unsupported_type', [], typeof value);
  }
}

function writeArray(array: readonly unknown[], depth: number): string {
  let out = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) out += (i === 0 ? '' : ',') + write(array[i], depth, true);
  } catch (error) {
    if (error instanceof CanonicalProblem) error.path.unshift(i);
    throw error;
  }
  return `${out}]`;
}

function writeObject(object: object, depth: number): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const name = (object.constructor as { name?: unknown } | undefined)?.name;
    throw new CanonicalProblem('non_plain_object', [], typeof name === 'string' && name !== '' ? name : 'object');
  }
  const record = object as Readonly<Record<string, unknown>>;
  const keys = sortedKeys(record);
  let out = '{';
  let first = true;
  let key = '';
  try {
    for (key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      out += `${first ? '' : ','}${quote(key)}:${write(member, depth, false)}`;
      first = false;
    }
  } catch (error) {
    if (error instanceof CanonicalProblem) error.path.unshift(key);
    throw error;
  }
  return `${out}}`;
}

/**
 * Own enumerable string keys in UTF-16 code unit order (JCS order; `<` on
 * strings compares code units). Objects in audit data are small: insertion
 * sort is faster than `Array#sort` for them and free when already sorted.
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function quote(text: string): string {
  // A loop beats a regular expression on the short strings audit entries are made of.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      if (LONE_SURROGATE.test(text)) throw new CanonicalProblem('lone_surrogate', [], '');
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}
