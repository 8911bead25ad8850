import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type EvidencePack, verifyEvidencePack } from '../src/evidence/evidence.js';
import {
  type AuditEntry,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  hmacKeys,
  isGuardError,
  type RedactedAuditEntry,
  signCheckpoint,
} from '../src/index.js';
import { seededGuard, testKeys } from './fixtures.js';

const clone = (pack: EvidencePack): EvidencePack => JSON.parse(JSON.stringify(pack)) as EvidencePack;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
const isRedacted = (e: AuditEntry | RedactedAuditEntry): e is RedactedAuditEntry => 'redacted' in e;
const whole = (entries: readonly (AuditEntry | RedactedAuditEntry)[]) =>
  entries.filter((e): e is AuditEntry => !isRedacted(e));

async function scenario() {
  const env = await seededGuard();
  const { t, store, clock } = env;
  const nda = await t.agreements.publishTemplate({
    templateId: 'nda',
    kind: 'confidentiality',
    title: '保密协议',
    version: 1,
    text: '乙方对客户资料负有保密义务。',
  });
  const agreement = await t.agreements.assign({ employeeId: 'leaver', templateId: 'nda' });
  await t.agreements.sign({
    actor: 'leaver',
    agreementId: agreement.id,
    contentHash: nda.contentHash,
    channel: 'web',
    ip: '198.51.100.4',
    userAgent: 'Mozilla/5.0',
  });
  clock.advance({ hours: 1 });
  await t.customers.read({ actor: 'mate', customerId: 'c-mate' }); // someone else, in between
  await t.customers.read({ actor: 'leaver', customerId: 'c-leaver' });
  const requested = await t.approvals.request({ actor: 'leaver', kind: 'special-terms', title: 'Net 90 for c-leaver' });
  await t.approvals.approve({ actor: 'mgr', approvalId: requested.id });
  const decided = await t.approvals.request({ actor: 'mate', kind: 'special-terms', title: 'Net 60' });
  const unrelated = await t.approvals.request({ actor: 'other', kind: 'special-terms', title: 'Net 30' });
  await store.transaction(async (tx) => {
    for (const [id, customerId] of [
      ['o-1', 'c-leaver'],
      ['o-2', 'c-leaver'],
      ['o-3', 'c-mate'],
    ] as const) {
      await tx.putRecord(
        {
          tenantId: 'acme',
          kind: 'order',
          id,
          ref: customerId,
          status: 'won',
          at: '2026-10-30T08:00:00.000Z',
          data: {
            id,
            customerId,
            ownerId: customerId === 'c-leaver' ? 'leaver' : 'mate',
            amountMinor: 120_000_00,
            currency: 'CNY',
            orderedAt: '2026-10-30T08:00:00.000Z',
            status: 'won',
            receivableMinor: 0,
          },
          version: 1,
          createdAt: '2026-10-30T08:00:00.000Z',
          updatedAt: '2026-10-30T08:00:00.000Z',
        },
        null,
      );
    }
  });
  const handover = await t.offboarding.start({
    employeeId: 'leaver',
    resignationDate: '2026-11-02',
    lastWorkingDay: '2026-11-30',
    reason: 'moving to a competitor',
  });
  return { ...env, nda, agreement, requested, decided, unrelated, handover };
}

