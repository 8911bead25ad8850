import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntryBody,
  ChainVerifier,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  payloadDigest,
  redactAuditEntry,
  signCheckpoint,
  type VerifyResult,
  verifyCheckpointSignature,
  verifyEntries,
} from '../src/audit/index.js';
import type { AuditEntry, Json, RedactedAuditEntry } from '../src/domain/index.js';
import type { AuditCheckpoint, SecretKey } from '../src/ports/index.js';

const key: SecretKey = { id: 'k1', secret: new TextEncoder().encode('test-secret-of-at-least-32-bytes!!') };

// ── arbitraries ────────────────────────────────────────────────────────────

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
/** A salt (format 2) or none (format 1): chains mix both, as an upgraded tenant's does. */
const saltArb = fc.option(hex32, { nil: null });
const idArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/);
const actorArb = fc.record({
  type: fc.constantFrom('employee' as const, 'host' as const, 'system' as const),
  id: idArb,
});
const actionArb = fc.constantFrom<string>(
  'customer.read',
  'customer.export',
  'directory.sync',
  'offboarding.handover-confirmed',
);
const subjectArb = fc.option(
  fc.record({ type: fc.constantFrom('customer' as const, 'employee' as const, 'order' as const), id: idArb }),
  { nil: null },
);
const dataArb: fc.Arbitrary<Record<string, Json>> = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>,
  {
    maxKeys: 3,
  },
);
const atArb = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
type Draft = Omit<AuditEntryBody, 'tenantId' | 'seq'>;
const draftArb: fc.Arbitrary<Draft> = fc.record({
  at: atArb,
  actor: actorArb,
  action: actionArb,
  subject: subjectArb,
  data: dataArb,
  salt: saltArb,
});

/** Chains drafts into valid entries, like `AuditLog.append` does. */
function chain(tenantId: string, drafts: readonly Draft[], from: readonly AuditEntry[] = []): AuditEntry[] {
  const out = [...from];
  for (const d of drafts) {
    const prevHash = out.at(-1)?.hash ?? GENESIS_HASH;
    const body = { tenantId, seq: out.length + 1, ...d, salt: d.salt ?? null };
    out.push({ ...body, prevHash, hash: entryHash(prevHash, body), seal: null });
  }
  return out;
}

function checkpointAt(entries: readonly AuditEntry[], seq: number): AuditCheckpoint {
  const e = entries[seq - 1] as AuditEntry;
  return signCheckpoint({ tenantId: e.tenantId, seq, hash: e.hash, at: '2030-01-01T00:00:00.000Z' }, key);
}

interface Fixture {
  readonly tenantId: string;
  readonly entries: readonly AuditEntry[];
  /** Signed at the head. */
  readonly checkpoint: AuditCheckpoint;
}

/**
 * A valid chain of 1–60 entries (half the time short, half the time of a
 * length uniform in 1–60: fast-check's arrays alone stay short) with a signed
 * checkpoint at its head. Entries reuse a few
 * random drafts so that long chains stay cheap to generate; seq, at and the
 * hashes still differ.
 */
const chainArb: fc.Arbitrary<Fixture> = fc
  .record({
    tenantId: fc.constantFrom('acme', 'globex'),
    pool: fc.array(draftArb, { minLength: 1, maxLength: 4 }),
    picks: fc
      .oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 60 }))
      .chain((n) => fc.array(fc.nat(), { minLength: n, maxLength: n })),
  })
  .map(({ tenantId, pool, picks }) => {
    const drafts = picks.map((p, i) => {
      const d = pool[p % pool.length] as Draft;
      return { ...d, at: new Date(Date.parse(d.at) + i * 1000).toISOString() };
    });
    const entries = chain(tenantId, drafts);
    return { tenantId, entries, checkpoint: checkpointAt(entries, entries.length) };
  });

/** Verifies as a careful reader would: checkpoint signature first, then the chain. */
function verify(
  f: Fixture,
  entries: readonly (AuditEntry | RedactedAuditEntry)[],
  checkpoints = [f.checkpoint],
): VerifyResult {
  expect(checkpoints.every((cp) => verifyCheckpointSignature(cp, key))).toBe(true);
  return verifyEntries(entries, { tenantId: f.tenantId, checkpoints });
}

