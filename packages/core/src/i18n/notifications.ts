import type { Json } from '../domain/entities.js';
import type { Locale } from './locale.js';

type Data = { readonly [key: string]: Json };
type Render = (d: Data) => { readonly title: string; readonly body: string };

const s = (v: Json | undefined, fallback = ''): string =>
  v === undefined || v === null ? fallback : typeof v === 'object' ? JSON.stringify(v) : String(v);
const money = (minor: Json | undefined, currency: Json | undefined) =>
  typeof minor === 'number' ? `${(minor / 100).toFixed(2)} ${s(currency)}`.trim() : '';

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

const en: Readonly<Record<NotificationTemplate, Render>> = {
  'approval.requested': (d) => ({
    title: `Approval needed: ${s(d.title, s(d.kind))}`,
    body: `${s(d.requester)} asks for your approval (${s(d.kind)}).`,
  }),
  'approval.escalated': (d) => ({
    title: `Escalated approval: ${s(d.title, s(d.kind))}`,
    body: 'The approvers did not decide in time; you may decide for the whole level.',
  }),
  'approval.sent-back': (d) => ({
    title: `Changes requested: ${s(d.title, s(d.kind))}`,
    body: `Your request was sent back: ${s(d.reason)}. Change it and resubmit, or withdraw it.`,
  }),
  'approval.approved': (d) => ({ title: `Approved: ${s(d.title, s(d.kind))}`, body: 'Your request was approved.' }),
  'approval.rejected': (d) => ({
    title: `Rejected: ${s(d.title, s(d.kind))}`,
    body: `Your request was rejected: ${s(d.reason, 'no reason given')}.`,
  }),
  'approval.withdrawn': (d) => ({ title: `Withdrawn: ${s(d.title, s(d.kind))}`, body: 'The request was withdrawn.' }),
  'claim.owned': (d) => ({
    title: 'Customer claimed',
    body: `Customer ${s(d.customerId)} is now yours. Record a follow-up soon.`,
  }),
  'claim.lost': (d) => ({ title: 'Claim not possible', body: `Customer ${s(d.customerId)} was taken first.` }),
  'claim.rejected': (d) => ({
    title: 'Claim rejected',
    body: `Your claim on customer ${s(d.customerId)} was rejected.`,
  }),
  'follow-up.reminder': (d) => ({
    title: 'Follow up with your customer',
    body: `No follow-up with ${s(d.customerName, s(d.customerId))} for ${s(d.days)} days.`,
  }),
  'follow-up.manager-alert': (d) => ({
    title: 'Customer without follow-up',
    body: `${s(d.ownerId)} has not followed up with ${s(d.customerName, s(d.customerId))} for ${s(d.days)} days.`,
  }),
  'follow-up.returned-to-pool': (d) => ({
    title: 'Customer returned to the public pool',
    body: `${s(d.customerName, s(d.customerId))} went back to the public pool after ${s(d.days)} days without follow-up.`,
  }),
  'offboarding.started': (d) => ({
    title: 'Offboarding started',
    body: `Handover for ${s(d.employeeId)} has started; last working day ${s(d.lastWorkingDay)}.`,
  }),
  'offboarding.review': (d) => ({
    title: 'Handover ready for review',
    body: `${s(d.employeeId)} submitted the handover checklist for review.`,
  }),
  'offboarding.items-returned': () => ({
    title: 'Handover items sent back',
    body: 'Your manager sent some handover items back; see the reasons and resubmit them.',
  }),
  'offboarding.escalated': (d) => ({
    title: 'Handover overdue',
    body: `The last working day of ${s(d.employeeId)} is near and ${s(d.openItems)} handover items are still open.`,
  }),
  'noncompete.compensation-due': (d) => ({
    title: 'Non-compete compensation due',
    body: `Month ${s(d.month)} of ${s(d.employeeId)}'s non-compete: pay ${money(d.amountMinor, d.currency)}.`,
  }),
  'noncompete.compensation-overdue': (d) => ({
    title: 'Non-compete compensation overdue',
    body: `Month ${s(d.month)} for ${s(d.employeeId)} is unpaid. An unpaid non-compete may not be enforceable.`,
  }),
  'noncompete.ending-soon': (d) => ({
    title: 'Non-compete ending soon',
    body: `The non-compete of ${s(d.employeeId)} ends on ${s(d.end)}.`,
  }),
  'agreement.assigned': (d) => ({
    title: `Please sign: ${s(d.title)}`,
    body: 'A new agreement is waiting for your signature.',
  }),
  'agreement.reminder': (d) => ({ title: `Reminder: sign ${s(d.title)}`, body: 'This agreement is still unsigned.' }),
  'training.assigned': (d) => ({ title: `Training: ${s(d.title)}`, body: `Please complete it by ${s(d.dueAt)}.` }),
  'alert.raised': (d) => ({ title: `Alert: ${s(d.title, s(d.kind))}`, body: s(d.summary) }),
};

