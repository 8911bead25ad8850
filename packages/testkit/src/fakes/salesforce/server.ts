import { createPublicKey, type KeyObject, verify } from 'node:crypto';
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
import { type FieldSpec, fieldOf, ID_PREFIX, isObjectType, type SalesforceObjectType, SCHEMA } from './schema.js';
import { parseSoql, type SoqlCondition, SoqlSyntaxError, type SoqlValue } from './soql.js';

/**
 * Options of {@link fakeSalesforce}.
 *
 * @example
 * ```ts
 * import type { FakeSalesforceOptions } from '@guard/testkit/fakes';
 * const options: FakeSalesforceOptions = { batchSize: 5, dailyApiLimit: 100 };
 * ```
 */
export interface FakeSalesforceOptions {
  /** The connected app's consumer key. Default `guard-test-client`. */
  readonly clientId?: string;
  /** The connected app's consumer secret, for the client-credentials flow. Default `guard-test-secret`. */
  readonly clientSecret?: string;
  /** The certificate's public key (PEM): enables the JWT bearer flow, whose assertions it must verify. */
  readonly jwtPublicKey?: string | KeyObject;
  /** Records per query batch; Salesforce's is 2,000 (and at least 200 with `Sforce-Query-Options`). Default 2,000. */
  readonly batchSize?: number;
  /** API calls a day before `REQUEST_LIMIT_EXCEEDED`, reported in `Sforce-Limit-Info`. Default 15,000. */
  readonly dailyApiLimit?: number;
}

/**
 * A fault for the fake Salesforce to answer with, on the next `times`
 * calls (default 1) of route `on` (`token`, `query`, `query-more`,
 * `update`; every route when absent):
 * - `session-expired`: every token issued so far stops working, and the
 *   call answers 401 `INVALID_SESSION_ID`;
 * - `request-limit`: 403 `REQUEST_LIMIT_EXCEEDED`;
 * - `unavailable`: 503 `SERVER_UNAVAILABLE`;
 * - `slow`: the answer comes `delayMs` later;
 * - `drop`: the connection closes without an answer;
 * - `lock-row`: in an sObject Collections update, the records `ids` fail
 *   with `UNABLE_TO_LOCK_ROW` and the others are saved.
 *
 * @example
 * ```ts
 * import type { FakeSalesforceFault } from '@guard/testkit/fakes';
 * const faults: FakeSalesforceFault[] = [
 *   { kind: 'session-expired', on: 'query' },
 *   { kind: 'lock-row', ids: ['001xx01'], times: 2 },
 * ];
 * ```
 */
export type FakeSalesforceFault =
  | {
      readonly kind: 'session-expired' | 'request-limit' | 'unavailable' | 'drop';
      readonly on?: SalesforceRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'slow';
      readonly delayMs: number;
      readonly on?: SalesforceRoute | undefined;
      readonly times?: number | undefined;
    }
  | {
      readonly kind: 'lock-row';
      readonly ids: readonly string[];
      readonly on?: 'update';
      readonly times?: number | undefined;
    };

/**
 * The fake Salesforce's routes, as its call log and faults name them.
 *
 * @example
 * ```ts
 * import type { SalesforceRoute } from '@guard/testkit/fakes';
 * const route: SalesforceRoute = 'update'; // PATCH /services/data/vXX.X/composite/sobjects
 * ```
 */
export type SalesforceRoute = 'token' | 'query' | 'query-more' | 'update';

/**
 * A field's value as a test writes and reads it in the fake Salesforce:
 * datetimes as ISO 8601 strings, dates as `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * import type { SalesforceFieldValue } from '@guard/testkit/fakes';
 * const account: Record<string, SalesforceFieldValue> = { Name: '华东机电', OwnerId: '005A', CreatedDate: '2026-11-02T01:00:00.000Z' };
 * ```
 */
export type SalesforceFieldValue = string | number | boolean | null;

