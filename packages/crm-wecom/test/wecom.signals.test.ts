import { createGuard, hmacKeys, isGuardError, manualClock, memoryStore, sequentialIds } from '@guard/core';
import { wecomCallback } from '@guard/testkit/fakes';
import { describe, expect, it } from 'vitest';
import { type WecomContactEvent, wecomCallbacks, wecomSignalKinds, wecomSignals } from '../src/index.js';

const SECRETS = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wwacme' };

async function acme(declare = true) {
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
  await t.customers.upsert({
    id: 'c-1',
    name: '华东机电',
    ownerId: 'e-wang',
    unitId: 'hq',
    externalRefs: { wecom: 'wmA' },
  });
  if (declare) await t.settings.update({ risk: { customSignals: [...wecomSignalKinds] } });
  return t;
}

const ids = {
  employeeOf: (userid: string) => (userid === 'wangwei' ? 'e-wang' : null),
  customerOf: async (externalUserId: string) => (externalUserId === 'wmA' ? 'c-1' : null),
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
        kind: 'x-wecom-customer-deleted',
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
    expect(lost.map((s) => s.kind)).toEqual(['x-wecom-deleted-by-customer']);
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
        kind: 'x-wecom-chats',
        employeeId: 'e-wang',
        at: '2026-11-29T00:00:00+08:00',
        value: 14,
        id: 'wecom:chats:wangwei:2026-11-29',
      },
      {
        kind: 'x-wecom-new-contacts',
        employeeId: 'e-wang',
        at: '2026-11-29T00:00:00+08:00',
        value: 2,
        id: 'wecom:new-contacts:wangwei:2026-11-29',
      },
    ]);
    expect(await t.signals.record(made)).toEqual({ recorded: 2, duplicates: 0 });
    expect(await t.signals.record(await signals.fromStats([day]))).toEqual({ recorded: 0, duplicates: 2 });
  });

  it('needs the kinds declared in the tenant settings first, and says so', async () => {
    const t = await acme(false);
    const deleted = await wecomSignals(ids).fromEvent(received({ ChangeType: 'del_external_contact' }));
    const error = await t.signals.record(deleted).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(String((error as Error).message)).toContain('x-wecom-customer-deleted');
  });
});
