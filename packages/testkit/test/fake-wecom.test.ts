import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWecom, fakeWecom } from '../src/fakes/index.js';

let corp: FakeWecom | null = null;
afterEach(async () => {
  await corp?.close();
  corp = null;
});

const start = async (options?: Parameters<typeof fakeWecom>[0]) => {
  corp = await fakeWecom(options);
  corp.addMembers([
    { userid: 'wangwei', email: 'wang@acme.cn', mobile: '13800000001' },
    { userid: 'lina' },
    { userid: 'zhao' },
  ]);
  corp.addCustomers([
    { externalUserId: 'wmA', name: '华东机电', followers: ['wangwei'] },
    { externalUserId: 'wmB', name: '江南纺织', followers: ['wangwei', 'lina'] },
    { externalUserId: 'wmC', name: '北方重工', followers: ['lina'] },
  ]);
  return corp;
};

const get = async (c: FakeWecom, path: string, query: Record<string, string>) =>
  (await fetch(`${c.url}/cgi-bin/${path}?${new URLSearchParams(query)}`)).json() as Promise<Record<string, unknown>>;
const post = async (c: FakeWecom, path: string, token: string, body: unknown) =>
  (
    await fetch(`${c.url}/cgi-bin/${path}?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) })
  ).json() as Promise<Record<string, unknown>>;
const token = async (c: FakeWecom) =>
  String((await get(c, 'gettoken', { corpid: c.corpId, corpsecret: c.corpSecret })).access_token);

describe('fakeWecom', () => {
  it('issues tokens, answers errors with errcode in an HTTP 200, and expires tokens on demand', async () => {
    const c = await start();
    expect(await get(c, 'gettoken', { corpid: c.corpId, corpsecret: 'x' })).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential',
    });
    expect(await get(c, 'gettoken', { corpid: c.corpId, corpsecret: c.corpSecret })).toMatchObject({
      errcode: 0,
      expires_in: 7200,
    });
    expect((await get(c, 'externalcontact/get_follow_user_list', {})).errcode).toBe(41001);
    expect((await get(c, 'externalcontact/get_follow_user_list', { access_token: 'nope' })).errcode).toBe(40014);
    const t = await token(c);
    c.inject({ kind: 'token-expired' });
    expect((await get(c, 'externalcontact/get_follow_user_list', { access_token: t })).errcode).toBe(42001);
    expect(
      (await get(c, 'externalcontact/get_follow_user_list', { access_token: t })).errcode,
      'and stays expired',
    ).toBe(40014);
  });

  it('lists customers by member with cursor paging, accepting userid_list or userid', async () => {
    const c = await start();
    const t = await token(c);
    const first = await post(c, 'externalcontact/batch/get_by_user', t, { userid_list: ['wangwei', 'lina'], limit: 3 });
    expect(
      (first.external_contact_list as { follow_info: { userid: string } }[]).map((e) => e.follow_info.userid),
    ).toEqual(['wangwei', 'wangwei', 'lina']);
    expect(first.next_cursor).toBe('3');
    const rest = await post(c, 'externalcontact/batch/get_by_user', t, {
      userid_list: ['wangwei', 'lina'],
      limit: 3,
      cursor: '3',
    });
    expect(rest).toMatchObject({
      next_cursor: '',
      external_contact_list: [{ external_contact: { external_userid: 'wmC' } }],
    });
    expect(
      ((await post(c, 'externalcontact/batch/get_by_user', t, { userid: 'lina' })).external_contact_list as unknown[])
        .length,
    ).toBe(2);
    expect((await post(c, 'externalcontact/batch/get_by_user', t, { userid_list: ['lina'], limit: 101 })).errcode).toBe(
      40058,
    );
  });

  it('starts transfers that complete 24 hours later, with per-customer errcodes and the 90-day limit', async () => {
    const c = await start({ transfersPerCustomer: { count: 1, days: 90 } });
    const t = await token(c);
    const started = await post(c, 'externalcontact/transfer_customer', t, {
      handover_userid: 'wangwei',
      takeover_userid: 'zhao',
      external_userid: ['wmA', 'wmC', 'wmX'],
    });
    expect(started.customer).toEqual([
      { external_userid: 'wmA', errcode: 0 },
      { external_userid: 'wmC', errcode: 84061 },
      { external_userid: 'wmX', errcode: 40096 },
    ]);
    const again = await post(c, 'externalcontact/transfer_customer', t, {
      handover_userid: 'wangwei',
      takeover_userid: 'zhao',
      external_userid: ['wmA'],
    });
    expect(again.customer).toEqual([{ external_userid: 'wmA', errcode: 40129 }]);
    const waiting = await post(c, 'externalcontact/transfer_result', t, {
      handover_userid: 'wangwei',
      takeover_userid: 'zhao',
    });
    expect(waiting.customer).toEqual([{ external_userid: 'wmA', status: 2, takeover_time: c.now + 86_400 }]);
    c.advance(86_400);
    expect(c.followersOf('wmA')).toEqual(['zhao']);
    const third = await post(c, 'externalcontact/transfer_customer', t, {
      handover_userid: 'zhao',
      takeover_userid: 'lina',
      external_userid: ['wmA'],
    });
    expect(third.customer).toEqual([{ external_userid: 'wmA', errcode: 40128 }]);
    const resigned = await post(c, 'externalcontact/resigned/transfer_customer', t, {
      handover_userid: 'zhao',
      takeover_userid: 'lina',
      external_userid: ['wmA'],
    });
    expect(resigned.errcode).toBe(40097);
  });

  it('finds user ids by mobile and by e-mail in any case', async () => {
    const c = await start();
    const t = await token(c);
    expect(await post(c, 'user/getuserid', t, { mobile: '13800000001' })).toMatchObject({
      errcode: 0,
      userid: 'wangwei',
    });
    expect(await post(c, 'user/get_userid_by_email', t, { email: 'WANG@acme.cn', email_type: 1 })).toMatchObject({
      userid: 'wangwei',
    });
    expect((await post(c, 'user/getuserid', t, { mobile: '13900000000' })).errcode).toBe(46004);
  });
});
