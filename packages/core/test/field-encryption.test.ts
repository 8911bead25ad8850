import { describe, expect, it } from 'vitest';
import {
  createGuard,
  hmacKeys,
  isGuardError,
  type KeyProvider,
  keysByPurpose,
  type MemoryStore,
  manualClock,
  memoryStore,
  sequentialIds,
} from '../src/index.js';
import {
  customer,
  employees,
  secretValues as plaintexts,
  secretCustomer as secret,
  testKeys,
  units,
  workingHours,
} from './fixtures.js';

/**
 * Customers' contact and commercial fields are encrypted at rest with a data
 * key per customer (issue #22): the host's store never holds them in clear.
 */

const SECRET_2 = 'a-second-secret-of-at-least-32-bytes!!';

async function guardOver(store: MemoryStore, keys: KeyProvider = testKeys) {
  const guard = createGuard({ store, keys, clock: manualClock(workingHours), ids: sequentialIds() });
  const t = guard.tenant('acme');
  return { guard, t };
}

async function seeded(keys: KeyProvider = testKeys) {
  const store = memoryStore();
  const { guard, t } = await guardOver(store, keys);
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  await t.directory.sync({ units, employees });
  return { store, guard, t };
}

/** Everything the store holds, as text. */
const rawText = (store: MemoryStore) =>
  JSON.stringify([...store.raw.entries()], (_k, v: unknown) =>
    v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v,
  );

/** The customer row as the store holds it. */
const storedRow = (store: MemoryStore, id: string) => store.raw.get('acme')?.customers.get(id);

describe('customer fields at rest', () => {
  it('are stored encrypted, and read back in clear by whoever may see them', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert(secret);

    const text = rawText(store);
    for (const value of plaintexts) expect(text).not.toContain(value);
    expect(text).toContain('零售'); // the public class stays in clear
    expect(Object.keys(storedRow(store, 'c-secret')?.fields ?? {}).sort()).toEqual(['public', '~sealed']);

    const view = await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    expect(view.fields).toEqual(secret.fields);
  });

  it('gives a customer with public fields only no data key', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert({ ...secret, fields: { public: { industry: '零售' } } });
    expect(store.raw.get('acme')?.records.get('data-key')?.size ?? 0).toBe(0);
    expect(storedRow(store, 'c-secret')?.fields).toEqual({ public: { industry: '零售' } });
  });

  it('keeps one data key per customer across updates, and a fresh ciphertext per write', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert(secret);
    const first = JSON.stringify(storedRow(store, 'c-secret')?.fields);
    await t.customers.upsert({ ...secret, fields: { ...secret.fields, contact: { phone: '13900001111' } } });
    const second = JSON.stringify(storedRow(store, 'c-secret')?.fields);
    expect(second).not.toEqual(first);
    expect(store.raw.get('acme')?.records.get('data-key')?.size).toBe(1);
    const view = await t.customers.read({ actor: 'rep', customerId: 'c-secret' });
    expect(view.fields.contact).toEqual({ phone: '13900001111' });
  });

  it('gives each customer of a batch a key of its own, made together, and keeps a key already there', async () => {
    const { store, t } = await seeded();
    // A key left behind by a customer row removed outside Guard: a new customer with that id keeps it.
    await t.customers.upsert({ ...secret, id: 'c-2' });
    (store.raw.get('acme')?.customers as Map<string, unknown> | undefined)?.delete('c-2');
    await t.customers.upsert([secret, { ...secret, id: 'c-2' }, { ...secret, id: 'c-3' }]);

    expect(store.raw.get('acme')?.records.get('data-key')?.size).toBe(3);
    for (const id of ['c-secret', 'c-2', 'c-3']) {
      expect((await t.customers.read({ actor: 'rep', customerId: id })).fields).toEqual(secret.fields);
    }
    for (const value of plaintexts) expect(rawText(store)).not.toContain(value);
  });

  it('refuses ciphertext moved to another customer: it is bound to its own', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert(secret);
    await t.customers.upsert(customer('c-rep', 'rep', 'sh-1'));
    const rows = store.raw.get('acme')?.customers as Map<string, { fields: unknown }>;
    (rows.get('c-rep') as { fields: unknown }).fields = storedRow(store, 'c-secret')?.fields;

    const error = await t.customers.read({ actor: 'rep', customerId: 'c-rep' }).catch((e: unknown) => e);
    expect(isGuardError(error, 'DATA_KEY_UNAVAILABLE')).toBe(true);
    expect(isGuardError(error, 'DATA_KEY_UNAVAILABLE') && error.params).toMatchObject({
      problem: 'tampered',
      subject: { type: 'customer', id: 'c-rep' },
    });
  });

  it('refuses a changed ciphertext, in the tenant language', async () => {
    const { store, guard } = await seeded();
    const zh = createGuard({ store, keys: testKeys, locale: 'zh-CN', clock: manualClock(workingHours) });
    await guard.tenant('acme').customers.upsert(secret);
    const fields = storedRow(store, 'c-secret')?.fields as unknown as { '~sealed': { data: string } };
    const data = fields['~sealed'].data;
    // One character of the tag changed, to one it is not (the last one may hold base64 padding bits only).
    const at = data.length - 2;
    fields['~sealed'].data = `${data.slice(0, at)}${data[at] === 'A' ? 'B' : 'A'}${data.slice(at + 1)}`;

    const error = await zh
      .tenant('acme')
      .customers.read({ actor: 'rep', customerId: 'c-secret' })
      .catch((e: unknown) => e);
    expect(isGuardError(error, 'DATA_KEY_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('未通过完整性校验');
  });

  it('refuses to write personal data without a data-key key, and writes nothing', async () => {
    const noDataKey: KeyProvider = {
      currentKey: (tenantId, purpose) => (purpose === 'data-key' ? null : testKeys.currentKey(tenantId, purpose)),
      keyById: (tenantId, purpose, id) => testKeys.keyById(tenantId, purpose, id),
    };
    const { store, t } = await seeded(noDataKey);
    const before = rawText(store);
    const error = await t.customers.upsert(secret).catch((e: unknown) => e);
    expect(isGuardError(error, 'DATA_KEY_UNAVAILABLE') && error.params.problem).toBe('no-current-key');
    expect(rawText(store)).toEqual(before);
  });

  it('reads rows written before encryption as they are, and encrypts them on their next write', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert({ ...secret, fields: { public: { industry: '零售' } } });
    // A row from before this release: its classes in clear.
    const row = storedRow(store, 'c-secret') as { fields: unknown };
    row.fields = secret.fields;
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-secret' })).fields).toEqual(secret.fields);

    await t.customers.upsert({ ...secret, name: 'Renamed' });
    for (const value of plaintexts) expect(rawText(store)).not.toContain(value);
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-secret' })).fields).toEqual(secret.fields);
  });
});

