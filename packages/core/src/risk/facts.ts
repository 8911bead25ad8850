import type { EmployeeStatus } from '../domain/vocabulary.js';
import { type CustomSignal, customFactStem } from './custom-signals.js';
import type { RiskSubjectType, SignalKind, SignalLedger } from './signals.js';

/**
 * Text in both languages Guard speaks.
 *
 * @example
 * ```ts
 * import type { LocalizedText } from '@guard/core';
 * const t: LocalizedText = { en: 'Flight risk', 'zh-CN': '离职风险' };
 * ```
 */
export interface LocalizedText {
  readonly en: string;
  readonly 'zh-CN': string;
}

/**
 * A fact's value. Facts are flat: numbers, booleans, strings, or lists of
 * strings. A fact that is absent (or `null`) is *missing*, and a condition on
 * a missing fact is never true.
 *
 * @example
 * ```ts
 * import type { FactValue } from '@guard/core';
 * const v: FactValue = 3;
 * ```
 */
export type FactValue = number | boolean | string | readonly string[] | null;

/**
 * A subject's facts by name, as rule conditions read them.
 *
 * @example
 * ```ts
 * import type { Facts } from '@guard/core';
 * const facts: Facts = { resumeUpdates30d: 2, exports30d: 14, daysSinceResignation: 5 };
 * ```
 */
export type Facts = Readonly<Record<string, FactValue | undefined>>;

/**
 * The type of a built-in fact, which decides the operators and values a
 * condition on it may use.
 *
 * @example
 * ```ts
 * import type { FactType } from '@guard/core';
 * const t: FactType = 'number';
 * ```
 */
export type FactType = 'number' | 'boolean' | 'string' | 'string[]';

/**
 * The definition of one built-in fact: its subject, type, unit and meaning.
 *
 * @example
 * ```ts
 * import { builtInFacts } from '@guard/core';
 * const f = builtInFacts.employee.exports30d;
 * console.log(f.type, f.description.en);
 * ```
 */
export interface FactDefinition {
  readonly name: string;
  readonly subject: RiskSubjectType;
  readonly type: FactType;
  /** When the fact is missing, in plain words. */
  readonly missingWhen: string | null;
  readonly description: LocalizedText;
}

/**
 * Days of history a fact may look back: the longest window any fact uses
 * (a 90-day trend compares the last 90 days with the 180 before them).
 *
 * @example
 * ```ts
 * import { FACT_HISTORY_DAYS } from '@guard/core';
 * FACT_HISTORY_DAYS; // 270
 * ```
 */
export const FACT_HISTORY_DAYS = 270;

/** `ordersSinceOwnerLeft` counts orders for this many days after the owner left. */
const OWNER_LEFT_DAYS = 180;

type Def = Omit<FactDefinition, 'name' | 'subject'>;

/**
 * The windows every signal is counted over, in days. A fact `<name><w>d`
 * (`exports7d`, `exports30d`, `exports90d`) exists for every windowed
 * signal below and every window.
 */
const WINDOWS: readonly FactWindow[] = [7, 30, 90];

/**
 * The windows signals are counted over, in days.
 *
 * @example
 * ```ts
 * import type { FactWindow } from '@guard/core';
 * const w: FactWindow = 30; // `exports30d`
 * ```
 */
export type FactWindow = 7 | 30 | 90;

/**
 * An employee signal counted over every {@link FactWindow}: the fact
 * `<name><window>d` exists for each (`exports7d`, `exports30d`, `exports90d`).
 *
 * @example
 * ```ts
 * import type { EmployeeCountedSignal, FactWindow } from '@guard/core';
 * const fact = (name: EmployeeCountedSignal, days: FactWindow) => `${name}${days}d`; // 'exports30d'
 * ```
 */
export type EmployeeCountedSignal =
  | 'leaveDays'
  | 'resumeUpdates'
  | 'jobSiteVisits'
  | 'competitorContacts'
  | 'logins'
  | 'socialInsuranceChanges'
  | 'followUps'
  | 'orders'
  | 'orderAmount'
  | 'views'
  | 'exports'
  | 'deletes'
  | 'afterHours'
  | 'contactsDeleted'
  | 'deletedByCustomers'
  | 'chats'
  | 'newContacts';

