import type { DecisionReasonCode, Obligation } from '../domain/vocabulary.js';
import type { Locale } from './locale.js';

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
  | 'key';

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
  VALIDATION_FAILED: { what: string; issues: readonly { path: string; message: string }[] };
  NOT_FOUND: { entity: EntityName; id: string; tenantId?: string };
  FORBIDDEN: { actorId: string; action: string; resourceId: string; reason: DecisionReasonCode };
  CONFLICT: { entity: EntityName; id: string; expected: number | null; actual: number | null };
  STORE_FAILURE: { store: string; operation: string; detail: string };
  AUDIT_KEY_UNAVAILABLE: { tenantId: string; keyId?: string };
  AUDIT_CHAIN_BROKEN: { tenantId: string; firstBadSeq: number; reason: string };
  WORKFLOW_REJECTED: { workflowId: string; machine: string; state: string; event: string; actorId: string };
  WORKFLOW_VERSION_UNKNOWN: { workflowId: string; machine: string; version: number; known: number };
  ACTOR_BLOCKED: { actorId: string; action: string; alertId: string };
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
}

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
  | 'audit-chain-broken';

const list = (issues: readonly { path: string; message: string }[], sep: string) =>
  issues.map((i) => `${i.path}: ${i.message}`).join(sep);

const en: MessageCatalog = {
  errors: {
    VALIDATION_FAILED: ({ what, issues }) => ({
      message: `Invalid ${what}: ${issues.length} problem${issues.length === 1 ? '' : 's'} — ${list(issues, '; ')}.`,
      hint: 'Nothing was written. Fix the paths listed and try again.',
    }),
    NOT_FOUND: ({ entity, id, tenantId }) => ({
      message: `${en.entities[entity]} "${id}" was not found${tenantId ? ` in tenant "${tenantId}"` : ''}.`,
      hint:
        entity === 'tenant'
          ? 'Create the tenant first with guard.tenants.upsert({ id, name }).'
          : 'Check the id, or sync it into Guard before using it.',
    }),
    FORBIDDEN: ({ actorId, action, resourceId, reason }) => ({
      message: `"${actorId}" may not ${action} "${resourceId}": ${en.reasons[reason]}`,
      hint: 'Do not retry as is: the access policy forbids it. The attempt has been audited.',
    }),
    CONFLICT: ({ entity, id, expected, actual }) => ({
      message: `${en.entities[entity]} "${id}" changed in the meantime (expected version ${expected ?? 'none'}, found ${actual ?? 'none'}).`,
      hint: 'Reload it, re-apply your change and try again.',
    }),
    STORE_FAILURE: ({ store, operation, detail }) => ({
      message: `The ${store} store failed during ${operation}: ${detail}`,
      hint: 'Check that the database is reachable and migrated; the transaction was rolled back.',
    }),
    AUDIT_KEY_UNAVAILABLE: ({ tenantId, keyId }) => ({
      message: `No audit signing key ${keyId ? `"${keyId}" ` : ''}is available for tenant "${tenantId}".`,
      hint: 'Configure a KeyProvider (e.g. hmacKeys({ current, keys })) that knows this key; keep retired keys for verification.',
    }),
    AUDIT_CHAIN_BROKEN: ({ tenantId, firstBadSeq, reason }) => ({
      message: `The audit chain of tenant "${tenantId}" is broken at entry #${firstBadSeq} (${reason}); a checkpoint would vouch for a tampered chain, so none was signed.`,
      hint: 'Run audit.verify() for the details, restore the entries from a backup, and keep the evidence: someone changed the database.',
    }),
    WORKFLOW_REJECTED: ({ workflowId, machine, state, event, actorId }) => ({
      message: `The ${machine} workflow "${workflowId}" in state "${state}" does not accept ${event} from "${actorId}".`,
      hint: 'Reload the workflow: it may have moved on, or this person may not act on it at this step.',
    }),
    WORKFLOW_VERSION_UNKNOWN: ({ workflowId, machine, version, known }) => ({
      message: `Workflow "${workflowId}" was written by version ${version} of the ${machine} machine, but this Guard only knows versions up to ${known}.`,
      hint: 'Upgrade Guard on this process to the release that wrote it; nothing was changed.',
    }),
    ACTOR_BLOCKED: ({ actorId, action, alertId }) => ({
      message: `"${actorId}" may not ${action} in bulk: blocked by alert "${alertId}" after unusual activity.`,
      hint: 'A manager must review and resolve the alert (alerts.resolve) before bulk actions are possible again.',
    }),
  },
  obligations: {
    'confidentiality-notice':
      'Confidential: this customer information is a trade secret of the company. Do not copy or disclose it.',
    approval: 'This action needs an approved request before it can proceed.',
    watermark: 'The export will be watermarked with your employee id.',
    flag: 'This access is flagged for review.',
  },
  reasons: {
    allowed: 'allowed by the access policy.',
    'no-matching-rule': 'no rule grants this access (default deny).',
    'denied-by-rule': 'a deny rule forbids this access.',
    'subject-frozen': 'the account is frozen.',
    'subject-departed': 'the employee has left the company.',
    'resigning-restricted': 'staff who are resigning may only read their own customers.',
  },
  entities: {
    tenant: 'Tenant',
    unit: 'Org unit',
    employee: 'Employee',
    customer: 'Customer',
    workflow: 'Workflow',
    alert: 'Alert',
    agreement: 'Agreement',
    order: 'Order',
    record: 'Record',
    training: 'Training assignment',
    'rule pack': 'Rule pack',
    'audit entry': 'Audit entry',
    checkpoint: 'Audit checkpoint',
    key: 'Key',
  },
  alerts: {
    'bulk-view': 'Unusually many customers viewed in a short time',
    'bulk-export': 'Unusually many customers exported in a short time',
    'bulk-delete': 'Unusually many customers deleted in a short time',
    'after-hours-access': 'Customer data accessed outside working hours',
    'repeated-denied-access': 'Repeated attempts to open customers the employee may not see',
    'bulk-ownership-change': 'Unusually many customer ownership changes in a short time',
    'follow-up-overdue': 'Customer without follow-up for too long',
    'offboarding-escalated': 'Offboarding handover still open as the last working day nears',
    'handover-successor-unavailable': 'Customers could not go to their planned successor, who is no longer active',
    'non-compete-compensation-overdue':
      'Non-compete compensation not paid on time (the restriction may be unenforceable)',
    'agreement-unsigned': 'Agreement still unsigned after every reminder',
    'risk-threshold': 'Risk score above the alert threshold',
    'outbox-effect-dead': 'A CRM transfer or notification could not be delivered after every retry',
    'audit-chain-broken': 'The audit trail failed verification',
  },
};

