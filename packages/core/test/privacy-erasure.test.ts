import { describe, expect, it } from 'vitest';
import { createGuard, isGuardError, verifyEvidencePack } from '../src/index.js';
import { customer, secretCustomer as secret, secretValues, seededGuard, testKeys } from './fixtures.js';

/** Everything of theirs: contact and commercial values, the name, and the public class. */
const theirs = [...secretValues, '赵丽个人工作室', '零售'];

/**
 * Erasure of a customer (PIPL / GDPR) and the legal holds that stop it
 * (issue #22).
 */

async function scenario() {
  const env = await seededGuard();
  await env.t.customers.upsert(secret);
  await env.t.customers.read({ actor: 'rep', customerId: 'c-secret' });
  return env;
}

const rawText = (store: Awaited<ReturnType<typeof seededGuard>>['store']) =>
  JSON.stringify([...store.raw.entries()], (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));

describe('privacy.erase', () => {
  it("destroys the customer's data key and leaves no value of theirs in the store", async () => {
    const { t, store } = await scenario();
    const report = await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request 2026-118' });

    expect(report).toMatchObject({
      subject: { type: 'customer', id: 'c-secret' },
      dataKeyDestroyed: true,
      erased: ['name', 'fields.commercial', 'fields.contact', 'fields.public'],
      indexEntries: 2,
    });
    const text = rawText(store);
    for (const value of theirs) expect(text).not.toContain(value);

    const view = await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    expect(view).toMatchObject({ id: 'c-secret', name: 'c-secret', fields: {} });
  });

  it('leaves the audit chain verifying and audits the erasure', async () => {
    const { t } = await scenario();
    await t.privacy.erase({
      customerId: 'c-secret',
      reason: 'PIPL request 2026-118',
      actor: { type: 'host', id: 'dpo' },
    });

    expect((await t.audit.verify()).ok).toBe(true);
    const [entry] = (await t.audit.query({ action: 'privacy.erase', limit: 5 })).items;
    expect(entry).toMatchObject({
      actor: { type: 'host', id: 'dpo' },
      subject: { type: 'customer', id: 'c-secret' },
      data: { reason: 'PIPL request 2026-118', dataKeyDestroyed: true },
    });
  });

  it('leaves evidence packs verifying: one exported before, and one built after', async () => {
    const { t } = await scenario();
    const before = await t.evidence.pack({ employeeId: 'rep' });
    await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' });
    const after = await t.evidence.pack({ employeeId: 'rep' });

    expect((await verifyEvidencePack(before, testKeys)).ok).toBe(true);
    expect((await verifyEvidencePack(after, testKeys)).ok).toBe(true);
    expect(after.customers.find((c) => c.id === 'c-secret')).toMatchObject({ name: 'c-secret', fields: {} });
  });

  it('is harmless a second time, and a customer that does not exist is NOT_FOUND', async () => {
    const { t } = await scenario();
    await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' });
    expect(await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' })).toMatchObject({
      dataKeyDestroyed: false,
      erased: [],
    });
    const missing = await t.privacy.erase({ customerId: 'c-nobody', reason: 'x' }).catch((e: unknown) => e);
    expect(isGuardError(missing, 'NOT_FOUND')).toBe(true);
  });

  it('refuses bad input with a typed error and erases nothing', async () => {
    const { t, store } = await scenario();
    const before = rawText(store);
    for (const input of [
      { customerId: 'c-secret' },
      { customerId: 'c-secret', reason: '  ' },
      { customerId: 7, reason: 'x' },
      { reason: 'x' },
      { customerId: 'c-secret', employeeId: 'rep', reason: 'x' },
    ]) {
      const error = await t.privacy.erase(input as never).catch((e: unknown) => e);
      expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    expect(rawText(store)).toEqual(before);
  });
});

describe('privacy.erase of an employee', () => {
  const departed = async () => {
    const env = await scenario();
    await env.t.directory.sync({
      units: [],
      employees: [
        {
          id: 'ice',
          name: '冰冰',
          unitId: 'sh-1',
          roles: ['sales'],
          hireDate: '2020-01-01',
          status: 'departed',
          email: 'bing.bing@acme.cn',
          mobile: '+86 139 0000 1111',
          performanceBand: 'C',
          externalRefs: { wecom: 'BingBing' },
        },
      ],
    });
    return env;
  };

  it('removes a departed employee’s name, contacts, CRM user ids and rating, and keeps the rest', async () => {
    const { t, store } = await departed();
    const report = await t.privacy.erase({ employeeId: 'ice', reason: 'PIPL request' });
    expect(report).toMatchObject({
      subject: { type: 'employee', id: 'ice' },
      erased: ['name', 'email', 'mobile', 'externalRefs', 'performanceBand'],
    });
    expect(await t.directory.employee('ice')).toMatchObject({
      name: 'ice',
      email: null,
      mobile: null,
      externalRefs: {},
      performanceBand: null,
      unitId: 'sh-1',
      status: 'departed',
    });
    const text = rawText(store);
    for (const value of ['冰冰', 'bing.bing@acme.cn', '+8613900001111', 'BingBing']) expect(text).not.toContain(value);
    expect((await t.audit.verify()).ok).toBe(true);
  });

  it('is refused while a hold on their evidence pack covers them', async () => {
    const { t } = await departed();
    const pack = await t.evidence.pack({ employeeId: 'ice' });
    const hold = await t.privacy.hold({
      on: { type: 'evidence-pack', exportSeq: pack.audit.exportSeq },
      reason: '仲裁',
    });
    const refused = await t.privacy.erase({ employeeId: 'ice', reason: 'x' }).catch((e: unknown) => e);
    expect(isGuardError(refused, 'LEGAL_HOLD') && refused.params.holds.map((h) => h.id)).toEqual([hold.id]);
    expect((await t.directory.employee('ice')).name).toBe('冰冰');
  });

  it('refuses an employee who has not left, in the tenant language, and erases nothing', async () => {
    const { t, store } = await scenario();
    const before = rawText(store);
    const error = await t.privacy.erase({ employeeId: 'rep', reason: 'x' }).catch((e: unknown) => e);
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('departed');
    expect(rawText(store)).toEqual(before);
    const zh = createGuard({ store, keys: testKeys, locale: 'zh-CN' }).tenant('acme');
    const inChinese = await zh.privacy.erase({ employeeId: 'rep', reason: 'x' }).catch((e: unknown) => e);
    expect((inChinese as Error).message).toContain('已离职');
  });
});

