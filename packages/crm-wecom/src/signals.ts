import type { CustomSignal, SignalInput } from '@guard/core';
import type { WecomContactEvent } from './callbacks.js';
import type { WecomContactStats } from './connector.js';

/**
 * The signal kinds WeCom gives Guard's risk rules, to declare in a
 * tenant's settings (`risk.customSignals`) before recording them:
 * - `x-wecom-customer-deleted`: the employee deleted a customer from the
 *   company account (`del_external_contact`, not one a transfer removed) —
 *   the classic way to take a customer along;
 * - `x-wecom-deleted-by-customer`: the customer deleted or blocked the
 *   employee (`del_follow_user`);
 * - `x-wecom-chats`: chats with customers a day (联系客户统计): a drop is a
 *   sign of someone winding down;
 * - `x-wecom-new-contacts`: customers the employee added a day.
 *
 * Rule packs then read facts such as `xWecomCustomerDeleted30d` and
 * `xWecomChatsTrend`.
 *
 * @example
 * ```ts
 * import { wecomSignalKinds } from '@guard/crm-wecom';
 * await acme.settings.update({ risk: { customSignals: [...wecomSignalKinds] } });
 * ```
 */
export const wecomSignalKinds: readonly CustomSignal[] = [
  {
    kind: 'x-wecom-customer-deleted',
    subjects: ['employee', 'customer'],
    by: 'count',
    label: { en: 'customers the employee deleted on WeCom', 'zh-CN': '员工在企业微信删除的客户数' },
  },
  {
    kind: 'x-wecom-deleted-by-customer',
    subjects: ['employee', 'customer'],
    by: 'count',
    label: {
      en: 'customers who deleted or blocked the employee on WeCom',
      'zh-CN': '在企业微信删除或拉黑员工的客户数',
    },
  },
  {
    kind: 'x-wecom-chats',
    subjects: ['employee'],
    by: 'sum',
    label: { en: 'WeCom chats with customers', 'zh-CN': '企业微信客户聊天数' },
  },
  {
    kind: 'x-wecom-new-contacts',
    subjects: ['employee'],
    by: 'sum',
    label: { en: 'customers added on WeCom', 'zh-CN': '企业微信新增客户数' },
  },
];

/**
 * How WeCom's ids become Guard's: the employee a member is, and the
 * customer an external contact is (`null` when Guard does not have them:
 * no signal is made). Typically a lookup in the host's own mapping, or in
 * the customers' `externalRefs.wecom`.
 *
 * @example
 * ```ts
 * import type { WecomSignalIds } from '@guard/crm-wecom';
 * declare const byWecomId: Map<string, string>;
 * const ids: WecomSignalIds = {
 *   employeeOf: (userid) => byWecomId.get(userid) ?? null,
 *   customerOf: async (externalUserId) => byWecomId.get(externalUserId) ?? null,
 * };
 * ```
 */
export interface WecomSignalIds {
  employeeOf(userid: string): string | null | Promise<string | null>;
  customerOf(externalUserId: string): string | null | Promise<string | null>;
}

/**
 * What {@link wecomSignals} returns: WeCom's callbacks and statistics as
 * Guard signals, for `acme.signals.record`.
 *
 * @example
 * ```ts
 * import { wecomSignals, type WecomSignalMapper } from '@guard/crm-wecom';
 * declare const ids: import('@guard/crm-wecom').WecomSignalIds;
 * const mapper: WecomSignalMapper = wecomSignals(ids);
 * ```
 */
export interface WecomSignalMapper {
  /** The signal a contact-change event is: a deletion either way; nothing for other changes or unknown people. */
  fromEvent(event: WecomContactEvent): Promise<SignalInput[]>;
  /** A day's chats and new customers per employee; days with none make no signal. */
  fromStats(days: readonly WecomContactStats[]): Promise<SignalInput[]>;
}

/**
 * Turns WeCom's change callbacks and contact statistics into Guard
 * signals of the {@link wecomSignalKinds}, each with an `id` that makes a
 * repeat (WeCom's retries, a statistics day read twice) a duplicate that
 * `signals.record` skips.
 *
 * @example
 * ```ts
 * import { wecomCallbacks, wecomSignals } from '@guard/crm-wecom';
 * declare const acme: import('@guard/core').TenantGuard;
 * declare const callbacks: ReturnType<typeof wecomCallbacks>;
 * declare const ids: import('@guard/crm-wecom').WecomSignalIds;
 * declare const query: import('@guard/crm-wecom').WecomCallbackQuery;
 * declare const body: string;
 * const signals = wecomSignals(ids);
 * const event = callbacks.parseEvent(query, body);
 * if (event.kind === 'contact-change') await acme.signals.record(await signals.fromEvent(event));
 * ```
 */
export function wecomSignals(ids: WecomSignalIds): WecomSignalMapper {
  return {
    async fromEvent(event) {
      const kind =
        event.change === 'del_external_contact' && event.source !== 'DELETE_BY_TRANSFER'
          ? 'x-wecom-customer-deleted'
          : event.change === 'del_follow_user'
            ? 'x-wecom-deleted-by-customer'
            : null;
      if (kind === null) return [];
      const [employeeId, customerId] = await Promise.all([
        ids.employeeOf(event.userId),
        ids.customerOf(event.externalUserId),
      ]);
      if (employeeId === null || customerId === null) return [];
      return [{ kind, employeeId, customerId, at: event.at, id: `wecom:${event.eventKey}`.slice(0, 200) }];
    },
    async fromStats(days) {
      const out: SignalInput[] = [];
      for (const day of days) {
        const employeeId = await ids.employeeOf(day.userId);
        if (employeeId === null) continue;
        const at = `${day.date}T00:00:00+08:00`;
        if (day.chatCount > 0) {
          out.push({
            kind: 'x-wecom-chats',
            employeeId,
            at,
            value: day.chatCount,
            id: `wecom:chats:${day.userId}:${day.date}`,
          });
        }
        if (day.newContactCount > 0) {
          out.push({
            kind: 'x-wecom-new-contacts',
            employeeId,
            at,
            value: day.newContactCount,
            id: `wecom:new-contacts:${day.userId}:${day.date}`,
          });
        }
      }
      return out;
    },
  };
}
