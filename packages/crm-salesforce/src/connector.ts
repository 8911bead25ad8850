import {
  type CrmActivity,
  type CrmCapabilities,
  type CrmConnector,
  type CrmCustomer,
  type CrmListRequest,
  type CrmMethod,
  type CrmMoveResult,
  type CrmOrder,
  type CrmPage,
  connectorBackoffMs,
  foreignCursorError,
  parseCrmListRequest,
  parseCrmTransferRequest,
} from '@guard/core';
import { parseOptions, type SalesforceConnectorOptions } from './options.js';
import { SalesforceSession } from './session.js';
import { parseSalesforceDatetime, soqlDatetime, soqlString } from './soql.js';

type SfRecord = Readonly<Record<string, unknown>>;

interface QueryAnswer {
  readonly done: boolean;
  readonly nextRecordsUrl?: string;
  readonly records: readonly SfRecord[];
}

/** sObject Collections take at most 200 records a call. */
const MAX_BATCH = 200;
/** A query batch holds at most 2,000 records. */
const MAX_PAGE = 2000;
/** Ids in one `IN (…)` list: keeps the query's URL well under Salesforce's 16,384 characters. */
const IN_CHUNK = 200;

const CURSOR = /^sf1\|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)?\|([A-Za-z0-9_-]{0,64})$/;

/** A listing's place: the last record's `SystemModstamp` and `Id` (a keyset); `null` at the beginning. */
type Place = { readonly stamp: number; readonly id: string } | null;

