import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSalesforce, type FakeSalesforceOptions, fakeSalesforce } from '../src/fakes/index.js';

let org: FakeSalesforce | null = null;
afterEach(async () => {
  await org?.close();
  org = null;
});

const start = async (options?: FakeSalesforceOptions) => {
  org = await fakeSalesforce(options);
  return org;
};

const login = async (o: FakeSalesforce) => {
  const response = await fetch(`${o.url}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: o.clientId,
      client_secret: o.clientSecret,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
};

const api = async (o: FakeSalesforce, token: string, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${o.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? null : (JSON.parse(text) as unknown),
  };
};

const query = (o: FakeSalesforce, token: string, soql: string) =>
  api(o, token, `/services/data/v60.0/query?q=${encodeURIComponent(soql)}`);

const seed = (o: FakeSalesforce) => {
  o.insert('User', [
    { Id: '005A', Username: 'wang@acme.cn', Email: 'Wang@Acme.cn', Name: '王伟' },
    { Id: '005B', Username: 'li@acme.cn', Email: 'li@acme.cn', Name: '李娜' },
    { Id: '005Z', Username: 'gone@acme.cn', Email: 'gone@acme.cn', IsActive: false },
  ]);
  o.insert(
    'Account',
    Array.from({ length: 5 }, (_, i) => ({ Id: `001${i}`, Name: `客户 ${i}`, OwnerId: i < 3 ? '005A' : '005B' })),
  );
};

describe('fakeSalesforce: OAuth', () => {
  it('issues a session to the client-credentials flow, in the body or with Basic auth, and refuses a wrong secret', async () => {
    const o = await start();
    const ok = await fetch(`${o.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: o.clientId,
        client_secret: o.clientSecret,
      }),
    });
    const body = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(body).toMatchObject({ instance_url: o.url, token_type: 'Bearer', scope: 'api' });
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('expires_in');
    const basic = await fetch(`${o.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(basic.status).toBe(200);
    const wrong = await fetch(`${o.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, client_secret: 'nope' }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('verifies a JWT bearer assertion: signature, issuer, audience, expiry and an active user', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const o = await start({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    seed(o);
    const jwt = (claims: Record<string, unknown>, key = privateKey) => {
      const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${part({ alg: 'RS256' })}.${part(claims)}`;
      return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
    };
    const good = {
      iss: o.clientId,
      sub: 'wang@acme.cn',
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    };
    const grant = async (assertion: string) => {
      const response = await fetch(`${o.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await grant(jwt(good))).status).toBe(200);
    expect((await grant(jwt(good, other))).body.error_description).toBe('invalid assertion signature');
    expect((await grant(jwt({ ...good, iss: 'someone' }))).body.error).toBe('invalid_client_id');
    expect((await grant(jwt({ ...good, aud: 'https://evil.example' }))).body.error).toBe('invalid_grant');
    expect((await grant(jwt({ ...good, exp: 1 }))).body.error).toBe('invalid_grant');
    expect((await grant(jwt({ ...good, sub: 'gone@acme.cn' }))).body.error).toBe('invalid_grant');
  });

  it('answers 401 INVALID_SESSION_ID to a missing or expired session, as an array of errors', async () => {
    const o = await start();
    const token = await login(o);
    expect((await query(o, token, 'SELECT Id FROM Account')).status).toBe(200);
    o.expireSessions();
    const expired = await query(o, token, 'SELECT Id FROM Account');
    expect(expired).toMatchObject({
      status: 401,
      body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }],
    });
    expect((await query(o, await login(o), 'SELECT Id FROM Account')).status).toBe(200);
  });
});

