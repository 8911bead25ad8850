import { randomUUID } from 'node:crypto';
import {
  answerCall,
  type FakeAnswer,
  type FakeCall,
  type FakeOutcome,
  type FakeRequest,
  FaultQueue,
  type LoopbackServer,
  recordsIn,
  startLoopback,
} from '../http.js';

/**
 * Options of {@link fakeHubSpot}.
 *
 * @example
 * ```ts
 * import type { FakeHubSpotOptions } from '@guard/testkit/fakes';
 * const options: FakeHubSpotOptions = { accessToken: 'pat-na1-test', dailyLimit: 500 };
 * ```
 */
export interface FakeHubSpotOptions {
  /** The private app's token the fake accepts first. Default `pat-na1-guard-test`. */
  readonly accessToken?: string;
  /** Calls a day before 429 with policy `DAILY`. Default 250,000. */
  readonly dailyLimit?: number;
}

/**
 * The fake HubSpot's routes, as its call log and faults name them.
 *
 * @example
 * ```ts
 * import type { HubSpotRoute } from '@guard/testkit/fakes';
 * const route: HubSpotRoute = 'batch-update'; // POST /crm/v3/objects/companies/batch/update
 * ```
 */
export type HubSpotRoute = 'search' | 'owners' | 'batch-read' | 'batch-update' | 'associations';

/**
 * A fault for the fake HubSpot to answer with, on the next `times` calls
 * (default 1) of route `on` (every route when absent):
 * - `expired-token`: the token in use stops working — 401
 *   `EXPIRED_AUTHENTICATION` — until `issueToken()` gives a new one;
 * - `secondly-limit` / `daily-limit`: 429 with HubSpot's exact bodies
 *   (policy `TEN_SECONDLY_ROLLING` / `DAILY`) and rate-limit headers;
 * - `unavailable`: 503;
 * - `slow`: the answer comes `delayMs` later;
 * - `drop`: the connection closes without an answer;
 * - `record-error`: in a batch update, the records `ids` fail (207) with
 *   `category` (default `OBJECT_NOT_FOUND`) and the others are saved.
 *
 * @example
 * ```ts
 * import type { FakeHubSpotFault } from '@guard/testkit/fakes';
 * const faults: FakeHubSpotFault[] = [
 *   { kind: 'secondly-limit', on: 'search', times: 2 },
 *   { kind: 'record-error', ids: ['512'] },
 * ];
 * ```
 */
export type FakeHubSpotFault =
  | {
      readonly kind: 'expired-token' | 'secondly-limit' | 'daily-limit' | 'unavailable' | 'drop';
      readonly on?: HubSpotRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'slow';
      readonly delayMs: number;
      readonly on?: HubSpotRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'record-error';
      readonly ids: readonly string[];
      readonly category?: string | undefined;
      readonly on?: 'batch-update' | undefined;
      readonly times?: number | undefined;
    };

/**
 * A CRM object type the fake HubSpot has.
 *
 * @example
 * ```ts
 * import type { HubSpotObjectType } from '@guard/testkit/fakes';
 * const type: HubSpotObjectType = 'companies';
 * ```
 */
export type HubSpotObjectType = 'companies' | 'deals';

/**
 * A HubSpot owner as the fake holds it.
 *
 * @example
 * ```ts
 * import type { HubSpotOwnerSeed } from '@guard/testkit/fakes';
 * const owner: HubSpotOwnerSeed = { id: '41629779', email: 'wang@acme.cn', firstName: '伟', lastName: '王' };
 * ```
 */
export interface HubSpotOwnerSeed {
  readonly id: string;
  readonly email: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  /** An archived owner is no longer listed and cannot own records. */
  readonly archived?: boolean | undefined;
}

