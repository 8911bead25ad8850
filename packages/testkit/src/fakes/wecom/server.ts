import {
  answerCall,
  type FakeAnswer,
  type FakeCall,
  type FakeOutcome,
  type FakeRequest,
  FaultQueue,
  recordsIn,
  startLoopback,
} from '../http.js';

/**
 * Options of {@link fakeWecom}.
 *
 * @example
 * ```ts
 * import type { FakeWecomOptions } from '@guard/testkit/fakes';
 * const options: FakeWecomOptions = { transfersPerCustomer: { count: 2, days: 90 }, customerLimit: 5000 };
 * ```
 */
export interface FakeWecomOptions {
  /** Default `wwfakecorp0001`. */
  readonly corpId?: string;
  /** The 客户联系 secret. Default `guard-test-secret`. */
  readonly corpSecret?: string;
  /** How many transfers of one customer WeCom allows within how many days (`40128` beyond). Default 2 in 90. */
  readonly transfersPerCustomer?: { readonly count: number; readonly days: number };
  /** Customers one member may have; a takeover beyond it ends with status 4. Default 50,000. */
  readonly customerLimit?: number;
}

/**
 * The fake WeCom's routes, as its call log and faults name them.
 *
 * @example
 * ```ts
 * import type { WecomRoute } from '@guard/testkit/fakes';
 * const route: WecomRoute = 'transfer'; // externalcontact/transfer_customer and resigned/transfer_customer
 * ```
 */
export type WecomRoute =
  | 'gettoken'
  | 'follow-users'
  | 'by-user'
  | 'contact'
  | 'userid'
  | 'transfer'
  | 'transfer-result'
  | 'behavior';

/**
 * A fault for the fake WeCom to answer with, on the next `times` calls
 * (default 1) of route `on` (every route but `gettoken` when absent):
 * - `token-expired`: the token in use stops working; `errcode` 42001;
 * - `rate-limit`: `errcode` 45009;
 * - `busy`: `errcode` -1 (系统繁忙);
 * - `slow`: the answer comes `delayMs` later;
 * - `drop`: the connection closes without an answer;
 * - `customer-error`: in a transfer, the customers `ids` fail with
 *   `errcode` and the others start.
 *
 * @example
 * ```ts
 * import type { FakeWecomFault } from '@guard/testkit/fakes';
 * const faults: FakeWecomFault[] = [{ kind: 'token-expired', on: 'by-user' }, { kind: 'customer-error', ids: ['wmA'], errcode: 40099 }];
 * ```
 */
export type FakeWecomFault =
  | {
      readonly kind: 'token-expired' | 'rate-limit' | 'busy' | 'drop';
      readonly on?: WecomRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'slow';
      readonly delayMs: number;
      readonly on?: WecomRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'customer-error';
      readonly ids: readonly string[];
      readonly errcode: number;
      readonly on?: 'transfer' | undefined;
      readonly times?: number | undefined;
    };

/**
 * A WeCom member as the fake holds it. `left`: the member has left the
 * company (离职), so their customers go by 离职继承.
 *
 * @example
 * ```ts
 * import type { WecomMemberSeed } from '@guard/testkit/fakes';
 * const member: WecomMemberSeed = { userid: 'wangwei', name: '王伟', mobile: '13800000001', email: 'wang@acme.cn' };
 * ```
 */
export interface WecomMemberSeed {
  readonly userid: string;
  readonly name?: string | undefined;
  readonly mobile?: string | undefined;
  readonly email?: string | undefined;
  readonly left?: boolean | undefined;
}

/**
 * A transfer as the fake recorded it: who from, who to, and where it
 * stands (`transfer_result`'s status: 1 done, 2 waiting, 3 refused by the
 * customer, 4 the successor's limit reached).
 *
 * @example
 * ```ts
 * import type { WecomTransferRecord } from '@guard/testkit/fakes';
 * const t: WecomTransferRecord = { externalUserId: 'wmA', handover: 'wangwei', takeover: 'lina', resigned: false, status: 2, takeoverTime: 1764806400 };
 * ```
 */