describe('fakeSalesforce: SOQL queries', () => {
  it('pages with nextRecordsUrl whose locator has no slash, and counts each call in Sforce-Limit-Info', async () => {
    const o = await start({ batchSize: 2 });
    seed(o);
    const token = await login(o);
    const first = await query(o, token, 'SELECT Id, Name, OwnerId FROM Account ORDER BY Id');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    const page = first.body as { totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] };
    expect(page).toMatchObject({ totalSize: 5, done: false });
    expect(page.records[0]).toEqual({
      attributes: { type: 'Account', url: '/services/data/v60.0/sobjects/Account/0010' },
      Id: '0010',
      Name: '客户 0',
      OwnerId: '005A',
    });
    expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/[^/]+$/);
    const ids = page.records.map((r) => (r as { Id: string }).Id);
    let next: string | undefined = page.nextRecordsUrl;
    while (next !== undefined) {
      const more = (await api(o, token, next)).body as {
        done: boolean;
        nextRecordsUrl?: string;
        records: { Id: string }[];
      };
      ids.push(...more.records.map((r) => r.Id));
      next = more.nextRecordsUrl;
      if (more.done) expect(next).toBeUndefined();
    }
    expect(ids).toEqual(['0010', '0011', '0012', '0013', '0014']);
    expect(o.calls.map((c) => c.route)).toEqual(['token', 'query', 'query-more', 'query-more']);
  });

  it('filters with AND, OR, parentheses, IN and datetime literals, compares text without regard to case, and sorts', async () => {
    const o = await start();
    seed(o);
    o.update('Account', '0013', { Name: '改名' });
    const token = await login(o);
    const stamp = (await query(o, token, "SELECT SystemModstamp FROM Account WHERE Id = '0013'")).body as {
      records: { SystemModstamp: string }[];
    };
    const modstamp = stamp.records[0]?.SystemModstamp as string;
    expect(modstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    const literal = new Date(modstamp.replace('+0000', 'Z')).toISOString().replace('.000Z', 'Z');
    const ids = async (soql: string) =>
      ((await query(o, token, soql)).body as { records: { Id: string }[] }).records.map((r) => r.Id);
    expect(await ids(`SELECT Id FROM Account WHERE SystemModstamp >= ${literal}`)).toEqual(['0013']);
    expect(
      await ids(
        `SELECT Id FROM Account WHERE SystemModstamp > 2026-01-01T00:00:00Z AND (OwnerId = '005B' OR (Name = '客户 0' AND Id > '0000')) ORDER BY Id DESC`,
      ),
    ).toEqual(['0014', '0013', '0010']);
    expect(await ids("SELECT Id FROM User WHERE Email IN ('wang@acme.CN', 'nobody@acme.cn')")).toEqual(['005A']);
    expect(await ids('SELECT Id FROM User WHERE IsActive = false')).toEqual(['005Z']);
    expect(await ids("SELECT Id FROM Account WHERE NOT Id IN ('0010', '0011') ORDER BY Name LIMIT 2")).toEqual([
      '0012',
      '0014',
    ]);
    expect(await ids("SELECT Id FROM Account WHERE Name = 'it\\'s not there'")).toEqual([]);
  });

  it('refuses what it cannot read: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, a bad locator', async () => {
    const o = await start();
    const token = await login(o);
    const code = async (soql: string) => ((await query(o, token, soql)).body as { errorCode: string }[])[0]?.errorCode;
    expect(await code('SELECT Id FROM')).toBe('MALFORMED_QUERY');
    expect(await code("SELECT Id FROM Account WHERE Name = 'open")).toBe('MALFORMED_QUERY');
    expect(await code('SELECT Id, Nope FROM Account')).toBe('INVALID_FIELD');
    expect(await code("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01'")).toBe('INVALID_FIELD');
    expect(await code('SELECT Id FROM Lead')).toBe('INVALID_TYPE');
    const locator = await api(o, token, '/services/data/v60.0/query/01gFAKE99-2000');
    expect(locator).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_QUERY_LOCATOR' }] });
  });
});

