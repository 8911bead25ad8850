import type { Json } from '../domain/entities.js';
import type { Action, DecisionReasonCode, Obligation, VerifyFailureReason } from '../domain/vocabulary.js';
import type { ValidationMessages } from './keys.js';

/**
 * The kinds of record that errors talk about; each has a name per locale.
 *
 * @example
 * ```ts
 * import { messages, type EntityName } from '@guard/core';
 * const entity: EntityName = 'customer';
 * messages('zh-CN').entities[entity]; // '客户'
 * ```
 */
export type EntityName =
  | 'tenant'
  | 'unit'
  | 'employee'
  | 'customer'
  | 'workflow'
  | 'alert'
  | 'agreement'
  | 'order'
  | 'record'
  | 'training'
  | 'rule pack'
  | 'audit entry'
  | 'checkpoint'
  | 'key'
  | 'legal hold'
  | 'settings';

/**
 * The parameters each error message is rendered from, by error code; a
 * `GuardError`'s `params` has the shape for its code.
 *
 * @example
 * ```ts
 * import type { ErrorMessageParams } from '@guard/core';
 * const params: ErrorMessageParams['NOT_FOUND'] = { entity: 'customer', id: 'c-1', tenantId: 'acme' };
 * ```
 */
export interface ErrorMessageParams {
  VALIDATION_FAILED: { what: InputName; issues: readonly { path: string; message: string }[] };
  NOT_FOUND: { entity: EntityName; id: string; tenantId?: string };
  FORBIDDEN: { actorId: string; action: string; resourceId: string; reason: DecisionReasonCode };
  CONFLICT: { entity: EntityName; id: string; expected: number | null; actual: number | null };
  STORE_FAILURE: { store: string; operation: string; detail: string };
  AUDIT_KEY_UNAVAILABLE: { tenantId: string; keyId?: string };
  AUDIT_CHAIN_BROKEN: { tenantId: string; firstBadSeq: number; reason: string };
  DATA_KEY_UNAVAILABLE: {
    tenantId: string;
    subject: { type: 'customer' | 'employee'; id: string };
    problem: 'no-current-key' | 'unknown-key' | 'tampered';
    keyId?: string;
  };
  LEGAL_HOLD: {
    tenantId: string;
    subject: { type: 'customer' | 'employee'; id: string };
    holds: readonly {
      id: string;
      on: { type: 'offboarding'; caseId: string } | { type: 'evidence-pack'; exportSeq: number };
    }[];
  };
  WORKFLOW_REJECTED: { workflowId: string; machine: string; state: string; event: string; actorId: string };
  WORKFLOW_VERSION_UNKNOWN: { workflowId: string; machine: string; version: number; known: number };
  ACTOR_BLOCKED: { actorId: string; action: string; alertId: string };
  CONNECTOR_INCOMPLETE: { connector: string; missing: readonly { feature: CrmFeature; method: CrmMethod }[] };
  CONNECTOR_FAILURE: {
    connector: string;
    operation: CrmMethod;
    kind: 'auth' | 'rate-limited' | 'unavailable' | 'rejected';
    detail: string;
    retryAfterMs?: number;
  };
  CALLBACK_REJECTED: { connector: string; reason: 'signature' | 'decrypt' | 'receiver' | 'format' };
}

/**
 * A message catalog: one message for each error code, obligation, decision
 * reason and entity name.
 *
 * @example
 * ```ts
 * import { messages, type MessageCatalog } from '@guard/core';
 * const zh: MessageCatalog = messages('zh-CN');
 * zh.reasons['subject-frozen']; // '账号已冻结。'
 * ```
 */