/**
 * A HubSpot portal on a loopback port that speaks the CRM v3 API's wire
 * format, for connector tests: owners, company and deal search (filter
 * groups, one sort, `after` paging, the 10,000-result cap), batch reads and
 * batch updates of at most 100 with 207 partial results, deal-to-company
 * associations (v4), HubSpot's error bodies and rate-limit headers, and
 * {@link FakeHubSpotFault}s.
 *
 * @example
 * ```ts
 * import { fakeHubSpot } from '@guard/testkit/fakes';
 * const portal = await fakeHubSpot();
 * portal.addOwners([{ id: '41629779', email: 'wang@acme.cn' }]);
 * portal.insert('companies', [{ id: '512', properties: { name: '华东机电', hubspot_owner_id: '41629779' } }]);
 * const answer = await fetch(`${portal.url}/crm/v3/objects/companies/search`, {
 *   method: 'POST',
 *   headers: { authorization: `Bearer ${portal.accessToken}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ filterGroups: [], limit: 10 }),
 * }).then((r) => r.json());
 * answer.total; // 1
 * await portal.close();
 * ```
 */
export interface FakeHubSpot {
  readonly url: string;
  /** The token that works now. */
  readonly accessToken: string;
  /** Every call answered so far, oldest first. */
  readonly calls: readonly FakeCall[];
  addOwners(owners: readonly HubSpotOwnerSeed[]): void;
  /** Adds records at one moment; `id` is generated when absent. A deal's `companyId` is its primary company. Returns the ids. */
  insert(
    type: HubSpotObjectType,
    records: readonly {
      readonly id?: string;
      readonly properties: Readonly<Record<string, string | null>>;
      readonly companyId?: string;
    }[],
  ): string[];
  /** Changes a record's properties, as a user working in HubSpot would. */
  update(type: HubSpotObjectType, id: string, properties: Readonly<Record<string, string | null>>): void;
  /** A record's properties as HubSpot has them now; `undefined` when there is none. */
  get(type: HubSpotObjectType, id: string): Readonly<Record<string, string | null>> | undefined;
  /** Makes a new token, which works from now on (the OAuth refresh a token provider does). */
  issueToken(): string;
  inject(fault: FakeHubSpotFault): void;
  close(): Promise<void>;
}

interface StoredRecord {
  readonly id: string;
  readonly objectId: number;
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  companyId: string | null;
}

/** Properties HubSpot gives every object, besides those asked for. */
const DEFAULT_PROPERTIES = ['createdate', 'hs_lastmodifieddate', 'hs_object_id'];
const DATE_PROPERTIES = new Set(['createdate', 'hs_lastmodifieddate', 'closedate']);
const NUMBER_PROPERTIES = new Set(['hs_object_id', 'amount']);
const KNOWN: Readonly<Record<HubSpotObjectType, ReadonlySet<string>>> = {
  companies: new Set(['name', 'domain', 'phone', 'industry', 'hubspot_owner_id', ...DEFAULT_PROPERTIES]),
  deals: new Set([
    'dealname',
    'amount',
    'dealstage',
    'pipeline',
    'closedate',
    'deal_currency_code',
    'hubspot_owner_id',
    'hs_is_closed',
    'hs_is_closed_won',
    ...DEFAULT_PROPERTIES,
  ]),
};