function expectBadAt(result: VerifyResult, seq: number, entries: readonly AuditEntry[]): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.firstBadSeq).toBe(seq);
  expect(result.entries).toBe(seq - 1);
  expect(result.head).toEqual({ seq: seq - 1, hash: seq === 1 ? GENESIS_HASH : entries[seq - 2]?.hash });
}

/** Another value for one field of an entry; `fc.pre` discards the rare draw that changes nothing. */
const modificationArb = fc.oneof(
  fc.record({ field: fc.constant('tenantId' as const), value: fc.oneof(idArb, fc.constantFrom('acme', 'globex')) }),
  fc.record({ field: fc.constant('seq' as const), value: fc.integer({ min: -2, max: 70 }) }),
  fc.record({
    field: fc.constant('at' as const),
    value: fc.oneof(
      atArb,
      atArb.map((at) => at.replace('.000Z', 'Z')),
      atArb.map((at) => at.replace('Z', '+00:00')),
    ),
  }),
  fc.record({ field: fc.constant('actor' as const), value: actorArb }),
  fc.record({ field: fc.constant('action' as const), value: actionArb }),
  fc.record({ field: fc.constant('subject' as const), value: subjectArb }),
  fc.record({ field: fc.constant('data' as const), value: dataArb }),
  fc.record({
    field: fc.constant('data-member' as const),
    value: fc.tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>),
  }),
  fc.record({ field: fc.constant('salt' as const), value: saltArb }),
  fc.record({ field: fc.constant('prevHash' as const), value: hex64 }),
  fc.record({ field: fc.constant('hash' as const), value: hex64 }),
);
type Modification = typeof modificationArb extends fc.Arbitrary<infer T> ? T : never;

function modify(entry: AuditEntry, m: Modification): AuditEntry {
  switch (m.field) {
    case 'data-member':
      return { ...entry, data: { ...entry.data, [m.value[0]]: m.value[1] } };
    default:
      return { ...entry, [m.field]: m.value };
  }
}

// ── properties ─────────────────────────────────────────────────────────────

describe('entryHash', () => {
  it('format 2: SHA-256 over prevHash and the position, time and salted payload digest', () => {
    const salt = '0f'.repeat(16);
    const payload = {
      action: 'directory.sync',
      actor: { type: 'host' as const, id: 'hr-sync' },
      subject: null,
      data: { employees: 120 },
    };
    const body = { tenantId: 'acme', seq: 1, at: '2026-11-02T02:00:00.000Z', ...payload, salt };
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const digest = sha(
      `${salt}{"action":"directory.sync","actor":{"id":"hr-sync","type":"host"},"data":{"employees":120},"subject":null}`,
    );
    expect(payloadDigest(salt, payload)).toBe(digest);
    const expected = sha(
      `${GENESIS_HASH}{"at":"2026-11-02T02:00:00.000Z","payloadDigest":"${digest}","seq":1,"tenantId":"acme","v":2}`,
    );
    expect(entryHash(GENESIS_HASH, body)).toBe(expected);
    // Another salt, another digest and hash: a redacted payload cannot be confirmed by guessing it.
    expect(entryHash(GENESIS_HASH, { ...body, salt: 'f0'.repeat(16) })).not.toBe(expected);
  });

  it('format 1 (no salt): SHA-256 over prevHash and the canonical JSON of the body, ignoring prevHash and hash', () => {
    const body = {
      tenantId: 'acme',
      seq: 1,
      at: '2026-11-02T02:00:00.000Z',
      actor: { type: 'host' as const, id: 'hr-sync' },
      action: 'directory.sync',
      subject: null,
      data: { employees: 120 },
    };
    const expected = '0'.repeat(64) + canonicalJson(body);
    const hex = createHash('sha256').update(expected, 'utf8').digest('hex');
    expect(entryHash(GENESIS_HASH, body)).toBe(hex);
    expect(entryHash(GENESIS_HASH, { ...body, prevHash: 'x', hash: 'y' } as typeof body)).toBe(hex);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });
});

