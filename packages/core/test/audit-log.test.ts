import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditDraft,
  AuditLog,
  type AuditStore,
  entryHash,
  GENESIS_HASH,
  signCheckpoint,
  verifyEntries,
} from '../src/audit/index.js';
import { sealEntry, sealHead } from '../src/audit/seal.js';
import type { AuditEntry } from '../src/domain/index.js';
import { AuditKeyError, isGuardError, ValidationError } from '../src/errors/index.js';
import {
  type AuditCheckpoint,
  type AuditQuery,
  hmacKeys,
  type KeyProvider,
  manualClock,
  type SecretKey,
} from '../src/ports/index.js';
import { type MemoryStore, memoryStore } from '../src/store/index.js';

const SECRET_1 = 'first-test-secret-of-at-least-32-bytes';
const SECRET_2 = 'second-test-secret-of-at-least-32-bytes';
const T = 'acme';

function setup(options: { checkpointEvery?: number; keys?: KeyProvider } = {}) {
  const store = memoryStore();
  const clock = manualClock('2026-11-02T09:00:00+08:00');
  const keys = options.keys ?? hmacKeys({ current: 'k1', keys: { k1: SECRET_1 } });
  const log = new AuditLog({ clock, keys, checkpointEvery: options.checkpointEvery ?? 0 });
  const append = (drafts: readonly AuditDraft[], tenantId = T) =>
    store.transaction((tx) => log.append(tx, tenantId, drafts));
  return { store, clock, keys, log, append };
}

/** A key provider that seals entries but has no key to sign checkpoints with. */
const sealOnly: KeyProvider = (() => {
  const keys = hmacKeys({ current: 'k1', keys: { k1: SECRET_1 } });
  return {
    currentKey: (tenantId, purpose) => (purpose === 'audit-seal' ? keys.currentKey(tenantId, purpose) : null),
    keyById: (tenantId, purpose, id) => (purpose === 'audit-seal' ? keys.keyById(tenantId, purpose, id) : null),
  };
})();

const draft = (n: number, extra: Partial<AuditDraft> = {}): AuditDraft => ({
  actor: { type: 'employee', id: `e-${n % 7}` },
  action: n % 2 === 0 ? 'customer.read' : 'customer.export',
  subject: { type: 'customer', id: `c-${n}` },
  data: { n, fields: { contact: 'mask' } },
  ...extra,
});
const drafts = (from: number, count: number) => Array.from({ length: count }, (_, i) => draft(from + i));

function raw(store: MemoryStore, tenantId = T) {
  const data = store.raw.get(tenantId);
  if (!data) throw new Error(`no data for ${tenantId}`);
  return data;
}

function validationPaths(error: unknown): string[] {
  expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
  return (error as ValidationError).issues.map((i) => i.path.join('.'));
}

