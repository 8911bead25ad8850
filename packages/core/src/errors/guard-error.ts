import type { Decision } from '../domain/decision.js';
import type { Locale } from '../i18n/locale.js';
import { type InputName, localizeMessage, type MessageCatalog, messages } from '../i18n/messages.js';

type ErrorRenderers = MessageCatalog['errors'];

/**
 * The catalog of error codes. Every {@link GuardError} carries exactly one.
 *
 * | code | class | meaning |
 * |---|---|---|
 * | `VALIDATION_FAILED` | {@link ValidationError} | input did not match its schema; nothing was written |
 * | `NOT_FOUND` | {@link NotFoundError} | a tenant, unit, employee or customer does not exist |
 * | `FORBIDDEN` | {@link ForbiddenError} | the access policy denied the action |
 * | `CONFLICT` | {@link ConflictError} | optimistic version check failed |
 * | `STORE_FAILURE` | {@link StoreError} | the database failed; the transaction rolled back |
 * | `AUDIT_KEY_UNAVAILABLE` | {@link AuditKeyError} | the key provider has no key to seal entries, sign or verify a checkpoint |
 * | `DATA_KEY_UNAVAILABLE` | {@link DataKeyError} | personal data could not be encrypted or decrypted: the key provider has no `data-key` key, no longer knows the one that wrapped a subject's data key, or the stored ciphertext was altered; nothing was written |
 * | `LEGAL_HOLD` | {@link LegalHoldError} | an erasure was refused because a legal hold covers the subject; nothing was erased |
 * | `AUDIT_CHAIN_BROKEN` | {@link AuditIntegrityError} | a checkpoint was asked for while the chain since the last one does not verify; nothing was signed |
 * | `WORKFLOW_REJECTED` | {@link WorkflowRejectedError} | the workflow's current state does not accept this event from this actor; nothing was written |
 * | `WORKFLOW_VERSION_UNKNOWN` | {@link WorkflowVersionError} | a stored workflow was written by a newer machine version than this process knows |
 * | `ACTOR_BLOCKED` | {@link ActorBlockedError} | unusual activity raised an alert that blocks the actor's bulk actions until a manager resolves it |
 * | `CONNECTOR_INCOMPLETE` | {@link ConnectorIncompleteError} | a CRM connector lacks methods an enabled feature needs; nothing was started |
 * | `CONNECTOR_FAILURE` | {@link ConnectorError} | a CRM connector's call failed as a whole; `kind` says whether to wait, retry or fix something |
 * | `CALLBACK_REJECTED` | {@link CallbackRejectedError} | a callback said to come from a CRM failed its signature, decryption or receiver check; nothing was recorded |
 *
 * @example
 * ```ts
 * import { errorCodes, isGuardError } from '@guard/core';
 * try { await run(); } catch (e) {
 *   if (isGuardError(e) && e.code === errorCodes.NOT_FOUND) return null;
 *   throw e;
 * }
 * ```
 */
export const errorCodes = Object.freeze({
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  STORE_FAILURE: 'STORE_FAILURE',
  AUDIT_KEY_UNAVAILABLE: 'AUDIT_KEY_UNAVAILABLE',
  AUDIT_CHAIN_BROKEN: 'AUDIT_CHAIN_BROKEN',
  DATA_KEY_UNAVAILABLE: 'DATA_KEY_UNAVAILABLE',
  LEGAL_HOLD: 'LEGAL_HOLD',
  WORKFLOW_REJECTED: 'WORKFLOW_REJECTED',
  WORKFLOW_VERSION_UNKNOWN: 'WORKFLOW_VERSION_UNKNOWN',
  ACTOR_BLOCKED: 'ACTOR_BLOCKED',
  CONNECTOR_INCOMPLETE: 'CONNECTOR_INCOMPLETE',
  CONNECTOR_FAILURE: 'CONNECTOR_FAILURE',
  CALLBACK_REJECTED: 'CALLBACK_REJECTED',
} as const satisfies { [C in keyof ErrorRenderers]: C });

/**
 * One of the codes in {@link errorCodes}.
 *
 * @example
 * ```ts
 * import type { GuardErrorCode } from '@guard/core';
 * const code: GuardErrorCode = 'CONFLICT';
 * ```
 */
export type GuardErrorCode = keyof typeof errorCodes;

const BRAND = Symbol.for('guard.error');