describe('verifyEntries', () => {
  it('accepts every valid chain', () => {
    fc.assert(
      fc.property(chainArb, (f) => {
        const n = f.entries.length;
        expect(verify(f, f.entries)).toEqual({ ok: true, entries: n, head: { seq: n, hash: f.entries[n - 1]?.hash } });
      }),
    );
    expect(verifyEntries([])).toEqual({ ok: true, entries: 0, head: { seq: 0, hash: GENESIS_HASH } });
  });

  it('finds a modification of any field of entry k at k', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), modificationArb, (f, pick, m) => {
        const k = (pick % f.entries.length) + 1;
        const original = f.entries[k - 1] as AuditEntry;
        const changed = modify(original, m);
        fc.pre(canonicalJson(changed) !== canonicalJson(original));
        const tampered = f.entries.map((e, i) => (i === k - 1 ? changed : e));
        expectBadAt(verify(f, tampered), k, f.entries);
      }),
    );
  });

  it('finds the deletion of entry k at k (the last one through the checkpoint)', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), (f, pick) => {
        const n = f.entries.length;
        const k = (pick % n) + 1;
        const result = verify(
          f,
          f.entries.filter((_, i) => i !== k - 1),
        );
        expectBadAt(result, k, f.entries);
        expect(result.ok || result.reason).toBe(k === n ? 'truncated' : 'sequence-gap');
      }),
    );
  });

  it('finds an entry inserted before position k at k', () => {
    const strangerArb = fc.record({
      tenantId: fc.constantFrom('acme', 'globex'),
      seq: fc.integer({ min: 0, max: 62 }),
      at: atArb,
      actor: actorArb,
      action: actionArb,
      subject: subjectArb,
      data: dataArb,
      salt: saltArb,
      prevHash: fc.option(hex64, { nil: null }), // null: the true previous hash, so only its own hash gives it away
      hash: hex64,
    });
    fc.assert(
      fc.property(chainArb, fc.nat(), fc.boolean(), strangerArb, (f, pick, sameSeq, s) => {
        const k = (pick % (f.entries.length + 1)) + 1;
        const stranger: AuditEntry = {
          ...s,
          seq: sameSeq ? k : s.seq,
          prevHash: s.prevHash ?? f.entries[k - 2]?.hash ?? GENESIS_HASH,
          seal: null,
        };
        const tampered = [...f.entries.slice(0, k - 1), stranger, ...f.entries.slice(k - 1)];
        expectBadAt(verify(f, tampered), k, f.entries);
      }),
    );
  });

  it('finds a swap of entries j < k at j', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), fc.nat(), (f, a, b) => {
        const n = f.entries.length;
        fc.pre(n >= 2);
        const j = (a % (n - 1)) + 1;
        const k = j + 1 + (b % (n - j));
        const tampered = [...f.entries];
        [tampered[j - 1], tampered[k - 1]] = [f.entries[k - 1] as AuditEntry, f.entries[j - 1] as AuditEntry];
        const result = verify(f, tampered);
        expectBadAt(result, j, f.entries);
        expect(result.ok || result.reason).toBe('sequence-gap');
      }),
    );
  });

  it('finds a cut-off tail through the checkpoint, at the new length + 1', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), (f, pick) => {
        const m = pick % f.entries.length; // entries kept: 0 … n-1
        const result = verify(f, f.entries.slice(0, m));
        expectBadAt(result, m + 1, f.entries);
        expect(result.ok || result.reason).toBe('truncated');
      }),
    );
  });

  it('catches a forger who rewrites entry k and rehashes the rest only through a checkpoint at or after k', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), dataArb, fc.array(fc.nat(), { maxLength: 3 }), (f, pick, data, more) => {
        const n = f.entries.length;
        const k = (pick % n) + 1;
        const original = f.entries[k - 1] as AuditEntry;
        fc.pre(canonicalJson(data) !== canonicalJson(original.data));
        const { hash: _h, prevHash: _p, tenantId: _t, seq: _s, ...rest } = original;
        const later = f.entries
          .slice(k)
          .map(({ hash: _hash, prevHash: _prev, tenantId: _tenant, seq: _seq, ...d }) => d);
        const forged = chain(f.tenantId, [{ ...rest, data }, ...later], f.entries.slice(0, k - 1));

        // The forged chain is internally consistent: without checkpoints nothing shows.
        expect(verifyEntries(forged).ok).toBe(true);

        // With the signed head checkpoint (and perhaps earlier ones) it is caught at the first checkpoint ≥ k.
        const checkpoints = [...new Set([...more.map((x) => (x % n) + 1), n])].map((seq) =>
          checkpointAt(f.entries, seq),
        );
        const firstAfter = Math.min(...checkpoints.map((cp) => cp.seq).filter((seq) => seq >= k));
        const result = verify(f, forged, checkpoints);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.reason).toBe('checkpoint-mismatch');
        expect(result.firstBadSeq).toBe(firstAfter);
        expect(result.firstBadSeq).toBeLessThanOrEqual(f.checkpoint.seq);
      }),
    );
  });

  it('verifies a suffix from a trusted head, and in pages with ChainVerifier', () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), fc.integer({ min: 1, max: 7 }), (f, pick, pageSize) => {
        const n = f.entries.length;
        const s = pick % n;
        const start = { seq: s, hash: s === 0 ? GENESIS_HASH : (f.entries[s - 1] as AuditEntry).hash };
        const whole = verify(f, f.entries);
        expect(verifyEntries(f.entries.slice(s), { start, checkpoints: [f.checkpoint] })).toEqual({
          ...whole,
          entries: n - s,
        });

        const verifier = new ChainVerifier({ checkpoints: [f.checkpoint] });
        let accepted = true;
        for (let i = 0; i < n; i += pageSize) {
          for (const e of f.entries.slice(i, i + pageSize)) accepted = verifier.push(e) && accepted;
        }
        expect(accepted).toBe(true);
        expect(verifier.finish()).toEqual(whole);
      }),
    );
  });

  it('names each reason and stops at the first bad entry', () => {
    const entries = chain('acme', [
      { at: '2026-01-01T00:00:00.000Z', actor: { type: 'host', id: 'h' }, action: 'a.b', subject: null, data: {} },
      {
        at: '2026-01-01T00:00:01.000Z',
        actor: { type: 'host', id: 'h' },
        action: 'a.b',
        subject: null,
        data: { x: 1 },
      },
      {
        at: '2026-01-01T00:00:02.000Z',
        actor: { type: 'host', id: 'h' },
        action: 'a.b',
        subject: null,
        data: { x: 2 },
      },
    ]);
    const [e1, e2, e3] = entries as [AuditEntry, AuditEntry, AuditEntry];
    const reasonOf = (list: AuditEntry[], options = {}) => {
      const r = verifyEntries(list, options);
      return r.ok ? 'ok' : `${r.reason}@${r.firstBadSeq}`;
    };
    expect(reasonOf([e1, e3])).toBe('sequence-gap@2');
    expect(reasonOf([e1, e1])).toBe('sequence-disorder@2');
    expect(reasonOf([e1, { ...e2, prevHash: e3.hash }])).toBe('broken-link@2');
    expect(reasonOf([e1, e2, { ...e3, data: { x: 3 } }, e3])).toBe('hash-mismatch@3');
    expect(reasonOf(entries, { tenantId: 'globex' })).toBe('wrong-tenant@1');
    expect(reasonOf(entries, { checkpoints: [{ seq: 2, hash: e3.hash }] })).toBe('checkpoint-mismatch@2');
    expect(reasonOf(entries, { checkpoints: [{ seq: 9, hash: e3.hash }] })).toBe('truncated@4');
    // Content that cannot be hashed canonically was never written by Guard.
    expect(reasonOf([e1, { ...e2, data: { x: Number.NaN } }])).toBe('hash-mismatch@2');
    // An entry copied from another tenant's chain, even with a valid hash of its own.
    const other = chain('globex', [{ at: e1.at, actor: e1.actor, action: e1.action, subject: null, data: {} }]);
    expect(reasonOf([...(other as [AuditEntry]), e2], { tenantId: 'acme' })).toBe('wrong-tenant@1');
  });

  it('returns frozen results', () => {
    const result = verifyEntries([]);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.head)).toBe(true);
  });
});

