import { type AuditCheckpoint, type AuditEntry, isGuardError } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import { appendEntries, auditLog, errorOf, instant, inTx, OTHER_TENANT, sortBy, TENANT } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const GENESIS = '0'.repeat(64);

/** A checkpoint with a made-up signature: stores keep checkpoints, they do not check them. */
const checkpoint = (seq: number, overrides: Partial<AuditCheckpoint> = {}): AuditCheckpoint => ({
  tenantId: TENANT,
  seq,
  hash: seq.toString(16).padStart(64, '0'),
  at: instant(seq * 1000),
  keyId: 'k1',
  algorithm: 'HMAC-SHA256',
  signature: 'ab'.repeat(32),
  ...overrides,
});

/** Checks the raw rows form one chain from the genesis and match `entries`. */
async function expectRawChain(h: StoreHarness, tenantId: string, entries: readonly AuditEntry[]) {
  const rows = sortBy(await h.raw.auditEntries(tenantId), (r) => r.seq);
  expect(rows).toEqual(
    entries.map((e) => ({
      seq: e.seq,
      action: e.action,
      actorId: e.actor.id,
      prevHash: e.prevHash,
      hash: e.hash,
      seal: e.seal,
    })),
  );
  rows.forEach((row, i) => {
    expect(row.seq).toBe(i + 1);
    expect(row.prevHash).toBe(i === 0 ? GENESIS : rows[i - 1]?.hash);
  });
}