/**
 * Options every Guard error accepts.
 *
 * @example
 * ```ts
 * import { NotFoundError, type GuardErrorOptions } from '@guard/core';
 * const options: GuardErrorOptions = { locale: 'zh-CN' };
 * throw new NotFoundError({ entity: 'customer', id: 'c-1' }, options);
 * ```
 */
export interface GuardErrorOptions {
  /** Language of `message` and `hint`; `en` by default. */
  readonly locale?: Locale;
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * The base class of every error Guard throws. It has a machine-readable
 * `code`, a human message that says what was wrong, a `hint` that says what
 * to do, and the original error as `cause`. Use {@link isGuardError} rather
 * than `instanceof`: it also recognises errors from another copy of the
 * package.
 *
 * @example
 * ```ts
 * import { GuardError, isGuardError } from '@guard/core';
 * try { await guard.tenant('acme').customers.read({ actor: 'e1', customerId: 'c1' }); }
 * catch (e) {
 *   if (isGuardError(e)) console.error(e.code, e.message, e.hint);
 * }
 * ```
 */
export class GuardError<C extends GuardErrorCode = GuardErrorCode> extends Error {
  /** The code from {@link errorCodes}. */
  readonly code: C;
  /** What to do about it, in the same language as `message`. */
  readonly hint: string;
  /** The parameters the message was rendered from; stable, for programs. */
  readonly params: Parameters<ErrorRenderers[C]>[0];
  /** The language `message` and `hint` are in. */
  readonly locale: Locale;

  constructor(code: C, params: Parameters<ErrorRenderers[C]>[0], options: GuardErrorOptions = {}) {
    const locale = options.locale ?? 'en';
    const { message, hint } = render(code, params, locale);
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardError';
    this.code = code;
    this.params = params;
    this.hint = hint;
    this.locale = locale;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * The message and hint in another language.
   *
   * @example
   * ```ts
   * const { message, hint } = error.localize('zh-CN');
   * ```
   */
  localize(locale: Locale): { message: string; hint: string } {
    return render(this.code, this.params, locale);
  }

  /**
   * The same error with its `message`, `hint` and `locale` in another
   * language (the error itself when it is already in that language). A
   * tenant's API throws its errors in the tenant's locale this way.
   *
   * @example
   * ```ts
   * const zh = error.inLocale('zh-CN');
   * zh.code === error.code; // true
   * zh.message; // the same message in Chinese
   * ```
   */
  inLocale(locale: Locale): this {
    if (locale === this.locale) return this;
    const { message, hint } = this.localize(locale);
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(copy, 'hint', { value: hint, writable: true, configurable: true, enumerable: true });
    Object.defineProperty(copy, 'locale', { value: locale, writable: true, configurable: true, enumerable: true });
    return copy;
  }

  /**
   * A JSON-safe summary, e.g. for an HTTP error body.
   *
   * @example
   * ```ts
   * res.status(400).json(error.toJSON());
   * ```
   */
  toJSON(): { name: string; code: C; message: string; hint: string; params: unknown } {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, params: this.params };
  }
}

function render<C extends GuardErrorCode>(
  code: C,
  params: Parameters<ErrorRenderers[C]>[0],
  locale: Locale,
): { message: string; hint: string } {
  const renderer = messages(locale).errors[code] as (p: typeof params) => { message: string; hint: string };
  return renderer(params);
}

/**
 * True for any error thrown by Guard, including errors created by another
 * copy of `@guard/core` (it checks a `Symbol.for('guard.error')` brand, not the
 * class identity). Pass a code to narrow further.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * if (isGuardError(e, 'CONFLICT')) await retry();
 * ```
 */
export function isGuardError<C extends GuardErrorCode = GuardErrorCode>(
  error: unknown,
  code?: C,
): error is GuardError<C> {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (error as GuardError).code === code;
}

/**
 * One problem found while validating input: where (a path into the input,
 * e.g. `employees[3].unitId`) and what.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from '@guard/core';
 * const issue: ValidationIssue = { path: ['employees', 3, 'unitId'], message: 'unit "x" does not exist', code: 'custom' };
 * ```
 */
export interface ValidationIssue {
  /** Path into the input; numbers index arrays. Empty for the input itself. */
  readonly path: readonly (string | number)[];
  /** What is wrong at that path. */
  readonly message: string;
  /** zod's issue code, or `custom` for Guard's own checks. */
  readonly code: string;
  /** The message in every locale, when known; a `ValidationError` fills it in. */
  readonly localized?: Readonly<Record<Locale, string>>;
}

/**
 * Formats an issue path the way it would be written in code:
 * `employees[3].unitId`; `(root)` for the input itself.
 *
 * @example
 * ```ts
 * import { formatPath } from '@guard/core';
 * formatPath(['employees', 3, 'unitId']); // 'employees[3].unitId'
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Input did not match its schema. `issues` lists every problem with its path;
 * the message names each path. Nothing was written.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await t.customers.upsert(body); } catch (e) {
 *   if (isGuardError(e, 'VALIDATION_FAILED')) return res.status(400).json(e.toJSON());
 * }
 * ```
 */
export class ValidationError extends GuardError<'VALIDATION_FAILED'> {
  /** Every problem found, with its path. */
  readonly issues: readonly ValidationIssue[];