/**
 * A customer signal counted over every {@link FactWindow}
 * (`followUps7d`, `orders90d`, `orderAmount30d`, …).
 *
 * @example
 * ```ts
 * import type { CustomerCountedSignal } from '@guard/core';
 * const name: CustomerCountedSignal = 'orders'; // orders7d, orders30d, orders90d
 * ```
 */
export type CustomerCountedSignal = 'followUps' | 'orders' | 'orderAmount' | 'deletedByEmployees' | 'employeesDeleted';

/** A signal counted over every window: its kind, what is added up, and its words. */
interface Windowed {
  readonly kind: SignalKind;
  /** `sum` adds the signals' values (days, rows, amounts); `count` counts signals. */
  readonly by: 'count' | 'sum';
  readonly en: string;
  readonly zh: string;
}

const employeeWindowed: Readonly<Record<EmployeeCountedSignal, Windowed>> = {
  leaveDays: { kind: 'leave', by: 'sum', en: 'days of leave', zh: '请假天数' },
  resumeUpdates: {
    kind: 'resume-update',
    by: 'sum',
    en: 'résumé updates (host signal)',
    zh: '简历更新次数（宿主上报）',
  },
  jobSiteVisits: {
    kind: 'job-site-visit',
    by: 'sum',
    en: 'job-site visits (host signal)',
    zh: '招聘网站访问次数（宿主上报）',
  },
  competitorContacts: {
    kind: 'competitor-contact',
    by: 'sum',
    en: 'contacts with competitors (host signal)',
    zh: '与竞争对手接触次数（宿主上报）',
  },
  logins: { kind: 'login', by: 'sum', en: 'logins', zh: '登录次数' },
  socialInsuranceChanges: {
    kind: 'social-insurance-change',
    by: 'count',
    en: 'social-insurance changes to another employer (host signal; after departure, a sign of where they went)',
    zh: '社保转至其他单位的次数（宿主上报；离职后可看出去向）',
  },
  followUps: { kind: 'follow-up', by: 'sum', en: 'customer follow-ups made', zh: '客户跟进次数' },
  orders: { kind: 'order', by: 'count', en: 'orders booked', zh: '成交订单数' },
  orderAmount: { kind: 'order', by: 'sum', en: 'order amount booked', zh: '成交订单金额' },
  views: { kind: 'view', by: 'sum', en: 'customer records viewed', zh: '查看客户记录数' },
  exports: { kind: 'export', by: 'sum', en: 'customer rows exported', zh: '导出客户行数' },
  deletes: { kind: 'delete', by: 'sum', en: 'customer records deleted', zh: '删除客户记录数' },
  afterHours: { kind: 'after-hours', by: 'sum', en: 'accesses outside working hours', zh: '非工作时间访问次数' },
  contactsDeleted: {
    kind: 'contact-deleted',
    by: 'count',
    en: "customers the employee deleted from the company's messaging account (WeCom)",
    zh: '员工从公司通讯账号（企业微信）删除的客户数',
  },
  deletedByCustomers: {
    kind: 'deleted-by-customer',
    by: 'count',
    en: 'customers who deleted or blocked the employee (WeCom)',
    zh: '删除或拉黑该员工的客户数（企业微信）',
  },
  chats: { kind: 'chat', by: 'sum', en: 'chats with customers (WeCom)', zh: '与客户的聊天数（企业微信）' },
  newContacts: {
    kind: 'new-contact',
    by: 'sum',
    en: 'customers added as contacts (WeCom)',
    zh: '新增客户联系人数（企业微信）',
  },
};

const customerWindowed: Readonly<Record<CustomerCountedSignal, Windowed>> = {
  followUps: { kind: 'follow-up', by: 'sum', en: 'follow-ups', zh: '跟进次数' },
  orders: { kind: 'order', by: 'count', en: 'orders', zh: '订单数' },
  orderAmount: { kind: 'order', by: 'sum', en: 'order amount', zh: '订单金额' },
  deletedByEmployees: {
    kind: 'contact-deleted',
    by: 'count',
    en: "times an employee deleted the customer from the company's messaging account (WeCom)",
    zh: '员工从公司通讯账号（企业微信）删除该客户的次数',
  },
  employeesDeleted: {
    kind: 'deleted-by-customer',
    by: 'count',
    en: 'times the customer deleted or blocked an employee (WeCom)',
    zh: '该客户删除或拉黑员工的次数（企业微信）',
  },
};

