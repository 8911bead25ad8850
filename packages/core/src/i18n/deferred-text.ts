import type { Json } from '../domain/entities.js';
import type { MessageCatalog } from './catalog.js';
import type { Locale } from './locale.js';
import { messages } from './messages.js';

/**
 * A customer's or employee's name inside text Guard stores: only the id is
 * kept, and the name is looked up when the text is read. An erasure then
 * reaches every text that named the person, and a rename shows everywhere.
 *
 * @example
 * ```ts
 * import type { NameRef } from '@guard/core';
 * const ref: NameRef = { $name: 'customer', id: 'c-1001' }; // read as 'ACME Ltd', or as 'c-1001' once erased
 * ```
 */
export type NameRef = {
  readonly $name: 'customer' | 'employee';
  readonly id: string;
  /** Show the id after the name (`ACME Ltd (c-1001)`), where names may repeat; absent: the name alone. */
  readonly withId?: true;
};

/**
 * A text with one version per locale (a risk pack's title, a rule's
 * explanation), stored whole and shown in the reader's language.
 *
 * @example
 * ```ts
 * import type { InLocales } from '@guard/core';
 * const t: InLocales = { $localized: { en: 'Departure risk', 'zh-CN': '离职风险' } };
 * ```
 */
export type InLocales = {
  readonly $localized: Readonly<Record<Locale, string>>;
};

/**
 * The catalog sections whose texts Guard stores as references and renders
 * when read: alert summaries and the titles of the approvals Guard starts.
 *
 * @example
 * ```ts
 * import type { DeferredSection } from '@guard/core';
 * const section: DeferredSection = 'summaries';
 * ```
 */
export type DeferredSection = 'summaries' | 'approvalTitles';

/**
 * A text of Guard's message catalog, stored as its key and parameters and
 * rendered when read: in the tenant's language at that time, with the
 * current names of the people and customers it mentions ({@link NameRef}).
 * Alert summaries and the titles of the approvals Guard starts are stored
 * this way, so no name is copied into them.
 *
 * @example
 * ```ts
 * import type { DeferredText } from '@guard/core';
 * const title: DeferredText = { $text: 'approvalTitles', key: 'claim', params: { customer: { $name: 'customer', id: 'c-1' } } };
 * ```
 */
export type DeferredText = {
  readonly $text: DeferredSection;
  readonly key: string;
  readonly params: { readonly [key: string]: Json };
};

/**
 * The parameters of a catalog text whose rendering is deferred: a string
 * parameter may be a {@link NameRef} (looked up when read) or an
 * {@link InLocales} text; the others are given as they are.
 *
 * @example
 * ```ts
 * import { customerName, type ApprovalTitles, type DeferredParams } from '@guard/core';
 * const params: DeferredParams<Parameters<ApprovalTitles['claim']>[0]> = { customer: customerName('c-1') };
 * ```
 */
export type DeferredParams<P> = {
  readonly [K in keyof P]: string extends P[K]
    ? P[K] | NameRef | InLocales
    : P[K] extends readonly string[]
      ? readonly (string | NameRef | InLocales)[]
      : P[K];
};

/**
 * A reference to a customer's name, resolved when the text holding it is
 * read.
 *
 * @example
 * ```ts
 * import { customerName } from '@guard/core';
 * customerName('c-1001'); // { $name: 'customer', id: 'c-1001' }
 * customerName('c-1001', { withId: true }); // read as 'ACME Ltd (c-1001)'
 * ```
 */
export function customerName(id: string, options: { withId?: boolean } = {}): NameRef {
  return options.withId ? { $name: 'customer', id, withId: true } : { $name: 'customer', id };
}

/**
 * A reference to an employee's name, resolved when the text holding it is
 * read.
 *
 * @example
 * ```ts
 * import { employeeName } from '@guard/core';
 * employeeName('e-7'); // { $name: 'employee', id: 'e-7' }
 * ```
 */
export function employeeName(id: string): NameRef {
  return { $name: 'employee', id };
}

/**
 * A text given in every locale, to store now and show in the reader's
 * language.
 *
 * @example
 * ```ts
 * import { inLocales } from '@guard/core';
 * inLocales({ en: 'Departure risk', 'zh-CN': '离职风险' }); // { $localized: { en: 'Departure risk', 'zh-CN': '离职风险' } }
 * ```
 */
export function inLocales(text: Readonly<Record<Locale, string>>): InLocales {
  return { $localized: { en: text.en, 'zh-CN': text['zh-CN'] } };
}

/**
 * A catalog text to store now and render when read.
 *
 * @example
 * ```ts
 * import { customerName, deferredText } from '@guard/core';
 * deferredText('approvalTitles', 'claim', { customer: customerName('c-1') });
 * // { $text: 'approvalTitles', key: 'claim', params: { customer: { $name: 'customer', id: 'c-1' } } }
 * ```
 */
