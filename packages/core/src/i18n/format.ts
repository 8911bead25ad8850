import type { Json } from '../domain/entities.js';
import type { MessageCatalog } from './catalog.js';

/** A notification value as text; `fallback` when it is missing. */
export const s = (v: Json | undefined, fallback = ''): string =>
  v === undefined || v === null ? fallback : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A list in a notification's data as text, joined by `sep`; a single value as it is. */
export const joined = (v: Json | undefined, sep: string): string =>
  Array.isArray(v) ? v.map((x) => s(x)).join(sep) : s(v);

/** An amount in minor units with its currency, e.g. `1200.00 CNY`. */
export const money = (minor: Json | undefined, currency: Json | undefined): string =>
  typeof minor === 'number' ? `${(minor / 100).toFixed(2)} ${s(currency)}`.trim() : '';

/** The issues of a validation error as one line. */
export const list = (issues: readonly { path: string; message: string }[], sep: string): string =>
  issues.map((i) => `${i.path}: ${i.message}`).join(sep);

/** An approval kind's name in the catalog's language; a kind it does not know as it is. */
export function kindName(catalog: MessageCatalog, kind: Json | undefined): string {
  const names: Readonly<Record<string, string>> = catalog.approvalKinds;
  const k = s(kind);
  return Object.hasOwn(names, k) ? (names[k] as string) : k;
}

/** An alert kind's title in the catalog's language; a kind the host raises itself as it is. */
export function alertKindName(catalog: MessageCatalog, kind: Json | undefined): string {
  const names: Readonly<Record<string, string>> = catalog.alerts;
  const k = s(kind);
  return Object.hasOwn(names, k) ? (names[k] as string) : k;
}

/** Why a CRM refused a move, by its code, in the catalog's language; a code it does not know through `unknown`. */
export function refusal(
  refusals: MessageCatalog['crmRefusals'],
  code: string,
  unknown: (code: string) => string,
): string {
  const texts: Readonly<Record<string, string>> = refusals;
  return Object.hasOwn(texts, code) ? (texts[code] as string) : unknown(code);
}
