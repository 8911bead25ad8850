import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuditCheckpoint,
  type AuditEntry,
  createGuard,
  ed25519Keys,
  hmacKeys,
  isGuardError,
  keysByPurpose,
  memoryStore,
  verifyCheckpointWithPublicKey,
  verifyEvidencePack,
} from '../src/index.js';
import { rejection } from './fixtures.js';

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};
const seal = hmacKeys({ current: 's1', keys: { s1: 'seal-secret-of-at-least-32-bytes!!' } });

async function tenant(checkpointKeys: ReturnType<typeof ed25519Keys>) {
  const guard = createGuard({
    store: memoryStore(),
    keys: keysByPurpose({ 'audit-seal': seal, 'audit-checkpoint': checkpointKeys }),
  });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({
    units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
    employees: [{ id: 'rep', name: 'Rep', unitId: 'hq', roles: ['sales'], hireDate: '2022-01-01' }],
  });
  return t;
}

/** @see issue #16, hole 4: checkpoints a third party verifies with the public key alone. */
describe('Ed25519 checkpoints', () => {
  it('are signed through the KeyProvider and verify with the public key alone', async () => {
    const c1 = pem();
    const t = await tenant(ed25519Keys({ current: 'c1', keys: { c1 } }));
    const cp = (await t.audit.checkpoint()) as AuditCheckpoint;
    expect(cp).toMatchObject({
      keyId: 'c1',
      algorithm: 'Ed25519',
      signature: expect.stringMatching(/^[0-9a-f]{128}$/),
    });
    expect(verifyCheckpointWithPublicKey(cp, c1.publicKey)).toBe(true);
    expect(verifyCheckpointWithPublicKey({ ...cp, seq: cp.seq + 1 }, c1.publicKey)).toBe(false);
    expect(verifyCheckpointWithPublicKey(cp, pem().publicKey)).toBe(false);
    expect(await t.audit.verify({ trusted: [cp] })).toMatchObject({ ok: true });
    // A court checks an evidence pack with a provider that holds public keys only.
    const pack = await t.evidence.pack({ employeeId: 'rep' });
    const courtKeys = ed25519Keys({ current: null, keys: { c1: { publicKey: c1.publicKey } } });
    expect((await verifyEvidencePack(pack, courtKeys)).ok).toBe(true);
  });

  it('a forged Ed25519 checkpoint is named, and an Ed25519 key never seals entries', async () => {
    const c1 = pem();
    const t = await tenant(ed25519Keys({ current: 'c1', keys: { c1 } }));
    const cp = (await t.audit.checkpoint()) as AuditCheckpoint;
    const forged = { ...cp, signature: `${cp.signature.slice(0, 127)}${cp.signature.endsWith('0') ? '1' : '0'}` };
    expect(await t.audit.verify({ trusted: [forged] })).toMatchObject({ ok: false, reason: 'checkpoint-signature' });
    const wrong = createGuard({ store: memoryStore(), keys: ed25519Keys({ current: 'c1', keys: { c1 } }) });
    const error = await rejection(wrong.tenants.upsert({ id: 'x', name: 'X', timeZone: 'UTC' }));
    expect(isGuardError(error, 'AUDIT_KEY_UNAVAILABLE')).toBe(true);
  });

  it('verify({ seals: false }) checks links and checkpoint signatures with the public key alone (#22)', async () => {
    const c1 = pem();
    const store = memoryStore();
    const keys = keysByPurpose({
      'audit-seal': seal,
      'audit-checkpoint': ed25519Keys({ current: 'c1', keys: { c1 } }),
    });
    const host = createGuard({ store, keys });
    await host.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    await host.tenant('acme').settings.update({ locale: 'zh-CN' });
    await host.tenant('acme').audit.checkpoint();
    // An auditor on the same database, with nothing but the public key.
    const auditor = createGuard({
      store,
      keys: ed25519Keys({ current: null, keys: { c1: { publicKey: c1.publicKey } } }),
    });
    const acme = auditor.tenant('acme');
    expect(await acme.audit.verify({ seals: false })).toMatchObject({ ok: true, entries: 2 });
    // Without the seal key, the seals cannot be checked: the default refuses at the first entry.
    expect(await acme.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'seal-mismatch' });
    const raw = store.raw.get('acme');
    const first = raw?.audit[0] as AuditEntry;
    (raw as { audit: AuditEntry[] }).audit[0] = { ...first, data: { ...first.data, edited: true } };
    expect(await acme.audit.verify({ seals: false })).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      reason: 'hash-mismatch',
    });
    (raw as { audit: AuditEntry[] }).audit[0] = first;
    expect(await acme.audit.verify({ seals: 'no' } as never).catch((e: unknown) => e)).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