const encodeCursor = (place: Place) =>
  place === null ? 'sf1||' : `sf1|${new Date(place.stamp).toISOString()}|${place.id}`;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const iso = (value: unknown): string | null => {
  const ms = parseSalesforceDatetime(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

/** How one listing reads one sObject type. */
interface Listing<T> {
  readonly operation: CrmMethod;
  readonly type: 'Account' | 'Opportunity' | 'Task';
  readonly fields: readonly string[];
  /** A condition every listed record meets, besides the keyset. */
  readonly only?: string;
  readonly map: (record: SfRecord) => T;
}

/**
 * A Guard `CrmConnector` for Salesforce, on jsforce 3 (a peer dependency):
 * - `listCustomers`, `listOrders` and `listActivities` read Accounts,
 *   Opportunities and Tasks with SOQL, oldest change first, by
 *   `(SystemModstamp, Id)`; the cursor is the last record's pair, so a
 *   sync resumes exactly where it stopped.
 * - `mapUsers` matches active users by e-mail (in any case), then by
 *   mobile number.
 * - `transferOwnership` reads the accounts' owners now, moves those still
 *   owned by `fromUserId` with one sObject Collections update (at most 200,
 *   records saved alone), answers `done` for accounts already with the new
 *   owner — so a batch sent again moves nothing twice — and retries records
 *   Salesforce could not lock (`UNABLE_TO_LOCK_ROW`).
 *
 * Sessions come from the OAuth 2.0 client-credentials or JWT bearer flow
 * and are renewed when Salesforce says they expired. Calls that fail for a
 * reason waiting can fix (`REQUEST_LIMIT_EXCEEDED`, 5xx, timeouts, network
 * errors) are retried with backoff; what still fails is a `ConnectorError`
 * saying what to do. Accounts owned by `poolOwnerId` are unowned to Guard.
 *
 * @throws ValidationError (`what: 'connector options'`) naming each bad option.
 *
 * @example
 * ```ts
 * import { salesforceConnector } from '@guard/crm-salesforce';
 * const salesforce = salesforceConnector({
 *   loginUrl: 'https://acme.my.salesforce.com',
 *   auth: { flow: 'client-credentials', clientId: process.env.SF_CLIENT_ID ?? '', clientSecret: process.env.SF_CLIENT_SECRET ?? '' },
 *   poolOwnerId: '005xx000001SvXfAAK',
 * });
 * const page = await salesforce.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 200 });
 * page?.items[0]; // { externalId: '001…', name: '华东机电', ownerUserId: '005…', updatedAt: '2026-…Z' }
 * ```
 */
export function salesforceConnector(options: SalesforceConnectorOptions): CrmConnector {
  const parsed = parseOptions(options);
  const session = new SalesforceSession(parsed);
  const name = session.name;
  const pool = parsed.poolOwnerId;
  const currency = parsed.currency ?? 'CNY';
  const capabilities: CrmCapabilities = {
    customers: true,
    orders: true,
    activities: true,
    users: true,
    transfer: { maxBatch: MAX_BATCH, completesLater: false },
    maxPageSize: MAX_PAGE,
  };
  const localeOption = parsed.locale === undefined ? {} : { locale: parsed.locale };

  /** An owner as Guard sees it: the pool user owns nothing. */
  const owner = (value: unknown): string | null => (typeof value === 'string' && value !== pool ? value : null);

  /** Runs a query and follows `nextRecordsUrl` until `done`. */
  const query = async (soql: string, signal: AbortSignal | undefined): Promise<SfRecord[]> => {
    const records: SfRecord[] = [];
    let answer = (await session.request(
      'GET',
      `/query?q=${encodeURIComponent(soql)}`,
      undefined,
      signal,
    )) as QueryAnswer;
    records.push(...answer.records);
    while (!answer.done && answer.nextRecordsUrl !== undefined) {
      answer = (await session.request('GET', answer.nextRecordsUrl, undefined, signal)) as QueryAnswer;
      records.push(...answer.records);
    }
    return records;
  };

  const decodeCursor = (cursor: string | null, operation: CrmMethod): Place => {
    if (cursor === null) return null;
    const match = CURSOR.exec(cursor);
    if (match === null || (match[1] === undefined) !== (match[2] === '')) {
      throw foreignCursorError(name, operation, cursor, localeOption);
    }
    return match[1] === undefined ? null : { stamp: Date.parse(match[1]), id: match[2] as string };
  };

  const list = async <T>(listing: Listing<T>, input: CrmListRequest): Promise<CrmPage<T>> => {
    const request = parseCrmListRequest(input, capabilities, localeOption);
    const place = decodeCursor(request.cursor, listing.operation);
    const conditions: string[] = [];
    if (listing.only !== undefined) conditions.push(listing.only);
    if (place !== null) {
      const at = soqlDatetime(place.stamp);
      conditions.push(`(SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlString(place.id)}))`);
    }
    const soql = [
      `SELECT ${[...listing.fields, 'SystemModstamp'].join(', ')} FROM ${listing.type}`,
      conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`,
      `ORDER BY SystemModstamp ASC, Id ASC LIMIT ${request.limit + 1}`,
    ]
      .filter((part) => part !== '')
      .join(' ');
    const records = await session.run(listing.operation, request.signal, () => query(soql, request.signal));
    const items = records.slice(0, request.limit);
    const last = items.at(-1);
    const next: Place =
      last === undefined ? place : { stamp: parseSalesforceDatetime(last.SystemModstamp), id: String(last.Id) };
    return { items: items.map(listing.map), cursor: encodeCursor(next), caughtUp: records.length <= request.limit };
  };

  const customers: Listing<CrmCustomer> = {
    operation: 'listCustomers',
    type: 'Account',
    fields: ['Id', 'Name', 'OwnerId'],
    map: (r) => ({
      externalId: String(r.Id),
      name: String(r.Name ?? ''),
      ownerUserId: owner(r.OwnerId),
      updatedAt: iso(r.SystemModstamp) ?? new Date(0).toISOString(),
    }),
  };

  const orders: Listing<CrmOrder> = {
    operation: 'listOrders',
    type: 'Opportunity',
    fields: ['Id', 'AccountId', 'OwnerId', 'Amount', 'IsWon', 'IsClosed', 'LastStageChangeDate', 'CreatedDate'],
    // An opportunity without an account is no customer's order.
    only: 'AccountId != null',
    map: (r) => ({
      externalId: String(r.Id),
      customerExternalId: String(r.AccountId),
      ownerUserId: owner(r.OwnerId),
      amount: typeof r.Amount === 'number' ? r.Amount : 0,
      currency,
      status: r.IsWon === true ? 'won' : r.IsClosed === true ? 'lost' : 'open',
      at: iso(r.LastStageChangeDate) ?? iso(r.CreatedDate) ?? new Date(0).toISOString(),
    }),
  };

  const activities: Listing<CrmActivity> = {
    operation: 'listActivities',
    type: 'Task',
    fields: ['Id', 'AccountId', 'OwnerId', 'TaskSubtype', 'Type', 'CompletedDateTime', 'CreatedDate'],
    map: (r) => ({
      externalId: String(r.Id),
      customerExternalId: typeof r.AccountId === 'string' ? r.AccountId : null,
      ownerUserId: owner(r.OwnerId),
      kind: activityKind(r.TaskSubtype, r.Type),
      at: iso(r.CompletedDateTime) ?? iso(r.CreatedDate) ?? new Date(0).toISOString(),
    }),
  };

  return {
    name,
    capabilities,
    listCustomers: (request) => list(customers, request),
    listOrders: (request) => list(orders, request),
    listActivities: (request) => list(activities, request),

    async mapUsers(_tenantId, employees) {
      const found = new Map<string, string | null>(employees.map((e) => [e.employeeId, null]));
      const emails = [...new Set(employees.flatMap((e) => (e.email ? [e.email.toLowerCase()] : [])))];
      const byEmail = new Map<string, string>();
      const byMobile = new Map<string, string>();
      const users = (field: 'Email' | 'MobilePhone', values: string[]) =>
        session.run('mapUsers', undefined, async () => {
          const rows: SfRecord[] = [];
          for (const chunk of chunks(values, IN_CHUNK)) {
            const soql = `SELECT Id, Email, MobilePhone FROM User WHERE IsActive = true AND ${field} IN (${chunk.map(soqlString).join(', ')}) ORDER BY Id`;
            rows.push(...(await query(soql, undefined)));
          }
          return rows;
        });
      for (const row of await users('Email', emails)) {
        const email = String(row.Email ?? '').toLowerCase();
        if (!byEmail.has(email) && row.Id !== pool) byEmail.set(email, String(row.Id));
      }
      const unmatched = employees.filter((e) => !(e.email && byEmail.has(e.email.toLowerCase())) && e.mobile);
      const mobiles = [...new Set(unmatched.map((e) => e.mobile as string))];
      if (mobiles.length > 0) {
        for (const row of await users('MobilePhone', mobiles)) {
          const mobile = String(row.MobilePhone ?? '');
          if (!byMobile.has(mobile) && row.Id !== pool) byMobile.set(mobile, String(row.Id));
        }
      }
      for (const e of employees) {
        const user = (e.email && byEmail.get(e.email.toLowerCase())) || (e.mobile && byMobile.get(e.mobile)) || null;
        found.set(e.employeeId, user);
      }
      return found;
    },

    async transferOwnership(input) {
      const request = parseCrmTransferRequest(input, { name, maxBatch: MAX_BATCH }, localeOption);
      const moves = request.moves;
      if (moves.length === 0) return [];
      const retry = parsed.retry;
      return session.run('transferOwnership', request.signal, async () => {
        const ids = [...new Set(moves.map((m) => m.customerExternalId))];
        const owners = new Map<string, string>();
        const soql = `SELECT Id, OwnerId FROM Account WHERE Id IN (${ids.map(soqlString).join(', ')})`;
        for (const row of await query(soql, request.signal)) owners.set(String(row.Id), String(row.OwnerId));

        const results: CrmMoveResult[] = [];
        let toSave: number[] = [];
        moves.forEach((move, i) => {
          const current = owners.get(move.customerExternalId);
          const id = move.customerExternalId;
          if (current === undefined) {
            results[i] = {
              customerExternalId: id,
              status: 'failed',
              code: 'NOT_FOUND',
              message: 'no such account in Salesforce',
              retryable: false,
            };
          } else if (current === (move.toUserId ?? pool)) {
            results[i] = { customerExternalId: id, status: 'done' };
          } else if (owner(current) !== move.fromUserId) {
            results[i] = {
              customerExternalId: id,
              status: 'failed',
              code: 'OWNER_CHANGED',
              message: `owned by ${owner(current) ?? 'the pool'} in Salesforce, not ${move.fromUserId ?? 'the pool'}`,
              retryable: false,
            };
          } else {
            toSave.push(i);
          }
        });

        // Records Salesforce could not lock are sent again, alone, with the same backoff as calls.
        const tries = retry?.attempts ?? 4;
        for (let attempt = 1; toSave.length > 0; attempt++) {
          const body = {
            allOrNone: false,
            records: toSave.map((i) => {
              const move = moves[i] as (typeof moves)[number];
              return { attributes: { type: 'Account' }, id: move.customerExternalId, OwnerId: move.toUserId ?? pool };
            }),
          };
          const saved = (await session.request('PATCH', '/composite/sobjects', body, request.signal)) as readonly {
            success: boolean;
            errors?: readonly { statusCode?: string; errorCode?: string; message?: string }[];
          }[];
          const locked: number[] = [];
          toSave.forEach((i, n) => {
            const id = (moves[i] as (typeof moves)[number]).customerExternalId;
            const result = saved[n];
            if (result?.success === true) {
              results[i] = { customerExternalId: id, status: 'done' };
              return;
            }
            const error = result?.errors?.[0];
            const code = error?.statusCode ?? error?.errorCode ?? 'UNKNOWN_ERROR';
            const retryable = code === 'UNABLE_TO_LOCK_ROW';
            if (retryable && attempt < tries) locked.push(i);
            results[i] = {
              customerExternalId: id,
              status: 'failed',
              code,
              message: error?.message ?? 'not saved',
              retryable,
            };
          });
          toSave = locked;
          if (locked.length > 0) {
            await new Promise((resolve) => setTimeout(resolve, connectorBackoffMs(retry, attempt)));
          }
        }
        return results;
      });
    },
  };
}

/** A task's kind from its subtype (`Call`, `Email`, `ListEmail`, `Task`) or, failing that, its `Type` picklist. */
function activityKind(subtype: unknown, type: unknown): CrmActivity['kind'] {
  const value = String(subtype ?? '') === 'Task' || subtype == null ? String(type ?? '') : String(subtype);
  if (value === 'Call') return 'call';
  if (value === 'Email' || value === 'ListEmail') return 'email';
  if (value === 'Meeting') return 'meeting';
  return 'task';
}