  constructor(what: InputName, issues: readonly ValidationIssue[], options: GuardErrorOptions = {}) {
    const locale = options.locale ?? 'en';
    const localized = issues.map((i) => inLanguages(i, locale));
    super('VALIDATION_FAILED', { what, issues: listed(localized, locale) }, options);
    this.name = 'ValidationError';
    this.issues = localized;
  }

  override localize(locale: Locale): { message: string; hint: string } {
    return render('VALIDATION_FAILED', { what: this.params.what, issues: listed(this.issues, locale) }, locale);
  }

  override inLocale(locale: Locale): this {
    if (locale === this.locale) return this;
    const copy = new ValidationError(this.params.what, this.issues, { locale, cause: this.cause }) as this;
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }
}

/** An issue with its message in every locale (a catalog key renders per locale; other text stays as it is). */
function inLanguages(issue: ValidationIssue, locale: Locale): ValidationIssue {
  const byLocale = issue.localized ?? {
    en: localizeMessage(issue.message, 'en'),
    'zh-CN': localizeMessage(issue.message, 'zh-CN'),
  };
  return { path: issue.path, code: issue.code, message: byLocale[locale], localized: byLocale };
}

function listed(issues: readonly ValidationIssue[], locale: Locale): { path: string; message: string }[] {
  return issues.map((i) => ({ path: formatPath(i.path), message: i.localized?.[locale] ?? i.message }));
}

/**
 * A tenant, unit, employee or customer does not exist (in this tenant).
 *
 * @example
 * ```ts
 * import { NotFoundError } from '@guard/core';
 * throw new NotFoundError({ entity: 'customer', id: 'c-404', tenantId: 'acme' });
 * ```
 */
export class NotFoundError extends GuardError<'NOT_FOUND'> {
  constructor(params: Parameters<ErrorRenderers['NOT_FOUND']>[0], options: GuardErrorOptions = {}) {
    super('NOT_FOUND', params, options);
    this.name = 'NotFoundError';
  }
}

/**
 * The access policy denied an action. `decision` says why; the attempt was
 * audited before this was thrown.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await t.customers.read({ actor, customerId }); } catch (e) {
 *   if (isGuardError(e, 'FORBIDDEN')) console.log((e as ForbiddenError).decision.reason.code);
 * }
 * ```
 */
export class ForbiddenError extends GuardError<'FORBIDDEN'> {
  /** The decision that denied the action. */
  readonly decision: Decision;