const zhCN: MessageCatalog = {
  errors: {
    VALIDATION_FAILED: ({ what, issues }) => ({
      message: `${what}无效，共 ${issues.length} 处问题：${list(issues, '；')}。`,
      hint: '未写入任何数据。请修正所列路径后重试。',
    }),
    NOT_FOUND: ({ entity, id, tenantId }) => ({
      message: `${tenantId ? `租户「${tenantId}」中` : ''}找不到${zhCN.entities[entity]}「${id}」。`,
      hint:
        entity === 'tenant'
          ? '请先调用 guard.tenants.upsert({ id, name }) 创建租户。'
          : '请检查 ID，或先将其同步到 Guard。',
    }),
    FORBIDDEN: ({ actorId, action, resourceId, reason }) => ({
      message: `「${actorId}」无权对「${resourceId}」执行 ${action}：${zhCN.reasons[reason]}`,
      hint: '请勿直接重试：访问策略禁止此操作。本次尝试已记入审计日志。',
    }),
    CONFLICT: ({ entity, id, expected, actual }) => ({
      message: `${zhCN.entities[entity]}「${id}」已被他人修改（期望版本 ${expected ?? '无'}，实际版本 ${actual ?? '无'}）。`,
      hint: '请重新加载，重新应用修改后再试。',
    }),
    STORE_FAILURE: ({ store, operation, detail }) => ({
      message: `${store} 存储在执行 ${operation} 时失败：${detail}`,
      hint: '请检查数据库是否可连接并已完成迁移；本次事务已回滚。',
    }),
    AUDIT_KEY_UNAVAILABLE: ({ tenantId, keyId }) => ({
      message: `租户「${tenantId}」没有可用的审计签名密钥${keyId ? `「${keyId}」` : ''}。`,
      hint: '请配置能提供该密钥的 KeyProvider（例如 hmacKeys({ current, keys })），并保留旧密钥用于校验。',
    }),
    AUDIT_CHAIN_BROKEN: ({ tenantId, firstBadSeq, reason }) => ({
      message: `租户「${tenantId}」的审计链在第 ${firstBadSeq} 条处断裂（${reason}）；为避免为被篡改的审计链背书，未签署检查点。`,
      hint: '请调用 audit.verify() 查看详情，从备份恢复审计记录，并保留现场证据：有人改动过数据库。',
    }),
    WORKFLOW_REJECTED: ({ workflowId, machine, state, event, actorId }) => ({
      message: `${machine} 流程「${workflowId}」当前处于「${state}」，不接受「${actorId}」的 ${event} 操作。`,
      hint: '请重新加载流程：它可能已进入下一步，或此人在这一步无权操作。',
    }),
    WORKFLOW_VERSION_UNKNOWN: ({ workflowId, machine, version, known }) => ({
      message: `流程「${workflowId}」由 ${machine} 状态机第 ${version} 版写入，而当前 Guard 只认识到第 ${known} 版。`,
      hint: '请将此进程的 Guard 升级到写入它的版本；未做任何修改。',
    }),
    ACTOR_BLOCKED: ({ actorId, action, alertId }) => ({
      message: `「${actorId}」因异常操作已被预警「${alertId}」拦截，暂不能批量执行 ${action}。`,
      hint: '需由主管审核并处理该预警（alerts.resolve）后才能恢复批量操作。',
    }),
  },
  obligations: {
    'confidentiality-notice': '保密提示：本客户信息属于公司商业秘密，禁止复制或泄露。',
    approval: '此操作需先提交审批并获批准。',
    watermark: '导出文件将加上带有您员工编号的水印。',
    flag: '本次访问已被标记，待审查。',
  },
  reasons: {
    allowed: '访问策略允许。',
    'no-matching-rule': '没有任何规则授予此权限（默认拒绝）。',
    'denied-by-rule': '有拒绝规则禁止此访问。',
    'subject-frozen': '账号已冻结。',
    'subject-departed': '该员工已离职。',
    'resigning-restricted': '离职流程中的员工只能查看自己名下的客户。',
  },
  entities: {
    tenant: '租户',
    unit: '组织单元',
    employee: '员工',
    customer: '客户',
    workflow: '流程',
    alert: '预警',
    agreement: '协议',
    order: '订单',
    record: '记录',
    training: '培训任务',
    'rule pack': '规则包',
    'audit entry': '审计记录',
    checkpoint: '审计检查点',
    key: '密钥',
  },
  alerts: {
    'bulk-view': '短时间内查看客户数量异常',
    'bulk-export': '短时间内导出客户数量异常',
    'bulk-delete': '短时间内删除客户数量异常',
    'after-hours-access': '非工作时间访问客户数据',
    'repeated-denied-access': '多次尝试查看无权访问的客户',
    'bulk-ownership-change': '短时间内客户归属变更次数异常',
    'follow-up-overdue': '客户长时间未跟进',
    'offboarding-escalated': '临近最后工作日，离职交接仍未完成',
    'handover-successor-unavailable': '原定接手人已不在职，客户无法按计划交接，需重新指定',
    'non-compete-compensation-overdue': '竞业限制补偿金未按时支付（竞业限制可能无法执行）',
    'agreement-unsigned': '多次提醒后协议仍未签署',
    'risk-threshold': '风险评分超过预警阈值',
    'outbox-effect-dead': '客户转移或通知多次重试后仍未送达',
    'audit-chain-broken': '审计日志校验失败',
  },
};

const catalogs: Readonly<Record<Locale, MessageCatalog>> = { en, 'zh-CN': zhCN };

/**
 * The message catalog for a locale.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').obligations['confidentiality-notice']; // '保密提示：…'
 * messages('en').reasons['no-matching-rule']; // 'no rule grants this access (default deny).'
 * ```
 */
export function messages(locale: Locale): MessageCatalog {
  return catalogs[locale];
}

/**
 * The title of an alert kind in a locale; kinds a host raises itself come
 * back as they are.
 *
 * @example
 * ```ts
 * import { alertTitle } from '@guard/core';
 * alertTitle('bulk-delete', 'zh-CN'); // '短时间内删除客户数量异常'
 * alertTitle('my-own-kind', 'en'); // 'my-own-kind'
 * ```
 */
export function alertTitle(kind: string, locale: Locale): string {
  const alerts: Readonly<Record<string, string>> = catalogs[locale].alerts;
  return Object.hasOwn(alerts, kind) ? (alerts[kind] as string) : kind;
}