describe('redacted entries', () => {
  /** `entries` with the format-2 entries whose position is in `which` redacted. */
  const redacted = (entries: readonly AuditEntry[], which: ReadonlySet<number>) =>
    entries.map((e) => (which.has(e.seq) ? (redactAuditEntry(e) ?? e) : e));
  const positionsArb = fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 60 }).map((xs) => new Set(xs));

  it('verify exactly as the whole entries do, and show nothing of the payload', () => {
    fc.assert(
      fc.property(chainArb, positionsArb, (f, which) => {
        const shown = redacted(f.entries, which);
        expect(verify(f, shown)).toEqual(verify(f, f.entries));
        for (const [i, e] of shown.entries()) {
          const whole = f.entries[i] as AuditEntry;
          if (!('redacted' in e)) continue;
          expect(Object.keys(e).sort()).toEqual(
            ['at', 'hash', 'payloadDigest', 'prevHash', 'redacted', 'seal', 'seq', 'tenantId'].sort(),
          );
          expect(e.payloadDigest).toBe(payloadDigest(whole.salt as string, whole));
        }
      }),
    );
  });

  it('cannot be made of a format-1 entry', () => {
    const [e] = chain('acme', [
      { at: '2026-01-01T00:00:00.000Z', actor: { type: 'host', id: 'h' }, action: 'a.b', subject: null, data: {} },
    ]);
    expect(redactAuditEntry(e as AuditEntry)).toBeNull();
  });

  it('are caught at k when their digest, time, position or tenant is changed', () => {
    const changeArb = fc.oneof(
      fc.record({ field: fc.constant('payloadDigest' as const), value: hex64 }),
      fc.record({ field: fc.constant('at' as const), value: atArb }),
      fc.record({ field: fc.constant('seq' as const), value: fc.integer({ min: -2, max: 70 }) }),
      fc.record({ field: fc.constant('tenantId' as const), value: idArb }),
    );
    fc.assert(
      fc.property(chainArb, fc.nat(), changeArb, (f, pick, change) => {
        const k = (pick % f.entries.length) + 1;
        const original = redactAuditEntry(f.entries[k - 1] as AuditEntry);
        fc.pre(original !== null && original[change.field] !== change.value);
        const changed: RedactedAuditEntry = { ...(original as RedactedAuditEntry), [change.field]: change.value };
        const tampered = f.entries.map((e, i) => (i === k - 1 ? changed : e));
        expectBadAt(verify(f, tampered), k, f.entries);
      }),
    );
  });
});

