import { afterEach, describe, expect, it } from 'vitest';
import { type FakeHubSpot, fakeHubSpot } from '../src/fakes/index.js';

let portal: FakeHubSpot | null = null;
afterEach(async () => {
  await portal?.close();
  portal = null;
});

const start = async () => {
  portal = await fakeHubSpot();
  portal.addOwners([
    { id: '101', email: 'wang@acme.cn' },
    { id: '102', email: 'Li@acme.cn' },
    { id: '199', email: 'gone@acme.cn', archived: true },
  ]);
  portal.insert(
    'companies',
    Array.from({ length: 5 }, (_, i) => ({
      id: String(500 + i),
      properties: { name: `客户 ${i}`, hubspot_owner_id: '101' },
    })),
  );
  return portal;
};

const call = async (p: FakeHubSpot, path: string, body?: unknown, token = p.accessToken) => {
  const response = await fetch(`${p.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
};

describe('fakeHubSpot', () => {
  it('searches with filter groups, one sort and after paging, and caps results at 10,000', async () => {
    const p = await start();
    p.update('companies', '502', { hubspot_owner_id: '102' });
    const first = await call(p, '/crm/v3/objects/companies/search', {
      filterGroups: [{ filters: [{ propertyName: 'hubspot_owner_id', operator: 'EQ', value: '101' }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'DESCENDING' }],
      properties: ['name'],
      limit: 2,
    });
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(4);
    expect((first.body.results as { id: string }[]).map((r) => r.id)).toEqual(['504', '503']);
    expect((first.body.results as { properties: object }[])[0]?.properties).toEqual({
      name: '客户 4',
      createdate: expect.any(String),
      hs_lastmodifieddate: expect.any(String),
      hs_object_id: '5',
    });
    expect(first.body.paging).toEqual({ next: { after: '2' } });
    const two = await call(p, '/crm/v3/objects/companies/search', { sorts: ['a', 'b'] });
    expect(two).toMatchObject({ status: 400, body: { status: 'error', category: 'VALIDATION_ERROR' } });
    const deep = await call(p, '/crm/v3/objects/companies/search', { limit: 100, after: '9950' });
    expect(deep.status).toBe(400);
    const changed = await call(p, '/crm/v3/objects/companies/search', {
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'hs_lastmodifieddate',
              operator: 'GT',
              value: String(Date.parse('2026-11-02T01:00:01.000Z')),
            },
          ],
        },
      ],
    });
    expect((changed.body.results as { id: string }[]).map((r) => r.id)).toEqual(['502']);
  });

  it('answers a batch read with 207 for ids it does not have, and refuses more than 100 inputs', async () => {
    const p = await start();
    const read = await call(p, '/crm/v3/objects/companies/batch/read', {
      inputs: [{ id: '500' }, { id: '999' }],
      properties: ['hubspot_owner_id'],
    });
    expect(read.status).toBe(207);
    expect(read.body).toMatchObject({
      numErrors: 1,
      errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['999'] } }],
    });
    const many = await call(p, '/crm/v3/objects/companies/batch/update', {
      inputs: Array.from({ length: 101 }, () => ({ id: '500', properties: { name: 'x' } })),
    });
    expect(many.status).toBe(400);
  });

  it('refuses a whole batch update with an invalid owner, and saves a valid one', async () => {
    const p = await start();
    const invalid = await call(p, '/crm/v3/objects/companies/batch/update', {
      inputs: [
        { id: '500', properties: { hubspot_owner_id: '102' } },
        { id: '501', properties: { hubspot_owner_id: '199' } },
      ],
    });
    expect(invalid).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR' } });
    expect(p.get('companies', '500')?.hubspot_owner_id).toBe('101');
    const valid = await call(p, '/crm/v3/objects/companies/batch/update', {
      inputs: [{ id: '500', properties: { hubspot_owner_id: '102' } }],
    });
    expect(valid.status).toBe(200);
    expect(p.get('companies', '500')?.hubspot_owner_id).toBe('102');
  });

  it('pages owners, filters by e-mail in any case, and leaves archived ones out', async () => {
    const p = await start();
    const byEmail = await call(p, '/crm/v3/owners/?email=li@ACME.cn');
    expect((byEmail.body.results as { id: string }[]).map((o) => o.id)).toEqual(['102']);
    const page = await call(p, '/crm/v3/owners/?limit=1');
    expect(page.body.paging).toEqual({ next: { after: '1' } });
    const all = await call(p, '/crm/v3/owners/?limit=100');
    expect((all.body.results as { id: string }[]).map((o) => o.id)).toEqual(['101', '102']);
  });

  it('gives each deal its primary company through associations v4', async () => {
    const p = await start();
    p.insert('deals', [{ id: '7001', companyId: '500', properties: { dealname: 'd', dealstage: 'closedwon' } }]);
    expect(p.get('deals', '7001')).toMatchObject({ hs_is_closed_won: 'true', hs_is_closed: 'true' });
    const answer = await call(p, '/crm/v4/associations/deals/companies/batch/read', { inputs: [{ id: '7001' }] });
    expect(answer.body.results).toEqual([
      {
        from: { id: '7001' },
        to: [
          {
            toObjectId: 500,
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
              { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
            ],
          },
        ],
      },
    ]);
  });

  it("answers 429 with HubSpot's exact bodies and headers, and 401 for an old token", async () => {
    const p = await start();
    p.inject({ kind: 'secondly-limit' });
    p.inject({ kind: 'daily-limit' });
    const secondly = await call(p, '/crm/v3/owners/');
    expect(secondly.status).toBe(429);
    expect(secondly.body).toMatchObject({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(secondly.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
    const daily = await call(p, '/crm/v3/owners/');
    expect(daily.body).toMatchObject({ message: 'You have reached your daily limit.', policyName: 'DAILY' });
    const old = p.accessToken;
    p.issueToken();
    expect(await call(p, '/crm/v3/owners/', undefined, old)).toMatchObject({
      status: 401,
      body: { category: 'EXPIRED_AUTHENTICATION' },
    });
  });
});