type WindowedName<K extends string> = `${K}${FactWindow}d`;

/** The definitions of `<name><w>d` for every windowed signal and window. */
function windowedDefs<K extends string>(signals: Readonly<Record<K, Windowed>>): Record<WindowedName<K>, Def> {
  const defs: Record<string, Def> = {};
  for (const [name, w] of Object.entries<Windowed>(signals)) {
    for (const days of WINDOWS) {
      defs[`${name}${days}d`] = {
        type: 'number',
        missingWhen: null,
        description: { en: `${w.en} in the last ${days} days`, 'zh-CN': `近 ${days} 天${w.zh}` },
      };
    }
  }
  // Every key is `<name><w>d` for a name of T and a window: built just above.
  return defs as Record<WindowedName<K>, Def>;
}

/** The values of `<name><w>d` for every windowed signal and window, from a ledger. */
function windowedValues<K extends string>(
  signals: Readonly<Record<K, Windowed>>,
  ledger: SignalLedger,
  asOf: Date,
): Record<WindowedName<K>, number> {
  const values: Record<string, number> = {};
  for (const [name, w] of Object.entries<Windowed>(signals)) {
    for (const days of WINDOWS) values[`${name}${days}d`] = windowTotals(ledger, w.kind, asOf, days)[w.by];
  }
  return values as Record<WindowedName<K>, number>;
}

const trend = (en: string, zh: string, days: number): Def => ({
  type: 'number',
  missingWhen: `no ${en} in the ${days * 2} days before the last ${days}`,
  description: {
    en: `${en} in the last ${days} days ÷ the average ${days} days of the ${days * 2} days before (1 = unchanged, 0.5 = halved)`,
    'zh-CN': `近 ${days} 天${zh} ÷ 此前 ${days * 2} 天的每 ${days} 天平均（1 为持平，0.5 为减半）`,
  },
});

const employeeDefs = {
  ...windowedDefs(employeeWindowed),
  loginTrend: trend('logins', '登录次数', 30),
  followUpTrend: trend('follow-ups', '跟进次数', 30),
  orderAmountTrend: trend('order amount', '订单金额', 90),
  viewsTrend: trend('views', '查看次数', 30),
  exportsTrend: trend('exported rows', '导出行数', 30),
  chatsTrend: trend('chats with customers', '客户聊天数', 30),
  newContactsTrend: trend('customers added as contacts', '新增客户联系人数', 30),
  status: {
    type: 'string',
    missingWhen: null,
    description: {
      en: 'the employee status: active, resigning, frozen or departed',
      'zh-CN': '员工状态：active（在职）、resigning（离职中）、frozen（冻结）、departed（已离职）',
    },
  },
  daysSinceResignation: {
    type: 'number',
    missingWhen: 'the employee has not resigned',
    description: {
      en: 'days since the resignation date (0 on the day); the departing window',
      'zh-CN': '距提出离职的天数（当天为 0），即离职窗口期',
    },
  },
  daysToLastDay: {
    type: 'number',
    missingWhen: 'no last working day is known',
    description: {
      en: 'days until the last working day (negative after it)',
      'zh-CN': '距最后工作日的天数（之后为负）',
    },
  },
  openHandoverItems: {
    type: 'number',
    missingWhen: 'the employee has no offboarding case',
    description: { en: 'handover items not yet done', 'zh-CN': '尚未完成的交接事项数' },
  },
  customersOwned: {
    type: 'number',
    missingWhen: null,
    description: { en: 'customers the employee owns', 'zh-CN': '名下客户数' },
  },
} satisfies Record<EmployeeFactName, Def>; // exactly the names of EmployeeFactName: none missing, none extra