export interface MessageCatalog {
  /** Renders the message and the "what to do" hint of an error. */
  readonly errors: {
    readonly [C in keyof ErrorMessageParams]: (params: ErrorMessageParams[C]) => {
      message: string;
      hint: string;
    };
  };
  /** Text for the host to show for an obligation. */
  readonly obligations: { readonly [T in Obligation['type']]: string };
  /** One sentence explaining a decision. */
  readonly reasons: { readonly [R in DecisionReasonCode]: string };
  readonly entities: { readonly [E in EntityName]: string };
  /** Titles of the alert kinds Guard raises itself. */
  readonly alerts: { readonly [K in BuiltInAlertKind]: string };
  /** Names of the customer actions, as errors name them. */
  readonly actions: { readonly [A in Action]: string };
  /** Names of the activities the anomaly windows count. */
  readonly activities: { readonly [A in AnomalyActivity]: string };
  /** Names of the features a CRM connector serves. */
  readonly crmFeatures: { readonly [F in CrmFeature]: string };
  /** What each connector method does, as errors name it. */
  readonly crmOperations: { readonly [M in CrmMethod]: string };
  /** Names of Guard's workflow machines; a machine it does not know shows as its id. */
  readonly machines: { readonly [machine: string]: string };
  /** What each audit verification failure means. */
  readonly auditFailures: { readonly [R in VerifyFailureReason]: string };
  /** The one-line summary stored with each alert Guard raises, by kind. */
  readonly summaries: AlertSummaries;
  /** Why a CRM did not take an ownership move, by connector code. */
  readonly crmRefusals: { readonly [C in CrmRefusalCode]: string };
  /** Names of the approval kinds, for inboxes and notifications. */
  readonly approvalKinds: { readonly [K in ApprovalKindName]: string };
  /** Titles of the approvals Guard starts itself. */
  readonly approvalTitles: ApprovalTitles;
  /** Text of the handover checklist items Guard builds. */
  readonly checklist: ChecklistText;
  /** Names of the inputs a `ValidationError` can be about (its `what`). */
  readonly inputs: { readonly [I in InputName]: string };
  /** Guard's own validation messages, by key; see {@link ValidationMessageKey}. */
  readonly validation: ValidationMessages;
  /** Notifications Guard sends, by template. */
  readonly notifications: Readonly<Record<NotificationTemplate, (data: NotificationData) => RenderedNotification>>;
}

/**
 * The approval kinds that have a name in the catalog (every kind Guard starts).
 *
 * @example
 * ```ts
 * import { messages, type ApprovalKindName } from '@guard/core';
 * const kind: ApprovalKindName = 'customer-export';
 * messages('zh-CN').approvalKinds[kind]; // '客户导出'
 * ```
 */
export type ApprovalKindName =
  | 'customer-export'
  | 'large-discount'
  | 'special-terms'
  | 'ownership-claim'
  | 'ownership-transfer'
  | 'offboarding-signoff'
  | 'customer-delete';

/**
 * A Guard feature that works through CRM connectors: each needs some of a
 * connector's methods (see `checkConnector`).
 *
 * @example
 * ```ts
 * import type { CrmFeature } from '@guard/core';
 * const enabled: CrmFeature[] = ['customer-sync', 'ownership-transfer'];
 * ```
 */
export type CrmFeature = 'customer-sync' | 'order-sync' | 'activity-sync' | 'ownership-transfer';

/**
 * A method of the `CrmConnector` port.
 *
 * @example
 * ```ts
 * import type { CrmMethod } from '@guard/core';
 * const method: CrmMethod = 'transferOwnership';
 * ```
 */
export type CrmMethod =
  | 'listCustomers'
  | 'listOrders'
  | 'listActivities'
  | 'mapUsers'
  | 'transferOwnership'
  | 'transferStatus'
  | 'contactStats';

/**
 * The activity an anomaly alert counts, as its summary names it.
 *
 * @example
 * ```ts
 * import type { AnomalyActivity } from '@guard/core';
 * const activity: AnomalyActivity = 'export';
 * ```
 */
export type AnomalyActivity = 'view' | 'export' | 'delete' | 'ownershipChange' | 'afterHours' | 'denied';

/**
 * Renderers of the summaries stored with the alerts Guard raises.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').summaries.offboardingEscalated({ employeeId: 'e-7', employeeName: '孙丽', openItems: 3, lastWorkingDay: '2026-12-31' });
 * // 'e-7 的交接仍有 3 项未被接收；最后工作日为 2026-12-31。'
 * ```
 */
