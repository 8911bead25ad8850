import type { FieldValue } from '../domain/entities.js';
import type { FieldLevel } from '../domain/vocabulary.js';

/**
 * How a value is masked:
 *
 * - `phone` — digits kept at both ends: `13812345678` → `138****5678`
 * - `email` — first character of the local part: `alice@example.com` → `a***@example.com`
 * - `name` — first character: `张三丰` → `张**`
 * - `id-number` — last four kept, length preserved: `110101199003071234` → `**************1234`
 * - `default` — first character: `Shanghai` → `S***`
 *
 * @example
 * ```ts
 * import { maskValue, type MaskKind } from '@guard/core';
 * const kind: MaskKind = 'phone';
 * maskValue(kind, '13812345678'); // '138****5678'
 * ```
 */
export type MaskKind = 'phone' | 'email' | 'name' | 'id-number' | 'default';

const STARS = '***';

/** Kinds that mask numbers digit by digit; other kinds mask a number to `***`. */
const NUMERIC_KINDS: ReadonlySet<MaskKind> = new Set(['phone', 'id-number']);

const maskers: Readonly<Record<MaskKind, (text: string) => string>> = {
  phone: maskPhone,
  email: maskEmail,
  name: (text) => `${firstCodePoint(text)}**`,
  'id-number': maskIdNumber,
  default: maskDefault,
};

/**
 * Masks one value. `null` stays `null`; booleans become `***`; numbers are
 * masked as text by `phone` and `id-number` and become `***` otherwise.
 * Text is handled by code point, so `张三丰` → `张**`.
 *
 * Phones keep every non-digit character; of the digits the first 3 and last 4
 * are kept (only the last 2 when there are 5–7, none when there are fewer).
 * Id numbers keep their last 4 characters when they have at least 8. A phone without any
 * digit, or an email without `@`, is masked as `default`.
 *
 * @example
 * ```ts
 * import { maskValue } from '@guard/core';
 * maskValue('phone', '13812345678'); // '138****5678'
 * maskValue('email', 'alice@example.com'); // 'a***@example.com'
 * maskValue('name', '张三丰'); // '张**'
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

function firstCodePoint(text: string): string {
  const cp = text.codePointAt(0);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

function maskDefault(text: string): string {
  return `${firstCodePoint(text)}${STARS}`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function maskPhone(text: string): string {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) count++;
  if (count === 0) return maskDefault(text);
  // Long numbers keep 3 + 4 digits, short ones the last 2; very short ones nothing, so a mask never shows a whole value.
  const keep =
    count >= 8 ? (d: number) => d < 3 || d >= count - 4 : count >= 5 ? (d: number) => d >= count - 2 : () => false;
  let out = '';
  let d = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (!isDigit(text.charCodeAt(i))) out += ch;
    else out += keep(d++) ? ch : '*';
  }
  return out;
}

function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return maskDefault(text);
  return `${firstCodePoint(text.slice(0, at))}${STARS}${text.slice(at)}`;
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
 * out.fields; // { public: { city: '上海' }, contact: { phone: '138****5678' } }
 * out.hidden; // ['commercial']
 * ```
 */
export function applyFieldLevels(
  fields: Readonly<Record<string, Readonly<Record<string, FieldValue>>>>,
  levels: Readonly<Record<string, FieldLevel>>,
  maskKinds?: Readonly<Record<string, MaskKind>>,
): MaskedFields {
  const result: MaskedFields = { fields: {}, shown: [], masked: [], hidden: [] };
  const visible: [string, Record<string, FieldValue>][] = [];
  for (const cls of Object.keys(fields).sort()) {
    const level = Object.hasOwn(levels, cls) ? levels[cls] : 'hide';
    const values = Object.entries(fields[cls] ?? {});
    if (level === 'show') {
      visible.push([cls, Object.fromEntries(values)]);
      result.shown.push(cls);
    } else if (level === 'mask') {
      visible.push([cls, Object.fromEntries(values.map(([k, v]) => [k, maskValue(maskKindFor(k, maskKinds), v)]))]);
      result.masked.push(cls);
    } else {
      result.hidden.push(cls);
    }
  }
  return { ...result, fields: Object.fromEntries(visible) };
}
