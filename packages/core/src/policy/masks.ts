import type { FieldValue } from '../domain/entities.js';
import type { FieldLevel } from '../domain/vocabulary.js';

/**
 * How a value is masked. Every mask reveals at most half of a value (for
 * phones, half of its digits) and nothing of a value too short to halve:
 *
 * - `phone` — the last 4 digits and, when the budget allows, up to 3 leading
 *   ones; format characters (space `+ - ( ) . /`) stay, anything else is
 *   masked: `13812345678` → `1******5678`, `62345678` → `****5678`
 * - `email` — the local part's first character, `@`, and as much of the
 *   domain as half the value allows: `alice@example.com` → `a***@e***.com`
 * - `name` — first character: `张三丰` → `张**`
 * - `id-number` — last four kept when at least 8, length preserved:
 *   `110101199003071234` → `**************1234`
 * - `default` — first character: `Shanghai` → `S***`
 *
 * @example
 * ```ts
 * import { maskValue, type MaskKind } from '@guard/core';
 * const kind: MaskKind = 'phone';
 * maskValue(kind, '13812345678'); // '1******5678'
 * ```
 */
export type MaskKind = 'phone' | 'email' | 'name' | 'id-number' | 'default';

const STARS = '***';

/** Kinds that mask numbers digit by digit; other kinds mask a number to `***`. */
const NUMERIC_KINDS: ReadonlySet<MaskKind> = new Set(['phone', 'id-number']);

const maskers: Readonly<Record<MaskKind, (text: string) => string>> = {
  phone: maskPhone,
  email: maskEmail,
  name: (text) => `${revealFirst(text)}**`,
  'id-number': maskIdNumber,
  default: maskDefault,
};

/**
 * Masks one value. `null` stays `null`; booleans become `***`; numbers are
 * masked as text by `phone` and `id-number` and become `***` otherwise.
 * Text is handled by code point, so `张三丰` → `张**`.
 *
 * The rule every kind keeps: a mask reveals at most half of the value's
 * characters (rounded down) and so never the whole of a short one — `a`,
 * `张` and `12` mask to stars only. Phones count digits: of `n` digits the
 * last `min(4, n/2)` are kept, then leading ones up to 3 while the total
 * stays within half; format characters (space `+ - ( ) . /`) stay in place
 * and everything else is masked. Id numbers keep their last 4 characters
 * when they have at least 8. A phone without any digit, or an email without
 * `@`, is masked as `default`.
 *
 * @example
 * ```ts
 * import { maskValue } from '@guard/core';
 * maskValue('phone', '13812345678'); // '1******5678'
 * maskValue('phone', '62345678'); // '****5678'
 * maskValue('email', 'alice@example.com'); // 'a***@e***.com'
 * maskValue('email', 'a@x.cn'); // '***@x***'
 * maskValue('name', '张三丰'); // '张**'
 * maskValue('name', '张'); // '**'
 * maskValue('id-number', '110101199003071234'); // '**************1234'
 * maskValue('default', 42); // '***'
 * ```
 */
export function maskValue(kind: MaskKind, value: FieldValue): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return STARS;
  if (typeof value === 'number' && !NUMERIC_KINDS.has(kind)) return STARS;
  return (maskers[kind] ?? maskDefault)(String(value));
}

/** How many code points a text has (as `Array.from(text).length`, without building the array). */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) {
      const before = text.charCodeAt(i - 1);
      // A low surrogate after a high one is the second half of one code point.
      if (before >= 0xd800 && before <= 0xdbff) n--;
    }
  }
  return n;
}

/** Half of a text's code points, rounded down: what a mask may reveal of it. */
function budgetOf(text: string): number {
  return Math.floor(codePoints(text) / 2);
}

/** The first code point when a value is long enough to reveal one, else nothing. */
function revealFirst(text: string): string {
  const cp = text.codePointAt(0);
  return cp === undefined || budgetOf(text) < 1 ? '' : String.fromCodePoint(cp);
}

function maskDefault(text: string): string {
  return `${revealFirst(text)}${STARS}`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Characters that only format a phone number; they stay in place. */
const PHONE_FORMAT = new Set([' ', '+', '-', '(', ')', '.', '/']);

function maskPhone(text: string): string {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) count++;
  if (count === 0) return maskDefault(text);
  const budget = Math.floor(count / 2);
  const tail = Math.min(4, budget);
  const head = Math.min(3, budget - tail);
  let out = '';
  let d = 0;
  for (const ch of text) {
    if (isDigit(ch.charCodeAt(0))) {
      out += d < head || d >= count - tail ? ch : '*';
      d++;
    } else {
      out += PHONE_FORMAT.has(ch) ? ch : '*';
    }
  }
  return out;
}

function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return maskDefault(text);
  let left = budgetOf(text) - 1; // the '@'
  if (left < 0) return STARS;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  const first = codePoints(local) >= 2 && left >= 1 ? revealFirst(local) : '';
  left -= codePoints(first);
  const dot = domain.lastIndexOf('.');
  const suffix = dot > 0 ? domain.slice(dot) : '';
  const domainFirst = String.fromCodePoint(domain.codePointAt(0) ?? 0x2a);
  // The most of the domain that fits in what is left of half the value.
  const shown = [
    domain,
    suffix === '' ? '' : `${domainFirst}${STARS}${suffix}`,
    suffix === '' ? '' : `${STARS}${suffix}`,
    domain === '' ? '' : `${domainFirst}${STARS}`,
  ].find((candidate) => candidate !== '' && revealed(candidate) <= left);
  return `${first}${STARS}@${shown ?? (domain === '' ? '' : STARS)}`;
}