const zhCN: Readonly<Record<NotificationTemplate, Render>> = {
  'approval.requested': (d) => ({
    title: `待审批：${s(d.title, s(d.kind))}`,
    body: `${s(d.requester)} 提交了申请（${s(d.kind)}），请审批。`,
  }),
  'approval.escalated': (d) => ({
    title: `审批已升级：${s(d.title, s(d.kind))}`,
    body: '审批人未按时处理，您可以代表本级作出决定。',
  }),
  'approval.sent-back': (d) => ({
    title: `申请被退回：${s(d.title, s(d.kind))}`,
    body: `退回原因：${s(d.reason)}。请修改后重新提交，或撤回申请。`,
  }),
  'approval.approved': (d) => ({ title: `已批准：${s(d.title, s(d.kind))}`, body: '您的申请已获批准。' }),
  'approval.rejected': (d) => ({
    title: `已驳回：${s(d.title, s(d.kind))}`,
    body: `您的申请被驳回：${s(d.reason, '未说明原因')}。`,
  }),
  'approval.withdrawn': (d) => ({ title: `已撤回：${s(d.title, s(d.kind))}`, body: '该申请已撤回。' }),
  'claim.owned': (d) => ({ title: '认领成功', body: `客户 ${s(d.customerId)} 已归属于您，请尽快跟进。` }),
  'claim.lost': (d) => ({ title: '认领未成功', body: `客户 ${s(d.customerId)} 已被他人先行认领。` }),
  'claim.rejected': (d) => ({ title: '认领被驳回', body: `您对客户 ${s(d.customerId)} 的认领申请被驳回。` }),
  'follow-up.reminder': (d) => ({
    title: '请跟进客户',
    body: `客户 ${s(d.customerName, s(d.customerId))} 已 ${s(d.days)} 天没有跟进记录。`,
  }),
  'follow-up.manager-alert': (d) => ({
    title: '客户长时间未跟进',
    body: `${s(d.ownerId)} 已 ${s(d.days)} 天未跟进客户 ${s(d.customerName, s(d.customerId))}。`,
  }),
  'follow-up.returned-to-pool': (d) => ({
    title: '客户已退回公海',
    body: `客户 ${s(d.customerName, s(d.customerId))} 因 ${s(d.days)} 天未跟进，已退回公海。`,
  }),
  'offboarding.started': (d) => ({
    title: '离职交接已开始',
    body: `${s(d.employeeId)} 的离职交接已开始，最后工作日 ${s(d.lastWorkingDay)}。`,
  }),
  'offboarding.review': (d) => ({ title: '交接清单待审核', body: `${s(d.employeeId)} 已提交交接清单，请审核。` }),
  'offboarding.items-returned': () => ({
    title: '交接事项被退回',
    body: '主管退回了部分交接事项，请查看原因后重新提交。',
  }),
  'offboarding.escalated': (d) => ({
    title: '离职交接逾期预警',
    body: `${s(d.employeeId)} 临近最后工作日，仍有 ${s(d.openItems)} 项交接未完成。`,
  }),
  'noncompete.compensation-due': (d) => ({
    title: '竞业限制补偿金到期',
    body: `${s(d.employeeId)} 竞业限制第 ${s(d.month)} 个月：应支付 ${money(d.amountMinor, d.currency)}。`,
  }),
  'noncompete.compensation-overdue': (d) => ({
    title: '竞业限制补偿金逾期未付',
    body: `${s(d.employeeId)} 第 ${s(d.month)} 个月补偿金未支付。未支付补偿金的竞业限制可能无法执行。`,
  }),
  'noncompete.ending-soon': (d) => ({
    title: '竞业限制即将到期',
    body: `${s(d.employeeId)} 的竞业限制将于 ${s(d.end)} 到期。`,
  }),
  'agreement.assigned': (d) => ({ title: `请签署：${s(d.title)}`, body: '有一份新协议等待您签署。' }),
  'agreement.reminder': (d) => ({ title: `提醒：请签署 ${s(d.title)}`, body: '该协议尚未签署。' }),
  'training.assigned': (d) => ({ title: `培训：${s(d.title)}`, body: `请在 ${s(d.dueAt)} 前完成。` }),
  'alert.raised': (d) => ({ title: `预警：${s(d.title, s(d.kind))}`, body: s(d.summary) }),
};

const catalogs: Readonly<Record<Locale, Readonly<Record<NotificationTemplate, Render>>>> = { en, 'zh-CN': zhCN };

/**
 * Renders a notification's title and body in a locale. Templates Guard does
 * not know come back with the template id as title and the data as body.
 *
 * @example
 * ```ts
 * import { renderNotification } from '@guard/core';
 * renderNotification('zh-CN', 'follow-up.reminder', { customerId: 'c-1', days: 3 });
 * // { title: '请跟进客户', body: '客户 c-1 已 3 天没有跟进记录。' }
 * ```
 */
export function renderNotification(
  locale: Locale,
  template: string,
  data: { readonly [key: string]: Json },
): { readonly title: string; readonly body: string } {
  const render = (catalogs[locale] as Readonly<Record<string, Render>>)[template];
  return render ? render(data) : { title: template, body: JSON.stringify(data) };
}