export const auditSuite = defineSuite('audit', {
  'lockAuditHead is null before the first entry, then the last appended entry': async (h) => {
    const { log } = auditLog();
    expect(await inTx(h, (tx) => tx.lockAuditHead(TENANT))).toBeNull();
    expect(await h.raw.auditHead(TENANT)).toBeNull();
    const entries = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 3));
    const last = entries.at(-1) as AuditEntry;
    const head = { seq: 3, hash: last.hash, seal: expect.stringMatching(/^.+:[0-9a-f]{64}$/) };
    expect(await inTx(h, (tx) => tx.lockAuditHead(TENANT))).toEqual(head);
    expect(await h.raw.auditHead(TENANT)).toEqual(head);
    expect(await inTx(h, (tx) => tx.lockAuditHead(OTHER_TENANT))).toBeNull();
  },

  'appendAudit stores the seal of each entry and of the head exactly as given': async (h) => {
    const { log } = auditLog();
    const [entry] = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 1));
    const next = (seq: number, seal: string | null): AuditEntry => ({
      ...(entry as AuditEntry),
      seq,
      prevHash: seq === 2 ? (entry as AuditEntry).hash : 'ab'.repeat(32),
      hash: seq.toString(16).padStart(64, '0'),
      seal,
    });
    const sealed = next(2, `key:with:colons:${'cd'.repeat(32)}`);
    await inTx(h, async (tx) => {
      await tx.lockAuditHead(TENANT);
      await tx.appendAudit([sealed, next(3, null)], `head-key:${'ef'.repeat(32)}`);
    });
    const rows = sortBy(await h.raw.auditEntries(TENANT), (r) => r.seq);
    expect(rows.map((r) => r.seal)).toEqual([(entry as AuditEntry).seal, sealed.seal, null]);
    expect((await inTx(h, (tx) => tx.readAudit(TENANT, 1, 10))).map((e) => e.seal)).toEqual([sealed.seal, null]);
    const head = { seq: 3, hash: next(3, null).hash, seal: `head-key:${'ef'.repeat(32)}` };
    expect(await h.raw.auditHead(TENANT)).toEqual(head);
    expect(await inTx(h, (tx) => tx.lockAuditHead(TENANT))).toEqual(head);
  },

  'appendAudit keeps each entry’s salt exactly, null on an entry written before salts': async (h) => {
    const { log } = auditLog();
    const [entry] = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 1));
    expect((entry as AuditEntry).salt).toMatch(/^[0-9a-f]{32}$/);
    const next = (seq: number, salt: string | null): AuditEntry => ({
      ...(entry as AuditEntry),
      seq,
      salt,
      prevHash: seq === 2 ? (entry as AuditEntry).hash : 'ab'.repeat(32),
      hash: seq.toString(16).padStart(64, '0'),
    });
    const written = [next(2, null), next(3, '0f'.repeat(16))];
    await inTx(h, async (tx) => {
      await tx.lockAuditHead(TENANT);
      await tx.appendAudit(written);
    });
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 0, 10))).toEqual([entry, ...written]);
  },

  'appendAudit continues the chain with consecutive seq across transactions': async (h) => {
    const { log, clock } = auditLog();
    const first = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 2, { actorId: 'e-1', action: 'customer.read' }));
    clock.advance({ minutes: 1 });
    const second = await inTx(h, (tx) =>
      appendEntries(log, tx, TENANT, 3, { actorId: 'hr-sync', action: 'directory.sync', subjectId: null }),
    );
    expect([...first, ...second].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    await expectRawChain(h, TENANT, [...first, ...second]);
    expect(await h.raw.auditHead(TENANT)).toMatchObject({ seq: 5, hash: second.at(-1)?.hash });
  },

  'appendAudit throws ConflictError for a seq already taken, and writes nothing': async (h) => {
    const { log } = auditLog();
    const entries = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 3));
    const last = entries.at(-1) as AuditEntry;
    const forged = (seq: number): AuditEntry => ({ ...last, seq, data: { forged: true } });
    for (const batch of [[forged(3), forged(4)], [forged(1)], [forged(2), forged(3)]]) {
      const error = await errorOf(h, async (tx) => {
        await tx.lockAuditHead(TENANT);
        await tx.appendAudit(batch);
      });
      expect(
        isGuardError(error, 'CONFLICT'),
        `seq ${batch.map((e) => e.seq).join(', ')}: expected a ConflictError, got ${String(error)}`,
      ).toBe(true);
    }
    await expectRawChain(h, TENANT, entries);
    expect(await h.raw.auditHead(TENANT)).toMatchObject({ seq: 3, hash: last.hash });
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 0, 10))).toEqual(entries);
  },

  'readAudit returns up to limit entries after afterSeq, ascending, exactly as written': async (h) => {
    const { log, clock } = auditLog();
    const first = await inTx(h, (tx) =>
      log.append(tx, TENANT, [
        {
          actor: { type: 'employee', id: 'e-7' },
          action: 'customer.export',
          subject: { type: 'customer', id: 'c-1' },
          data: { rows: 1, watermark: true, fields: ['contact.phone'], note: '导出 “VIP”', ratio: 0.25, none: null },
        },
        { actor: { type: 'system', id: 'guard' }, action: 'alert.raise', subject: null, data: {} },
      ]),
    );
    clock.advance({ ms: 1 });
    const second = await inTx(h, (tx) => appendEntries(log, tx, TENANT, 3));
    await inTx(h, (tx) => appendEntries(log, tx, OTHER_TENANT, 2));
    const all = [...first, ...second];
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 0, 100))).toEqual(all);
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 0, 1))).toEqual(all.slice(0, 1));
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 2, 2))).toEqual(all.slice(2, 4));
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 4, 100))).toEqual(all.slice(4));
    expect(await inTx(h, (tx) => tx.readAudit(TENANT, 5, 100))).toEqual([]);
  },

  'putCheckpoint keeps an Ed25519 checkpoint, with its 128-digit signature, exactly': async (h) => {
    const ed = checkpoint(7, { algorithm: 'Ed25519', keyId: 'court-2026', signature: 'cd'.repeat(64) });
    await inTx(h, (tx) => tx.putCheckpoint(ed));
    expect(await inTx(h, (tx) => tx.latestCheckpoint(TENANT))).toEqual(ed);
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 0, 10))).toEqual([ed]);
  },

  'latestCheckpoint is null, then the checkpoint with the highest seq': async (h) => {
    expect(await inTx(h, (tx) => tx.latestCheckpoint(TENANT))).toBeNull();
    await inTx(h, async (tx) => {
      await tx.putCheckpoint(checkpoint(5));
      await tx.putCheckpoint(checkpoint(2));
    });
    await inTx(h, (tx) => tx.putCheckpoint(checkpoint(3)));
    await inTx(h, (tx) => tx.putCheckpoint(checkpoint(9, { tenantId: OTHER_TENANT })));
    expect(await inTx(h, (tx) => tx.latestCheckpoint(TENANT))).toEqual(checkpoint(5));
    expect(await inTx(h, (tx) => tx.latestCheckpoint(OTHER_TENANT))).toEqual(checkpoint(9, { tenantId: OTHER_TENANT }));
  },

  'putCheckpoint replaces a checkpoint at the same seq': async (h) => {
    await inTx(h, (tx) => tx.putCheckpoint(checkpoint(2)));
    const replacement = checkpoint(2, { at: instant(99_000), keyId: 'k2', signature: 'cd'.repeat(32) });
    await inTx(h, (tx) => tx.putCheckpoint(replacement));
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 0, 10))).toEqual([replacement]);
    expect(await inTx(h, (tx) => tx.latestCheckpoint(TENANT))).toEqual(replacement);
  },

  'readCheckpoints returns up to limit checkpoints after afterSeq, ascending': async (h) => {
    await inTx(h, async (tx) => {
      for (const seq of [4, 1, 3]) await tx.putCheckpoint(checkpoint(seq));
    });
    await inTx(h, async (tx) => {
      for (const seq of [5, 2]) await tx.putCheckpoint(checkpoint(seq));
      await tx.putCheckpoint(checkpoint(3, { tenantId: OTHER_TENANT }));
    });
    const all = [1, 2, 3, 4, 5].map((seq) => checkpoint(seq));
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 0, 100))).toEqual(all);
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 2, 2))).toEqual(all.slice(2, 4));
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 0, 1))).toEqual(all.slice(0, 1));
    expect(await inTx(h, (tx) => tx.readCheckpoints(TENANT, 5, 100))).toEqual([]);
  },

  'a chain written through AuditLog verifies': async (h) => {
    const { log, clock } = auditLog(3);
    const written: AuditEntry[] = [];
    for (const count of [1, 2, 4, 1]) {
      written.push(...(await inTx(h, (tx) => appendEntries(log, tx, TENANT, count))));
      clock.advance({ seconds: 1, ms: 7 });
    }
    await inTx(h, (tx) => log.checkpoint(tx, TENANT));
    const result = await log.verify(h.store, TENANT);
    expect(result).toEqual({ ok: true, entries: 8, head: { seq: 8, hash: written.at(-1)?.hash } });
    const checkpoints = await inTx(h, (tx) => tx.readCheckpoints(TENANT, 0, 100));
    expect(checkpoints.map((cp) => cp.seq)).toEqual([3, 7, 8]);
    await expectRawChain(h, TENANT, written);
  },
});