/** How many characters of a mask are not stars. */
function revealed(mask: string): number {
  let stars = 0;
  for (let i = 0; i < mask.length; i++) if (mask.charCodeAt(i) === 42) stars++;
  return codePoints(mask) - stars;
}

function maskIdNumber(text: string): string {
  const chars = Array.from(text);
  // Keep the last four only when at least as many are hidden.
  const hidden = chars.length >= 8 ? chars.length - 4 : chars.length;
  return '*'.repeat(hidden) + chars.slice(hidden).join('');
}

const KIND_BY_NAME: ReadonlyMap<string, MaskKind> = new Map<string, MaskKind>([
  ['phone', 'phone'],
  ['mobile', 'phone'],
  ['tel', 'phone'],
  ['telephone', 'phone'],
  ['email', 'email'],
  ['mail', 'email'],
  ['contactname', 'name'],
  ['contact', 'name'],
  ['name', 'name'],
  ['idnumber', 'id-number'],
  ['idcard', 'id-number'],
  ['passport', 'id-number'],
]);

/**
 * The mask for a field, by its name. An override for the exact name wins;
 * otherwise, case-insensitively: `phone`, `mobile`, `tel`, `telephone` →
 * `phone`; `email`, `mail` → `email`; `contactName`, `contact`, `name` →
 * `name`; `idNumber`, `idCard`, `passport` → `id-number`; anything else
 * (e.g. `wechat`) → `default`.
 *
 * @example
 * ```ts
 * import { maskKindFor } from '@guard/core';
 * maskKindFor('Mobile'); // 'phone'
 * maskKindFor('wechat'); // 'default'
 * maskKindFor('wechat', { wechat: 'phone' }); // 'phone'
 * ```
 */
export function maskKindFor(fieldName: string, overrides?: Readonly<Record<string, MaskKind>>): MaskKind {
  const override = overrides !== undefined && Object.hasOwn(overrides, fieldName) ? overrides[fieldName] : undefined;
  return override ?? KIND_BY_NAME.get(fieldName.toLowerCase()) ?? 'default';
}

/**
 * A customer's fields after {@link applyFieldLevels}, with the class names
 * that were shown, masked and hidden (each sorted).
 *
 * @example
 * ```ts
 * import { applyFieldLevels, type MaskedFields } from '@guard/core';
 * const view: MaskedFields = applyFieldLevels(customer.fields, decision.fields);
 * audit({ shown: view.shown, masked: view.masked, hidden: view.hidden });
 * ```
 */
export interface MaskedFields {
  /** The visible classes only; masked classes hold masked values. */
  readonly fields: Record<string, Record<string, FieldValue>>;
  readonly shown: string[];
  readonly masked: string[];
  readonly hidden: string[];
}

/** Sets an own property; a key named `__proto__` is a key like any other (plain assignment would set the prototype). */
function own<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Applies a decision's field levels to a customer's fields, grouped by class:
 * `show` classes are copied, `mask` classes have every value masked (by
 * {@link maskKindFor} of the field name), `hide` classes are left out. A
 * class the levels do not mention is hidden. The lists name the customer's
 * classes only. The input is never mutated.
 *
 * @example
 * ```ts
 * import { applyFieldLevels } from '@guard/core';
 * const out = applyFieldLevels(
 *   { public: { city: '上海' }, contact: { phone: '13812345678' }, commercial: { creditLimit: 5e5 } },
 *   { public: 'show', contact: 'mask', commercial: 'hide' },
 * );
 * out.fields; // { public: { city: '上海' }, contact: { phone: '1******5678' } }
 * out.hidden; // ['commercial']
 * ```
 */
export function applyFieldLevels(
  fields: Readonly<Record<string, Readonly<Record<string, FieldValue>>>>,
  levels: Readonly<Record<string, FieldLevel>>,
  maskKinds?: Readonly<Record<string, MaskKind>>,
): MaskedFields {
  const visible: Record<string, Record<string, FieldValue>> = {};
  const shown: string[] = [];
  const masked: string[] = [];
  const hidden: string[] = [];
  const classes = Object.keys(fields);
  if (classes.length > 1) classes.sort();
  for (const cls of classes) {
    const level = Object.hasOwn(levels, cls) ? levels[cls] : 'hide';
    if (level !== 'show' && level !== 'mask') {
      hidden.push(cls);
      continue;
    }
    const values = fields[cls] ?? {};
    const out: Record<string, FieldValue> = {};
    for (const name of Object.keys(values)) {
      const value = values[name] as FieldValue;
      own(out, name, level === 'show' ? value : maskValue(maskKindFor(name, maskKinds), value));
    }
    own(visible, cls, out);
    (level === 'show' ? shown : masked).push(cls);
  }
  return { fields: visible, shown, masked, hidden };
}