describe('the key that wraps data keys', () => {
  it('can be a key of its own, from its own provider', async () => {
    const dataKeys = hmacKeys({ current: 'd1', keys: { d1: SECRET_2 } });
    const keys = keysByPurpose({ 'audit-seal': testKeys, 'audit-checkpoint': testKeys, 'data-key': dataKeys });
    const { store, t } = await seeded(keys);
    await t.customers.upsert(secret);
    expect(rawText(store)).toContain('"keyId":"d1"');
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-secret' })).fields).toEqual(secret.fields);
  });

  it('rotates without downtime: a new current key wraps new data keys, old ones still read', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert(secret);
    const rotated = hmacKeys({
      current: 'k2',
      keys: { k1: 'test-secret-test-secret-test-secret!', k2: SECRET_2 },
    });
    const { t: after } = await guardOver(store, rotated);
    await after.customers.upsert({ ...secret, id: 'c-new' });
    expect((await after.customers.read({ actor: 'rep', customerId: 'c-secret' })).fields).toEqual(secret.fields);
    expect((await after.customers.read({ actor: 'rep', customerId: 'c-new' })).fields).toEqual(secret.fields);

    // Rewrapped with k2, the old data key no longer needs k1, and a second run has nothing left to do.
    expect(await after.privacy.rotateKeys({ pageSize: 1 })).toEqual({ checked: 2, rewrapped: 1 });
    expect(await after.privacy.rotateKeys()).toEqual({ checked: 2, rewrapped: 0 });
    const { t: k2Only } = await guardOver(store, hmacKeys({ current: 'k2', keys: { k2: SECRET_2 } }));
    expect((await k2Only.customers.read({ actor: 'rep', customerId: 'c-secret' })).fields).toEqual(secret.fields);
    const rotations = await k2Only.audit.query({ action: 'privacy.keys-rotate', limit: 10 });
    expect(rotations.items.map((e) => e.data)).toEqual([{ checked: 1, rewrapped: 1 }]);
    expect((await k2Only.audit.verify({ seals: false })).ok).toBe(true);
  });

  it('is needed to read: a retired key removed too early is named in the error', async () => {
    const { store, t } = await seeded();
    await t.customers.upsert(secret);
    const withoutK1 = hmacKeys({ current: 'k2', keys: { k2: SECRET_2 } });
    const { t: after } = await guardOver(store, withoutK1);
    const error = await after.customers.read({ actor: 'rep', customerId: 'c-secret' }).catch((e: unknown) => e);
    expect(isGuardError(error, 'DATA_KEY_UNAVAILABLE') && error.params).toMatchObject({
      problem: 'unknown-key',
      keyId: 'k1',
    });
  });
});

