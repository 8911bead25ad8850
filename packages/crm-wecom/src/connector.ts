import {
  type CrmCapabilities,
  type CrmConnector,
  type CrmCustomer,
  type CrmMove,
  type CrmMoveResult,
  foreignCursorError,
  parseCrmListRequest,
  parseCrmTransferRequest,
  parseInput,
  validationMessage,
} from '@guard/core';
import * as z from 'zod';
import { WecomApi } from './api.js';
import { memoryTransferLedger } from './ledger.js';
import { parseOptions, type WecomConnectorOptions } from './options.js';

/**
 * A request for members' contact statistics (联系客户统计): the members, and
 * the days from `from` to `to` (`YYYY-MM-DD`, China's calendar, both
 * included; WeCom keeps 180 days).
 *
 * @example
 * ```ts
 * import type { WecomContactStatsRequest } from '@guard/crm-wecom';
 * const lastWeek: WecomContactStatsRequest = { userIds: ['wangwei'], from: '2026-11-23', to: '2026-11-29' };
 * ```
 */
export interface WecomContactStatsRequest {
  readonly userIds: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly signal?: AbortSignal | undefined;
}

/**
 * One member's contact statistics for one day, as WeCom counts them:
 * friend requests sent, customers added, chats and messages, the share of
 * customer-started chats answered and how fast (`null` on a day without
 * any), and customers who deleted or blocked the member.
 *
 * @example
 * ```ts
 * import type { WecomContactStats } from '@guard/crm-wecom';
 * const day: WecomContactStats = {
 *   userId: 'wangwei', date: '2026-11-29', newApplyCount: 0, newContactCount: 1, chatCount: 12, messageCount: 40,
 *   replyPercentage: 92.5, avgReplyMinutes: 7, negativeFeedbackCount: 3,
 * };
 * ```
 */
export interface WecomContactStats {
  readonly userId: string;
  readonly date: string;
  readonly newApplyCount: number;
  readonly newContactCount: number;
  readonly chatCount: number;
  readonly messageCount: number;
  readonly replyPercentage: number | null;
  readonly avgReplyMinutes: number | null;
  /** Customers who deleted or blocked the member that day. */
  readonly negativeFeedbackCount: number;
}

/**
 * The WeCom connector: a `CrmConnector`, and the contact statistics only
 * WeCom has.
 *
 * @example
 * ```ts
 * import { wecomConnector, type WecomConnector } from '@guard/crm-wecom';
 * const wecom: WecomConnector = wecomConnector({ corpId: 'ww8a1c', corpSecret: 's' });
 * const days = await wecom.contactStats({ userIds: ['wangwei'], from: '2026-11-23', to: '2026-11-29' });
 * ```
 */
export interface WecomConnector extends CrmConnector {
  /**
   * Each member's statistics per day (`get_user_behavior_data`, one call
   * per member and 30 days, since WeCom sums the members of one call).
   */
  contactStats(request: WecomContactStatsRequest): Promise<WecomContactStats[]>;
}

const dateSchema = z.iso.date();
const statsRequestSchema = z
  .strictObject({
    userIds: z
      .array(z.string().regex(/^[^\p{Cc}]{1,64}$/u))
      .min(1)
      .max(1000),
    from: dateSchema,
    to: dateSchema,
    signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
  })
  .refine((r) => r.from <= r.to, { path: ['to'], error: validationMessage('end-after-start') });

/** WeCom's transfer calls take at most 100 customers. */
const MAX_BATCH = 100;
/** The most customers one listing page returns; each page reads the corp's relationships whole. */
const MAX_PAGE = 1000;
const DAY_MS = 86_400_000;

const CURSOR = /^wc1\|(?:(\d{1,12})\|(.{1,256}))?$/su;

/** A listing's place: every customer up to `(time, externalUserId)` has been listed; `null` at the beginning. */
type Place = { readonly time: number; readonly id: string } | null;

const encodeCursor = (place: Place) => (place === null ? 'wc1|' : `wc1|${place.time}|${place.id}`);

interface Relationship {
  readonly externalUserId: string;
  readonly name: string;
  readonly userid: string;
  /** When the member added the customer (or took them over), Unix seconds. */
  readonly createtime: number;
}