describe('AuditLog.append', () => {
  it('numbers, stamps and chains entries, and writes them in the transaction', async () => {
    const { store, append } = setup();
    const first = await append(drafts(1, 3));
    const second = await append(drafts(4, 2));
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(second.map((e) => e.seq)).toEqual([4, 5]);
    expect(new Set(first.map((e) => e.at))).toEqual(new Set(['2026-11-02T01:00:00.000Z']));
    expect(first[0]?.prevHash).toBe(GENESIS_HASH);
    expect(second[0]?.prevHash).toBe(first[2]?.hash);
    expect(first[1]).toMatchObject({ tenantId: T, ...draft(2) });
    expect(raw(store).audit).toEqual([...first, ...second]);
    expect(verifyEntries(raw(store).audit)).toMatchObject({ ok: true, entries: 5 });
  });

  it('returns deeply frozen entries that do not share objects with the drafts', async () => {
    const { store, append } = setup();
    const input = draft(1, { data: { list: [1, { x: 1 }] } });
    const [entry] = (await append([input])) as [AuditEntry];
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.actor)).toBe(true);
    expect(Object.isFrozen((entry.data.list as unknown[])[1])).toBe(true);
    expect(Object.isFrozen(input.data)).toBe(false);
    expect(Object.isFrozen(input.actor)).toBe(false);
    expect(entry.actor).not.toBe(input.actor);
    ((input.data.list as unknown[])[1] as { x: number }).x = 2;
    expect(entry.data).toEqual({ list: [1, { x: 1 }] });
    expect(verifyEntries(raw(store).audit).ok).toBe(true);
  });

  it('rolls back with the rest of the transaction', async () => {
    const { store, log, append } = setup();
    await append(drafts(1, 2));
    await expect(
      store.transaction(async (tx) => {
        await log.append(tx, T, drafts(3, 2));
        throw new Error('the audited change failed');
      }),
    ).rejects.toThrow('the audited change failed');
    expect(raw(store).audit).toHaveLength(2);
    expect((await append(drafts(3, 1)))[0]?.seq).toBe(3);
  });

  it('keeps one chain under concurrent appenders', async () => {
    const { store, log, append } = setup({ checkpointEvery: 7 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(drafts(i * 3, 1 + (i % 3)))));
    const entries = raw(store).audit;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(await log.verify(store, T)).toMatchObject({ ok: true, entries: entries.length });
  });

  it('rejects invalid drafts with their paths, writing nothing', async () => {
    const { store, append } = setup();
    const bad = [
      draft(1),
      { ...draft(2), action: 'Customer Read' },
      { ...draft(3), actor: { type: 'robot', id: 'r' } },
      { ...draft(4), data: { when: new Date() } },
      { ...draft(5), extra: true },
      { ...draft(6), data: { gone: undefined, list: [1, undefined] } },
      { ...draft(7), data: [] },
      { actor: draft(8).actor, action: 'x.y', subject: null },
      'not a draft',
    ] as unknown as AuditDraft[];
    const error = await append(bad).catch((e: unknown) => e);
    expect(validationPaths(error).sort()).toEqual(
      ['1.action', '2.actor.type', '3.data.when', '4', '5.data.gone', '5.data.list.1', '6.data', '7.data', '8'].sort(),
    );
    expect((error as ValidationError).params.what).toBe('audit entry');
    expect(store.raw.get(T)?.audit ?? []).toHaveLength(0);
  });

  it('rejects data that has no canonical form, with its path', async () => {
    const { store, append } = setup();
    const error = await append([draft(1), draft(2, { data: { note: 'bad \ud800 text' } })]).catch((e: unknown) => e);
    expect(validationPaths(error)).toEqual(['1.data.note']);
    expect((error as ValidationError).params.what).toBe('audit entry');
    expect(store.raw.get(T)?.audit ?? []).toHaveLength(0);
    const polluted = JSON.parse('{"__proto__": {"admin": true}}') as AuditDraft['data'];
    expect(validationPaths(await append([draft(1, { data: polluted })]).catch((e: unknown) => e))).toEqual([
      '0.data.__proto__',
    ]);
  });

  it('rejects a bad tenant id and accepts an empty batch without writing', async () => {
    const { store, append } = setup();
    await expect(append([draft(1)], 'has space')).rejects.toBeInstanceOf(ValidationError);
    expect(await append([])).toEqual([]);
    expect(store.raw.get(T)).toBeUndefined();
  });

  it('signs a checkpoint when the head passes a multiple of checkpointEvery', async () => {
    const { store, append } = setup({ checkpointEvery: 3 });
    for (const size of [1, 1, 1, 5, 1, 3]) await append(drafts(0, size));
    // heads: 1, 2, 3*, 8* (passes 6), 9* (passes 9), 12*
    expect([...raw(store).checkpoints.keys()]).toEqual([3, 8, 9, 12]);
    for (const cp of raw(store).checkpoints.values()) {
      expect(cp.hash).toBe(raw(store).audit[cp.seq - 1]?.hash);
      expect(cp).toMatchObject({ tenantId: T, keyId: 'k1', algorithm: 'HMAC-SHA256' });
    }
  });

  it('checkpoints exactly at each crossing, for any batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 6 }),
        async (every, sizes) => {
          const { store, log, append } = setup({ checkpointEvery: every });
          const expected: number[] = [];
          let head = 0;
          for (const size of sizes) {
            await append(drafts(head, size));
            if (Math.floor((head + size) / every) > Math.floor(head / every)) expected.push(head + size);
            head += size;
          }
          expect([...(store.raw.get(T)?.checkpoints.keys() ?? [])]).toEqual(expected);
          expect(await log.verify(store, T, { pageSize: 4 })).toMatchObject({ ok: true, entries: head });
        },
      ),
    );
  });

  it('never checkpoints when checkpointEvery is 0, and rejects a bad value', async () => {
    const { store, append } = setup({ checkpointEvery: 0 });
    await append(drafts(1, 2500));
    expect(raw(store).checkpoints.size).toBe(0);
    expect(
      () =>
        new AuditLog({
          clock: manualClock(0),
          keys: hmacKeys({ current: 'k1', keys: { k1: SECRET_1 } }),
          checkpointEvery: -1,
        }),
    ).toThrow(RangeError);
    expect(
      () =>
        new AuditLog({
          clock: manualClock(0),
          keys: hmacKeys({ current: 'k1', keys: { k1: SECRET_1 } }),
          checkpointEvery: 1.5,
        }),
    ).toThrow(RangeError);
  });

  it('fails with AuditKeyError, writing nothing, when a checkpoint is due and there is no key', async () => {
    const { store, append } = setup({ checkpointEvery: 2, keys: sealOnly });
    await append(drafts(1, 1));
    await expect(append(drafts(2, 1))).rejects.toBeInstanceOf(AuditKeyError);
    expect(raw(store).audit).toHaveLength(1);
  });

  it('fails with AuditKeyError, writing nothing, when there is no key to seal entries with', async () => {
    const { store, append } = setup({ keys: { currentKey: () => null, keyById: () => null } });
    await expect(append(drafts(1, 1))).rejects.toBeInstanceOf(AuditKeyError);
    expect(store.raw.get(T)?.audit ?? []).toHaveLength(0);
  });

  it('seals every entry and the head with the current audit-seal key', async () => {
    const { store, append } = setup();
    const entries = await append(drafts(1, 2));
    for (const e of entries) expect(e.seal).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(new Set(entries.map((e) => e.seal)).size).toBe(2);
    expect(raw(store).auditHead).toMatchObject({ seq: 2, hash: entries[1]?.hash, seal: expect.stringMatching(/^k1:/) });
  });
});

