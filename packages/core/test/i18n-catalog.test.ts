import { describe, expect, it } from 'vitest';
import {
  type AlertSummaries,
  type ApprovalTitles,
  type ChecklistText,
  type ErrorMessageParams,
  type Locale,
  locales,
  type MessageCatalog,
  messages,
  type NotificationTemplate,
  renderNotification,
  type ValidationMessages,
} from '../src/index.js';
import { latinWords } from './latin.js';

/** The parameters of every renderer in a section that takes any. */
type Samples<T> = {
  readonly [K in keyof T as T[K] extends () => string ? never : K]: T[K] extends (p: infer P) => unknown ? P : never;
};

// Free-form values (ids, names, titles) are the host's data: samples use Chinese
// or digits so that any Latin word in a rendering comes from the catalog itself.
const id = '甲一';
const errors: { readonly [C in keyof ErrorMessageParams]: ErrorMessageParams[C] } = {
  VALIDATION_FAILED: { what: 'customer', issues: [{ path: '字段', message: '必须填写' }] },
  NOT_FOUND: { entity: 'customer', id, tenantId: id },
  FORBIDDEN: { actorId: id, action: 'export', resourceId: id, reason: 'resigning-restricted' },
  CONFLICT: { entity: 'employee', id, expected: 3, actual: null },
  STORE_FAILURE: { store: '数据库', operation: '写入', detail: '连接中断' },
  AUDIT_KEY_UNAVAILABLE: { tenantId: id, keyId: id },
  AUDIT_CHAIN_BROKEN: { tenantId: id, firstBadSeq: 12, reason: 'seal-mismatch' },
  LEGAL_HOLD: {
    tenantId: id,
    subject: { type: 'customer', id },
    holds: [
      { id, on: { type: 'offboarding', caseId: id } },
      { id, on: { type: 'evidence-pack', exportSeq: 40 } },
    ],
  },
  DATA_KEY_UNAVAILABLE: { tenantId: id, subject: { type: 'customer', id }, problem: 'unknown-key', keyId: id },
  WORKFLOW_REJECTED: { workflowId: id, machine: 'offboarding', state: '审核中', event: '提交', actorId: id },
  WORKFLOW_VERSION_UNKNOWN: { workflowId: id, machine: 'approval', version: 3, known: 2 },
  ACTOR_BLOCKED: { actorId: id, action: 'ownershipChange', alertId: id },
  CONNECTOR_INCOMPLETE: {
    connector: id,
    missing: [
      { feature: 'activity-sync', method: 'listActivities' },
      { feature: 'ownership-transfer', method: 'transferStatus' },
    ],
  },
  CONNECTOR_FAILURE: {
    connector: id,
    operation: 'transferOwnership',
    kind: 'rate-limited',
    detail: '超限',
    retryAfterMs: 30_000,
  },
  CALLBACK_REJECTED: { connector: id, reason: 'signature' },
};
const summaries: Samples<AlertSummaries> = {
  anomaly: {
    name: '张三',
    employeeId: id,
    activity: 'afterHours',
    count: 21,
    windowMinutes: 60,
    limit: 20,
    resigning: true,
  },
  followUpOverdue: { ownerId: id, ownerName: '张三', count: 2, customers: ['华东机电', '苏州精工'], days: 8 },
  successorUnavailable: { count: 2, unplanned: 1, employeeId: id, employeeName: '张三', to: null },
  offboardingEscalated: { employeeId: id, employeeName: null, openItems: 3, lastWorkingDay: '2026-12-31' },
  compensationOverdue: { employeeId: id, employeeName: '张三', month: 2 },
  agreementUnsigned: {
    employeeId: id,
    employeeName: '张三',
    title: '保密协议',
    templateId: id,
    version: 2,
    reminders: 3,
  },
  riskThreshold: {
    pack: '离职风险',
    subject: 'employee',
    subjectId: id,
    subjectName: '张三',
    score: 81,
    threshold: 70,
    reasons: ['近 30 天导出 12 次'],
  },
  effectDead: { effect: 'crm.transfer', key: id, attempts: 8, lastError: '超时' },
  // A code no catalog knows: the fallback text is checked; the known codes are the crmRefusals section.
  crmTransferFailed: { connector: '企微', customerId: id, customerName: '华东机电', to: id, code: '未知' },
  crmOwnerDiffers: {
    connector: '企微',
    customerId: id,
    customerName: '华东机电',
    guardOwner: id,
    crmOwner: id,
    knownInGuard: false,
  },
};
const approvalTitles: Samples<ApprovalTitles> = {
  claim: { customer: '华东机电' },
  transfer: { customer: '华东机电', to: '李四' },
  export: { count: 12 },
  delete: { count: 1 },
  offboardingSignoff: { employee: '张三' },
};
const checklist: Samples<ChecklistText> = {
  communication: { customer: '华东机电' },
  confirmation: { customer: '华东机电' },
  visit: { customer: '华东机电' },
  order: { title: '采购单 118' },
  receivable: { title: '采购单 118' },
  untitledOrder: { orderId: id },
  unreadableOrder: { issue: '金额：必须是数字' },
};
const validation: Samples<ValidationMessages> = {
  'kebab-case': { example: '客户导出' },
  'api-version': { example: '60.0', min: '42.0' },
  'one-handler-per-kind': { kind: 'crm.transfer' },
  'at-least': { other: 'remindAfterDays' },
  'quota-reached': { quota: 10 },
  'customer-cap': { owned: 500, cap: 500 },
  'unknown-field-class': { name: '合同', classes: '公开、联系' },
  'unknown-unit': { id },
  'unit-cycle': { parent: '华东大区' },
  'unit-below-itself': { parent: '上海分公司', id: '华东大区' },
  'unit-kind-under': { kind: 'region', parentKind: 'team' },
  'unknown-employee': { id },
  'unknown-customer': { id },
  'unknown-hold-target': { id },
  'erase-departed-only': { id, status: 'resigning' },
  'successor-not-active': { id, status: 'frozen' },
  'kind-not-requestable': { kind: 'customer-export', owner: 'customers.requestExport' },
  'allow-only': { key: 'mask' },
  duplicate: { value: '公开', first: 0 },
  'signal-needs-employee': { kind: '请假' },
  'signal-needs-customer': { kind: '订单' },
  'unknown-signal-kind': { kind: '请假单', suggestion: null },
  'undeclared-signal-kind': { kind: 'x-门禁' },
  'signal-subject-not-declared': { kind: 'x-门禁', field: 'customerId' },
  'custom-signal-in-use': { kind: 'x-门禁', pack: '门禁包', fact: 'x门禁30d' },
  'undeclared-custom-fact': { fact: 'x门禁30d', kind: 'x-门禁' },
  'fact-value': { listItems: 100 },
  'unknown-fact': { subject: 'employee', fact: '导出', otherSubject: 'customer', suggestion: null },
  'unknown-operator': { operator: '"约等于"', operators: 'equal, lessThan' },
  'unknown-keys': { keys: '"备注"' },
  'not-a-policy-field-class': { key: '合同', classes: '公开、联系' },
  'conditions-too-deep': { depth: 8 },
  'fact-type-mismatch': { name: '天数', type: 'number', otherName: '标签', otherType: 'string' },
  'duplicate-rule-name': { name: '导出过多', first: 0 },
  'unknown-placeholder': { placeholder: '次数', read: '' },
  'unknown-tag': { tag: '离职' },
  'too-many-conditions': { count: 2001, limit: 2000 },
  'pack-too-large': { bytes: 300000, limit: 262144 },
  'baseline-subject': { baseline: '旧版', baselineSubject: 'customer', pack: '新版', packSubject: 'employee' },
  'nested-too-deep': { depth: 64 },
  'forbidden-key': { key: '原型' },
};