/** One transfer call's per-customer outcome, by `errcode`. */
const TRANSFER_CODES: Readonly<Record<number, { code: string; message: string }>> = {
  40096: { code: 'NOT_FOUND', message: 'no such customer in WeCom (40096)' },
  40098: { code: 'NOT_VERIFIED', message: 'the successor has not verified their real name (40098)' },
  40099: {
    code: 'TAKEOVER_LIMIT',
    message: "the successor's customer limit is reached: choose another successor (40099)",
  },
  40128: { code: 'TRANSFER_LIMIT', message: 'WeCom allows no more transfers of this customer for now (40128)' },
};

/**
 * A Guard `CrmConnector` for WeCom (企业微信) on `fetch`:
 * - `listCustomers` reads every member with 客户联系 and their customers
 *   (`batch/get_by_user`); a customer's owner is the member who added or
 *   took them over most recently. The cursor is that moment and the
 *   customer's id, so a listing resumed from it reports customers who are
 *   new or changed hands (`customerChanges: 'ownership'`: WeCom's API
 *   cannot list renames).
 * - `mapUsers` finds members by e-mail (`get_userid_by_email`), then by
 *   mobile (`getuserid`).
 * - `transferOwnership` uses 离职继承 for a member who has left and 在职继承
 *   otherwise, in calls of at most 100 per pair of members; each started
 *   transfer is `pending`, because WeCom hands the customer over 24 hours
 *   later unless the customer refuses. It keeps a count of the transfers
 *   it started, so it never asks for one WeCom's limit (2 per customer in
 *   90 days by default) would refuse.
 * - `transferStatus` reads `transfer_result`: done, still waiting, refused
 *   by the customer, or the successor's limit reached — the last two need
 *   another successor.
 *
 * The `access_token` is cached and renewed before it expires, and again
 * when WeCom says it expired (`42001`). `-1` (busy), `45033`, timeouts and
 * network errors are retried with backoff; `45009` is `rate-limited` with
 * WeCom's block of at least 60 s. What still fails is a `ConnectorError`.
 *
 * @throws ValidationError (`what: 'connector options'`) naming each bad option.
 *
 * @example
 * ```ts
 * import { wecomConnector } from '@guard/crm-wecom';
 * const wecom = wecomConnector({ corpId: 'ww8a1c…', corpSecret: process.env.WECOM_CONTACT_SECRET ?? '', poolUserId: 'gonghai' });
 * const [result] = await wecom.transferOwnership?.({
 *   tenantId: 'acme',
 *   idempotencyKey: 'off-7:wecom:0',
 *   moves: [{ customerExternalId: 'wmA1…', fromUserId: 'wangwei', toUserId: 'lina' }],
 * }) ?? [];
 * result?.status; // 'pending': WeCom hands the customer over in 24 hours unless they refuse
 * ```
 */