export function deferredText<S extends DeferredSection, K extends keyof MessageCatalog[S] & string>(
  section: S,
  key: K,
  params: DeferredParams<MessageCatalog[S][K] extends (p: infer P) => string ? P : never>,
): DeferredText {
  return { $text: section, key, params: params as unknown as { [key: string]: Json } };
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keysAre(value: { readonly [key: string]: unknown }, ...keys: string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(value, k));
}

/**
 * Whether a stored value is a {@link NameRef}.
 *
 * @example
 * ```ts
 * import { isNameRef } from '@guard/core';
 * isNameRef({ $name: 'employee', id: 'e-7' }); // true
 * isNameRef('e-7'); // false
 * ```
 */
export function isNameRef(value: unknown): value is NameRef {
  return (
    isObject(value) &&
    (keysAre(value, '$name', 'id') || (keysAre(value, '$name', 'id', 'withId') && value.withId === true)) &&
    (value.$name === 'customer' || value.$name === 'employee') &&
    typeof value.id === 'string'
  );
}

function isLocalized(value: unknown): value is InLocales {
  return isObject(value) && keysAre(value, '$localized') && isObject(value.$localized);
}

function isDeferredText(value: unknown): value is DeferredText {
  return (
    isObject(value) &&
    keysAre(value, '$text', 'key', 'params') &&
    (value.$text === 'summaries' || value.$text === 'approvalTitles') &&
    typeof value.key === 'string' &&
    isObject(value.params)
  );
}

/**
 * The customers and employees a stored value names, by id.
 *
 * @example
 * ```ts
 * import { customerName, namesIn } from '@guard/core';
 * namesIn([{ who: customerName('c-1') }]); // { customers: Set { 'c-1' }, employees: Set {} }
 * ```
 */
export function namesIn(values: readonly unknown[]): { customers: Set<string>; employees: Set<string> } {
  const customers = new Set<string>();
  const employees = new Set<string>();
  const visit = (value: unknown): void => {
    if (isNameRef(value)) (value.$name === 'customer' ? customers : employees).add(value.id);
    else if (Array.isArray(value)) for (const v of value) visit(v);
    else if (isObject(value)) for (const v of Object.values(value)) visit(v);
  };
  for (const v of values) visit(v);
  return { customers, employees };
}

/**
 * Names found for the references in some stored values: id → name per kind.
 * A reference missing here is shown as its id.
 *
 * @example
 * ```ts
 * import { customerName, renderDeferred, type ResolvedNames } from '@guard/core';
 * const names: ResolvedNames = { customers: new Map([['c-1', 'ACME']]), employees: new Map() };
 * renderDeferred('en', { who: customerName('c-1') }, names); // { who: 'ACME' }
 * ```
 */
export interface ResolvedNames {
  readonly customers: ReadonlyMap<string, string>;
  readonly employees: ReadonlyMap<string, string>;
}

/**
 * A stored value as a reader sees it: every {@link NameRef} replaced by the
 * name (or the id, when there is none or the person was erased), every {@link InLocales} by its
 * text in `locale`, and every {@link DeferredText} rendered in `locale`.
 * Anything else is returned as it is.
 *
 * @example
 * ```ts
 * import { customerName, deferredText, renderDeferred } from '@guard/core';
 * const title = deferredText('approvalTitles', 'claim', { customer: customerName('c-1') });
 * renderDeferred('en', title, { customers: new Map([['c-1', 'ACME']]), employees: new Map() }); // 'Claim ACME'
 * renderDeferred('zh-CN', title, { customers: new Map(), employees: new Map() }); // '认领客户 c-1'
 * ```
 */
export function renderDeferred(locale: Locale, value: Json, names: ResolvedNames): Json {
  if (isNameRef(value)) {
    const name = (value.$name === 'customer' ? names.customers : names.employees).get(value.id);
    if (name === undefined || name === value.id) return value.id; // none, or erased: its name is its id
    if (!value.withId) return name;
    return locale === 'zh-CN' ? `${name}（${value.id}）` : `${name} (${value.id})`;
  }
  if (isLocalized(value)) {
    const text = value.$localized[locale] ?? Object.values(value.$localized)[0];
    return typeof text === 'string' ? text : '';
  }
  if (isDeferredText(value)) {
    const params = renderDeferred(locale, value.params, names);
    const section = messages(locale)[value.$text] as unknown as Readonly<Record<string, (p: unknown) => string>>;
    const render = Object.hasOwn(section, value.key) ? section[value.key] : undefined;
    if (!render) return value.key;
    try {
      return render(params);
    } catch {
      // Stored by another version with other parameters: show the key rather than fail the read.
      return value.key;
    }
  }
  if (Array.isArray(value)) return value.map((v: Json) => renderDeferred(locale, v, names));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeferred(locale, v as Json, names)]));
  }
  return value;
}