export interface AlertSummaries {
  readonly anomaly: (p: {
    name: string;
    employeeId: string;
    activity: AnomalyActivity;
    count: number;
    windowMinutes: number;
    limit: number;
    resigning: boolean;
  }) => string;
  /** One owner's customers that went without follow-up past the alert threshold: the daily digest. */
  readonly followUpOverdue: (p: {
    ownerId: string;
    /** The owner's name, when the directory has them. */
    ownerName: string | null;
    count: number;
    customers: readonly string[];
    days: number;
  }) => string;
  readonly successorUnavailable: (p: {
    count: number;
    /** How many of them had no successor at all (they came after the checklist was built). */
    unplanned: number;
    employeeId: string;
    /** The leaver's name, when the directory has them. */
    employeeName: string | null;
    to: string | null;
  }) => string;
  readonly offboardingEscalated: (p: {
    employeeId: string;
    /** The leaver's name, when the directory has them. */
    employeeName: string | null;
    openItems: number;
    lastWorkingDay: string;
  }) => string;
  readonly compensationOverdue: (p: {
    employeeId: string;
    /** The former employee's name, when the directory has them. */
    employeeName: string | null;
    month: number;
  }) => string;
  readonly agreementUnsigned: (p: {
    employeeId: string;
    /** The employee's name, when the directory has them. */
    employeeName: string | null;
    title: string;
    templateId: string;
    version: number;
    reminders: number;
  }) => string;
  readonly riskThreshold: (p: {
    pack: string;
    subject: 'employee' | 'customer';
    subjectId: string;
    /** The employee's or customer's name, when Guard has them. */
    subjectName: string | null;
    score: number;
    threshold: number;
    reasons: readonly string[];
  }) => string;
  readonly effectDead: (p: {
    effect: 'crm.transfer' | 'notify' | 'other';
    key: string;
    attempts: number;
    lastError: string;
  }) => string;
  /** A CRM did not take an owner change of Guard's; `code` is the connector's (see `crmRefusals`). */
  readonly crmTransferFailed: (p: {
    connector: string;
    customerId: string;
    customerName: string;
    to: string | null;
    code: string;
  }) => string;
  /** A CRM sync found another owner in the CRM than in Guard (`crmOwner`: an employee, or the CRM user when `knownInGuard` is false; `null`: the pool). */
  readonly crmOwnerDiffers: (p: {
    connector: string;
    customerId: string;
    customerName: string;
    guardOwner: string | null;
    crmOwner: string | null;
    knownInGuard: boolean;
  }) => string;
}

/**
 * Why a CRM did not take an ownership move, by the code connectors report:
 * what happened and what to do, for alerts. A code not listed is shown as
 * itself.
 *
 * @example
 * ```ts
 * import type { CrmRefusalCode } from '@guard/core';
 * const code: CrmRefusalCode = 'CUSTOMER_REFUSED';
 * ```
 */
export type CrmRefusalCode =
  | 'NOT_FOUND'
  | 'OBJECT_NOT_FOUND'
  | 'OWNER_CHANGED'
  | 'CUSTOMER_REFUSED'
  | 'TAKEOVER_LIMIT'
  | 'TRANSFER_LIMIT'
  | 'NOT_VERIFIED'
  | 'NO_POOL_MEMBER'
  | 'NO_CRM_USER'
  | 'NOT_TRANSFERRED'
  | 'TIMED_OUT'
  | 'VALIDATION_ERROR';

/**
 * Renderers of the titles of the approvals Guard starts itself.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').approvalTitles.export({ count: 120 }); // '导出 120 个客户'
 * ```
 */
export interface ApprovalTitles {
  readonly claim: (p: { customer: string }) => string;
  readonly transfer: (p: { customer: string; to: string }) => string;
  readonly export: (p: { count: number }) => string;
  readonly delete: (p: { count: number }) => string;
  readonly offboardingSignoff: (p: { employee: string }) => string;
}

/**
 * Renderers of the handover checklist items Guard builds from data.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').checklist.receivable({ title: 'PO 2026-118' }); // '应收款：PO 2026-118'
 * ```
 */
export interface ChecklistText {
  readonly communication: (p: { customer: string }) => string;
  readonly confirmation: (p: { customer: string }) => string;
  readonly visit: (p: { customer: string }) => string;
  readonly order: (p: { title: string }) => string;
  readonly receivable: (p: { title: string }) => string;
  readonly untitledOrder: (p: { orderId: string }) => string;
  readonly unreadableOrder: (p: { issue: string }) => string;
}

/**
 * The data a notification renders from, as the effect carries it.
 *
 * @example
 * ```ts
 * import type { NotificationData } from '@guard/core';
 * const data: NotificationData = { customerId: 'c-1', days: 3 };
 * ```
 */
export type NotificationData = { readonly [key: string]: Json };

/**
 * A notification's title and body in one language.
 *
 * @example
 * ```ts
 * import { renderNotification, type RenderedNotification } from '@guard/core';
 * const n: RenderedNotification = renderNotification('en', 'claim.lost', { customerId: 'c-1' });
 * ```
 */
export interface RenderedNotification {
  readonly title: string;
  readonly body: string;
}

/**
 * The notification templates Guard sends itself, by id. Hosts may send
 * others through the same `Notifier`; those render with a generic text.
 *
 * @example
 * ```ts
 * import type { NotificationTemplate } from '@guard/core';
 * const template: NotificationTemplate = 'approval.requested';
 * ```
 */