class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
  ) {
    super(message);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Starts a {@link FakeHubSpot} on a free loopback port.
 *
 * @example
 * ```ts
 * import { fakeHubSpot } from '@guard/testkit/fakes';
 * const portal = await fakeHubSpot();
 * portal.inject({ kind: 'secondly-limit', on: 'search' });
 * await portal.close();
 * ```
 */
export async function fakeHubSpot(options: FakeHubSpotOptions = {}): Promise<FakeHubSpot> {
  const dailyLimit = options.dailyLimit ?? 250_000;
  const faults = new FaultQueue<FakeHubSpotFault>();
  const calls: FakeCall[] = [];
  const owners = new Map<string, HubSpotOwnerSeed>();
  const tables: Record<HubSpotObjectType, Map<string, StoredRecord>> = { companies: new Map(), deals: new Map() };
  let token = options.accessToken ?? 'pat-na1-guard-test';
  let tokens = 0;
  let objectIds = 0;
  let used = 0;
  let clock = Date.parse('2026-11-02T01:00:00.000Z');
  const tick = () => {
    clock += 1000;
    return clock;
  };

  /** Derived deal properties: closed and won from the stage. */
  const derive = (type: HubSpotObjectType, record: StoredRecord) => {
    const p = record.properties;
    p.hs_object_id = String(record.objectId);
    p.createdate = iso(record.createdAt);
    p.hs_lastmodifieddate = iso(record.updatedAt);
    if (type === 'deals') {
      p.hs_is_closed_won = String(p.dealstage === 'closedwon');
      p.hs_is_closed = String(p.dealstage === 'closedwon' || p.dealstage === 'closedlost');
    }
  };

  const checkProperties = (type: HubSpotObjectType, properties: Readonly<Record<string, unknown>>) => {
    for (const name of Object.keys(properties)) {
      if (!KNOWN[type].has(name)) throw new Error(`fakeHubSpot: ${type} has no property ${name}`);
    }
  };

  const publicRecord = (type: HubSpotObjectType, record: StoredRecord, asked: readonly string[]) => {
    const names = new Set([...DEFAULT_PROPERTIES, ...asked.filter((n) => KNOWN[type].has(n))]);
    return {
      id: record.id,
      properties: Object.fromEntries([...names].map((n) => [n, record.properties[n] ?? null])),
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
      archived: false,
    };
  };

  // ---- search --------------------------------------------------------------------

  type Filter = { propertyName?: unknown; operator?: unknown; value?: unknown; highValue?: unknown; values?: unknown };

  const comparable = (name: string, value: unknown): number | string | null => {
    if (value === null || value === undefined || value === '') return null;
    if (DATE_PROPERTIES.has(name)) {
      const text = String(value);
      const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
      return Number.isNaN(ms) ? null : ms;
    }
    if (NUMBER_PROPERTIES.has(name)) {
      const n = Number(value);
      return Number.isNaN(n) ? null : n;
    }
    return String(value).toLowerCase();
  };

  const matches = (type: HubSpotObjectType, record: StoredRecord, filter: Filter): boolean => {
    const name = String(filter.propertyName ?? '');
    if (!KNOWN[type].has(name)) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', `There was a problem with the request. Unknown property ${name}`);
    }
    const have = comparable(name, record.properties[name]);
    const want = comparable(name, filter.value);
    switch (filter.operator) {
      case 'HAS_PROPERTY':
        return have !== null;
      case 'NOT_HAS_PROPERTY':
        return have === null;
      case 'EQ':
        return have !== null && have === want;
      case 'NEQ':
        return have !== want;
      case 'LT':
        return have !== null && want !== null && have < want;
      case 'LTE':
        return have !== null && want !== null && have <= want;
      case 'GT':
        return have !== null && want !== null && have > want;
      case 'GTE':
        return have !== null && want !== null && have >= want;
      case 'BETWEEN': {
        const high = comparable(name, filter.highValue);
        return have !== null && want !== null && high !== null && have >= want && have <= high;
      }
      case 'IN':
      case 'NOT_IN': {
        const values = Array.isArray(filter.values) ? filter.values.map((v) => comparable(name, v)) : [];
        return values.includes(have) === (filter.operator === 'IN');
      }
      default:
        throw new HubSpotError(400, 'VALIDATION_ERROR', `Invalid filter operator ${String(filter.operator)}`);
    }
  };

  const search = (type: HubSpotObjectType, body: Record<string, unknown>) => {
    const groups = Array.isArray(body.filterGroups) ? (body.filterGroups as { filters?: Filter[] }[]) : [];
    const filterCount = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (groups.length > 5 || groups.some((g) => (g.filters?.length ?? 0) > 10) || filterCount > 25) {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        'Too many filters: at most 5 groups, 10 filters a group, 25 in all',
      );
    }
    const sorts = Array.isArray(body.sorts) ? (body.sorts as unknown[]) : [];
    if (sorts.length > 1) throw new HubSpotError(400, 'VALIDATION_ERROR', 'Only one sort is allowed');
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'limit must be between 1 and 200');
    }
    const after = body.after === undefined || body.after === null ? 0 : Number(body.after);
    if (!Number.isInteger(after) || after < 0)
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'after must be an offset');
    if (after + limit > 10_000) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'Search results are limited to 10,000: narrow the filters');
    }
    let rows = [...tables[type].values()].filter(
      (record) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matches(type, record, f))),
    );
    const sort = sorts[0] as { propertyName?: unknown; direction?: unknown } | string | undefined;
    const sortName = typeof sort === 'string' ? sort.replace(/^-/, '') : String(sort?.propertyName ?? 'hs_object_id');
    const descending = typeof sort === 'string' ? sort.startsWith('-') : sort?.direction === 'DESCENDING';
    // Ties keep the order of objects that changed together in HubSpot: none a client may rely on.
    rows = rows
      .map((record, arrival) => ({ record, arrival }))
      .sort((a, b) => {
        const x = comparable(sortName, a.record.properties[sortName]);
        const y = comparable(sortName, b.record.properties[sortName]);
        if (x === y) return (b.arrival - a.arrival) * (sortName === 'hs_object_id' ? 0 : 1);
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (descending ? -1 : 1);
      })
      .map((r) => r.record);
    const asked = Array.isArray(body.properties) ? (body.properties as string[]) : [];
    const page = rows.slice(after, after + limit);
    const next = after + page.length;
    return {
      total: rows.length,
      results: page.map((r) => publicRecord(type, r, asked)),
      ...(next < rows.length ? { paging: { next: { after: String(next) } } } : {}),
    };
  };

  // ---- batch ---------------------------------------------------------------------

  const inputsOf = (body: Record<string, unknown>) => {
    const inputs = body.inputs;
    if (!Array.isArray(inputs)) throw new HubSpotError(400, 'VALIDATION_ERROR', 'inputs: an array is required');
    if (inputs.length > 100) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', `Batch input is limited to 100 items, got ${inputs.length}`);
    }
    return inputs as { id?: unknown; properties?: unknown }[];
  };

  const batchAnswer = (results: unknown[], errors: { category: string; message: string; ids: string[] }[]) => {
    const now = iso(Date.now());
    const base = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
    if (errors.length === 0) return { status: 200, json: base };
    return {
      status: 207,
      json: {
        ...base,
        numErrors: errors.length,
        errors: errors.map((e) => ({
          status: 'error',
          category: e.category,
          message: e.message,
          context: { ids: e.ids },
          errors: [],
          links: {},
        })),
      },
    };
  };

  const batchRead = (type: HubSpotObjectType, body: Record<string, unknown>) => {
    const inputs = inputsOf(body);
    const asked = Array.isArray(body.properties) ? (body.properties as string[]) : [];
    const found: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const record = tables[type].get(String(input.id));
      if (record) found.push(publicRecord(type, record, asked));
      else missing.push(String(input.id));
    }
    const label = type === 'companies' ? 'COMPANY' : 'DEAL';
    return batchAnswer(
      found,
      missing.length === 0
        ? []
        : [
            {
              category: 'OBJECT_NOT_FOUND',
              message: `Could not get some ${label} objects, they may be deleted or not exist. Check that ids are valid.`,
              ids: missing,
            },
          ],
    );
  };

  const batchUpdate = (
    type: HubSpotObjectType,
    body: Record<string, unknown>,
    failing: FakeHubSpotFault | undefined,
  ) => {
    const inputs = inputsOf(body);
    // HubSpot checks every value before it saves any: one invalid owner fails the whole batch.
    for (const input of inputs) {
      const owner = (input.properties as Record<string, unknown> | undefined)?.hubspot_owner_id;
      if (owner !== undefined && owner !== null && owner !== '') {
        const known = owners.get(String(owner));
        if (known === undefined || known.archived === true) {
          throw new HubSpotError(
            400,
            'VALIDATION_ERROR',
            `Property values were not valid: [{"isValid":false,"message":"${String(owner)} is not a valid owner id","error":"INVALID_OWNER_ID","name":"hubspot_owner_id"}]`,
          );
        }
      }
      for (const name of Object.keys((input.properties as object | undefined) ?? {})) {
        if (!KNOWN[type].has(name) || DEFAULT_PROPERTIES.includes(name)) {
          throw new HubSpotError(400, 'VALIDATION_ERROR', `Property "${name}" does not exist or cannot be set`);
        }
      }
    }
    const at = tick();
    const results: unknown[] = [];
    const errors: { category: string; message: string; ids: string[] }[] = [];
    const failingIds = new Set(failing?.kind === 'record-error' ? failing.ids : []);
    for (const input of inputs) {
      const id = String(input.id);
      const record = tables[type].get(id);
      if (record === undefined || failingIds.has(id)) {
        const category =
          record === undefined
            ? 'OBJECT_NOT_FOUND'
            : (failing?.kind === 'record-error' && failing.category) || 'OBJECT_NOT_FOUND';
        errors.push({ category, message: `Could not update ${type} ${id}`, ids: [id] });
        continue;
      }
      for (const [name, value] of Object.entries((input.properties as Record<string, unknown>) ?? {})) {
        record.properties[name] = value === null || value === '' ? null : String(value);
      }
      record.updatedAt = at;
      derive(type, record);
      results.push(publicRecord(type, record, Object.keys((input.properties as object) ?? {})));
    }
    return batchAnswer(results, errors);
  };

  const associations = (body: Record<string, unknown>) => {
    const inputs = inputsOf(body);
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const deal = tables.deals.get(String(input.id));
      if (deal?.companyId == null) {
        missing.push(String(input.id));
        continue;
      }
      const companyId = deal.companyId;
      results.push({
        from: { id: deal.id },
        to: [
          {
            // A number on the wire; ids that are not numbers (a test's own) stay strings.
            toObjectId: /^\d+$/.test(companyId) ? Number(companyId) : companyId,
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
              { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
            ],
          },
        ],
      });
    }
    return batchAnswer(
      results,
      missing.length === 0 ? [] : [{ category: 'OBJECT_NOT_FOUND', message: 'No associations found', ids: missing }],
    );
  };

  // ---- routing -------------------------------------------------------------------

  const route = (request: FakeRequest): { name: HubSpotRoute; type: HubSpotObjectType } | null => {
    const path = request.url.pathname;
    const object = /^\/crm\/v3\/objects\/(companies|deals)\/(search|batch\/read|batch\/update)$/.exec(path);
    if (request.method === 'POST' && object) {
      const name = object[2] === 'search' ? 'search' : object[2] === 'batch/read' ? 'batch-read' : 'batch-update';
      return { name, type: object[1] as HubSpotObjectType };
    }
    if (request.method === 'GET' && /^\/crm\/v3\/owners\/?$/.test(path)) return { name: 'owners', type: 'companies' };
    if (request.method === 'POST' && path === '/crm/v4/associations/deals/companies/batch/read') {
      return { name: 'associations', type: 'deals' };
    }
    return null;
  };

  const rateHeaders = () => ({
    'x-hubspot-ratelimit-daily': String(dailyLimit),
    'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, dailyLimit - used)),
    'x-hubspot-ratelimit-secondly': '10',
    'x-hubspot-ratelimit-secondly-remaining': '9',
  });

  const errorBody = (status: number, category: string, message: string): FakeAnswer => ({
    status,
    json: { status: 'error', message, correlationId: randomUUID(), category },
    headers: rateHeaders(),
  });

  const limited = (policyName: 'TEN_SECONDLY_ROLLING' | 'DAILY'): FakeAnswer => ({
    status: 429,
    json: {
      status: 'error',
      message: policyName === 'DAILY' ? 'You have reached your daily limit.' : 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      correlationId: randomUUID(),
      policyName,
    },
    headers: rateHeaders(),
  });

  const owned = (query: URLSearchParams) => {
    const email = query.get('email')?.toLowerCase();
    const limit = Math.min(500, Number(query.get('limit') ?? 100));
    const after = Number(query.get('after') ?? 0);
    const archived = query.get('archived') === 'true';
    const all = [...owners.values()].filter(
      (o) => (o.archived === true) === archived && (email === undefined || o.email.toLowerCase() === email),
    );
    const page = all.slice(after, after + limit);
    return {
      results: page.map((o, i) => ({
        id: o.id,
        email: o.email,
        type: 'PERSON',
        firstName: o.firstName ?? '',
        lastName: o.lastName ?? '',
        userId: 9_000_000 + after + i,
        userIdIncludingInactive: 9_000_000 + after + i,
        createdAt: iso(clock),
        updatedAt: iso(clock),
        archived: o.archived === true,
        teams: [],
      })),
      ...(after + page.length < all.length ? { paging: { next: { after: String(after + page.length) } } } : {}),
    };
  };

  const answer = (
    name: HubSpotRoute,
    type: HubSpotObjectType,
    request: FakeRequest,
    failing: FakeHubSpotFault | undefined,
  ): FakeAnswer => {
    used += 1;
    if (used > dailyLimit) return limited('DAILY');
    const bearer = /^Bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    if (bearer === undefined) {
      return errorBody(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    }
    if (bearer !== token) {
      return errorBody(
        401,
        'EXPIRED_AUTHENTICATION',
        'The OAuth token used to make this call expired or is not valid.',
      );
    }
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') {
      try {
        body = JSON.parse(request.body) as Record<string, unknown>;
      } catch {
        return errorBody(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
      }
    }
    try {
      const json =
        name === 'owners'
          ? { status: 200, json: owned(request.url.searchParams) }
          : name === 'search'
            ? { status: 200, json: search(type, body) }
            : name === 'batch-read'
              ? batchRead(type, body)
              : name === 'batch-update'
                ? batchUpdate(type, body, failing)
                : associations(body);
      return { ...json, headers: rateHeaders() };
    } catch (error) {
      if (error instanceof HubSpotError) return errorBody(error.status, error.category, error.message);
      throw error;
    }
  };

  const handle = async (request: FakeRequest): Promise<FakeOutcome> => {
    const found = route(request);
    if (found === null) return errorBody(404, 'OBJECT_NOT_FOUND', 'Resource not found');
    const { name, type } = found;
    const records = name === 'batch-update' ? recordsIn(request.body, 'inputs') : undefined;
    const fault = faults.take(name, (f) => f.kind !== 'record-error');
    if (fault?.kind === 'expired-token') token = `${token}-expired`;
    return answerCall(
      fault,
      (status) => calls.push({ route: name, status, records }),
      () =>
        fault?.kind === 'secondly-limit'
          ? limited('TEN_SECONDLY_ROLLING')
          : fault?.kind === 'daily-limit'
            ? limited('DAILY')
            : fault?.kind === 'unavailable'
              ? errorBody(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable')
              : answer(
                  name,
                  type,
                  request,
                  name === 'batch-update' ? faults.take(name, (f) => f.kind === 'record-error') : undefined,
                ),
    );
  };

  const server: LoopbackServer = await startLoopback(handle);
  return {
    url: server.url,
    get accessToken() {
      return token;
    },
    calls,
    addOwners(list) {
      for (const owner of list) owners.set(owner.id, { ...owner });
    },
    insert(type, records) {
      const at = tick();
      return records.map((input) => {
        checkProperties(type, input.properties);
        const objectId = ++objectIds;
        const id = input.id ?? String(objectId + 10_000);
        const record: StoredRecord = {
          id,
          objectId,
          properties: { ...input.properties },
          createdAt: at,
          updatedAt: at,
          companyId: input.companyId ?? null,
        };
        derive(type, record);
        tables[type].set(id, record);
        return id;
      });
    },
    update(type, id, properties) {
      const record = tables[type].get(id);
      if (record === undefined) throw new Error(`fakeHubSpot: no ${type} ${id}`);
      checkProperties(type, properties);
      Object.assign(record.properties, properties);
      record.updatedAt = tick();
      derive(type, record);
    },
    get(type, id) {
      const record = tables[type].get(id);
      return record === undefined ? undefined : { ...record.properties };
    },
    issueToken() {
      token = `pat-na1-guard-test-${++tokens}`;
      return token;
    },
    inject: (fault) => faults.add(fault),
    close: () => server.close(),
  };
}