/**
 * A Salesforce org on a loopback port that speaks the REST API's wire
 * format (v42.0 and later), for connector tests: the OAuth 2.0 token
 * endpoint (client credentials, and JWT bearer when given a public key),
 * SOQL queries with `nextRecordsUrl` paging, and sObject Collections
 * updates of at most 200 records with per-record `statusCode` errors.
 * Request-level errors are arrays of `{ message, errorCode }`, every data
 * answer carries `Sforce-Limit-Info`, and {@link FakeSalesforceFault}s
 * inject expired sessions, limits, outages, slow answers and locked rows.
 *
 * @example
 * ```ts
 * import { fakeSalesforce } from '@guard/testkit/fakes';
 * const org = await fakeSalesforce({ batchSize: 2 });
 * org.insert('User', [{ Id: '005A', Username: 'wang@acme.cn', Email: 'wang@acme.cn', IsActive: true }]);
 * org.insert('Account', [{ Id: '001A', Name: '华东机电', OwnerId: '005A' }]);
 * const token = await fetch(`${org.url}/services/oauth2/token`, {
 *   method: 'POST',
 *   body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'guard-test-client', client_secret: 'guard-test-secret' }),
 * }).then((r) => r.json());
 * token.instance_url === org.url; // true
 * await org.close();
 * ```
 */
export interface FakeSalesforce {
  /** Both the login and the instance URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every call answered so far, oldest first. */
  readonly calls: readonly FakeCall[];
  /** Data API calls counted against the daily limit. */
  readonly apiUsage: number;
  /** Adds records as they would be after a create, at one moment; `Id` is generated when absent. Returns the ids. */
  insert(type: SalesforceObjectType, records: readonly Readonly<Record<string, SalesforceFieldValue>>[]): string[];
  /** Changes a record, as a user working in Salesforce would. */
  update(type: SalesforceObjectType, id: string, fields: Readonly<Record<string, SalesforceFieldValue>>): void;
  /** A record's fields as Salesforce has them now (datetimes as ISO 8601); `undefined` when there is none. */
  get(type: SalesforceObjectType, id: string): Readonly<Record<string, SalesforceFieldValue>> | undefined;
  inject(fault: FakeSalesforceFault): void;
  /** Every token issued so far stops working. */
  expireSessions(): void;
  close(): Promise<void>;
}

type Stored = Record<string, unknown>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Salesforce's datetime format on the wire: `2026-11-02T01:00:00.000+0000`. */
const wireDatetime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

const errors = (errorCode: string, message: string) => [{ message, errorCode }];

/**
 * Starts a {@link FakeSalesforce} on a free loopback port.
 *
 * @example
 * ```ts
 * import { fakeSalesforce } from '@guard/testkit/fakes';
 * const org = await fakeSalesforce();
 * org.url; // 'http://127.0.0.1:…'
 * await org.close();
 * ```
 */