describe('signed checkpoints', () => {
  it('verify with their key and fail after any change', () => {
    const cpArb = fc.record({ tenantId: idArb, seq: fc.integer({ min: 1 }), hash: hex64, at: atArb });
    const fieldArb = fc.constantFrom('tenantId', 'seq', 'hash', 'at', 'keyId', 'signature');
    fc.assert(
      fc.property(cpArb, fieldArb, hex64, (statement, field, noise) => {
        const cp = signCheckpoint(statement, key);
        expect(cp).toEqual({
          ...statement,
          keyId: 'k1',
          algorithm: 'HMAC-SHA256',
          signature: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(Object.isFrozen(cp)).toBe(true);
        expect(verifyCheckpointSignature(cp, key)).toBe(true);
        const changed = {
          ...cp,
          [field]: field === 'seq' ? cp.seq + 1 : field === 'at' ? '2031-01-01T00:00:00.000Z' : noise,
        };
        fc.pre(JSON.stringify(changed) !== JSON.stringify(cp));
        expect(verifyCheckpointSignature(changed, key)).toBe(false);
      }),
    );
  });

  it('sign over the canonical JSON of the statement, key id and algorithm', () => {
    const cp = signCheckpoint({ tenantId: 'acme', seq: 5, hash: GENESIS_HASH, at: '2026-01-01T00:00:00.000Z' }, key);
    const payload = `{"algorithm":"HMAC-SHA256","at":"2026-01-01T00:00:00.000Z","hash":"${GENESIS_HASH}","keyId":"k1","seq":5,"tenantId":"acme"}`;
    expect(cp.signature).toBe(createHmac('sha256', key.secret).update(payload).digest('hex'));
  });

  it('do not verify with another key, another key id, or another algorithm', () => {
    const cp = signCheckpoint({ tenantId: 'acme', seq: 5, hash: GENESIS_HASH, at: '2026-01-01T00:00:00.000Z' }, key);
    const other: SecretKey = { id: 'k1', secret: new TextEncoder().encode('another-secret-of-at-least-32-bytes') };
    expect(verifyCheckpointSignature(cp, other)).toBe(false);
    expect(verifyCheckpointSignature(cp, { ...key, id: 'k2' })).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, algorithm: 'HMAC-SHA1' as 'HMAC-SHA256' }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: 'ab' }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, seq: Number.NaN }, key)).toBe(false);
  });
});