describe('AuditLog hash formats', () => {
  it('writes format 2: a fresh salt per entry, the hash over the salted payload digest', async () => {
    const { append } = setup();
    const entries = await append(drafts(1, 50));
    for (const e of entries) expect(e.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(entries.map((e) => e.salt)).size).toBe(50);
    const [e] = entries as [AuditEntry];
    expect(e.hash).toBe(entryHash(GENESIS_HASH, e));
    // The same entry hashed without its salt (format 1) is another hash: the salt is committed to.
    expect(entryHash(GENESIS_HASH, { ...e, salt: null })).not.toBe(e.hash);
  });

  it('verifies a chain begun before salts (format 1) and continued by this version', async () => {
    const { store, keys, log, append } = setup({ checkpointEvery: 3 });
    const sealKey = (await keys.currentKey(T, 'audit-seal')) as SecretKey;
    // What an earlier version wrote: no salt, the hash over the whole body, sealed.
    await store.transaction(async (tx) => {
      let prevHash = GENESIS_HASH;
      const legacy: AuditEntry[] = [];
      for (let seq = 1; seq <= 4; seq++) {
        const body = { tenantId: T, seq, at: '2026-11-01T01:00:00.000Z', ...draft(seq), salt: null };
        const hash = entryHash(prevHash, body);
        legacy.push({ ...body, prevHash, hash, seal: sealEntry(hash, sealKey) });
        prevHash = hash;
      }
      await tx.lockAuditHead(T);
      await tx.appendAudit(legacy, sealHead(T, 4, prevHash, sealKey));
    });
    const added = await append(drafts(5, 3));
    expect(added.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(await log.verify(store, T)).toEqual({ ok: true, entries: 7, head: { seq: 7, hash: added[2]?.hash } });
  });
});

describe('AuditLog.checkpoint', () => {
  it('signs the head once, returns null for an empty chain', async () => {
    const { store, log, clock, append } = setup();
    expect(await store.transaction((tx) => log.checkpoint(tx, T))).toBeNull();
    await append(drafts(1, 4));
    clock.advance({ minutes: 5 });
    const cp = await store.transaction((tx) => log.checkpoint(tx, T));
    expect(cp).toMatchObject({
      tenantId: T,
      seq: 4,
      hash: raw(store).audit[3]?.hash,
      at: '2026-11-02T01:05:00.000Z',
      keyId: 'k1',
    });
    clock.advance({ minutes: 5 });
    expect(await store.transaction((tx) => log.checkpoint(tx, T))).toEqual(cp);
    await append(drafts(5, 1));
    expect(await store.transaction((tx) => log.checkpoint(tx, T))).toMatchObject({ seq: 5 });
    expect([...raw(store).checkpoints.keys()]).toEqual([4, 5]);
  });

  it('never overwrites a stored checkpoint at the head', async () => {
    const { store, log, append } = setup();
    await append(drafts(1, 2));
    const cp = await store.transaction((tx) => log.checkpoint(tx, T));
    // Someone rewrites the last entry (and its hash) behind Guard's back.
    const entries = raw(store).audit;
    const forged = { ...(entries[1] as AuditEntry), data: { n: 99 } };
    entries[1] = { ...forged, hash: entryHash(forged.prevHash, forged) };
    expect(await store.transaction((tx) => log.checkpoint(tx, T))).toEqual(cp);
    expect(raw(store).checkpoints.get(2)).toEqual(cp);
    // The rewritten entry kept its old seal, which does not match its new hash.
    expect(await log.verify(store, T)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'seal-mismatch' });
  });

  it('fails with AuditKeyError when there is no current key', async () => {
    const { store, log, append } = setup({ keys: sealOnly });
    await append(drafts(1, 1));
    await expect(store.transaction((tx) => log.checkpoint(tx, T))).rejects.toBeInstanceOf(AuditKeyError);
  });
});