export type NotificationTemplate =
  | 'approval.requested'
  | 'approval.escalated'
  | 'approval.sent-back'
  | 'approval.approved'
  | 'approval.rejected'
  | 'approval.withdrawn'
  | 'claim.owned'
  | 'claim.lost'
  | 'claim.rejected'
  | 'follow-up.reminder'
  | 'follow-up.manager-alert'
  | 'follow-up.digest'
  | 'follow-up.returned-to-pool'
  | 'offboarding.started'
  | 'offboarding.review'
  | 'offboarding.items-returned'
  | 'offboarding.escalated'
  | 'noncompete.compensation-due'
  | 'noncompete.compensation-overdue'
  | 'noncompete.ending-soon'
  | 'agreement.assigned'
  | 'agreement.reminder'
  | 'training.assigned'
  | 'alert.raised';

/**
 * The alert kinds Guard raises itself; hosts may raise others.
 *
 * @example
 * ```ts
 * import type { BuiltInAlertKind } from '@guard/core';
 * const kind: BuiltInAlertKind = 'bulk-export';
 * ```
 */
export type BuiltInAlertKind =
  | 'bulk-view'
  | 'bulk-export'
  | 'bulk-delete'
  | 'after-hours-access'
  | 'repeated-denied-access'
  | 'bulk-ownership-change'
  | 'follow-up-overdue'
  | 'offboarding-escalated'
  | 'handover-successor-unavailable'
  | 'non-compete-compensation-overdue'
  | 'agreement-unsigned'
  | 'risk-threshold'
  | 'outbox-effect-dead'
  | 'audit-chain-broken'
  | 'crm-transfer-failed'
  | 'crm-owner-differs';

/**
 * The inputs a `ValidationError` can be about: its `what`, rendered in the
 * error's language.
 *
 * @example
 * ```ts
 * import { messages, type InputName } from '@guard/core';
 * const what: InputName = 'customer';
 * messages('zh-CN').inputs[what]; // '客户'
 * ```
 */
export type InputName =
  | 'agreement assignment'
  | 'agreement id'
  | 'agreement revocation'
  | 'agreement signature'
  | 'agreement template'
  | 'alert id'
  | 'alert query'
  | 'alert acknowledgement'
  | 'alert resolution'
  | 'approval id'
  | 'approval inbox'
  | 'approval request'
  | 'approval decision'
  | 'audit data'
  | 'audit entry'
  | 'audit query'
  | 'audit verify options'
  | 'backtest baseline'
  | 'backtest history'
  | 'checkpoint'
  | 'claim'
  | 'claim id'
  | 'claim withdrawal'
  | 'createGuard options'
  | 'cursor'
  | 'connector'
  | 'connector options'
  | 'CRM list request'
  | 'CRM transfer request'
  | 'CRM transfer query'
  | 'CRM sync options'
  | 'customer'
  | 'customer id'
  | 'customer upsert options'
  | 'customer batch options'
  | 'customers'
  | 'dead effects page'
  | 'decision request'
  | 'delegation'
  | 'delete request'
  | 'directory sync'
  | 'directory sync options'
  | 'employee id'
  | 'employee page'
  | 'evidence pack request'
  | 'export download'
  | 'export id'
  | 'export request'
  | 'facts line'
  | 'follow-up'
  | 'history line'
  | 'kyselyStore options'
  | 'list request'
  | 'offboarding'
  | 'offboarding case id'
  | 'offboarding sign-off'
  | 'offboarding sign-off rejection'
  | 'approval rejection'
  | 'approval resubmission'
  | 'approval send-back'
  | 'approval withdrawal'
  | 'non-compete payment'
  | 'offboarding acceptance'
  | 'offboarding actor'
  | 'offboarding cancellation'
  | 'offboarding handover'
  | 'offboarding item'
  | 'offboarding items'
  | 'offboarding return'
  | 'offboarding successor'
  | 'onboarding agreements'
  | 'page'
  | 'policy'
  | 'read request'
  | 'record write'
  | 'release to the public pool'
  | 'key rotation options'
  | 'legal hold'
  | 'legal hold release'
  | 'legal hold query'
  | 'retention options'
  | 'erasure request'
  | 'risk scan'
  | 'risk history options'
  | 'risk score options'
  | 'risk schedule'
  | 'risk subject'
  | 'rule pack'
  | 'rule pack options'
  | 'settings options'
  | 'signal'
  | 'signals'
  | 'signals options'
  | 'orders'
  | 'orders options'
  | 'stored tenant settings'
  | 'template id'
  | 'template version'
  | 'tenant'
  | 'tenant id'
  | 'tenant options'
  | 'tenant settings'
  | 'training assignment'
  | 'training result'
  | 'transfer request'
  | 'worker options';