describe('evidence pack', () => {
  it('holds what matters about the employee and verifies offline, also after a JSON round trip', async () => {
    const { t, nda, agreement, requested, decided, unrelated, handover } = await scenario();
    const pack = await t.evidence.pack({ employeeId: 'leaver', actor: { type: 'host', id: 'legal' } });

    expect(pack).toMatchObject({ format: 'guard.evidence-pack/2', tenantId: 'acme', employeeId: 'leaver' });
    expect(pack.employee).toMatchObject({ id: 'leaver', status: 'resigning' });
    expect(pack.agreements).toHaveLength(1);
    expect(pack.agreements[0]?.signature).toMatchObject({
      agreementId: agreement.id,
      templateId: 'nda',
      templateVersion: 1,
      signature: { signerId: 'leaver', contentHash: nda.contentHash, ip: '198.51.100.4', channel: 'web' },
    });
    expect(pack.agreements[0]?.template).toMatchObject({ text: nda.text, contentHash: nda.contentHash });
    expect(pack.handovers.map((h) => h.workflowId)).toEqual([handover.id]);
    expect(pack.approvals.map((a) => a.id)).toEqual([requested.id]);
    expect(pack.approvals.map((a) => a.id)).not.toContain(decided.id);
    expect(pack.approvals.map((a) => a.id)).not.toContain(unrelated.id);
    expect(pack.customers.map((c) => c.id)).toEqual(['c-leaver']);
    expect(pack.orders.map((o) => o.id)).toEqual(['o-1', 'o-2']);
    expect(pack.ordersTruncated).toBe(false);

    const access = pack.accessHistory.entries;
    expect(access.length).toBeGreaterThanOrEqual(3);
    expect(access.every((e) => e.actor.id === 'leaver')).toBe(true);
    expect(access.map((e) => e.action)).toEqual(
      expect.arrayContaining(['workflow.agreement.sign', 'customer.read', 'workflow.approval.start']),
    );
    expect(pack.accessHistory.truncated).toBe(false);

    // The run: contiguous from the first referenced entry to the checkpoint.
    const run = pack.audit.entries;
    expect(run[0]?.seq).toBe(Math.min(...access.map((e) => e.seq)));
    expect(run.map((e) => e.seq)).toEqual(run.map((_, i) => (run[0]?.seq ?? 0) + i));
    expect(run.at(-1)).toMatchObject({ seq: pack.audit.checkpoint.seq, hash: pack.audit.checkpoint.hash });

    expect(await verifyEvidencePack(pack, testKeys)).toEqual({
      ok: true,
      entries: run.length,
      checkpointSeq: pack.audit.checkpoint.seq,
    });
    const roundTripped = JSON.parse(JSON.stringify(pack)) as unknown;
    expect(roundTripped).toEqual(pack);
    expect((await verifyEvidencePack(roundTripped, testKeys)).ok).toBe(true);

    // The export is audited, recording the manifest, and the pack's checkpoint covers it.
    const exports = await t.audit.query({ action: 'evidence.export', limit: 10 });
    expect(exports.items).toHaveLength(1);
    expect(exports.items[0]).toMatchObject({
      seq: pack.audit.exportSeq,
      actor: { type: 'host', id: 'legal' },
      subject: { type: 'employee', id: 'leaver' },
      data: { manifestDigest: expect.stringMatching(/^[0-9a-f]{64}$/), customers: 1, orders: 2 },
    });
    expect(run.find((e) => e.seq === pack.audit.exportSeq)).toEqual(exports.items[0]);
    expect(pack.audit.checkpoint.seq).toBe(pack.audit.exportSeq);
    // The manifest covers every section: everything but the format, the manifest and the audit run.
    expect(Object.keys(pack.manifest).sort()).toEqual(
      Object.keys(pack)
        .filter((k) => !['format', 'manifest', 'audit'].includes(k))
        .sort(),
    );
    expect((await t.audit.verify()).ok).toBe(true);
  });

  /** @see issue #16, hole 5: a pack included other employees' entries. */
  it('redacts other people’s entries, which still verify, and shows those the purpose needs', async () => {
    const { t, requested, decided, handover } = await scenario();
    const pack = await t.evidence.pack({ employeeId: 'leaver', actor: { type: 'host', id: 'legal' } });
    const run = pack.audit.entries;
    const shown = whole(run);
    // mate's read of c-mate and mate's own approval request fall inside the run, and are redacted.
    expect(run.filter(isRedacted).length).toBeGreaterThanOrEqual(2);
    const all = await t.audit.query({ limit: 1000 });
    const mateRead = all.items.find((e) => e.actor.id === 'mate' && e.action === 'customer.read');
    const mateRequest = all.items.find((e) => e.subject?.id === decided.id);
    for (const hidden of [mateRead, mateRequest]) {
      expect(hidden && hidden.seq >= (run[0]?.seq ?? 0)).toBe(true);
      expect(run.find((e) => e.seq === hidden?.seq)).toMatchObject({ redacted: true, hash: hidden?.hash });
    }
    expect(JSON.stringify(run)).not.toContain('c-mate');
    // Everything shown whole is the employee's, about the employee, or about their cases.
    const cases = new Set([requested.id, handover.id, pack.agreements[0]?.signature.agreementId]);
    for (const e of shown) {
      const mine =
        e.actor.id === 'leaver' ||
        (e.subject?.type === 'employee' && e.subject.id === 'leaver') ||
        (e.subject?.type === 'workflow' && cases.has(e.subject.id)) ||
        e.seq === pack.audit.exportSeq;
      expect(mine, `#${e.seq} ${e.action} by ${e.actor.id}`).toBe(true);
    }
    // The manager's approval of the employee's request is shown: it is about their case.
    expect(shown.some((e) => e.actor.id === 'mgr' && e.subject?.id === requested.id)).toBe(true);
    expect((await verifyEvidencePack(pack, testKeys)).ok).toBe(true);
  });

  it('records every pack in the chain, each with its own export entry and checkpoint', async () => {
    const { t } = await scenario();
    const first = await t.evidence.pack({ employeeId: 'leaver' });
    await t.customers.read({ actor: 'mate', customerId: 'c-mate' });
    const second = await t.evidence.pack({ employeeId: 'leaver' });
    expect(second.audit.exportSeq).toBeGreaterThan(first.audit.exportSeq);
    expect(second.audit.checkpoint.seq).toBe(second.audit.exportSeq);
    // The first export is an entry about the employee, so the second pack shows it whole.
    expect(second.audit.entries.find((e) => e.seq === first.audit.exportSeq)).toMatchObject({
      action: 'evidence.export',
    });
    for (const pack of [first, second]) expect((await verifyEvidencePack(pack, testKeys)).ok).toBe(true);
  });

  it('packs an employee with no history', async () => {
    const { t } = await seededGuard();
    const pack = await t.evidence.pack({ employeeId: 'other' });
    expect(pack.agreements).toEqual([]);
    expect(pack.accessHistory.entries).toEqual([]);
    // With nothing referenced, the run is the export entry, where the checkpoint is.
    expect(pack.audit.entries.map((e) => e.seq)).toEqual([pack.audit.exportSeq]);
    expect(pack.audit.checkpoint.seq).toBe(pack.audit.exportSeq);
    expect(pack.customers.map((c) => c.id)).toEqual(['c-other']);
    expect((await verifyEvidencePack(pack, testKeys)).ok).toBe(true);
    expect(isGuardError(await t.evidence.pack({ employeeId: 'ghost' }).catch((e: unknown) => e), 'NOT_FOUND')).toBe(
      true,
    );
  });

  /** @see issue #16, hole 5: a pack copied contact and commercial fields unmasked. */
  it('shows the public fields of customers and masks every other class', async () => {
    const { t } = await seededGuard();
    const pack = await t.evidence.pack({ employeeId: 'rep' });
    expect(pack.customers.map((c) => c.fields)).toEqual([
      {
        public: { industry: 'retail' },
        contact: { phone: '1******5678', email: 'b***@e***.com' },
        commercial: { creditLimit: '***' },
      },
    ]);
    expect(JSON.stringify(pack)).not.toContain('13812345678');
  });

  /** @see issue #16, hole 5: a pack stripped of every entry verified as `ok: true, entries: 0`. */
  it('refuses a pack stripped of its audit entries', async () => {
    const { t } = await scenario();
    const pack = clone(await t.evidence.pack({ employeeId: 'leaver' }));
    const stripped = {
      ...pack,
      audit: { ...pack.audit, entries: [] },
      accessHistory: { ...pack.accessHistory, entries: [] },
      agreements: [],
    };
    expect(await verifyEvidencePack(stripped, testKeys)).toMatchObject({ ok: false, problem: 'run-not-at-checkpoint' });
  });

  describe('tampering', () => {
    async function packed() {
      const { t } = await scenario();
      return t.evidence.pack({ employeeId: 'leaver' });
    }

    it('names a modified entry of the run, whole or redacted', async () => {
      const pack = clone(await packed());
      const victim = whole(pack.audit.entries).find((e) => e.action === 'customer.read') as Mutable<AuditEntry>;
      victim.data = { ...victim.data, customerId: 'c-mate' };
      const result = await verifyEvidencePack(pack, testKeys);
      expect(result).toMatchObject({ ok: false, problem: 'chain', reason: 'hash-mismatch', seq: victim.seq });
      expect(result.ok ? '' : result.message).toContain(`#${victim.seq}`);

      const other = clone(await packed());
      const redacted = other.audit.entries.find(isRedacted) as Mutable<RedactedAuditEntry>;
      redacted.payloadDigest = 'ab'.repeat(32);
      expect(await verifyEvidencePack(other, testKeys)).toMatchObject({
        ok: false,
        problem: 'chain',
        reason: 'hash-mismatch',
        seq: redacted.seq,
      });
    });

    it('names an entry “un-redacted” into something else', async () => {
      const pack = clone(await packed());
      const entries = pack.audit.entries as (AuditEntry | RedactedAuditEntry)[];
      const i = entries.findIndex(isRedacted);
      const r = entries[i] as RedactedAuditEntry;
      entries[i] = {
        tenantId: r.tenantId,
        seq: r.seq,
        at: r.at,
        actor: { type: 'employee', id: 'leaver' },
        action: 'customer.export',
        subject: { type: 'customer', id: 'c-mate' },
        data: {},
        salt: '00'.repeat(16),
        prevHash: r.prevHash,
        hash: r.hash,
        seal: r.seal,
      };
      expect(await verifyEvidencePack(pack, testKeys)).toMatchObject({ ok: false, problem: 'chain', seq: r.seq });
    });

    it('names a section that no longer matches the manifest, and a manifest the chain does not record', async () => {
      const pack = clone(await packed());
      const customers = pack.customers as Mutable<EvidencePack['customers']>;
      (customers[0] as Mutable<EvidencePack['customers'][0]>).ownerId = 'mate';
      const result = await verifyEvidencePack(pack, testKeys);
      expect(result).toMatchObject({ ok: false, problem: 'manifest-mismatch' });
      expect(result.ok ? '' : result.message).toContain('customers');

      // Recomputing the manifest does not help: the export entry records the original.
      const digest = createHash('sha256').update(canonicalJson(pack.customers)).digest('hex');
      (pack.manifest as Mutable<EvidencePack['manifest']>).customers = digest;
      expect(await verifyEvidencePack(pack, testKeys)).toMatchObject({
        ok: false,
        problem: 'manifest-mismatch',
        seq: pack.audit.exportSeq,
      });

      const dropped = clone(await packed());
      (dropped as Mutable<EvidencePack>).orders = [];
      expect(await verifyEvidencePack(dropped, testKeys)).toMatchObject({ ok: false, problem: 'manifest-mismatch' });

      const reattributed = clone(await packed());
      (reattributed as Mutable<EvidencePack>).generatedBy = { type: 'employee', id: 'mgr' };
      expect(await verifyEvidencePack(reattributed, testKeys)).toMatchObject({
        ok: false,
        problem: 'manifest-mismatch',
      });

      const unlisted = clone(await packed());
      const { manifest: _manifest, ...rest } = unlisted;
      expect(await verifyEvidencePack(rest, testKeys)).toMatchObject({ ok: false, problem: 'malformed' });
    });

    it('refuses a pack downgraded to format 1 to escape its manifest', async () => {
      const pack = clone(await packed());
      const { manifest: _manifest, ...rest } = pack;
      const downgraded = { ...rest, format: 'guard.evidence-pack/1', customers: [] };
      const result = await verifyEvidencePack(downgraded, testKeys);
      expect(result).toMatchObject({ ok: false, problem: 'manifest-mismatch' });
      expect(result.ok ? '' : result.message).toContain('format 1');
    });

    it('names a rewritten run, even with every hash recomputed', async () => {
      const pack = clone(await packed());
      const entries = pack.audit.entries as Mutable<AuditEntry>[];
      const target = entries[1] as Mutable<AuditEntry>;
      target.at = '2020-01-01T00:00:00.000Z';
      let prev = target.prevHash;
      for (const e of entries.slice(1)) {
        e.prevHash = prev;
        e.hash = entryHash(prev, e);
        prev = e.hash;
      }
      const result = await verifyEvidencePack(pack, testKeys);
      expect(result).toMatchObject({
        ok: false,
        problem: 'chain',
        reason: 'checkpoint-mismatch',
        seq: pack.audit.checkpoint.seq,
      });
    });

    it('names a removed entry and a cut-off tail', async () => {
      const gap = clone(await packed());
      const removed = (gap.audit.entries as AuditEntry[]).splice(1, 1)[0];
      expect(await verifyEvidencePack(gap, testKeys)).toMatchObject({ ok: false, problem: 'chain', seq: removed?.seq });

      const cut = clone(await packed());
      (cut.audit.entries as AuditEntry[]).pop();
      expect(await verifyEvidencePack(cut, testKeys)).toMatchObject({
        ok: false,
        problem: 'chain',
        reason: 'truncated',
      });
    });

    it('names an altered or foreign checkpoint', async () => {
      const pack = clone(await packed());
      (pack.audit.checkpoint as Mutable<EvidencePack['audit']['checkpoint']>).seq += 1;
      const result = await verifyEvidencePack(pack, testKeys);
      expect(result).toMatchObject({ ok: false, problem: 'checkpoint-signature' });
      expect(result.ok ? '' : result.message).toContain('checkpoint');

      const other = hmacKeys({ current: 'k1', keys: { k1: 'another-secret-another-secret-another!' } });
      expect(await verifyEvidencePack(clone(await packed()), other)).toMatchObject({
        ok: false,
        problem: 'checkpoint-signature',
      });
      const unknown = hmacKeys({ current: 'k2', keys: { k2: 'another-secret-another-secret-another!' } });
      expect(await verifyEvidencePack(clone(await packed()), unknown)).toMatchObject({
        ok: false,
        problem: 'checkpoint-key-unknown',
      });
    });

    it('names an access-history entry that is not the chain’s', async () => {
      const pack = clone(await packed());
      const entry = pack.accessHistory.entries[0] as Mutable<AuditEntry>;
      entry.action = 'customer.list';
      expect(await verifyEvidencePack(pack, testKeys)).toMatchObject({
        ok: false,
        problem: 'referenced-entry-mismatch',
        seq: entry.seq,
      });
    });

    it('names a swapped agreement text', async () => {
      const pack = clone(await packed());
      const template = pack.agreements[0]?.template as Mutable<NonNullable<EvidencePack['agreements'][0]['template']>>;
      template.text = '乙方无任何保密义务。';
      const result = await verifyEvidencePack(pack, testKeys);
      expect(result).toMatchObject({ ok: false, problem: 'agreement-mismatch' });
      expect(result.ok ? '' : result.message).toContain('template text');
    });

    it('still verifies a format-1 pack exported before manifests, and finds its tampering', async () => {
      // What an earlier version exported: a format-1 chain, no manifest, no redaction.
      const key = await testKeys.keyById('acme', 'audit-checkpoint', 'k1');
      const entries: AuditEntry[] = [];
      let prevHash = GENESIS_HASH;
      for (const [seq, actor] of [
        [1, 'leaver'],
        [2, 'mate'],
        [3, 'leaver'],
      ] as const) {
        const body = {
          tenantId: 'acme',
          seq,
          at: '2026-10-01T01:00:00.000Z',
          actor: { type: 'employee' as const, id: actor },
          action: 'customer.read',
          subject: { type: 'customer' as const, id: `c-${actor}` },
          data: {},
          salt: null,
        };
        const hash = entryHash(prevHash, body);
        entries.push({ ...body, prevHash, hash, seal: null });
        prevHash = hash;
      }
      const checkpoint = signCheckpoint(
        { tenantId: 'acme', seq: 3, hash: prevHash, at: '2026-10-01T02:00:00.000Z' },
        key as NonNullable<typeof key>,
      );
      const legacy = {
        format: 'guard.evidence-pack/1',
        tenantId: 'acme',
        employeeId: 'leaver',
        agreements: [],
        accessHistory: { entries: [entries[0], entries[2]], truncated: false, limit: 10_000 },
        audit: { entries, checkpoint },
      };
      expect(await verifyEvidencePack(legacy, testKeys)).toEqual({ ok: true, entries: 3, checkpointSeq: 3 });
      const tampered = JSON.parse(JSON.stringify(legacy)) as typeof legacy;
      (tampered.audit.entries[1] as Mutable<AuditEntry>).subject = { type: 'customer', id: 'c-leaver' };
      expect(await verifyEvidencePack(tampered, testKeys)).toMatchObject({ ok: false, problem: 'chain', seq: 2 });
    });

    it('refuses something that is not a pack', async () => {
      expect(await verifyEvidencePack({ format: 'zip' }, testKeys)).toMatchObject({ ok: false, problem: 'malformed' });
    });
  });
});