const customerDefs = {
  ...windowedDefs(customerWindowed),
  followUpTrend: trend('follow-ups', '跟进次数', 30),
  daysSinceLastFollowUp: {
    type: 'number',
    missingWhen: 'the customer never had a follow-up',
    description: { en: 'days since the latest follow-up', 'zh-CN': '距最近一次跟进的天数' },
  },
  ordersTrend: trend('orders', '订单数', 90),
  orderAmountTrend: trend('order amount', '订单金额', 90),
  daysSinceLastOrder: {
    type: 'number',
    missingWhen: 'the customer never ordered',
    description: { en: 'days since the latest order', 'zh-CN': '距最近一笔订单的天数' },
  },
  ordersSinceOwnerLeft: {
    type: 'number',
    missingWhen: `no owner of the customer left in the last ${OWNER_LEFT_DAYS} days`,
    description: {
      en: `orders since the customer's (former) owner left, within ${OWNER_LEFT_DAYS} days`,
      'zh-CN': `客户（原）负责人离职后的订单数（${OWNER_LEFT_DAYS} 天内）`,
    },
  },
  daysSinceOwnerLeft: {
    type: 'number',
    missingWhen: 'no owner of the customer has left',
    description: {
      en: "days since the customer's (former) owner left the company",
      'zh-CN': '客户（原）负责人离职至今的天数',
    },
  },
  formerOwnerRisk: {
    type: 'number',
    missingWhen: 'no owner of the customer has left',
    description: {
      en: "the highest data-exfiltration score (0–100) the customer's former owner had in their last 90 days, recorded when the customer was handed over",
      'zh-CN': '客户原负责人离职前 90 天内的最高数据外泄评分（0–100），在客户交接时记录',
    },
  },
} satisfies Record<CustomerFactName, Def>; // exactly the names of CustomerFactName

function withNames<T extends Record<string, Def>>(
  subject: RiskSubjectType,
  defs: T,
): { readonly [K in keyof T]: FactDefinition } {
  return Object.freeze(
    Object.fromEntries(Object.entries(defs).map(([name, d]) => [name, Object.freeze({ name, subject, ...d })])),
  ) as { readonly [K in keyof T]: FactDefinition };
}

/**
 * Every built-in fact, by subject and name. Rule conditions may only use
 * the facts of their pack's subject; `guard rules validate` names the
 * closest one when a name is misspelt.
 *
 * @example
 * ```ts
 * import { builtInFacts } from '@guard/core';
 * Object.keys(builtInFacts.customer); // ['followUps30d', 'followUpTrend', …]
 * ```
 */
export const builtInFacts = Object.freeze({
  employee: withNames('employee', employeeDefs),
  customer: withNames('customer', customerDefs),
});

/** The windowed signals of a tenant's custom kinds for one subject, by fact stem; built once per declaration list. */
const customWindowed = new WeakMap<readonly CustomSignal[], Record<RiskSubjectType, Record<string, Windowed>>>();

function windowedOfCustom(signals: readonly CustomSignal[], subject: RiskSubjectType): Record<string, Windowed> {
  let bySubject = customWindowed.get(signals);
  if (!bySubject) {
    bySubject = { employee: {}, customer: {} };
    for (const s of signals) {
      const w: Windowed = { kind: s.kind, by: s.by, en: s.label.en, zh: s.label['zh-CN'] };
      for (const subject of s.subjects) bySubject[subject][customFactStem(s.kind)] = w;
    }
    customWindowed.set(signals, bySubject);
  }
  return bySubject[subject];
}

/**
 * The facts of a tenant's custom signal kinds ({@link CustomSignal}, from
 * the settings' `risk.customSignals`) for one subject: for each kind that
 * counts for the subject, `<stem>7d`, `<stem>30d`, `<stem>90d` (its totals
 * over the windows) and `<stem>Trend` (the last 30 days ÷ the average 30
 * days of the 60 before; missing when those were 0). A rule pack of the
 * tenant may read them like built-in facts.
 *
 * @example
 * ```ts
 * import { customFactDefinitions } from '@guard/core';
 * const defs = customFactDefinitions([{ kind: 'x-usb-copy', subjects: ['employee'], by: 'sum', label: { en: 'files copied to USB', 'zh-CN': '拷贝到 U 盘的文件数' } }], 'employee');
 * Object.keys(defs); // ['xUsbCopy7d', 'xUsbCopy30d', 'xUsbCopy90d', 'xUsbCopyTrend']
 * defs.xUsbCopy30d?.description['zh-CN']; // '近 30 天拷贝到 U 盘的文件数'
 * ```
 */