export interface WecomTransferRecord {
  readonly externalUserId: string;
  readonly handover: string;
  readonly takeover: string;
  readonly resigned: boolean;
  readonly status: 1 | 2 | 3 | 4;
  /** Unix seconds: when it completes (status 2) or completed (1); 0 when refused. */
  readonly takeoverTime: number;
}

/**
 * One member's contact statistics for one day in the fake WeCom (联系客户统计).
 *
 * @example
 * ```ts
 * import type { WecomDayStats } from '@guard/testkit/fakes';
 * const quietDay: WecomDayStats = { chatCount: 2, messageCount: 5, negativeFeedbackCount: 3 };
 * ```
 */
export interface WecomDayStats {
  readonly newApplyCount?: number;
  readonly newContactCount?: number;
  readonly chatCount?: number;
  readonly messageCount?: number;
  /** Percent of customer-started chats answered; leave out for a day without any. */
  readonly replyPercentage?: number;
  readonly avgReplyMinutes?: number;
  /** Customers who deleted or blocked the member that day. */
  readonly negativeFeedbackCount?: number;
}

/**
 * A WeCom (企业微信) corp on a loopback port that speaks the server API's
 * wire format (`/cgi-bin/...`, `access_token` in the query, `errcode` in
 * every answer), for connector tests: `gettoken`, the members with 客户联系,
 * customers by member (`batch/get_by_user`, cursor paging), one customer
 * (`externalcontact/get`), user ids by mobile or e-mail, 在职继承 and 离职继承
 * transfers of at most 100 customers that complete 24 hours later unless
 * the customer refuses, `transfer_result`, and the 90-day limit. Time is
 * the fake's own: `advance()` moves it.
 *
 * @example
 * ```ts
 * import { fakeWecom } from '@guard/testkit/fakes';
 * const corp = await fakeWecom();
 * corp.addMembers([{ userid: 'wangwei' }, { userid: 'lina' }]);
 * corp.addCustomers([{ externalUserId: 'wmA', name: '华东机电', followers: ['wangwei'] }]);
 * corp.followersOf('wmA'); // ['wangwei']
 * await corp.close();
 * ```
 */
export interface FakeWecom {
  readonly url: string;
  readonly corpId: string;
  readonly corpSecret: string;
  /** Every call answered so far, oldest first. */
  readonly calls: readonly FakeCall[];
  /** The fake's clock, Unix seconds. */
  readonly now: number;
  addMembers(members: readonly WecomMemberSeed[]): void;
  /** Marks a member as having left the company. */
  memberLeaves(userid: string): void;
  /** Adds external contacts and the members who follow them, added now. */
  addCustomers(
    customers: readonly {
      readonly externalUserId: string;
      readonly name: string;
      readonly followers: readonly string[];
    }[],
  ): void;
  /** Changes a customer as WeCom would see it: a new name (the customer's WeChat name), or a member who adds or drops them. */
  change(
    externalUserId: string,
    change: { readonly name?: string; readonly add?: string; readonly drop?: string },
  ): void;
  /** The members following a customer now, oldest relationship first. */
  followersOf(externalUserId: string): string[];
  /** The customer will refuse the transfers started from now on. */
  refuseTransfers(externalUserId: string): void;
  /** Every transfer started, oldest first, as it stands now. */
  readonly transfers: readonly WecomTransferRecord[];
  /** Moves the clock on; waiting transfers whose 24 hours are over complete. */
  advance(seconds: number): void;
  /** Sets a member's contact statistics for one day (`YYYY-MM-DD`, in China's time zone), as 联系客户统计 reports them. */
  setContactStats(userid: string, date: string, day: WecomDayStats): void;
  inject(fault: FakeWecomFault): void;
  close(): Promise<void>;
}

interface Relation {
  readonly userid: string;
  readonly createtime: number;
}

