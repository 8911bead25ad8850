/**
 * Keys of Guard's own validation messages. A leaf module: schemas anywhere in
 * core (also `domain/`) can name a message without importing the catalogs.
 */

/**
 * Guard's own validation messages (the ones zod does not write), by key, with
 * the parameters each renders from. Schemas carry them as
 * {@link validationMessage} strings, so a `ValidationError` can show them in
 * every locale.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').validation['quota-reached']({ quota: 10 }); // '已达到每日认领上限 10'
 * ```
 */
export interface ValidationMessages {
  readonly 'id-format': () => string;
  readonly 'field-key-format': () => string;
  readonly 'reserved-word': () => string;
  readonly date: () => string;
  readonly 'date-time': () => string;
  readonly 'time-zone': () => string;
  readonly currency: () => string;
  readonly 'finite-number': () => string;
  readonly 'kebab-case': (p: { example: string }) => string;
  readonly 'dotted-kebab-case': () => string;
  readonly 'time-of-day': () => string;
  readonly 'at-least': (p: { other: string }) => string;
  readonly 'settings-object': () => string;
  readonly 'plain-json': () => string;
  readonly 'quota-reached': (p: { quota: number }) => string;
  readonly 'customer-cap': (p: { owned: number; cap: number }) => string;
  readonly 'follow-up-in-future': () => string;
  readonly 'repeated-customer': () => string;
  readonly 'repeated-class': () => string;
  readonly 'unknown-field-class': (p: { name: string; classes: string }) => string;
  readonly 'unknown-unit': (p: { id: string }) => string;
  readonly 'unknown-employee': (p: { id: string }) => string;
  readonly 'unknown-customer': (p: { id: string }) => string;
  readonly 'unknown-hold-target': (p: { id: string }) => string;
  readonly 'erase-departed-only': (p: { id: string; status: 'active' | 'resigning' | 'frozen' | 'departed' }) => string;
  readonly 'customer-or-employee': () => string;
  readonly 'signal-in-future': () => string;
  readonly 'order-in-future': () => string;
  readonly 'unstorable-text': () => string;
  readonly 'whole-number': () => string;
  readonly 'expected-version': () => string;
  readonly cursor: () => string;
  readonly 'store-option': () => string;
  readonly 'keys-option': () => string;
  readonly 'clock-option': () => string;
  readonly 'ids-option': () => string;
  readonly 'notifier-option': () => string;
  readonly function: () => string;
  readonly 'abort-signal': () => string;
  readonly 'one-handler-per-kind': (p: { kind: string }) => string;
  readonly 'crm-id': () => string;
  readonly 'crm-connector': () => string;
  readonly email: () => string;
  readonly mobile: () => string;
  readonly 'https-url': () => string;
  readonly 'root-unit-not-hq': () => string;
  readonly 'unit-cycle': (p: { parent: string }) => string;
  readonly 'unit-below-itself': (p: { parent: string; id: string }) => string;
  readonly 'unit-kind-under': (p: { kind: string; parentKind: string }) => string;
  readonly 'self-manager': () => string;
  readonly 'pem-private-key': () => string;
  readonly 'api-version': (p: { example: string; min: string }) => string;
  readonly 'template-id': () => string;
  readonly 'before-resignation': () => string;
  readonly 'end-after-start': () => string;
  readonly 'end-within-ten-years': () => string;
  readonly 'customer-item-needs-customer': () => string;
  readonly 'currency-with-amount': () => string;
  readonly 'not-the-leaver': () => string;
  readonly 'successor-not-active': (p: {
    id: string;
    status: 'active' | 'resigning' | 'frozen' | 'departed';
  }) => string;
  readonly 'not-unique': () => string;
  readonly 'open-at-start': () => string;
  readonly 'second-customer-item': () => string;
  readonly sha256: () => string;
  readonly 'hex-64': () => string;
  readonly 'signature-hex': () => string;
  readonly 'approval-needs-level': () => string;
  readonly 'needs-approver': () => string;
  readonly 'until-after-from': () => string;
  readonly 'no-self-delegation': () => string;
  readonly 'kind-not-requestable': (p: { kind: string; owner: string }) => string;
  readonly 'comparison-needs-operator': () => string;
  readonly 'in-or-not-in': () => string;
  readonly 'policy-time': () => string;
  readonly 'empty-time-window': () => string;
  readonly 'allow-only': (p: { key: string }) => string;
  readonly duplicate: (p: { value: string; first: number }) => string;
  readonly 'signal-needs-employee': (p: { kind: string }) => string;
  readonly 'signal-needs-customer': (p: { kind: string }) => string;
  readonly 'custom-signal-kind': () => string;
  readonly 'unknown-signal-kind': (p: { kind: string; suggestion: string | null }) => string;
  readonly 'undeclared-signal-kind': (p: { kind: string }) => string;
  readonly 'signal-subject-not-declared': (p: { kind: string; field: 'employeeId' | 'customerId' }) => string;
  readonly 'custom-signal-in-use': (p: { kind: string; pack: string; fact: string }) => string;
  readonly 'undeclared-custom-fact': (p: { fact: string; kind: string }) => string;
  readonly 'pack-id': () => string;
  readonly 'fact-value': (p: { listItems: number }) => string;
  readonly 'condition-shape': () => string;
  readonly 'top-level-group': () => string;
  readonly 'risk-event': () => string;
  readonly semver: () => string;
  readonly 'watch-below-alert': () => string;
  readonly 'unknown-fact': (p: {
    subject: 'employee' | 'customer';
    fact: string;
    /** Set when the fact exists for the other subject. */
    otherSubject: 'employee' | 'customer' | null;
    suggestion: string | null;
  }) => string;
  readonly 'unknown-operator': (p: { operator: string; operators: string }) => string;
  readonly 'jsonpath-not-evaluated': () => string;
  readonly 'fact-params': () => string;
  readonly 'unknown-keys': (p: { keys: string }) => string;
  readonly 'not-a-policy-field-class': (p: { key: string; classes: string }) => string;
  readonly 'conditions-too-deep': (p: { depth: number }) => string;
  readonly 'fact-type-mismatch': (p: { name: string; type: string; otherName: string; otherType: string }) => string;
  readonly 'duplicate-rule-name': (p: { name: string; first: number }) => string;
  readonly 'unknown-placeholder': (p: { placeholder: string; read: string }) => string;
  readonly 'unknown-tag': (p: { tag: string }) => string;
  readonly 'too-many-conditions': (p: { count: number; limit: number }) => string;
  readonly 'pack-too-large': (p: { bytes: number; limit: number }) => string;
  readonly 'baseline-subject': (p: {
    baseline: string;
    baselineSubject: string;
    pack: string;
    packSubject: string;
  }) => string;
  readonly 'nested-too-deep': (p: { depth: number }) => string;
  readonly 'forbidden-key': (p: { key: string }) => string;
}

/**
 * A key of {@link ValidationMessages}.
 *
 * @example
 * ```ts
 * import type { ValidationMessageKey } from '@guard/core';
 * const key: ValidationMessageKey = 'currency';
 * ```
 */
export type ValidationMessageKey = keyof ValidationMessages;

/** Marks a message string as a catalog key with its parameters; never shown as is. */
export const MARK = '⟦guard:';

/**
 * A validation message by catalog key, as a string a zod schema or an issue
 * can carry. A `ValidationError` renders it in every locale; anything else
 * shows the English text.
 *
 * @example
 * ```ts
 * import { validationMessage } from '@guard/core';
 * const currency = z.string().regex(/^[A-Z]{3}$/, { error: validationMessage('currency') });
 * ```
 */
export function validationMessage<K extends ValidationMessageKey>(
  key: K,
  ...params: Parameters<ValidationMessages[K]>
): string {
  return `${MARK}${JSON.stringify([key, params[0] ?? {}])}`;
}