export function customFactDefinitions(
  signals: readonly CustomSignal[],
  subject: RiskSubjectType,
): Readonly<Record<string, FactDefinition>> {
  const windowed = windowedOfCustom(signals, subject);
  const defs: Record<string, Def> = {};
  for (const [stem, w] of Object.entries(windowed)) {
    Object.assign(defs, windowedDefs({ [stem]: w }));
    defs[`${stem}Trend`] = trend(w.en, w.zh, 30);
  }
  return withNames(subject, defs);
}

/**
 * Computes the facts of the tenant's custom signal kinds (see
 * {@link customFactDefinitions}) for one subject at `asOf`, from its
 * ledger. Guard adds them to the built-in facts whenever it scores.
 *
 * @example
 * ```ts
 * import { addSignal, customSignalFacts, emptyLedger } from '@guard/core';
 * const usb = { kind: 'x-usb-copy', subjects: ['employee'], by: 'sum', label: { en: 'files copied to USB', 'zh-CN': '拷贝到 U 盘的文件数' } } as const;
 * const ledger = addSignal(emptyLedger(), { kind: 'x-usb-copy', employeeId: 'e-7', at: '2026-11-02T21:00:00Z', value: 40 });
 * customSignalFacts(ledger, [usb], 'employee', new Date('2026-11-03T00:00:00Z')).xUsbCopy7d; // 40
 * ```
 */
export function customSignalFacts(
  ledger: SignalLedger,
  signals: readonly CustomSignal[],
  subject: RiskSubjectType,
  asOf: Date,
): Record<string, number | null> {
  const windowed = windowedOfCustom(signals, subject);
  const values: Record<string, number | null> = windowedValues(windowed, ledger, asOf);
  for (const [stem, w] of Object.entries(windowed)) values[`${stem}Trend`] = trendOf(ledger, w.kind, asOf, 30, w.by);
  return values;
}

/**
 * The name of a built-in employee fact.
 *
 * @example
 * ```ts
 * import type { EmployeeFactName } from '@guard/core';
 * const f: EmployeeFactName = 'exports30d';
 * ```
 */
export type EmployeeFactName =
  | `${EmployeeCountedSignal}${FactWindow}d`
  | 'loginTrend'
  | 'followUpTrend'
  | 'orderAmountTrend'
  | 'viewsTrend'
  | 'exportsTrend'
  | 'chatsTrend'
  | 'newContactsTrend'
  | 'status'
  | 'daysSinceResignation'
  | 'daysToLastDay'
  | 'openHandoverItems'
  | 'customersOwned';

/**
 * The name of a built-in customer fact.
 *
 * @example
 * ```ts
 * import type { CustomerFactName } from '@guard/core';
 * const f: CustomerFactName = 'daysSinceLastOrder';
 * ```
 */
export type CustomerFactName =
  | `${CustomerCountedSignal}${FactWindow}d`
  | 'followUpTrend'
  | 'daysSinceLastFollowUp'
  | 'orderAmountTrend'
  | 'ordersTrend'
  | 'daysSinceLastOrder'
  | 'ordersSinceOwnerLeft'
  | 'daysSinceOwnerLeft'
  | 'formerOwnerRisk';

/**
 * What Guard knows about an employee besides signals: the status, and the
 * resignation and offboarding details when there are any.
 *
 * @example
 * ```ts
 * import type { EmployeeRiskState } from '@guard/core';
 * const state: EmployeeRiskState = { status: 'resigning', resignationDate: '2026-11-02', lastWorkingDay: '2026-11-30', openHandoverItems: 12 };
 * ```
 */
export interface EmployeeRiskState {
  readonly status: EmployeeStatus;
  /** `YYYY-MM-DD`. */
  readonly resignationDate?: string | null | undefined;
  /** `YYYY-MM-DD`. */
  readonly lastWorkingDay?: string | null | undefined;
  readonly openHandoverItems?: number | null | undefined;
  readonly customersOwned?: number | null | undefined;
}