/** Every text of a catalog, rendered from the samples; `[where, text]` pairs. */
function renderAll(catalog: MessageCatalog, locale: Locale): [string, string][] {
  const out: [string, string][] = [];
  const each = (section: string, entries: object, sample: (key: string) => unknown = () => undefined) => {
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value === 'string') out.push([`${section}.${key}`, value]);
      else if (typeof value === 'function') {
        const rendered = (value as (p: unknown) => unknown)(sample(key) ?? {});
        if (typeof rendered === 'string') out.push([`${section}.${key}`, rendered]);
        else {
          const { message, hint, title, body } = rendered as Record<string, string | undefined>;
          for (const [part, text] of Object.entries({ message, hint, title, body })) {
            if (text !== undefined) out.push([`${section}.${key}.${part}`, text]);
          }
        }
      }
    }
  };
  const pick = (table: object) => (key: string) => (table as Record<string, unknown>)[key];
  each('errors', catalog.errors, pick(errors));
  for (const section of [
    'obligations',
    'reasons',
    'entities',
    'alerts',
    'actions',
    'activities',
    'crmRefusals',
  ] as const) {
    each(section, catalog[section]);
  }
  for (const section of ['machines', 'auditFailures', 'approvalKinds', 'inputs'] as const) {
    each(section, catalog[section]);
  }
  each('summaries', catalog.summaries, pick(summaries));
  each('approvalTitles', catalog.approvalTitles, pick(approvalTitles));
  each('checklist', catalog.checklist, pick(checklist));
  each('validation', catalog.validation, pick(validation));
  const data = {
    title: '保密协议',
    kind: 'customer-export',
    requester: id,
    reason: '信息不全',
    customerId: id,
    customerName: '华东机电',
    ownerId: id,
    days: 8,
    employeeId: id,
    lastWorkingDay: '2026-12-31',
    openItems: 3,
    month: 2,
    amountMinor: 1_200_000,
    currency: '元',
    end: '2027-06-30',
    dueAt: '2026-12-01',
    summary: '摘要',
  };
  for (const template of Object.keys(catalog.notifications) as NotificationTemplate[]) {
    const { title, body } = renderNotification(locale, template, data);
    out.push([`notifications.${template}.title`, title], [`notifications.${template}.body`, body]);
  }
  return out;
}

/** The keys of every section, nested one level: a missing key in one locale shows up as a difference. */
function keysOf(catalog: MessageCatalog): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(catalog).map(([section, entries]) => [section, Object.keys(entries as object).sort()]),
  );
}

describe('the message catalogs (#16, hole 11)', () => {
  it('have the same keys in every locale', () => {
    for (const locale of locales) expect(keysOf(messages(locale))).toEqual(keysOf(messages('en')));
  });

  it('render every text non-empty in every locale', () => {
    for (const locale of locales) {
      for (const [where, text] of renderAll(messages(locale), locale)) {
        expect(text.trim(), `${locale} ${where}`).not.toBe('');
      }
    }
  });

  it('render no English word in zh-CN (code in backticks aside)', () => {
    const offenders = renderAll(messages('zh-CN'), 'zh-CN')
      .map(([where, text]) => [where, latinWords(text)] as const)
      .filter(([, words]) => words.length > 0);
    expect(offenders).toEqual([]);
  });

  it('a zh-CN text that names an approval kind uses its Chinese name', () => {
    expect(renderNotification('zh-CN', 'approval.requested', { requester: '张三', kind: 'customer-export' })).toEqual({
      title: '待审批：客户导出',
      body: '张三 提交了申请（客户导出），请审批。',
    });
  });
});
