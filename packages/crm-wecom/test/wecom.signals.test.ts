import { createGuard, hmacKeys, manualClock, memoryStore, sequentialIds } from '@guard/core';
import { wecomCallback } from '@guard/testkit/fakes';
import { describe, expect, it } from 'vitest';
import { type WecomContactEvent, wecomCallbacks, wecomSignals } from '../src/index.js';

const SECRETS = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wwacme' };

/** ACME with one salesperson (WeCom `wangwei`) and ten customers (`wmA`…`wmJ` ↔ `c-1`…`c-10`). */
async function acme() {
  const guard = createGuard({
    store: memoryStore(),
    keys: hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } }),
    clock: manualClock('2026-11-30T10:00:00+08:00'),
    ids: sequentialIds(),
  });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({
    units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
    employees: [{ id: 'e-wang', name: '王伟', unitId: 'hq', roles: ['sales'], hireDate: '2022-01-01' }],
  });
  for (let i = 0; i < 10; i++) {
    await t.customers.upsert({
      id: `c-${i + 1}`,
      name: `华东机电 ${i + 1}`,
      ownerId: 'e-wang',
      unitId: 'hq',
      externalRefs: { wecom: WECOM_IDS[i] as string },
    });
  }
  return t;
}

const WECOM_IDS = 'ABCDEFGHIJ'.split('').map((letter) => `wm${letter}`);
const ids = {
  employeeOf: (userid: string) => (userid === 'wangwei' ? 'e-wang' : null),
  customerOf: async (externalUserId: string) => {
    const i = WECOM_IDS.indexOf(externalUserId);
    return i < 0 ? null : `c-${i + 1}`;
  },
};

/** An event as the host's callback route reads it: encrypted by the fake sender, read by wecomCallbacks. */
const received = (fields: Record<string, string>): WecomContactEvent => {
  const request = wecomCallback(SECRETS, {
    MsgType: 'event',
    Event: 'change_external_contact',
    CreateTime: String(Date.parse('2026-11-30T09:00:00+08:00') / 1000),
    UserID: 'wangwei',
    ExternalUserID: 'wmA',
    ...fields,
  });
  const event = wecomCallbacks(SECRETS).parseEvent(request.query, request.body);
  if (event.kind !== 'contact-change') throw new Error('not a contact change');
  return event;
};

describe('wecomSignals', () => {
  it('records a deleted customer once, however often WeCom sends the event', async () => {
    const t = await acme();
    const signals = wecomSignals(ids);
    const deleted = await signals.fromEvent(received({ ChangeType: 'del_external_contact' }));
    expect(deleted).toEqual([
      {
        kind: 'contact-deleted',
        employeeId: 'e-wang',
        customerId: 'c-1',
        at: '2026-11-30T01:00:00.000Z',
        id: expect.stringMatching(/^wecom:del_external_contact\|wangwei\|wmA\|/),
      },
    ]);
    expect(await t.signals.record(deleted)).toEqual({ recorded: 1, duplicates: 0 });
    const retried = await signals.fromEvent(received({ ChangeType: 'del_external_contact' }));
    expect(await t.signals.record(retried)).toEqual({ recorded: 0, duplicates: 1 });
    const lost = await signals.fromEvent(received({ ChangeType: 'del_follow_user' }));
    expect(lost.map((s) => s.kind)).toEqual(['deleted-by-customer']);
    expect(await t.signals.record(lost)).toEqual({ recorded: 1, duplicates: 0 });
  });

  it('makes no signal for a transfer that removed the member, other changes, or people Guard does not have', async () => {
    const signals = wecomSignals(ids);
    expect(
      await signals.fromEvent(received({ ChangeType: 'del_external_contact', Source: 'DELETE_BY_TRANSFER' })),
    ).toEqual([]);
    expect(await signals.fromEvent(received({ ChangeType: 'add_external_contact' }))).toEqual([]);
    expect(await signals.fromEvent(received({ ChangeType: 'del_follow_user', UserID: 'stranger' }))).toEqual([]);
    expect(await signals.fromEvent(received({ ChangeType: 'del_follow_user', ExternalUserID: 'wmZ' }))).toEqual([]);
  });

  it('records a day of chats and new customers per employee, once per day', async () => {
    const t = await acme();
    const signals = wecomSignals(ids);
    const day = {
      userId: 'wangwei',
      date: '2026-11-29',
      newApplyCount: 0,
      newContactCount: 2,
      chatCount: 14,
      messageCount: 50,
      replyPercentage: 90,
      avgReplyMinutes: 5,
      negativeFeedbackCount: 1,
    };
    const quiet = { ...day, date: '2026-11-28', newContactCount: 0, chatCount: 0 };
    const stranger = { ...day, userId: 'stranger' };
    const made = await signals.fromStats([day, quiet, stranger]);
    expect(made).toEqual([
      {
        kind: 'chat',
        employeeId: 'e-wang',
        at: '2026-11-29T00:00:00+08:00',
        value: 14,
        id: 'wecom:chats:wangwei:2026-11-29',
      },
      {
        kind: 'new-contact',
        employeeId: 'e-wang',
        at: '2026-11-29T00:00:00+08:00',
        value: 2,
        id: 'wecom:new-contacts:wangwei:2026-11-29',
      },
    ]);
    expect(await t.signals.record(made)).toEqual({ recorded: 2, duplicates: 0 });
    expect(await t.signals.record(await signals.fromStats([day]))).toEqual({ recorded: 0, duplicates: 2 });
  });

  it("feeds the default packs: a salesperson who deletes customers from the company account alerts, and the customers' facts show it", async () => {
    const t = await acme();
    const signals = wecomSignals(ids);
    for (const externalUserId of WECOM_IDS.slice(0, 9)) {
      await t.signals.record(
        await signals.fromEvent(received({ ChangeType: 'del_external_contact', ExternalUserID: externalUserId })),
      );
    }
    const [score] = await t.risk.score({ type: 'employee', id: 'e-wang' }, { pack: 'employee-data-exfiltration' });
    expect(score?.band).toBe('alert');
    expect(score?.fired.map((f) => f.rule)).toEqual(['contacts-deleted', 'contacts-deleted-in-bulk']);
    expect(score?.fired[1]?.explanation['zh-CN']).toBe('从公司通讯账号批量删除客户（30 天内 9 个）');
    expect(await t.risk.facts({ type: 'customer', id: 'c-1' })).toMatchObject({
      deletedByEmployees30d: 1,
      employeesDeleted30d: 0,
    });
    expect(await t.risk.facts({ type: 'customer', id: 'c-10' })).toMatchObject({ deletedByEmployees30d: 0 });
  });
});