const DAY = 86_400_000;

/** The day keys of the last call: scoring many subjects at one `asOf` computes them once. */
let keyCache: { day: number; keys: string[] } = { day: Number.NaN, keys: [] };

/** `YYYY-MM-DD` of `asOf`'s UTC day (index 0) and of the `count - 1` days before it. */
function dayKeysBack(asOf: Date, count: number): readonly string[] {
  const day = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  if (keyCache.day !== day) keyCache = { day, keys: [] };
  const { keys } = keyCache;
  for (let i = keys.length; i < count; i++) keys.push(new Date(day - i * DAY).toISOString().slice(0, 10));
  return keys;
}

/** Sums of `kind` over the `days` UTC days ending `endOffset` days before `asOf` (inclusive). */
function windowTotals(
  ledger: SignalLedger,
  kind: SignalKind,
  asOf: Date,
  days: number,
  endOffset = 0,
): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  const keys = dayKeysBack(asOf, endOffset + days);
  for (let i = endOffset; i < endOffset + days; i++) {
    const t = ledger.days[keys[i] as string]?.[kind];
    if (t) {
      count += t.count;
      sum += t.sum;
    }
  }
  return { count, sum };
}

/** Last `days` vs the average `days` of the `2 × days` before; missing when that baseline is 0. */
function trendOf(ledger: SignalLedger, kind: SignalKind, asOf: Date, days: number, by: 'count' | 'sum'): number | null {
  const recent = windowTotals(ledger, kind, asOf, days)[by];
  const before = windowTotals(ledger, kind, asOf, days * 2, days)[by] / 2;
  if (before <= 0) return null;
  return Math.round((recent / before) * 1000) / 1000;
}

function daysBetween(fromDay: string, asOf: Date): number {
  const a = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  return Math.round((a - Date.parse(`${fromDay.slice(0, 10)}T00:00:00Z`)) / DAY);
}

function daysSinceLast(ledger: SignalLedger, kind: SignalKind, asOf: Date): number | null {
  const last = ledger.last[kind];
  if (last === undefined || Date.parse(last) > asOf.getTime()) return null;
  return daysBetween(last, asOf);
}

/** Signals of `kind` from the day of `since` through `asOf`; missing when `since` is unknown or too old. */
function countSince(ledger: SignalLedger, kind: SignalKind, since: string | undefined, asOf: Date): number | null {
  if (since === undefined || Date.parse(since) > asOf.getTime()) return null;
  const days = daysBetween(since, asOf) + 1;
  if (days > OWNER_LEFT_DAYS) return null;
  return windowTotals(ledger, kind, asOf, days).count;
}

/**
 * Computes the built-in employee facts at `asOf` from the employee's signal
 * ledger and state. Windows are whole UTC days ending on `asOf`'s day.
 * Facts that cannot be known are `null` (missing), so conditions on them
 * never fire.
 *
 * @example
 * ```ts
 * import { emptyLedger, employeeFacts } from '@guard/core';
 * const facts = employeeFacts(emptyLedger(), { status: 'resigning', resignationDate: '2026-11-02' }, new Date('2026-11-12T00:00:00Z'));
 * facts.daysSinceResignation; // 10
 * ```
 */
export function employeeFacts(
  ledger: SignalLedger,
  state: EmployeeRiskState,
  asOf: Date,
): Record<EmployeeFactName, FactValue> {
  return {
    ...windowedValues(employeeWindowed, ledger, asOf),
    loginTrend: trendOf(ledger, 'login', asOf, 30, 'sum'),
    followUpTrend: trendOf(ledger, 'follow-up', asOf, 30, 'sum'),
    orderAmountTrend: trendOf(ledger, 'order', asOf, 90, 'sum'),
    viewsTrend: trendOf(ledger, 'view', asOf, 30, 'sum'),
    exportsTrend: trendOf(ledger, 'export', asOf, 30, 'sum'),
    chatsTrend: trendOf(ledger, 'chat', asOf, 30, 'sum'),
    newContactsTrend: trendOf(ledger, 'new-contact', asOf, 30, 'sum'),
    status: state.status,
    daysSinceResignation:
      state.resignationDate && daysBetween(state.resignationDate, asOf) >= 0
        ? daysBetween(state.resignationDate, asOf)
        : null,
    daysToLastDay: state.lastWorkingDay ? -daysBetween(state.lastWorkingDay, asOf) : null,
    openHandoverItems: state.openHandoverItems ?? null,
    customersOwned: state.customersOwned ?? null,
  };
}