export function wecomConnector(options: WecomConnectorOptions): WecomConnector {
  const parsed = parseOptions(options);
  const api = new WecomApi(parsed);
  const name = api.name;
  const pool = parsed.poolUserId ?? null;
  const ledger = parsed.transferLedger ?? memoryTransferLedger();
  const limit = parsed.transferLimit ?? { count: 2, days: 90 };
  const localeOption = parsed.locale === undefined ? {} : { locale: parsed.locale };
  const capabilities: CrmCapabilities = {
    customers: true,
    orders: false,
    activities: false,
    users: true,
    transfer: { maxBatch: MAX_BATCH, completesLater: true },
    maxPageSize: MAX_PAGE,
    customerChanges: 'ownership',
  };

  const owner = (userid: string) => (userid === pool ? null : userid);

  /** Every member with 客户联系 and each customer they follow. */
  const relationships = async (signal: AbortSignal | undefined): Promise<Relationship[]> => {
    const members = await api.call('externalcontact/get_follow_user_list', { signal });
    const users = (Array.isArray(members.follow_user) ? members.follow_user.map(String) : []).sort();
    const found: Relationship[] = [];
    for (let i = 0; i < users.length; i += 100) {
      let cursor = '';
      do {
        const answer = await api.call('externalcontact/batch/get_by_user', {
          body: { userid_list: users.slice(i, i + 100), cursor, limit: 100 },
          signal,
        });
        const list = Array.isArray(answer.external_contact_list) ? answer.external_contact_list : [];
        for (const entry of list as {
          external_contact?: { external_userid?: string; name?: string };
          follow_info?: { userid?: string; createtime?: number };
        }[]) {
          const id = entry.external_contact?.external_userid;
          const userid = entry.follow_info?.userid;
          if (id === undefined || userid === undefined) continue;
          found.push({
            externalUserId: id,
            name: entry.external_contact?.name ?? '',
            userid,
            createtime: entry.follow_info?.createtime ?? 0,
          });
        }
        cursor = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
      } while (cursor !== '');
    }
    return found;
  };

  /** Each customer once, owned by the member who added or took them over last. */
  const currentCustomers = (all: readonly Relationship[]) => {
    const latest = new Map<string, Relationship>();
    for (const r of all) {
      const seen = latest.get(r.externalUserId);
      if (
        seen === undefined ||
        r.createtime > seen.createtime ||
        (r.createtime === seen.createtime && r.userid > seen.userid)
      ) {
        latest.set(r.externalUserId, r);
      }
    }
    return [...latest.values()].sort(
      (a, b) => a.createtime - b.createtime || (a.externalUserId < b.externalUserId ? -1 : 1),
    );
  };

  /** The members who follow a customer now; `null` when WeCom has no such customer. */
  const followers = async (externalUserId: string, signal: AbortSignal | undefined): Promise<string[] | null> => {
    const answer = await api.call('externalcontact/get', {
      query: { external_userid: externalUserId },
      signal,
      accept: [40096],
    });
    if (answer.errcode === 40096) return null;
    const list = Array.isArray(answer.follow_user) ? (answer.follow_user as { userid?: string }[]) : [];
    return list.flatMap((f) => (f.userid === undefined ? [] : [f.userid]));
  };

  /** One transfer call for one pair of members: 离职继承 when the handover has left, else 在职继承. */
  const transferPair = async (
    tenantId: string,
    handover: string,
    takeover: string,
    moves: readonly CrmMove[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, CrmMoveResult>> => {
    const results = new Map<string, CrmMoveResult>();
    const ids = moves.map((m) => m.customerExternalId);
    const failed = (id: string, code: string, message: string, retryable = false): CrmMoveResult => ({
      customerExternalId: id,
      status: 'failed',
      code,
      message,
      retryable,
    });
    if (handover === takeover) {
      for (const id of ids) results.set(id, { customerExternalId: id, status: 'done' });
      return results;
    }
    const body = { handover_userid: handover, takeover_userid: takeover, external_userid: ids };
    let answer = await api.call('externalcontact/resigned/transfer_customer', { body, signal, accept: [40097, 60111] });
    let onJob = false;
    if (answer.errcode === 40097) {
      // The handover has not left: 在职继承, within WeCom's limit per customer.
      onJob = true;
      const since = Date.now() - limit.days * DAY_MS;
      const allowed: string[] = [];
      for (const id of ids) {
        if ((await ledger.count(tenantId, id, since)) >= limit.count) {
          results.set(
            id,
            failed(
              id,
              'TRANSFER_LIMIT',
              `already transferred ${limit.count} times in ${limit.days} days; WeCom would refuse another`,
            ),
          );
        } else allowed.push(id);
      }
      if (allowed.length === 0) return results;
      answer = await api.call('externalcontact/transfer_customer', {
        body: {
          ...body,
          external_userid: allowed,
          ...(parsed.transferMessage === undefined ? {} : { transfer_success_msg: parsed.transferMessage }),
        },
        signal,
        accept: [60111],
      });
    }
    if (answer.errcode === 60111) {
      for (const id of ids) {
        if (!results.has(id))
          results.set(id, failed(id, 'USER_NOT_FOUND', `no active member ${handover} or ${takeover} in WeCom (60111)`));
      }
      return results;
    }
    const perCustomer = Array.isArray(answer.customer)
      ? (answer.customer as { external_userid?: string; errcode?: number }[])
      : [];
    for (const row of perCustomer) {
      const id = String(row.external_userid);
      const code = row.errcode ?? 0;
      if (code === 0) {
        if (onJob) await ledger.record(tenantId, id, Date.now());
        results.set(id, { customerExternalId: id, status: 'pending' });
      } else if (code === 40129 || code === 40100) {
        // Already being handed over: the status tells whose.
        results.set(id, { customerExternalId: id, status: 'pending' });
      } else if (code === 84061 || code === 40131) {
        // The handover no longer follows the customer: done, if it went to the successor.
        const now = await followers(id, signal);
        results.set(
          id,
          now?.includes(takeover)
            ? { customerExternalId: id, status: 'done' }
            : now === null
              ? failed(id, 'NOT_FOUND', 'no such customer in WeCom')
              : failed(id, 'OWNER_CHANGED', `followed by ${now.join(', ') || 'no member'} in WeCom, not ${handover}`),
        );
      } else {
        const known = TRANSFER_CODES[code];
        results.set(
          id,
          failed(id, known?.code ?? String(code), known?.message ?? `WeCom refused the transfer (errcode ${code})`),
        );
      }
    }
    for (const id of ids)
      if (!results.has(id)) results.set(id, failed(id, 'NO_ANSWER', 'WeCom gave no result for this customer', true));
    return results;
  };

  /** A move's two members: a move from or to nobody is from or to the pool member. */
  const pair = (move: CrmMove): { handover: string; takeover: string } | null => {
    const handover = move.fromUserId ?? pool;
    const takeover = move.toUserId ?? pool;
    return handover === null || takeover === null ? null : { handover, takeover };
  };

  const noPool = (move: CrmMove): CrmMoveResult => ({
    customerExternalId: move.customerExternalId,
    status: 'failed',
    code: 'NO_POOL_MEMBER',
    message: 'a move from or to the public pool needs the connector option poolUserId',
    retryable: false,
  });

  /** Runs `each` for the moves grouped by pair of members, and answers in the order of `moves`. */
  const byPair = async (
    moves: readonly CrmMove[],
    each: (handover: string, takeover: string, group: readonly CrmMove[]) => Promise<Map<string, CrmMoveResult>>,
  ): Promise<CrmMoveResult[]> => {
    const groups = new Map<string, { handover: string; takeover: string; moves: CrmMove[] }>();
    for (const move of moves) {
      const p = pair(move);
      if (p === null) continue;
      const key = JSON.stringify([p.handover, p.takeover]);
      const group = groups.get(key) ?? { ...p, moves: [] };
      group.moves.push(move);
      groups.set(key, group);
    }
    const results = new Map<string, CrmMoveResult>();
    for (const group of groups.values()) {
      for (const [id, result] of await each(group.handover, group.takeover, group.moves)) {
        results.set(JSON.stringify([group.handover, group.takeover, id]), result);
      }
    }
    return moves.map((move) => {
      const p = pair(move);
      if (p === null) return noPool(move);
      return results.get(JSON.stringify([p.handover, p.takeover, move.customerExternalId])) ?? noPool(move);
    });
  };

  const dayStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`) / 1000;
  const dateOf = (seconds: number) => new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 10);

  return {
    name,
    capabilities,

    async contactStats(input) {
      const request = parseInput(statsRequestSchema, input, {
        what: 'CRM list request',
        json: false,
        ...(parsed.locale === undefined ? {} : { locale: parsed.locale }),
      });
      const out: WecomContactStats[] = [];
      const first = dayStart(request.from);
      const last = dayStart(request.to);
      for (const userId of [...new Set(request.userIds)]) {
        for (let start = first; start <= last; start += 30 * 86_400) {
          const end = Math.min(last, start + 29 * 86_400);
          const answer = await api.run('contactStats', request.signal, () =>
            api.call('externalcontact/get_user_behavior_data', {
              body: { userid: [userId], start_time: start, end_time: end },
              signal: request.signal,
            }),
          );
          const rows = Array.isArray(answer.behavior_data) ? (answer.behavior_data as Record<string, unknown>[]) : [];
          for (const row of rows) {
            const n = (k: string) => (typeof row[k] === 'number' ? (row[k] as number) : 0);
            out.push({
              userId,
              date: dateOf(Number(row.stat_time)),
              newApplyCount: n('new_apply_cnt'),
              newContactCount: n('new_contact_cnt'),
              chatCount: n('chat_cnt'),
              messageCount: n('message_cnt'),
              replyPercentage: typeof row.reply_percentage === 'number' ? row.reply_percentage : null,
              avgReplyMinutes: typeof row.avg_reply_time === 'number' ? row.avg_reply_time : null,
              negativeFeedbackCount: n('negative_feedback_cnt'),
            });
          }
        }
      }
      return out;
    },

    async listCustomers(input) {
      const request = parseCrmListRequest(input, capabilities, localeOption);
      let place: Place = null;
      if (request.cursor !== null) {
        const match = CURSOR.exec(request.cursor);
        if (match === null) throw foreignCursorError(name, 'listCustomers', request.cursor, localeOption);
        place = match[1] === undefined ? null : { time: Number(match[1]), id: match[2] as string };
      }
      const all = await api.run('listCustomers', request.signal, () => relationships(request.signal));
      const after = currentCustomers(all).filter(
        (r) =>
          place === null || r.createtime > place.time || (r.createtime === place.time && r.externalUserId > place.id),
      );
      const page = after.slice(0, request.limit);
      const last = page.at(-1);
      return {
        items: page.map(
          (r): CrmCustomer => ({
            externalId: r.externalUserId,
            name: r.name,
            ownerUserId: owner(r.userid),
            updatedAt: new Date(r.createtime * 1000).toISOString(),
          }),
        ),
        cursor: encodeCursor(last === undefined ? place : { time: last.createtime, id: last.externalUserId }),
        caughtUp: after.length <= request.limit,
      };
    },

    async mapUsers(_tenantId, employees) {
      const found = new Map<string, string | null>();
      for (const e of employees) {
        const userid = await api.run('mapUsers', undefined, async () => {
          const tries: [string, Record<string, unknown>][] = [];
          if (e.email)
            tries.push(
              ['user/get_userid_by_email', { email: e.email, email_type: 1 }],
              ['user/get_userid_by_email', { email: e.email, email_type: 2 }],
            );
          if (e.mobile) tries.push(['user/getuserid', { mobile: e.mobile }]);
          for (const [path, body] of tries) {
            // 46004: no such member; 40058/60103: a malformed e-mail or mobile — no match either way.
            const answer = await api.call(path, { body, signal: undefined, accept: [46004, 40058, 60103] });
            if (answer.errcode === 0 && typeof answer.userid === 'string' && answer.userid !== pool)
              return answer.userid;
          }
          return null;
        });
        found.set(e.employeeId, userid);
      }
      return found;
    },

    async transferOwnership(input) {
      const request = parseCrmTransferRequest(input, { name, maxBatch: MAX_BATCH }, localeOption);
      if (request.moves.length === 0) return [];
      return api.run('transferOwnership', request.signal, () =>
        byPair(request.moves, (handover, takeover, group) =>
          transferPair(request.tenantId, handover, takeover, group, request.signal),
        ),
      );
    },

    async transferStatus(_tenantId, moves) {
      return api.run('transferStatus', undefined, () =>
        byPair(moves, async (handover, takeover, group) => {
          const wanted = new Set(group.map((m) => m.customerExternalId));
          const status = new Map<string, { status: number; takeoverTime: number }>();
          for (const path of ['externalcontact/resigned/transfer_result', 'externalcontact/transfer_result']) {
            let cursor = '';
            do {
              const answer = await api.call(path, {
                body: { handover_userid: handover, takeover_userid: takeover, cursor },
                signal: undefined,
              });
              for (const row of (Array.isArray(answer.customer) ? answer.customer : []) as {
                external_userid?: string;
                status?: number;
                takeover_time?: number;
              }[]) {
                const id = String(row.external_userid);
                if (!wanted.has(id)) continue;
                const seen = status.get(id);
                // The latest transfer of the customer between these two members is the one that counts.
                if (seen === undefined || (row.takeover_time ?? 0) >= seen.takeoverTime || row.status === 2) {
                  status.set(id, { status: row.status ?? 5, takeoverTime: row.takeover_time ?? 0 });
                }
              }
              cursor = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
            } while (cursor !== '');
          }
          const results = new Map<string, CrmMoveResult>();
          for (const id of wanted) {
            const s = status.get(id)?.status;
            const failed = (code: string, message: string): CrmMoveResult => ({
              customerExternalId: id,
              status: 'failed',
              code,
              message,
              retryable: false,
            });
            if (s === 1) results.set(id, { customerExternalId: id, status: 'done' });
            else if (s === 2) results.set(id, { customerExternalId: id, status: 'pending' });
            else if (s === 3)
              results.set(
                id,
                failed('CUSTOMER_REFUSED', 'the customer refused the new member: choose another successor'),
              );
            else if (s === 4)
              results.set(
                id,
                failed('TAKEOVER_LIMIT', "the successor's customer limit was reached: choose another successor"),
              );
            else {
              const now = await followers(id, undefined);
              results.set(
                id,
                now?.includes(takeover)
                  ? { customerExternalId: id, status: 'done' }
                  : failed('NOT_TRANSFERRED', 'WeCom has no transfer of this customer between these members'),
              );
            }
          }
          return results;
        }),
      );
    },
  };
}