export async function fakeSalesforce(options: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  const clientId = options.clientId ?? 'guard-test-client';
  const clientSecret = options.clientSecret ?? 'guard-test-secret';
  const jwtKey = options.jwtPublicKey === undefined ? null : createPublicKey(options.jwtPublicKey);
  const batchSize = options.batchSize ?? 2000;
  const dailyApiLimit = options.dailyApiLimit ?? 15_000;
  const faults = new FaultQueue<FakeSalesforceFault>();
  const calls: FakeCall[] = [];
  const tokens = new Set<string>();
  const tables = new Map<SalesforceObjectType, Map<string, Stored>>(
    Object.keys(SCHEMA).map((type) => [type as SalesforceObjectType, new Map()]),
  );
  const locators = new Map<number, { rows: readonly Stored[]; totalSize: number }>();
  let clock = Date.parse('2026-11-02T01:00:00.000Z');
  let issued = 0;
  let queries = 0;
  let generated = 0;
  let usage = 0;
  let server: LoopbackServer | null = null;

  const table = (type: SalesforceObjectType) => tables.get(type) as Map<string, Stored>;
  /** One write's moment: the clock moves a second per write, so one write's records share a stamp. */
  const tick = () => {
    clock += 1000;
    return clock;
  };

  const toStored = (type: SalesforceObjectType, field: string, value: SalesforceFieldValue): unknown => {
    const spec = fieldOf(type, field)?.spec;
    if (spec === undefined) throw new Error(`fakeSalesforce: ${type} has no field ${field}`);
    if (value === null) return null;
    if (spec.type === 'datetime') {
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms))
        throw new Error(`fakeSalesforce: ${type}.${field} takes an ISO 8601 datetime, got ${value}`);
      return ms;
    }
    if (spec.type === 'date' && !(typeof value === 'string' && DATE.test(value))) {
      throw new Error(`fakeSalesforce: ${type}.${field} takes YYYY-MM-DD, got ${value}`);
    }
    return value;
  };

  /** Keeps the derived fields true after a write: `IsWon`/`IsClosed` from the stage, a task's `AccountId` from `WhatId`. */
  const derive = (type: SalesforceObjectType, row: Stored, at: number, stageChanged: boolean) => {
    if (type === 'Opportunity') {
      const stage = String(row.StageName ?? '');
      row.IsWon = stage === 'Closed Won';
      row.IsClosed = stage === 'Closed Won' || stage === 'Closed Lost';
      if (stageChanged) row.LastStageChangeDate = at;
    }
    if (type === 'Task') {
      const what = typeof row.WhatId === 'string' ? row.WhatId : null;
      if (what !== null && table('Account').has(what)) row.AccountId = what;
      else if (what !== null && table('Opportunity').has(what))
        row.AccountId = table('Opportunity').get(what)?.AccountId ?? null;
      else row.AccountId = null;
    }
  };

  const insert = (type: SalesforceObjectType, records: readonly Readonly<Record<string, SalesforceFieldValue>>[]) => {
    const at = tick();
    return records.map((record) => {
      const id =
        typeof record.Id === 'string' ? record.Id : `${ID_PREFIX[type]}FAKE${String(++generated).padStart(11, '0')}`;
      const row: Stored = {};
      for (const name of Object.keys(SCHEMA[type])) row[name] = null;
      Object.assign(row, { Id: id, CreatedDate: at, SystemModstamp: at });
      if ('LastModifiedDate' in row) row.LastModifiedDate = at;
      if (type === 'User') row.IsActive = true;
      for (const [field, value] of Object.entries(record)) {
        if (field === 'Id') continue;
        row[fieldOf(type, field)?.name ?? field] = toStored(type, field, value);
      }
      derive(type, row, at, type === 'Opportunity' && record.LastStageChangeDate === undefined);
      table(type).set(id, row);
      return id;
    });
  };

  const apply = (type: SalesforceObjectType, row: Stored, fields: Readonly<Record<string, unknown>>, at: number) => {
    const stageBefore = row.StageName;
    Object.assign(row, fields, { SystemModstamp: at });
    if ('LastModifiedDate' in row) row.LastModifiedDate = at;
    derive(type, row, at, row.StageName !== stageBefore);
  };

  const publicRow = (type: SalesforceObjectType, row: Stored) =>
    Object.fromEntries(
      Object.entries(row).map(([field, value]) => [
        field,
        fieldOf(type, field)?.spec.type === 'datetime' && typeof value === 'number'
          ? new Date(value).toISOString()
          : (value as SalesforceFieldValue),
      ]),
    );

  // ---- SOQL ------------------------------------------------------------------

  const operand = (type: SalesforceObjectType, field: string, spec: FieldSpec, value: SoqlValue): unknown => {
    if (value === null) return null;
    const wrong = () =>
      new ApiError(400, 'INVALID_FIELD', `value of filter criterion for field '${field}' must be of type ${spec.type}`);
    switch (spec.type) {
      case 'datetime':
        if (typeof value === 'object' && 'datetime' in value) return value.datetime;
        throw wrong();
      case 'date':
        if (typeof value === 'object' && 'date' in value) return value.date;
        throw wrong();
      case 'number':
        if (typeof value === 'number') return value;
        throw wrong();
      case 'boolean':
        if (typeof value === 'boolean') return value;
        throw wrong();
      default:
        if (typeof value === 'string') return value;
        throw new ApiError(
          400,
          'INVALID_FIELD',
          `value of filter criterion for field '${field}' on ${type} must be a string in quotes`,
        );
    }
  };

  /** Orders two stored values of one field: text without regard to case, as SOQL does; ids exactly. */
  const order = (spec: FieldSpec, a: unknown, b: unknown): number => {
    if (spec.type === 'string') {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (typeof a === 'boolean') return Number(a) - Number(b);
    return (a as number | string) < (b as number | string)
      ? -1
      : (a as number | string) > (b as number | string)
        ? 1
        : 0;
  };

  const field = (type: SalesforceObjectType, name: string) => {
    const found = fieldOf(type, name);
    if (found === undefined) {
      throw new ApiError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
      );
    }
    return found;
  };

  const matcher = (type: SalesforceObjectType, condition: SoqlCondition): ((row: Stored) => boolean) => {
    switch (condition.kind) {
      case 'and': {
        const parts = condition.parts.map((p) => matcher(type, p));
        return (row) => parts.every((p) => p(row));
      }
      case 'or': {
        const parts = condition.parts.map((p) => matcher(type, p));
        return (row) => parts.some((p) => p(row));
      }
      case 'not': {
        const part = matcher(type, condition.part);
        return (row) => !part(row);
      }
      case 'in': {
        const { name, spec } = field(type, condition.field);
        const values = condition.values.map((v) => operand(type, name, spec, v));
        return (row) =>
          values.some((v) =>
            v === null ? row[name] === null : row[name] !== null && order(spec, row[name], v) === 0,
          ) !== condition.negated;
      }
      case 'compare': {
        const { name, spec } = field(type, condition.field);
        const value = operand(type, name, spec, condition.value);
        if (value === null) {
          if (condition.op !== '=' && condition.op !== '!=') {
            throw new ApiError(400, 'MALFORMED_QUERY', `null can only be compared with = or !=`);
          }
          return (row) => (row[name] === null) === (condition.op === '=');
        }
        return (row) => {
          if (row[name] === null) return condition.op === '!=';
          const c = order(spec, row[name], value);
          switch (condition.op) {
            case '=':
              return c === 0;
            case '!=':
              return c !== 0;
            case '<':
              return c < 0;
            case '<=':
              return c <= 0;
            case '>':
              return c > 0;
            default:
              return c >= 0;
          }
        };
      }
    }
  };

  const runQuery = (soql: string) => {
    let query: ReturnType<typeof parseSoql>;
    try {
      query = parseSoql(soql);
    } catch (error) {
      if (error instanceof SoqlSyntaxError) throw new ApiError(400, 'MALFORMED_QUERY', error.message);
      throw error;
    }
    const type = query.from;
    if (!isObjectType(type)) {
      throw new ApiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    }
    const selected = query.fields.map((f) => field(type, f).name);
    const where = query.where === null ? () => true : matcher(type, query.where);
    const sorts = query.orderBy.map((o) => ({ ...o, ...field(type, o.field) }));
    const rows = [...table(type).values()].filter(where);
    rows.sort((a, b) => {
      for (const s of sorts) {
        const x = a[s.name];
        const y = b[s.name];
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === s.nullsLast ? 1 : -1;
        }
        const c = order(s.spec, x, y) * (s.desc ? -1 : 1);
        if (c !== 0) return c;
      }
      return 0;
    });
    const limited = query.limit === null ? rows : rows.slice(0, query.limit);
    return limited.map((row) => {
      const out: Stored = { attributes: { type, url: `/services/data/v60.0/sobjects/${type}/${String(row.Id)}` } };
      for (const name of selected) {
        const value = row[name];
        out[name] =
          fieldOf(type, name)?.spec.type === 'datetime' && typeof value === 'number' ? wireDatetime(value) : value;
      }
      return out;
    });
  };

  const batchOf = (locator: number, offset: number, size: number, version: string) => {
    const result = locators.get(locator);
    if (result === undefined) throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const records = result.rows.slice(offset, offset + size);
    const next = offset + records.length;
    const done = next >= result.rows.length;
    if (done) locators.delete(locator);
    return {
      totalSize: result.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/01gFAKE${locator}-${next}` }),
      records,
    };
  };

  /** `Sforce-Query-Options: batchSize=N` (200 to 2,000) lowers the batch; the fake's own `batchSize` caps it. */
  const requestedBatch = (request: FakeRequest) => {
    const header = String(request.headers['sforce-query-options'] ?? '');
    const asked = /batchSize=(\d+)/i.exec(header)?.[1];
    const size = asked === undefined ? 2000 : Math.min(2000, Math.max(200, Number(asked)));
    return Math.min(size, batchSize);
  };

  // ---- sObject Collections update ----------------------------------------------

  const saveError = (statusCode: string, message: string, fields: string[] = []) => ({
    success: false,
    errors: [{ statusCode, message, fields }],
  });

  const updateRecords = (body: string, locked: ReadonlySet<string>) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON.');
    }
    const { allOrNone = false, records } = (parsed ?? {}) as { allOrNone?: unknown; records?: unknown };
    if (!Array.isArray(records)) throw new ApiError(400, 'INVALID_FIELD', 'records: an array of records is required');
    if (records.length > 200) {
      throw new ApiError(
        400,
        'EXCEEDED_ID_LIMIT',
        'record limit reached. cannot submit more than 200 records into this call',
      );
    }
    const at = tick();
    const planned = (records as Record<string, unknown>[]).map((record) => {
      const id = typeof record.id === 'string' ? record.id : typeof record.Id === 'string' ? record.Id : null;
      const typeName = (record.attributes as { type?: unknown } | undefined)?.type;
      if (typeof typeName !== 'string' || !isObjectType(typeName)) {
        return { id, result: saveError('INVALID_TYPE', 'Must send a concrete entity type.') };
      }
      const row = id === null ? undefined : table(typeName).get(id);
      if (id === null || row === undefined) {
        return { id, result: saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
      }
      const fields: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(record)) {
        if (name === 'attributes' || name === 'id' || name === 'Id') continue;
        const found = fieldOf(typeName, name);
        if (found === undefined || !found.spec.updatable) {
          return {
            id,
            result: saveError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${name}.`, [name]),
          };
        }
        if (found.spec.type === 'reference' && value !== null && found.name === 'OwnerId') {
          const user = table('User').get(String(value));
          if (user === undefined) {
            return { id, result: saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OwnerId']) };
          }
          if (user.IsActive !== true) {
            return {
              id,
              result: saveError('INACTIVE_OWNER_OR_USER', 'operation performed with inactive user', ['OwnerId']),
            };
          }
        }
        fields[found.name] = value;
      }
      if (locked.has(id)) {
        return {
          id,
          result: saveError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records'),
        };
      }
      return { id, result: null, apply: () => apply(typeName, row, fields, at) };
    });
    const failed = planned.some((p) => p.result !== null);
    return planned.map((p) => {
      if (p.result !== null) return { ...(p.id === null ? {} : { id: p.id }), ...p.result };
      if (allOrNone === true && failed) {
        return {
          id: p.id,
          ...saveError(
            'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            'Record rolled back because not all records were valid and the request was using AllOrNone header',
          ),
        };
      }
      p.apply?.();
      return { id: p.id, success: true, errors: [] };
    });
  };

  // ---- OAuth -------------------------------------------------------------------

  const issue = () => {
    const token = `00DFAKE0000000001!AQ0A.fake-session-${++issued}`;
    tokens.add(token);
    return {
      access_token: token,
      signature: Buffer.from(`signature-${issued}`).toString('base64'),
      scope: 'api',
      instance_url: server?.url,
      id: 'https://login.salesforce.com/id/00DFAKE0000000001AAA/005FAKE0000000001AAA',
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    };
  };

  const oauthError = (error: string, description: string): FakeAnswer => ({
    status: 400,
    json: { error, error_description: description },
  });

  const verifyJwt = (assertion: string): FakeAnswer => {
    if (jwtKey === null) return oauthError('unsupported_grant_type', 'grant type not supported');
    const [header, payload, signature] = assertion.split('.');
    if (header === undefined || payload === undefined || signature === undefined) {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    try {
      const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
      if (alg !== 'RS256') return oauthError('invalid_grant', `invalid assertion algorithm ${String(alg)}`);
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      jwtKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return oauthError('invalid_grant', 'invalid assertion signature');
    if (claims.iss !== clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    const audiences = ['https://login.salesforce.com', 'https://test.salesforce.com', server?.url];
    if (!audiences.includes(claims.aud as string)) return oauthError('invalid_grant', 'audience is invalid');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now())
      return oauthError('invalid_grant', 'expired authorization code');
    const user = [...table('User').values()].find((u) => u.Username === claims.sub);
    if (user === undefined || user.IsActive !== true)
      return oauthError('invalid_grant', "user hasn't approved this consumer");
    return { status: 200, json: issue() };
  };

  const token = (request: FakeRequest): FakeAnswer => {
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      let id = form.get('client_id');
      let secret = form.get('client_secret');
      const basic = /^Basic (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
      if (basic !== undefined)
        [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':') as [string, string];
      if (id !== clientId || secret !== clientSecret) return oauthError('invalid_client', 'invalid client credentials');
      return { status: 200, json: issue() };
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return verifyJwt(form.get('assertion') ?? '');
    return oauthError('unsupported_grant_type', 'grant type not supported');
  };

  // ---- routing -----------------------------------------------------------------

  const route = (request: FakeRequest): SalesforceRoute | null => {
    const path = request.url.pathname;
    if (request.method === 'POST' && path === '/services/oauth2/token') return 'token';
    if (request.method === 'GET' && /^\/services\/data\/v\d+\.\d\/query\/?$/.test(path)) return 'query';
    if (request.method === 'GET' && /^\/services\/data\/v\d+\.\d\/query\/[^/]+$/.test(path)) return 'query-more';
    if (request.method === 'PATCH' && /^\/services\/data\/v\d+\.\d\/composite\/sobjects\/?$/.test(path))
      return 'update';
    return null;
  };

  const answer = (name: SalesforceRoute, request: FakeRequest): FakeAnswer => {
    if (name === 'token') return token(request);
    usage += 1;
    const limitInfo = { 'sforce-limit-info': `api-usage=${usage}/${dailyApiLimit}` };
    const fail = (status: number, errorCode: string, message: string): FakeAnswer => ({
      status,
      json: errors(errorCode, message),
      headers: limitInfo,
    });
    if (usage > dailyApiLimit) return fail(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    const bearer = /^Bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    if (bearer === undefined || !tokens.has(bearer))
      return fail(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const version = /^\/services\/data\/(v\d+\.\d)\//.exec(request.url.pathname)?.[1] ?? 'v60.0';
    try {
      if (name === 'query') {
        const rows = runQuery(request.url.searchParams.get('q') ?? '');
        const locator = ++queries;
        locators.set(locator, { rows, totalSize: rows.length });
        return { status: 200, json: batchOf(locator, 0, requestedBatch(request), version), headers: limitInfo };
      }
      if (name === 'query-more') {
        const last = request.url.pathname.split('/').at(-1) ?? '';
        const match = /^01gFAKE(\d+)-(\d+)$/.exec(last);
        if (match === null) throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        const json = batchOf(Number(match[1]), Number(match[2]), requestedBatch(request), version);
        return { status: 200, json, headers: limitInfo };
      }
      const lockFault = faults.take('update', (f) => f.kind === 'lock-row');
      const locked = new Set(lockFault?.kind === 'lock-row' ? lockFault.ids : []);
      return { status: 200, json: updateRecords(request.body, locked), headers: limitInfo };
    } catch (error) {
      if (error instanceof ApiError) return fail(error.status, error.errorCode, error.message);
      throw error;
    }
  };

  const handle = async (request: FakeRequest): Promise<FakeOutcome> => {
    const name = route(request);
    if (name === null) {
      return { status: 404, json: errors('NOT_FOUND', 'The requested resource does not exist') };
    }
    const records = name === 'update' ? recordsIn(request.body, 'records') : undefined;
    const fault = faults.take(name, (f) => f.kind !== 'lock-row');
    if (fault?.kind === 'session-expired') tokens.clear();
    return answerCall(
      fault,
      (status) => calls.push({ route: name, status, records }),
      () =>
        fault?.kind === 'request-limit'
          ? { status: 403, json: errors('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.') }
          : fault?.kind === 'unavailable'
            ? { status: 503, json: errors('SERVER_UNAVAILABLE', 'Server temporarily unavailable') }
            : answer(name, request),
    );
  };

  server = await startLoopback(handle);
  const url = server.url;
  return {
    url,
    clientId,
    clientSecret,
    calls,
    get apiUsage() {
      return usage;
    },
    insert,
    update(type, id, fields) {
      const row = table(type).get(id);
      if (row === undefined) throw new Error(`fakeSalesforce: no ${type} ${id}`);
      const stored = Object.fromEntries(
        Object.entries(fields).map(([f, v]) => [fieldOf(type, f)?.name ?? f, toStored(type, f, v)]),
      );
      apply(type, row, stored, tick());
    },
    get(type, id) {
      const row = table(type).get(id);
      return row === undefined ? undefined : publicRow(type, row);
    },
    inject: (fault) => faults.add(fault),
    expireSessions: () => tokens.clear(),
    close: () => (server as LoopbackServer).close(),
  };
}