describe('fakeSalesforce: sObject Collections update', () => {
  const patch = (o: FakeSalesforce, token: string, body: unknown) =>
    api(o, token, '/services/data/v60.0/composite/sobjects', { method: 'PATCH', body: JSON.stringify(body) });
  const record = (id: string, owner: string) => ({ attributes: { type: 'Account' }, id, OwnerId: owner });

  it('saves each record alone and answers one SaveResult per record, in order, errors under statusCode', async () => {
    const o = await start();
    seed(o);
    const token = await login(o);
    const before = o.get('Account', '0010')?.SystemModstamp;
    const result = await patch(o, token, {
      allOrNone: false,
      records: [
        record('0010', '005B'),
        record('001missing', '005B'),
        record('0011', '005Z'),
        record('0012', '005nobody'),
      ],
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual([
      { id: '0010', success: true, errors: [] },
      {
        id: '001missing',
        success: false,
        errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }],
      },
      {
        id: '0011',
        success: false,
        errors: [
          {
            statusCode: 'INACTIVE_OWNER_OR_USER',
            message: 'operation performed with inactive user',
            fields: ['OwnerId'],
          },
        ],
      },
      {
        id: '0012',
        success: false,
        errors: [
          { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['OwnerId'] },
        ],
      },
    ]);
    expect(o.get('Account', '0010')?.OwnerId).toBe('005B');
    expect(Date.parse(String(o.get('Account', '0010')?.SystemModstamp))).toBeGreaterThan(Date.parse(String(before)));
    expect(o.get('Account', '0011')?.OwnerId).toBe('005A');
    expect(o.calls.at(-1)).toEqual({ route: 'update', status: 200, records: 4 });
  });

  it('with allOrNone rolls every record back when one fails', async () => {
    const o = await start();
    seed(o);
    const token = await login(o);
    const result = await patch(o, token, {
      allOrNone: true,
      records: [record('0010', '005B'), record('0011', '005Z')],
    });
    expect((result.body as { errors: { statusCode: string }[] }[]).map((r) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'INACTIVE_OWNER_OR_USER',
    ]);
    expect(o.get('Account', '0010')?.OwnerId).toBe('005A');
  });

  it('refuses more than 200 records with EXCEEDED_ID_LIMIT, and fields an update may not set', async () => {
    const o = await start();
    seed(o);
    const token = await login(o);
    const many = await patch(o, token, { records: Array.from({ length: 201 }, () => record('0010', '005B')) });
    expect(many).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
    expect(o.get('Account', '0010')?.OwnerId).toBe('005A');
    const readOnly = await patch(o, token, {
      records: [{ attributes: { type: 'Account' }, id: '0010', CreatedDate: 'x' }],
    });
    expect((readOnly.body as { errors: { statusCode: string }[] }[])[0]?.errors[0]?.statusCode).toBe(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
    );
  });
});

describe('fakeSalesforce: faults', () => {
  it('injects each fault on its route, for as many calls as asked, in order', async () => {
    const o = await start();
    seed(o);
    let token = await login(o);
    o.inject({ kind: 'request-limit', on: 'query', times: 2 });
    o.inject({ kind: 'unavailable', on: 'query' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await query(o, token, 'SELECT Id FROM Account')).status);
    expect(codes).toEqual([403, 403, 503, 200]);

    o.inject({ kind: 'session-expired', on: 'query' });
    expect((await query(o, token, 'SELECT Id FROM Account')).status).toBe(401);
    expect((await query(o, token, 'SELECT Id FROM Account')).status, 'the old session stays expired').toBe(401);
    token = await login(o);

    o.inject({ kind: 'lock-row', ids: ['0011'] });
    const locked = await api(o, token, '/services/data/v60.0/composite/sobjects', {
      method: 'PATCH',
      body: JSON.stringify({
        records: [
          { attributes: { type: 'Account' }, id: '0010', OwnerId: '005B' },
          { attributes: { type: 'Account' }, id: '0011', OwnerId: '005B' },
        ],
      }),
    });
    expect(
      (locked.body as { success: boolean; errors: { statusCode: string }[] }[]).map(
        (r) => r.errors[0]?.statusCode ?? 'ok',
      ),
    ).toEqual(['ok', 'UNABLE_TO_LOCK_ROW']);
    expect([o.get('Account', '0010')?.OwnerId, o.get('Account', '0011')?.OwnerId]).toEqual(['005B', '005A']);

    o.inject({ kind: 'drop', on: 'query' });
    await expect(query(o, token, 'SELECT Id FROM Account')).rejects.toThrow();
    o.inject({ kind: 'slow', delayMs: 150, on: 'query' });
    const started = Date.now();
    expect((await query(o, token, 'SELECT Id FROM Account')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("answers REQUEST_LIMIT_EXCEEDED once the day's API calls are used up", async () => {
    const o = await start({ dailyApiLimit: 2 });
    const token = await login(o);
    expect((await query(o, token, 'SELECT Id FROM Account')).headers.get('sforce-limit-info')).toBe('api-usage=1/2');
    await query(o, token, 'SELECT Id FROM Account');
    expect(await query(o, token, 'SELECT Id FROM Account')).toMatchObject({
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
  });
});
