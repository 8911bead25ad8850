import type { SignalInput } from '@guard/core';
import type { WecomContactEvent } from './callbacks.js';
import type { WecomContactStats } from './connector.js';

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
 * Turns WeCom's change callbacks and contact statistics into Guard's
 * built-in signal kinds, each with an `id` that makes a repeat (WeCom's
 * retries, a statistics day read twice) a duplicate that `signals.record`
 * skips. No tenant settings are needed, and the default risk packs read
 * them:
 *
 * | WeCom | signal | subjects | facts the default packs read |
 * |---|---|---|---|
 * | `del_external_contact`, unless a transfer removed the member | `contact-deleted` | employee, customer | `contactsDeleted30d` (exfiltration), `deletedByEmployees90d` (diversion) |
 * | `del_follow_user` | `deleted-by-customer` | employee, customer | `employeesDeleted90d` (churn, diversion) |
 * | a day's `chatCount` | `chat` | employee | `chatsTrend` (exfiltration, flight risk) |
 * | a day's `newContactCount` | `new-contact` | employee | `newContacts30d`, `newContactsTrend` (for a tenant's own rules) |
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
          ? 'contact-deleted'
          : event.change === 'del_follow_user'
            ? 'deleted-by-customer'
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
            kind: 'chat',
            employeeId,
            at,
            value: day.chatCount,
            id: `wecom:chats:${day.userId}:${day.date}`,
          });
        }
        if (day.newContactCount > 0) {
          out.push({
            kind: 'new-contact',
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