interface Transfer {
  readonly externalUserId: string;
  readonly handover: string;
  readonly takeover: string;
  readonly resigned: boolean;
  status: 1 | 2 | 3 | 4;
  takeoverTime: number;
  readonly startedAt: number;
}

const DAY = 86_400;

/**
 * Starts a {@link FakeWecom} on a free loopback port.
 *
 * @example
 * ```ts
 * import { fakeWecom } from '@guard/testkit/fakes';
 * const corp = await fakeWecom({ transfersPerCustomer: { count: 1, days: 90 } });
 * corp.inject({ kind: 'token-expired' });
 * await corp.close();
 * ```
 */
export async function fakeWecom(options: FakeWecomOptions = {}): Promise<FakeWecom> {
  const corpId = options.corpId ?? 'wwfakecorp0001';
  const corpSecret = options.corpSecret ?? 'guard-test-secret';
  const perCustomer = options.transfersPerCustomer ?? { count: 2, days: 90 };
  const customerLimit = options.customerLimit ?? 50_000;
  const faults = new FaultQueue<FakeWecomFault>();
  const calls: FakeCall[] = [];
  const members = new Map<string, WecomMemberSeed>();
  const customers = new Map<string, { name: string; relations: Relation[]; refuses: boolean }>();
  const transfers: Transfer[] = [];
  const tokens = new Set<string>();
  /** Contact statistics by member and day (Unix seconds of 00:00 UTC+8). */
  const stats = new Map<string, Map<number, WecomDayStats>>();
  let issued = 0;
  let now = Math.floor(Date.parse('2026-11-02T01:00:00.000Z') / 1000);

  const ok = (body: Record<string, unknown> = {}): FakeAnswer => ({
    status: 200,
    json: { errcode: 0, errmsg: 'ok', ...body },
  });
  const fail = (errcode: number, errmsg: string): FakeAnswer => ({ status: 200, json: { errcode, errmsg } });

  const customerCount = (userid: string) =>
    [...customers.values()].filter((c) => c.relations.some((r) => r.userid === userid)).length;

  /** Completes the waiting transfers whose takeover time has come. */
  const settle = () => {
    for (const t of transfers) {
      if (t.status !== 2 || t.takeoverTime > now) continue;
      const customer = customers.get(t.externalUserId);
      if (customer === undefined) continue;
      if (customerCount(t.takeover) >= customerLimit) {
        t.status = 4;
        continue;
      }
      customer.relations = customer.relations.filter((r) => r.userid !== t.handover && r.userid !== t.takeover);
      customer.relations.push({ userid: t.takeover, createtime: t.takeoverTime });
      t.status = 1;
    }
  };

  const transfer = (
    body: Record<string, unknown>,
    resigned: boolean,
    takeFailing: () => FakeWecomFault | undefined,
  ): FakeAnswer => {
    const handover = String(body.handover_userid ?? '');
    const takeover = String(body.takeover_userid ?? '');
    const ids = Array.isArray(body.external_userid) ? body.external_userid.map(String) : [];
    if (!members.has(handover) || !members.has(takeover)) return fail(60111, 'invalid userid');
    if (ids.length === 0 || ids.length > 100) return fail(40058, 'external_userid: 1 to 100 ids');
    if (handover === takeover) return fail(40130, 'handover and takeover are the same person');
    const left = members.get(handover)?.left === true;
    if (resigned && !left) return fail(40097, 'handover user has not left');
    if (members.get(takeover)?.left === true) return fail(60111, 'takeover user has left');
    // A customer-error fault applies to the call that gets as far as the customers.
    const failing = takeFailing();
    const errors = new Map<string, number>();
    if (failing?.kind === 'customer-error') for (const id of failing.ids) errors.set(id, failing.errcode);
    const result = ids.map((id) => {
      const customer = customers.get(id);
      const injected = errors.get(id);
      if (injected !== undefined) return { external_userid: id, errcode: injected };
      if (customer === undefined) return { external_userid: id, errcode: 40096 };
      if (transfers.some((t) => t.externalUserId === id && t.status === 2))
        return { external_userid: id, errcode: 40129 };
      if (!customer.relations.some((r) => r.userid === handover)) return { external_userid: id, errcode: 84061 };
      const recent = transfers.filter(
        (t) => t.externalUserId === id && t.status === 1 && !t.resigned && t.startedAt > now - perCustomer.days * DAY,
      );
      if (!resigned && recent.length >= perCustomer.count) return { external_userid: id, errcode: 40128 };
      transfers.push({
        externalUserId: id,
        handover,
        takeover,
        resigned,
        status: customer.refuses ? 3 : 2,
        takeoverTime: customer.refuses ? 0 : now + DAY,
        startedAt: now,
      });
      return { external_userid: id, errcode: 0 };
    });
    return ok({ customer: result });
  };

  const transferResult = (body: Record<string, unknown>, resigned: boolean): FakeAnswer => {
    const handover = String(body.handover_userid ?? '');
    const takeover = String(body.takeover_userid ?? '');
    const mine = transfers.filter((t) => t.handover === handover && t.takeover === takeover && t.resigned === resigned);
    const start = Number(body.cursor || 0);
    const page = mine.slice(start, start + 1000);
    const next = start + page.length;
    return ok({
      customer: page.map((t) => ({
        external_userid: t.externalUserId,
        status: t.status,
        takeover_time: t.takeoverTime,
      })),
      next_cursor: next < mine.length ? String(next) : '',
    });
  };

  const byUser = (body: Record<string, unknown>): FakeAnswer => {
    const users = Array.isArray(body.userid_list)
      ? body.userid_list.map(String)
      : typeof body.userid === 'string'
        ? [body.userid]
        : [];
    if (users.length === 0 || users.length > 100) return fail(40058, 'userid_list: 1 to 100 ids');
    const limit = body.limit === undefined ? 50 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(40058, 'limit: 1 to 100');
    const rows = [...customers.entries()]
      .flatMap(([id, c]) =>
        c.relations.filter((r) => users.includes(r.userid)).map((r) => ({ id, name: c.name, relation: r })),
      )
      .sort((a, b) => users.indexOf(a.relation.userid) - users.indexOf(b.relation.userid) || (a.id < b.id ? -1 : 1));
    const start = Number(body.cursor || 0);
    const page = rows.slice(start, start + limit);
    const next = start + page.length;
    return ok({
      external_contact_list: page.map((row) => ({
        external_contact: { external_userid: row.id, name: row.name, type: 1, avatar: '', gender: 0 },
        follow_info: {
          userid: row.relation.userid,
          remark: '',
          description: '',
          createtime: row.relation.createtime,
          tag_id: [],
          remark_mobiles: [],
          add_way: 1,
          oper_userid: row.relation.userid,
        },
      })),
      next_cursor: next < rows.length ? String(next) : '',
    });
  };

  const contact = (query: URLSearchParams): FakeAnswer => {
    const id = query.get('external_userid') ?? '';
    const customer = customers.get(id);
    if (customer === undefined) return fail(40096, 'invalid external userid');
    return ok({
      external_contact: { external_userid: id, name: customer.name, type: 1, avatar: '', gender: 0 },
      follow_user: customer.relations.map((r) => ({
        userid: r.userid,
        remark: '',
        createtime: r.createtime,
        tags: [],
      })),
    });
  };

  const userid = (path: string, body: Record<string, unknown>): FakeAnswer => {
    const byMobile = path.endsWith('/user/getuserid');
    const wanted = String((byMobile ? body.mobile : body.email) ?? '');
    const member = [...members.values()].find((m) =>
      byMobile ? m.mobile === wanted : m.email !== undefined && m.email.toLowerCase() === wanted.toLowerCase(),
    );
    return member === undefined || member.left === true ? fail(46004, 'user no exist') : ok({ userid: member.userid });
  };

  /** 联系客户统计: the sum over the members asked for, one entry per day of the closed range. */
  const behavior = (body: Record<string, unknown>): FakeAnswer => {
    const users = Array.isArray(body.userid) ? body.userid.map(String) : [];
    if (users.length === 0 && !Array.isArray(body.partyid)) return fail(40058, 'userid or partyid is required');
    if (users.length > 100) return fail(40058, 'userid: at most 100');
    const start = Number(body.start_time);
    const end = Number(body.end_time);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start)
      return fail(40058, 'invalid time range');
    const dayOf = (t: number) => Math.floor((t + 8 * 3600) / DAY) * DAY - 8 * 3600;
    const first = dayOf(start);
    const last = dayOf(end);
    if (last - first > 30 * DAY) return fail(40058, 'the range is at most 30 days');
    if (first < dayOf(now) - 180 * DAY) return fail(40058, 'the range reaches back at most 180 days');
    const days: Record<string, unknown>[] = [];
    for (let day = first; day <= last; day += DAY) {
      const rows = users.map((u) => stats.get(u)?.get(day)).filter((r): r is WecomDayStats => r !== undefined);
      const sum = (k: 'newApplyCount' | 'newContactCount' | 'chatCount' | 'messageCount' | 'negativeFeedbackCount') =>
        rows.reduce((n, r) => n + (r[k] ?? 0), 0);
      const replied = rows.filter((r) => r.replyPercentage !== undefined);
      days.push({
        stat_time: day,
        new_apply_cnt: sum('newApplyCount'),
        new_contact_cnt: sum('newContactCount'),
        chat_cnt: sum('chatCount'),
        message_cnt: sum('messageCount'),
        negative_feedback_cnt: sum('negativeFeedbackCount'),
        // Left out on days without chats the customer started.
        ...(replied.length === 0
          ? {}
          : {
              reply_percentage: replied.reduce((n, r) => n + (r.replyPercentage ?? 0), 0) / replied.length,
              avg_reply_time: Math.round(replied.reduce((n, r) => n + (r.avgReplyMinutes ?? 0), 0) / replied.length),
            }),
      });
    }
    return ok({ behavior_data: days });
  };

  const route = (request: FakeRequest): WecomRoute | null => {
    const p = request.url.pathname;
    if (request.method === 'GET' && p === '/cgi-bin/gettoken') return 'gettoken';
    if (request.method === 'GET' && p === '/cgi-bin/externalcontact/get_follow_user_list') return 'follow-users';
    if (request.method === 'POST' && p === '/cgi-bin/externalcontact/batch/get_by_user') return 'by-user';
    if (request.method === 'GET' && p === '/cgi-bin/externalcontact/get') return 'contact';
    if (request.method === 'POST' && (p === '/cgi-bin/user/getuserid' || p === '/cgi-bin/user/get_userid_by_email'))
      return 'userid';
    if (request.method === 'POST' && /^\/cgi-bin\/externalcontact\/(resigned\/)?transfer_customer$/.test(p))
      return 'transfer';
    if (request.method === 'POST' && /^\/cgi-bin\/externalcontact\/(resigned\/)?transfer_result$/.test(p))
      return 'transfer-result';
    if (request.method === 'POST' && p === '/cgi-bin/externalcontact/get_user_behavior_data') return 'behavior';
    return null;
  };

  const answer = (
    name: WecomRoute,
    request: FakeRequest,
    takeFailing: () => FakeWecomFault | undefined,
  ): FakeAnswer => {
    const query = request.url.searchParams;
    if (name === 'gettoken') {
      if (query.get('corpid') !== corpId) return fail(40013, 'invalid corpid');
      if (query.get('corpsecret') !== corpSecret) return fail(40001, 'invalid credential');
      const token = `fake-access-token-${++issued}`;
      tokens.add(token);
      return ok({ access_token: token, expires_in: 7200 });
    }
    const token = query.get('access_token');
    if (token === null || token === '') return fail(41001, 'access_token missing');
    if (!tokens.has(token)) return fail(40014, 'invalid access_token');
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') {
      try {
        body = JSON.parse(request.body) as Record<string, unknown>;
      } catch {
        return fail(47001, 'data format error');
      }
    }
    const path = request.url.pathname;
    switch (name) {
      case 'follow-users':
        return ok({ follow_user: [...members.values()].filter((m) => m.left !== true).map((m) => m.userid) });
      case 'by-user':
        return byUser(body);
      case 'contact':
        return contact(query);
      case 'userid':
        return userid(path, body);
      case 'transfer':
        return transfer(body, path.includes('/resigned/'), takeFailing);
      case 'behavior':
        return behavior(body);
      default:
        return transferResult(body, path.includes('/resigned/'));
    }
  };

  const handle = async (request: FakeRequest): Promise<FakeOutcome> => {
    const name = route(request);
    if (name === null) return { status: 404, text: 'not found' };
    const records = name === 'transfer' ? recordsIn(request.body, 'external_userid') : undefined;
    const fault =
      name === 'gettoken'
        ? faults.take(name, (f) => f.on === 'gettoken')
        : faults.take(name, (f) => f.kind !== 'customer-error');
    if (fault?.kind === 'token-expired') tokens.clear();
    const takeFailing = () => faults.take('transfer', (f) => f.kind === 'customer-error');
    return answerCall(
      fault,
      (status) => calls.push({ route: name, status, records }),
      () =>
        fault?.kind === 'token-expired'
          ? fail(42001, 'access_token expired')
          : fault?.kind === 'rate-limit'
            ? fail(45009, 'api freq out of limit')
            : fault?.kind === 'busy'
              ? fail(-1, 'system busy')
              : answer(name, request, takeFailing),
    );
  };

  const server = await startLoopback(handle);
  return {
    url: server.url,
    corpId,
    corpSecret,
    calls,
    get now() {
      return now;
    },
    addMembers(list) {
      for (const m of list) members.set(m.userid, { ...m });
    },
    memberLeaves(id) {
      const member = members.get(id);
      if (member === undefined) throw new Error(`fakeWecom: no member ${id}`);
      members.set(id, { ...member, left: true });
    },
    addCustomers(list) {
      now += 1;
      for (const c of list) {
        customers.set(c.externalUserId, {
          name: c.name,
          relations: c.followers.map((userid) => ({ userid, createtime: now })),
          refuses: false,
        });
      }
    },
    change(id, change) {
      const customer = customers.get(id);
      if (customer === undefined) throw new Error(`fakeWecom: no customer ${id}`);
      now += 1;
      if (change.name !== undefined) customer.name = change.name;
      if (change.drop !== undefined) customer.relations = customer.relations.filter((r) => r.userid !== change.drop);
      if (change.add !== undefined) {
        customer.relations = customer.relations.filter((r) => r.userid !== change.add);
        customer.relations.push({ userid: change.add, createtime: now });
      }
    },
    followersOf(id) {
      const customer = customers.get(id);
      if (customer === undefined) throw new Error(`fakeWecom: no customer ${id}`);
      return [...customer.relations].sort((a, b) => a.createtime - b.createtime).map((r) => r.userid);
    },
    refuseTransfers(id) {
      const customer = customers.get(id);
      if (customer === undefined) throw new Error(`fakeWecom: no customer ${id}`);
      customer.refuses = true;
    },
    get transfers() {
      return transfers.map(({ startedAt: _, ...t }) => ({ ...t }));
    },
    advance(seconds) {
      now += seconds;
      settle();
    },
    setContactStats(userid, date, day) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`fakeWecom: ${date} is not YYYY-MM-DD`);
      const at = Date.parse(`${date}T00:00:00+08:00`) / 1000;
      const days = stats.get(userid) ?? new Map<number, WecomDayStats>();
      days.set(at, { ...day });
      stats.set(userid, days);
    },
    inject: (fault) => faults.add(fault),
    close: () => server.close(),
  };
}