describe('legal holds', () => {
  it('on an offboarding case refuse the erasure of its customers, naming the hold, until released', async () => {
    const { t, store } = await scenario();
    const handover = await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'moving to a competitor',
    });
    const hold = await t.privacy.hold({
      on: { type: 'offboarding', caseId: handover.id },
      reason: '(2026)沪0115民初123号',
    });
    expect(hold).toMatchObject({ status: 'active', covers: { employeeId: 'rep' } });
    expect(hold.covers.customerIds).toContain('c-secret');

    const before = rawText(store);
    const refused = await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' }).catch((e: unknown) => e);
    expect(isGuardError(refused, 'LEGAL_HOLD') && refused.params.holds).toEqual([
      { id: hold.id, on: { type: 'offboarding', caseId: handover.id } },
    ]);
    expect((refused as Error).message).toContain(hold.id);
    expect(rawText(store)).toEqual(before);

    // A customer the case does not cover can be erased meanwhile.
    await t.customers.upsert(customer('c-elsewhere', 'other', 'sh-2'));
    await expect(t.privacy.erase({ customerId: 'c-elsewhere', reason: 'PIPL request' })).resolves.toMatchObject({
      subject: { type: 'customer', id: 'c-elsewhere' },
      dataKeyDestroyed: true,
    });

    const released = await t.privacy.release(hold.id, { reason: 'case closed' });
    expect(released).toMatchObject({ status: 'released', released: { reason: 'case closed' } });
    await expect(t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' })).resolves.toMatchObject({
      dataKeyDestroyed: true,
    });
  });

  it('on an evidence pack cover the customers the pack shows, and say so in Chinese to a zh-CN tenant', async () => {
    const { t, store } = await scenario();
    const pack = await t.evidence.pack({ employeeId: 'rep' });
    const hold = await t.privacy.hold({
      on: { type: 'evidence-pack', exportSeq: pack.audit.exportSeq },
      reason: '劳动仲裁',
    });
    expect(hold.covers.customerIds).toEqual(pack.customers.map((c) => c.id));

    const zh = createGuard({ store, keys: testKeys, locale: 'zh-CN' }).tenant('acme');
    const refused = await zh.privacy
      .erase({ customerId: 'c-secret', reason: '个人信息删除请求' })
      .catch((e: unknown) => e);
    expect(isGuardError(refused, 'LEGAL_HOLD')).toBe(true);
    expect((refused as Error).message).toContain('诉讼保留');
    expect((refused as Error).message).not.toMatch(/legal hold/i);
  });

  it('must name a case or a pack that exists', async () => {
    const { t } = await scenario();
    for (const on of [
      { type: 'offboarding', caseId: 'wf-none' },
      { type: 'evidence-pack', exportSeq: 1 }, // the first entry is not an evidence export
      { type: 'court', id: 'x' },
    ]) {
      const error = await t.privacy.hold({ on: on as never, reason: 'x' }).catch((e: unknown) => e);
      expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    expect((await t.privacy.holds()).items).toEqual([]);
  });

  it('are listed newest first, by status, and audited', async () => {
    const { t } = await scenario();
    const pack = await t.evidence.pack({ employeeId: 'rep' });
    const first = await t.privacy.hold({ on: { type: 'evidence-pack', exportSeq: pack.audit.exportSeq }, reason: 'a' });
    const second = await t.privacy.hold({
      on: { type: 'evidence-pack', exportSeq: pack.audit.exportSeq },
      reason: 'b',
    });
    await t.privacy.release(first.id, { reason: 'done' });
    expect(await t.privacy.release(first.id, { reason: 'again' })).toMatchObject({ released: { reason: 'done' } });

    expect((await t.privacy.holds()).items.map((h) => h.id)).toEqual([second.id, first.id]);
    expect((await t.privacy.holds({ status: 'active' })).items.map((h) => h.id)).toEqual([second.id]);
    const released = await t.privacy.release('hold-none', { reason: 'x' }).catch((e: unknown) => e);
    expect(isGuardError(released, 'NOT_FOUND')).toBe(true);
    const actions = (await t.audit.query({ action: 'privacy.hold', limit: 10 })).items.length;
    expect(actions).toBe(2);
    expect((await t.audit.query({ action: 'privacy.release', limit: 10 })).items).toHaveLength(1);
  });
});