/**
 * Computes the built-in customer facts at `asOf` from the customer's signal
 * ledger (follow-ups, orders, and `owner-left` when an owner departs).
 *
 * @example
 * ```ts
 * import { addSignal, customerFacts, emptyLedger } from '@guard/core';
 * const ledger = addSignal(emptyLedger(), { kind: 'order', employeeId: 'e-7', customerId: 'c-1', at: '2026-09-01T00:00:00Z', value: 5000 });
 * customerFacts(ledger, new Date('2026-11-01T00:00:00Z')).daysSinceLastOrder; // 61
 * ```
 */
export function customerFacts(ledger: SignalLedger, asOf: Date): Record<CustomerFactName, FactValue> {
  return {
    ...windowedValues(customerWindowed, ledger, asOf),
    followUpTrend: trendOf(ledger, 'follow-up', asOf, 30, 'sum'),
    daysSinceLastFollowUp: daysSinceLast(ledger, 'follow-up', asOf),
    orderAmountTrend: trendOf(ledger, 'order', asOf, 90, 'sum'),
    ordersTrend: trendOf(ledger, 'order', asOf, 90, 'count'),
    daysSinceLastOrder: daysSinceLast(ledger, 'order', asOf),
    ordersSinceOwnerLeft: countSince(ledger, 'order', ledger.last['owner-left'], asOf),
    daysSinceOwnerLeft: daysSinceLast(ledger, 'owner-left', asOf),
    formerOwnerRisk: latestValue(ledger, 'owner-left', asOf),
  };
}

/** The mean `value` of `kind` on the day of its latest signal at or before `asOf`; missing when there is none. */
function latestValue(ledger: SignalLedger, kind: SignalKind, asOf: Date): number | null {
  const last = ledger.last[kind];
  if (last === undefined || Date.parse(last) > asOf.getTime()) return null;
  const totals = ledger.days[last.slice(0, 10)]?.[kind];
  return totals && totals.count > 0 ? Math.round((totals.sum / totals.count) * 1000) / 1000 : null;
}

/**
 * An employee's facts at the end of each of the `days` UTC days up to
 * `asOf` (most recent first), from one ledger: what a daily scan would have
 * seen. Guard scores them when an owner leaves, to record the highest
 * data-exfiltration score of their last 90 days with each customer handed
 * over (the customer fact `formerOwnerRisk`); a replay of a history does the
 * same. With the tenant's `customSignals`, each day holds their facts too.
 *
 * @example
 * ```ts
 * import { dailyEmployeeFacts, defaultRulePacks, emptyLedger, riskEvaluator } from '@guard/core';
 * const days = dailyEmployeeFacts(emptyLedger(), { status: 'resigning' }, new Date('2026-11-30T18:00:00Z'), 90);
 * const peak = Math.max(0, ...(await riskEvaluator(defaultRulePacks.exfiltration).scoreMany(days)).map((s) => s.score));
 * ```
 */
export function dailyEmployeeFacts(
  ledger: SignalLedger,
  state: EmployeeRiskState,
  asOf: Date,
  days: number,
  customSignals: readonly CustomSignal[] = [],
): (Record<EmployeeFactName, FactValue> & Facts)[] {
  const at = (when: Date) =>
    customSignals.length === 0
      ? employeeFacts(ledger, state, when)
      : { ...employeeFacts(ledger, state, when), ...customSignalFacts(ledger, customSignals, 'employee', when) };
  const out = [at(asOf)];
  const endOfDay = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()) - 1;
  for (let d = 1; d < days; d++) out.push(at(new Date(endOfDay - (d - 1) * DAY)));
  return out;
}