describe('AuditLog.verify', () => {
  async function filled(count = 23, checkpointEvery = 5) {
    const s = setup({ checkpointEvery });
    for (let seq = 1; seq <= count; seq += 3) await s.append(drafts(seq, Math.min(3, count - seq + 1)));
    for (let i = 0; i < 4; i++) await s.append(drafts(100 + i, 1));
    return s;
  }

  it('verifies an intact chain, page by page, one transaction per page', async () => {
    const { store, log } = await filled(23);
    let transactions = 0;
    const counting: AuditStore = {
      transaction: (work) => {
        transactions++;
        return store.transaction(work);
      },
    };
    const last = raw(store).audit[26] as AuditEntry;
    expect(await log.verify(counting, T, { pageSize: 5 })).toEqual({
      ok: true,
      entries: 27,
      head: { seq: 27, hash: last.hash },
    });
    expect(transactions).toBe(1 + 6); // checkpoints, then 27 entries in pages of 5 (the last one short)
    expect(await log.verify(store, 'unknown-tenant')).toEqual({
      ok: true,
      entries: 0,
      head: { seq: 0, hash: GENESIS_HASH },
    });
  });

  it('finds a modified entry', async () => {
    const { store, log } = await filled();
    const entries = raw(store).audit;
    entries[11] = { ...(entries[11] as AuditEntry), action: 'customer.read-nothing' };
    expect(await log.verify(store, T, { pageSize: 4 })).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      reason: 'hash-mismatch',
      entries: 11,
    });
  });

  it('finds a cut-off tail through the stored checkpoints', async () => {
    const { store, log } = await filled();
    expect([...raw(store).checkpoints.keys()]).toEqual([6, 12, 15, 21, 25]); // heads 3, 6, 9, …, 21, 23, 24, 25, 26, 27
    raw(store).audit.length = 20;
    expect(await log.verify(store, T)).toMatchObject({ ok: false, firstBadSeq: 21, reason: 'truncated', entries: 20 });
  });

  it('finds a rewritten tail by its seals, with the stored checkpoints deleted and no external one', async () => {
    const { store, log } = await filled(23, 5);
    const exported = await store.transaction((tx) => log.checkpoint(tx, T));
    expect(exported?.seq).toBe(27);
    // An attacker with database access rewrites entry 24 onward and deletes the stored checkpoints that cover it.
    const entries = raw(store).audit;
    const kept = entries.slice(0, 23);
    const tail = entries.slice(23).map((e, i) => ({ ...e, data: i === 0 ? { n: 0 } : e.data }));
    entries.length = 23;
    let prev = kept[22] as AuditEntry;
    for (const e of tail) {
      const next = { ...e, prevHash: prev.hash, hash: entryHash(prev.hash, e) };
      entries.push(next);
      prev = next;
    }
    for (const seq of [...raw(store).checkpoints.keys()]) if (seq > 23) raw(store).checkpoints.delete(seq);
    expect(await log.verify(store, T)).toMatchObject({ ok: false, firstBadSeq: 24, reason: 'seal-mismatch' });
    expect(await log.verify(store, T, { trusted: [exported as AuditCheckpoint] })).toMatchObject({
      ok: false,
      firstBadSeq: 24,
      reason: 'seal-mismatch',
    });
  });

  it('reports a forged or altered checkpoint at its seq', async () => {
    const { store, log } = await filled();
    const cp = raw(store).checkpoints.get(12) as AuditCheckpoint;
    raw(store).checkpoints.set(12, { ...cp, hash: raw(store).audit[12]?.hash ?? '' });
    expect(await log.verify(store, T, { pageSize: 3 })).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      reason: 'checkpoint-signature',
      entries: 11,
      head: { seq: 11, hash: raw(store).audit[10]?.hash },
    });
    // An earlier break in the chain is reported first.
    const entries = raw(store).audit;
    entries.splice(3, 1);
    expect(await log.verify(store, T)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'sequence-gap' });
  });

  it('reports a forged checkpoint past the end of the chain at its seq', async () => {
    const { store, log } = await filled();
    const forged = {
      ...signCheckpoint(
        { tenantId: T, seq: 40, hash: GENESIS_HASH, at: '2026-11-02T01:00:00.000Z' },
        { id: 'k1', secret: new TextEncoder().encode(SECRET_1) },
      ),
      signature: '0'.repeat(64),
    };
    expect(await log.verify(store, T, { trusted: [forged] })).toMatchObject({
      ok: false,
      firstBadSeq: 40,
      reason: 'checkpoint-signature',
      entries: 27,
    });
  });

  it('treats a checkpoint of another tenant as forged', async () => {
    const { store, log, append } = await filled();
    await append(drafts(1, 3), 'globex');
    const theirs = await store.transaction((tx) => log.checkpoint(tx, 'globex'));
    expect(await log.verify(store, T, { trusted: [theirs as AuditCheckpoint] })).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      reason: 'checkpoint-signature',
    });
    expect(await log.verify(store, 'globex', { trusted: [theirs as AuditCheckpoint] })).toMatchObject({
      ok: true,
      entries: 3,
    });
  });

  it('verifies checkpoints signed before a key rotation, and fails on an unknown key', async () => {
    const store = memoryStore();
    const clock = manualClock(0);
    const before = new AuditLog({
      clock,
      checkpointEvery: 4,
      keys: hmacKeys({ current: 'k1', keys: { k1: SECRET_1 } }),
    });
    const after = new AuditLog({
      clock,
      checkpointEvery: 4,
      keys: hmacKeys({ current: 'k2', keys: { k1: SECRET_1, k2: SECRET_2 } }),
    });
    await store.transaction((tx) => before.append(tx, T, drafts(1, 5)));
    await store.transaction((tx) => after.append(tx, T, drafts(6, 5)));
    expect([...raw(store).checkpoints.values()].map((cp) => cp.keyId)).toEqual(['k1', 'k2']);
    expect(await after.verify(store, T)).toMatchObject({ ok: true, entries: 10 });
    const error = await before.verify(store, T).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditKeyError);
    expect((error as AuditKeyError).params).toEqual({ tenantId: T, keyId: 'k2' });
  });

  it('rejects malformed trusted checkpoints and options', async () => {
    const { store, log } = await filled();
    const bad = {
      tenantId: T,
      seq: 0,
      hash: 'xyz',
      at: 'yesterday',
      keyId: 'k1',
      algorithm: 'HMAC-SHA256',
      signature: '',
    };
    const error = await log.verify(store, T, { trusted: [bad as AuditCheckpoint] }).catch((e: unknown) => e);
    expect(validationPaths(error)).toEqual(expect.arrayContaining(['0.seq', '0.hash', '0.at', '0.signature']));
    await expect(log.verify(store, T, { pageSize: 0 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('AuditLog.query', () => {
  it('validates the query and passes it to the store', async () => {
    const { store, log, clock, append } = setup();
    await append(drafts(1, 3)); // 01:00Z
    clock.advance({ hours: 1 });
    await append(drafts(4, 3)); // 02:00Z
    const query = (q: AuditQuery) => store.transaction((tx) => log.query(tx, T, q));

    const page = await query({ limit: 2, order: 'desc' });
    expect(page.items.map((e) => e.seq)).toEqual([6, 5]);
    const next = await query({ limit: 2, order: 'desc', cursor: page.nextCursor ?? undefined });
    expect(next.items.map((e) => e.seq)).toEqual([4, 3]);
    expect((await query({ limit: 10, from: '2026-11-02T09:30:00+08:00' })).items.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect((await query({ limit: 10, to: '2026-11-02T02:00:00Z' })).items.map((e) => e.seq)).toEqual([1, 2, 3]);
    // Sub-millisecond bounds: `at >= from` and `at < to` keep their meaning.
    expect((await query({ limit: 10, from: '2026-11-02T02:00:00.0000001Z' })).items).toEqual([]);
    expect((await query({ limit: 10, to: '2026-11-02T02:00:00.0001Z' })).items.map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(
      (await query({ limit: 10, actorId: 'e-1', subject: { type: 'customer', id: 'c-1' } })).items.map((e) => e.seq),
    ).toEqual([1]);
    expect((await query({ limit: 10, action: 'customer.export' })).items.map((e) => e.seq)).toEqual([1, 3, 5]);

    for (const bad of [
      { limit: 0 },
      { limit: 1001 },
      { limit: 1.5 },
      { limit: 10, from: 'yesterday' },
      { limit: 10, order: 'up' },
      { limit: 10, subject: { type: 'planet', id: 'x' } },
    ]) {
      await expect(query(bad as AuditQuery)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