describe("employees' e-mail and mobile at rest", () => {
  const lilei = {
    id: 'lilei',
    name: '李雷',
    unitId: 'sh-1',
    managerId: 'mgr',
    roles: ['sales'],
    hireDate: '2023-04-01',
    email: 'li.lei@private-mail.cn',
    mobile: '+8613912345678',
  };
  const contacts = ['li.lei@private-mail.cn', '8613912345678'];
  const storedEmployee = (store: MemoryStore, id: string) =>
    store.raw.get('acme')?.employees.get(id) as { email: string | null; mobile: string | null };

  it('are stored encrypted, and read back in clear', async () => {
    const { store, t } = await seeded();
    await t.directory.sync({ employees: [lilei] });
    const text = rawText(store);
    for (const value of contacts) expect(text).not.toContain(value);
    expect(storedEmployee(store, 'lilei').email).toMatch(/^~A256GCM\.[0-9a-f]{16}\./);
    expect(await t.directory.employee('lilei')).toMatchObject({ email: lilei.email, mobile: lilei.mobile });
    // A status change rewrites the row: still sealed, still the same values.
    await t.directory.sync({ employees: [{ ...lilei, status: 'resigning' }] });
    for (const value of contacts) expect(rawText(store)).not.toContain(value);
    expect(await t.directory.employee('lilei')).toMatchObject({ status: 'resigning', email: lilei.email });
  });

  it('refuses a contact moved to another employee, or changed: each is bound to its own', async () => {
    const { store, t } = await seeded();
    await t.directory.sync({ employees: [lilei, { ...lilei, id: 'hanmeimei', name: '韩梅梅', email: 'h@m.cn' }] });
    storedEmployee(store, 'hanmeimei').email = storedEmployee(store, 'lilei').email;
    const moved = await t.directory
      .employee('hanmeimei')
      .then((e) => e.email)
      .catch((e: unknown) => e);
    expect(isGuardError(moved, 'DATA_KEY_UNAVAILABLE') && moved.params).toMatchObject({
      problem: 'tampered',
      subject: { type: 'employee', id: 'hanmeimei' },
    });
    const row = storedEmployee(store, 'lilei');
    // One character of the ciphertext changed (the last one of a part may only carry base64 padding bits).
    const [prefix, keyId, nonce, body, tag] = (row.mobile as string).split('.') as [
      string,
      string,
      string,
      string,
      string,
    ];
    row.mobile = [prefix, keyId, nonce, `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`, tag].join('.');
    const changed = await t.directory
      .employee('lilei')
      .then((e) => e.mobile)
      .catch((e: unknown) => e);
    expect(isGuardError(changed, 'DATA_KEY_UNAVAILABLE') && changed.params.problem).toBe('tampered');
  });

  it('reads contacts written before encryption as they are, and encrypts them on the next write', async () => {
    const { store, t } = await seeded();
    await t.directory.sync({ employees: [{ ...lilei, email: null, mobile: null }] });
    Object.assign(storedEmployee(store, 'lilei'), { email: lilei.email, mobile: lilei.mobile });
    expect(await t.directory.employee('lilei')).toMatchObject({ email: lilei.email, mobile: lilei.mobile });
    await t.directory.sync({ employees: [lilei] });
    for (const value of contacts) expect(rawText(store)).not.toContain(value);
  });

  it('are gone with the departed employee’s key: a copy of the row made before the erasure reads without them', async () => {
    const { store, t } = await seeded();
    await t.directory.sync({ employees: [{ ...lilei, status: 'departed' }] });
    const copy = { ...storedEmployee(store, 'lilei') };
    const report = await t.privacy.erase({ employeeId: 'lilei', reason: 'PIPL request' });
    expect(report).toMatchObject({ dataKeyDestroyed: true, erased: expect.arrayContaining(['email', 'mobile']) });
    // A backup's row, restored after the erasure: its sealed values can no longer be opened.
    Object.assign(storedEmployee(store, 'lilei'), copy);
    expect(await t.directory.employee('lilei')).toMatchObject({ email: null, mobile: null });
  });
});