  constructor(params: { actorId: string; resourceId: string; decision: Decision }, options: GuardErrorOptions = {}) {
    super(
      'FORBIDDEN',
      {
        actorId: params.actorId,
        action: params.decision.action,
        resourceId: params.resourceId,
        reason: params.decision.reason.code,
      },
      options,
    );
    this.name = 'ForbiddenError';
    this.decision = params.decision;
  }
}

/**
 * An optimistic version check failed: someone else changed the record first.
 * Reload and retry.
 *
 * @example
 * ```ts
 * import { ConflictError } from '@guard/core';
 * throw new ConflictError({ entity: 'customer', id: 'c-1', expected: 3, actual: 4 });
 * ```
 */
export class ConflictError extends GuardError<'CONFLICT'> {
  constructor(params: Parameters<ErrorRenderers['CONFLICT']>[0], options: GuardErrorOptions = {}) {
    super('CONFLICT', params, options);
    this.name = 'ConflictError';
  }
}

/**
 * The store (database) failed. The transaction was rolled back; `cause` holds
 * the driver's error.
 *
 * @example
 * ```ts
 * import { StoreError } from '@guard/core';
 * throw new StoreError({ store: 'postgres', operation: 'connect', detail: 'ECONNREFUSED 127.0.0.1:5432' }, { cause: err });
 * ```
 */
export class StoreError extends GuardError<'STORE_FAILURE'> {
  constructor(params: Parameters<ErrorRenderers['STORE_FAILURE']>[0], options: GuardErrorOptions = {}) {
    super('STORE_FAILURE', params, options);
    this.name = 'StoreError';
  }
}

/**
 * The {@link KeyProvider} has no key to sign a checkpoint, or does not know
 * the key an older checkpoint was signed with.
 *
 * @example
 * ```ts
 * import { AuditKeyError } from '@guard/core';
 * throw new AuditKeyError({ tenantId: 'acme', keyId: 'k0' });
 * ```
 */
export class AuditKeyError extends GuardError<'AUDIT_KEY_UNAVAILABLE'> {
  constructor(params: Parameters<ErrorRenderers['AUDIT_KEY_UNAVAILABLE']>[0], options: GuardErrorOptions = {}) {
    super('AUDIT_KEY_UNAVAILABLE', params, options);
    this.name = 'AuditKeyError';
  }
}

/**
 * Personal data could not be encrypted or decrypted (`problem`):
 *
 * - `no-current-key` — the {@link KeyProvider} has no `data-key` key for the
 *   tenant, so a new data key cannot be wrapped;
 * - `unknown-key` — it no longer knows the key (`keyId`) a subject's data key
 *   was wrapped with: keep retired keys until `privacy.rotateKeys()` has
 *   rewrapped every data key;
 * - `tampered` — a wrapped data key or an encrypted value failed its
 *   authentication: it was changed outside Guard.
 *
 * Nothing was written.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await acme.customers.upsert(customer); }
 * catch (e) { if (isGuardError(e, 'DATA_KEY_UNAVAILABLE')) alertOps(e.params.problem, e.params.keyId); else throw e; }
 * ```
 */
export class DataKeyError extends GuardError<'DATA_KEY_UNAVAILABLE'> {
  constructor(params: Parameters<ErrorRenderers['DATA_KEY_UNAVAILABLE']>[0], options: GuardErrorOptions = {}) {
    super('DATA_KEY_UNAVAILABLE', params, options);
    this.name = 'DataKeyError';
  }
}

/**
 * An erasure was refused: legal holds (`params.holds`, each with the case or
 * evidence pack it was set on) cover the subject. Nothing was erased;
 * release the holds first (`privacy.release`) if the matter is closed.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await acme.privacy.erase({ subject: { type: 'customer', id: 'c-1' }, reason: 'PIPL request 2026-118' }); }
 * catch (e) { if (isGuardError(e, 'LEGAL_HOLD')) tellRequester(e.params.holds.map((h) => h.id)); else throw e; }
 * ```
 */
export class LegalHoldError extends GuardError<'LEGAL_HOLD'> {
  constructor(params: Parameters<ErrorRenderers['LEGAL_HOLD']>[0], options: GuardErrorOptions = {}) {
    super('LEGAL_HOLD', params, options);
    this.name = 'LegalHoldError';
  }
}

/**
 * Guard refused to sign a checkpoint because the chain since the last good
 * one does not verify (`reason` is a {@link VerifyFailureReason}): a
 * checkpoint must never vouch for a tampered chain.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await acme.audit.checkpoint(); }
 * catch (e) { if (isGuardError(e, 'AUDIT_CHAIN_BROKEN')) page(`tampering at #${e.params.firstBadSeq}`); else throw e; }
 * ```
 */
export class AuditIntegrityError extends GuardError<'AUDIT_CHAIN_BROKEN'> {
  constructor(params: Parameters<ErrorRenderers['AUDIT_CHAIN_BROKEN']>[0], options: GuardErrorOptions = {}) {
    super('AUDIT_CHAIN_BROKEN', params, options);
    this.name = 'AuditIntegrityError';
  }
}

/**
 * A workflow refused an event: its current state does not accept it, or a
 * guard said no (e.g. the requester tried to approve their own request).
 * Nothing was written.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await acme.approvals.approve({ actor: 'e-7', approvalId }); }
 * catch (e) { if (isGuardError(e, 'WORKFLOW_REJECTED')) showToast(e.message); else throw e; }
 * ```
 */
export class WorkflowRejectedError extends GuardError<'WORKFLOW_REJECTED'> {
  constructor(params: Parameters<ErrorRenderers['WORKFLOW_REJECTED']>[0], options: GuardErrorOptions = {}) {
    super('WORKFLOW_REJECTED', params, options);
    this.name = 'WorkflowRejectedError';
  }
}

/**
 * A stored workflow snapshot was written by a machine version this process
 * does not know (a newer release wrote it). Nothing was changed.
 *
 * @example
 * ```ts
 * import { WorkflowVersionError } from '@guard/core';
 * throw new WorkflowVersionError({ workflowId: 'wf-1', machine: 'approval', version: 3, known: 2 });
 * ```
 */
export class WorkflowVersionError extends GuardError<'WORKFLOW_VERSION_UNKNOWN'> {
  constructor(params: Parameters<ErrorRenderers['WORKFLOW_VERSION_UNKNOWN']>[0], options: GuardErrorOptions = {}) {
    super('WORKFLOW_VERSION_UNKNOWN', params, options);
    this.name = 'WorkflowVersionError';
  }
}

/**
 * The actor is blocked from bulk actions (list, export, delete, claim,
 * transfer) by an open anomaly alert. The alert that explains why was
 * committed before this error was thrown.
 *
 * @example
 * ```ts
 * import { isGuardError } from '@guard/core';
 * try { await acme.customers.requestDelete({ actor: 'e-7', customerIds }); }
 * catch (e) { if (isGuardError(e, 'ACTOR_BLOCKED')) console.warn(e.params.alertId); else throw e; }
 * ```
 */
export class ActorBlockedError extends GuardError<'ACTOR_BLOCKED'> {
  constructor(params: Parameters<ErrorRenderers['ACTOR_BLOCKED']>[0], options: GuardErrorOptions = {}) {
    super('ACTOR_BLOCKED', params, options);
    this.name = 'ActorBlockedError';
  }
}

/**
 * A CRM connector lacks what an enabled feature needs (a method its
 * capabilities promise, or the capability itself). Raised at start-up by
 * `checkConnector`, before anything runs; `params.missing` lists each
 * feature with the method it needs.
 *
 * @example
 * ```ts
 * import { ConnectorIncompleteError } from '@guard/core';
 * throw new ConnectorIncompleteError({ connector: 'hubspot', missing: [{ feature: 'activity-sync', method: 'listActivities' }] });
 * ```
 */
export class ConnectorIncompleteError extends GuardError<'CONNECTOR_INCOMPLETE'> {
  constructor(params: Parameters<ErrorRenderers['CONNECTOR_INCOMPLETE']>[0], options: GuardErrorOptions = {}) {
    super('CONNECTOR_INCOMPLETE', params, options);
    this.name = 'ConnectorIncompleteError';
  }
}

/**
 * A CRM connector's call failed as a whole (per-record refusals are
 * results, not errors). `params.kind` says what to do: `auth` — fix the
 * credentials; `rate-limited` — wait `params.retryAfterMs`; `unavailable` —
 * retry with backoff; `rejected` — fix the request, since sending it again
 * will not help. `retryable` is true for the two kinds that pass by
 * themselves. `cause` holds the client's error.
 *
 * @example
 * ```ts
 * import { ConnectorError } from '@guard/core';
 * const limited = new ConnectorError({ connector: 'salesforce', operation: 'listCustomers', kind: 'rate-limited', detail: 'REQUEST_LIMIT_EXCEEDED', retryAfterMs: 60_000 });
 * limited.retryable; // true
 * ```
 */
export class ConnectorError extends GuardError<'CONNECTOR_FAILURE'> {
  constructor(params: Parameters<ErrorRenderers['CONNECTOR_FAILURE']>[0], options: GuardErrorOptions = {}) {
    super('CONNECTOR_FAILURE', params, options);
    this.name = 'ConnectorError';
  }

  /** Whether the same call may succeed later without anyone changing anything. */
  get retryable(): boolean {
    return this.params.kind === 'rate-limited' || this.params.kind === 'unavailable';
  }
}

/**
 * A callback said to come from a CRM (a WeCom change event) failed a
 * check: its signature, its decryption, the corp or app it was encrypted
 * for, or its format. Nothing in it was used; answer the request with 403
 * (400 for `format`).
 *
 * @example
 * ```ts
 * import { CallbackRejectedError } from '@guard/core';
 * const forged = new CallbackRejectedError({ connector: 'wecom', reason: 'signature' });
 * forged.code; // 'CALLBACK_REJECTED'
 * ```
 */
export class CallbackRejectedError extends GuardError<'CALLBACK_REJECTED'> {
  constructor(params: Parameters<ErrorRenderers['CALLBACK_REJECTED']>[0], options: GuardErrorOptions = {}) {
    super('CALLBACK_REJECTED', params, options);
    this.name = 'CallbackRejectedError';
  }
}
