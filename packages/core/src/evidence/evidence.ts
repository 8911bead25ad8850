import * as z from 'zod';
import {
  type AgreementTemplate,
  agreementTemplates,
  SIGNATURE_KIND,
  type SignatureEvidence,
  signatureRecords,
} from '../agreements/agreements.js';
import { type ApprovalView, approvalViews } from '../approvals/approvals.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { type VerifyFailureReason, verifyEntries } from '../audit/chain.js';
import { auditCheckpointSchema, verifyCheckpointSignature } from '../audit/checkpoint.js';
import { redactAuditEntry, sha256Hex } from '../audit/hash.js';
import {
  type ActorRef,
  type AuditEntry,
  actorRefSchema,
  auditEntrySchema,
  idSchema,
  type Json,
  type RedactedAuditEntry,
  redactedAuditEntrySchema,
} from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, HOST_ACTOR, withTenant } from '../kernel/context.js';
import { requireEmployee } from '../kernel/directory.js';
import { ORDER_KIND } from '../orders/orders.js';
import { applyFieldLevels } from '../policy/index.js';
import type { KeyProvider } from '../ports/keys.js';
import type {
  AuditCheckpoint,
  CustomerRecord,
  EmployeeRecord,
  StoredRecord,
  StoreTransaction,
} from '../ports/store.js';
import { allRecords, allWorkflows, pagedItems, readPages } from '../store/pages.js';
import { AGREEMENT_MACHINE_ID } from '../workflows/agreement/index.js';
import { APPROVAL_MACHINE_ID, approvalMachine } from '../workflows/approval/index.js';
import { WorkflowSession } from '../workflows/runtime/index.js';

/**
 * The format tag of the {@link EvidencePack}s Guard writes. Format 2 added
 * the manifest and redacted entries; {@link verifyEvidencePack} still
 * verifies format-1 packs (`guard.evidence-pack/1`) exported earlier, which
 * have neither, and refuses any other format.
 *
 * @example
 * ```ts
 * import { EVIDENCE_PACK_FORMAT } from '@guard/core';
 * if (pack.format !== EVIDENCE_PACK_FORMAT) console.warn('an older pack: no manifest, no redaction');
 * ```
 */
export const EVIDENCE_PACK_FORMAT = 'guard.evidence-pack/2';
/** The format before manifests and redaction; still verified. */
const EVIDENCE_PACK_FORMAT_1 = 'guard.evidence-pack/1';
/** The most access-history entries a pack holds (the newest ones). */
const ACCESS_LIMIT = 10_000;
/** The most orders a pack holds. */
const ORDER_LIMIT = 10_000;
const OFFBOARDING_MACHINE_ID = 'offboarding';
const PAGE = 1000;

/**
 * One signed agreement in an evidence pack: the signature as recorded, the
 * exact template text with its hash, and the audit entry of the signing.
 *
 * @example
 * ```ts
 * import type { EvidenceAgreement } from '@guard/core';
 * const line = (a: EvidenceAgreement) => `${a.signature.title} v${a.signature.templateVersion} at ${a.signature.signature.signedAt}`;
 * ```
 */
export type EvidenceAgreement = {
  readonly signature: SignatureEvidence;
  /** The template version signed, with its full text (`null` if the template record is gone). */
  readonly template: AgreementTemplate | null;
  /** `seq` of the audit entry of the `SIGN` transition, when it is in the pack's chain run. */
  readonly auditSeq: number | null;
};

/**
 * One handover (offboarding) of the employee: the workflow and its machine
 * context as it stands (items, successors, sign-off, non-compete payments).
 *
 * @example
 * ```ts
 * import type { EvidenceHandover } from '@guard/core';
 * const customers = (h: EvidenceHandover) => (h.context.items as { customerId: string | null }[]).map((i) => i.customerId);
 * ```
 */
export type EvidenceHandover = {
  readonly workflowId: string;
  readonly state: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly context: { readonly [key: string]: Json };
};

/**
 * Everything Guard holds about one employee that matters in a dispute with
 * them (a departed salesperson who took clients along), as plain JSON, plus
 * what it takes to check offline that nothing in it was altered:
 *
 * - `manifest` — a SHA-256 digest of every section of the pack (see
 *   {@link EvidenceManifest}). Its own digest is recorded in the tenant's
 *   audit chain, in the `evidence.export` entry at `audit.exportSeq`, so the
 *   customers, orders, approvals and handovers the pack shows are covered by
 *   the chain like the entries are.
 * - `audit.entries` — the contiguous run of the tenant's audit entries from
 *   the earliest entry the pack references (access history, signatures) to
 *   `audit.checkpoint`, a signed checkpoint at or after the export entry.
 *   The run shows what the pack's purpose needs: the employee's own entries,
 *   entries about the employee, their handovers, agreements and approvals,
 *   and the export entry. Everyone else's entries are **redacted** (see
 *   {@link redactAuditEntry}): only their position, time and a salted digest,
 *   which still verify. Entries written before salts (hash format 1) cannot
 *   be redacted and are shown whole.
 * - `accessHistory` — the employee's own audit entries (actor = the
 *   employee), the newest `accessHistory.limit` at most
 *   (`truncated` says whether older ones were left out); each is also in
 *   the run, and {@link verifyEvidencePack} checks they are identical.
 * - `customers` — public fields only, every other class masked.
 *
 * Check it with {@link verifyEvidencePack}; it survives a JSON round trip.
 *
 * @example
 * ```ts
 * const pack = await acme.evidence.pack({ employeeId: 'e-7', actor: { type: 'host', id: 'legal' } });
 * await writeFile('e-7-evidence.json', JSON.stringify(pack));
 * ```
 */
export type EvidencePack = {
  readonly format: typeof EVIDENCE_PACK_FORMAT;
  readonly tenantId: string;
  readonly employeeId: string;
  readonly generatedAt: string;
  readonly generatedBy: ActorRef;
  readonly employee: EmployeeRecord;
  readonly agreements: readonly EvidenceAgreement[];
  readonly handovers: readonly EvidenceHandover[];
  /** Approvals the employee requested or decided (also as a delegate). */
  readonly approvals: readonly ApprovalView[];
  readonly accessHistory: {
    readonly entries: readonly AuditEntry[];
    readonly truncated: boolean;
    readonly limit: number;
  };
  /** Customers the employee owns now, and customers named in their handovers: public fields as they are, every other class masked. */
  readonly customers: readonly CustomerRecord[];
  readonly orders: readonly StoredRecord[];
  readonly ordersTruncated: boolean;
  readonly manifest: EvidenceManifest;
  readonly audit: {
    /** Whole entries and redacted ones, in chain order. */
    readonly entries: readonly (AuditEntry | RedactedAuditEntry)[];
    readonly checkpoint: AuditCheckpoint;
    /** `seq` of the `evidence.export` entry that records the manifest's digest. */
    readonly exportSeq: number;
  };
};

/**
 * A section of an {@link EvidencePack} its manifest covers: every top-level
 * field but `format`, `manifest` and `audit`.
 *
 * @example
 * ```ts
 * import type { EvidenceSection } from '@guard/core';
 * const section: EvidenceSection = 'customers';
 * ```
 */
export type EvidenceSection =
  | 'tenantId'
  | 'employeeId'
  | 'generatedAt'
  | 'generatedBy'
  | 'employee'
  | 'agreements'
  | 'handovers'
  | 'approvals'
  | 'accessHistory'
  | 'customers'
  | 'orders'
  | 'ordersTruncated';

/** The sections, in manifest order (a test checks they are every section of a pack). */
const MANIFEST_SECTIONS: readonly EvidenceSection[] = [
  'tenantId',
  'employeeId',
  'generatedAt',
  'generatedBy',
  'employee',
  'agreements',
  'handovers',
  'approvals',
  'accessHistory',
  'customers',
  'orders',
  'ordersTruncated',
];

/**
 * The manifest of an {@link EvidencePack}: for every section (every
 * top-level field but `format`, `manifest` and `audit`), the hex SHA-256 of
 * its canonical JSON. The pack's `evidence.export` audit entry records
 * `manifestDigest`, the SHA-256 of the manifest's canonical JSON, so that a
 * section changed after export no longer matches the manifest, and a
 * manifest changed to match it no longer matches the chain.
 *
 * @example
 * ```ts
 * import { canonicalJson } from '@guard/core';
 * import { createHash } from 'node:crypto';
 * const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');
 * sha(pack.customers) === pack.manifest.customers; // true for an untouched pack
 * ```
 */
export type EvidenceManifest = { readonly [K in EvidenceSection]: string };

/** The manifest of a pack's sections; throws a ValidationError when a section is not canonical JSON. */
function manifestOf(pack: Readonly<Record<EvidenceSection, unknown>>): EvidenceManifest {
  return Object.fromEntries(
    MANIFEST_SECTIONS.map((section) => [section, sha256Hex(canonicalJson(pack[section]))]),
  ) as EvidenceManifest;
}

/**
 * What can be wrong with a pack, as reported by {@link verifyEvidencePack}:
 *
 * | problem | meaning |
 * |---|---|
 * | `malformed` | not an evidence pack (the detail names the path) |
 * | `checkpoint-key-unknown` | the key that signed the checkpoint is not in the key provider |
 * | `checkpoint-signature` | the checkpoint was altered or forged |
 * | `chain` | an entry of the run was altered, removed, inserted or reordered (`reason`, `seq`) |
 * | `run-not-at-checkpoint` | the run does not end exactly at the checkpoint |
 * | `referenced-entry-mismatch` | an access-history entry is not the run's entry at its `seq`, or not the employee's |
 * | `agreement-mismatch` | a template's text does not match its hash or the signature's, or the signing entry does not match |
 * | `manifest-mismatch` | a section does not match the manifest, or the manifest is not the one the export entry records |
 *
 * @example
 * ```ts
 * import type { EvidenceProblem } from '@guard/core';
 * const tampered = (p: EvidenceProblem) => p !== 'malformed' && p !== 'checkpoint-key-unknown';
 * ```
 */
export type EvidenceProblem =
  | 'malformed'
  | 'checkpoint-key-unknown'
  | 'checkpoint-signature'
  | 'chain'
  | 'run-not-at-checkpoint'
  | 'referenced-entry-mismatch'
  | 'agreement-mismatch'
  | 'manifest-mismatch';

/**
 * The outcome of {@link verifyEvidencePack}.
 *
 * @example
 * ```ts
 * const result = await verifyEvidencePack(pack, keys);
 * console.log(result.ok ? `verified ${result.entries} entries up to #${result.checkpointSeq}` : result.message);
 * ```
 */
export type EvidenceVerification =
  | { readonly ok: true; readonly entries: number; readonly checkpointSeq: number }
  | {
      readonly ok: false;
      readonly problem: EvidenceProblem;
      /** The audit sequence number concerned, when there is one. */
      readonly seq: number | null;
      /** For `chain`: how the chain broke. */
      readonly reason: VerifyFailureReason | null;
      /** What broke, in words. */
      readonly message: string;
    };

/**
 * Evidence packs of a tenant.
 *
 * @example
 * ```ts
 * const pack = await guard.tenant('acme').evidence.pack({ employeeId: 'e-7' });
 * (await verifyEvidencePack(pack, keys)).ok; // true
 * ```
 */
export interface EvidenceApi {
  /**
   * Builds the {@link EvidencePack} of one employee in one transaction:
   * gathers the sections, records the export in the audit chain (action
   * `evidence.export`, subject the employee, `data.manifestDigest` the
   * digest of the pack's manifest), signs a checkpoint at that entry and
   * reads the run up to it, redacting other people's entries.
   *
   * @example
   * ```ts
   * const pack = await acme.evidence.pack({ employeeId: 'e-7', actor: { type: 'host', id: 'legal' } });
   * pack.audit.entries.filter((e) => 'redacted' in e).length; // other people's entries, redacted
   * ```
   */
  pack(input: { employeeId: string; actor?: ActorRef }): Promise<EvidencePack>;
}

const packSchema = z.strictObject({ employeeId: idSchema, actor: actorRefSchema.optional() });

/**
 * The customers an employee's evidence pack shows, sorted: those the
 * employee owns now and those named in the items of their handovers
 * (`handovers`: the contexts of their offboarding cases).
 */
export async function packCustomerIds(
  tx: StoreTransaction,
  tenantId: string,
  employeeId: string,
  handovers: readonly Readonly<Record<string, unknown>>[],
): Promise<string[]> {
  const customerIds = new Set<string>();
  for await (const c of pagedItems((page) => tx.listCustomers(tenantId, { ownerId: employeeId }, page), PAGE)) {
    customerIds.add(c.id);
  }
  for (const handover of handovers) {
    for (const item of (handover.items ?? []) as readonly { customerId?: unknown }[]) {
      if (typeof item.customerId === 'string') customerIds.add(item.customerId);
    }
  }
  return [...customerIds].sort();
}

/** The employee's newest audit entries (at most `ACCESS_LIMIT`), oldest first. */
async function accessHistory(tx: StoreTransaction, tenantId: string, employeeId: string) {
  const { items, truncated } = await readPages(
    (page) => tx.queryAudit(tenantId, { actorId: employeeId, order: 'desc', ...page }),
    { pageSize: PAGE, max: ACCESS_LIMIT },
  );
  return { entries: items.reverse(), truncated };
}

/** The `seq` of the audit entry of an agreement's `SIGN` transition, or `null`. */
async function signingSeq(tx: StoreTransaction, tenantId: string, agreementId: string): Promise<number | null> {
  const page = await tx.queryAudit(tenantId, {
    subject: { type: 'workflow', id: agreementId },
    action: `workflow.${AGREEMENT_MACHINE_ID}.sign`,
    limit: 1,
  });
  return page.items[0]?.seq ?? null;
}

/**
 * A customer's fields as a pack shows them: the public class as it is, every
 * other class (contact details, commercial terms) masked. A pack goes to
 * lawyers and courts; it needs to identify the customer, not to hand over
 * their phone number.
 */
function evidenceFields(ctx: GuardContext, customer: CustomerRecord): CustomerRecord['fields'] {
  const levels = Object.fromEntries(
    Object.keys(customer.fields).map((c) => [c, c === 'public' ? 'show' : 'mask'] as const),
  );
  return applyFieldLevels(customer.fields, levels, ctx.masks).fields;
}

/**
 * Which entries of the run a pack shows whole: the employee's own (as actor,
 * matched like the access history, by id), those about the employee, their
 * handovers, agreements and approvals, and the export entry. The rest are
 * other people's business and are redacted.
 */
function purposeOf(
  employeeId: string,
  handovers: readonly EvidenceHandover[],
  agreements: readonly EvidenceAgreement[],
  approvals: readonly ApprovalView[],
  exportSeq: number,
): (entry: AuditEntry) => boolean {
  const workflows = new Set([
    ...handovers.map((h) => h.workflowId),
    ...agreements.map((a) => a.signature.agreementId),
    ...approvals.map((a) => a.id),
  ]);
  return (e) =>
    e.seq === exportSeq ||
    e.actor.id === employeeId ||
    (e.subject?.type === 'employee' && e.subject.id === employeeId) ||
    (e.subject?.type === 'workflow' && workflows.has(e.subject.id));
}

/** Entries `from`–`to` (inclusive), in order. */
async function auditRun(tx: StoreTransaction, tenantId: string, from: number, to: number): Promise<AuditEntry[]> {
  const run: AuditEntry[] = [];
  for (let after = from - 1; after < to; ) {
    const page = await tx.readAudit(tenantId, after, Math.min(PAGE, to - after));
    const last = page.at(-1);
    if (!last) break;
    run.push(...page);
    after = last.seq;
  }
  return run;
}

/**
 * The tenant-scoped evidence API; see {@link EvidenceApi}.
 *
 * @example
 * ```ts
 * const pack = await evidenceApi(ctx, 'acme').pack({ employeeId: 'e-7' });
 * ```
 */
export function evidenceApi(ctx: GuardContext, tenantId: string): EvidenceApi {
  const { locale } = ctx;
  return {
    pack: async (input) => {
      const p = parseInput(packSchema, input, { what: 'evidence pack request', locale });
      const actor = p.actor ?? HOST_ACTOR;
      return withTenant(ctx, tenantId, async (tx) => {
        const now = ctx.clock.now().toISOString();
        const employee = await requireEmployee(ctx, tx, tenantId, p.employeeId);
        const id = employee.id;

        const signatures = await allRecords(tx, tenantId, { kind: SIGNATURE_KIND, ref: id });
        const agreements: EvidenceAgreement[] = [];
        for (const record of signatures.items) {
          const signature = signatureRecords.read(record).data;
          const template = await agreementTemplates.get(
            tx,
            tenantId,
            `${signature.templateId}@${signature.templateVersion}`,
          );
          agreements.push({
            signature,
            template: template?.data ?? null,
            auditSeq: await signingSeq(tx, tenantId, signature.agreementId),
          });
        }

        const handovers: EvidenceHandover[] = (
          await allWorkflows(tx, tenantId, { machine: OFFBOARDING_MACHINE_ID, subject: { type: 'employee', id } })
        ).map((r) => ({
          workflowId: r.id,
          state: r.state,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          context: WorkflowSession.contextOf(r) as { readonly [key: string]: Json },
        }));

        const approvals = await approvalViews(
          ctx,
          tx,
          tenantId,
          (await allWorkflows(tx, tenantId, { machine: APPROVAL_MACHINE_ID })).filter((r) => {
            const c = WorkflowSession.contextFor(r, approvalMachine);
            return c.requester === id || (c.decisions ?? []).some((d) => d.approver === id || d.by === id);
          }),
        );

        const access = await accessHistory(tx, tenantId, id);

        const ids = await packCustomerIds(
          tx,
          tenantId,
          id,
          handovers.map((h) => h.context),
        );
        const customers: CustomerRecord[] = [];
        for (let i = 0; i < ids.length; i += PAGE)
          customers.push(...(await tx.getCustomers(tenantId, ids.slice(i, i + PAGE))));
        customers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const orders: StoredRecord[] = [];
        let ordersTruncated = false;
        for (const customerId of ids) {
          const room = ORDER_LIMIT - orders.length;
          if (room === 0) {
            ordersTruncated = true; // conservatively: more customers remain
            break;
          }
          const found = await allRecords(tx, tenantId, { kind: ORDER_KIND, ref: customerId }, room);
          orders.push(...found.items);
          if (found.truncated) {
            ordersTruncated = true;
            break;
          }
        }

        const referenced = [
          ...access.entries.map((e) => e.seq),
          ...agreements.flatMap((a) => (a.auditSeq === null ? [] : [a.auditSeq])),
        ];
        const first = referenced.length === 0 ? null : Math.min(...referenced);
        const sections = {
          tenantId,
          employeeId: id,
          generatedAt: now,
          generatedBy: actor,
          employee,
          agreements,
          handovers,
          approvals,
          accessHistory: { entries: access.entries, truncated: access.truncated, limit: ACCESS_LIMIT },
          customers: customers.map((c) => ({ ...c, fields: evidenceFields(ctx, c) })),
          orders,
          ordersTruncated,
        };
        const manifest = manifestOf(sections);
        const [exported] = await ctx.audit.append(tx, tenantId, [
          {
            actor,
            action: 'evidence.export',
            subject: { type: 'employee', id },
            data: {
              manifestDigest: sha256Hex(canonicalJson(manifest)),
              agreements: agreements.length,
              handovers: handovers.length,
              approvals: approvals.length,
              accessEntries: access.entries.length,
              accessTruncated: access.truncated,
              customers: customers.length,
              orders: orders.length,
              runFrom: first,
            },
          },
        ]);
        const checkpoint = await ctx.audit.checkpoint(tx, tenantId);
        if (!exported || !checkpoint) throw new TypeError('evidence: the export entry was not written');
        const purpose = purposeOf(id, handovers, agreements, approvals, exported.seq);
        const entries = (await auditRun(tx, tenantId, first ?? exported.seq, checkpoint.seq)).map((e) =>
          purpose(e) ? e : (redactAuditEntry(e) ?? e),
        );
        const pack: EvidencePack = {
          format: EVIDENCE_PACK_FORMAT,
          ...sections,
          manifest,
          audit: { entries, checkpoint: { ...checkpoint }, exportSeq: exported.seq },
        };
        return { result: pack, audit: [] };
      });
    },
  };
}

const hex64Schema = z.string().regex(/^[0-9a-f]{64}$/);
const verifiableSchema = z.object({
  format: z.enum([EVIDENCE_PACK_FORMAT_1, EVIDENCE_PACK_FORMAT]),
  tenantId: idSchema,
  employeeId: idSchema,
  agreements: z.array(
    z.object({
      signature: z.object({
        agreementId: idSchema,
        employeeId: idSchema,
        signature: z.object({ signerId: idSchema, contentHash: z.string() }),
      }),
      template: z.object({ text: z.string(), contentHash: z.string() }).nullable(),
      auditSeq: z.int().min(1).nullable(),
    }),
  ),
  accessHistory: z.object({ entries: z.array(auditEntrySchema) }),
  audit: z.object({
    entries: z.array(z.union([auditEntrySchema, redactedAuditEntrySchema])),
    checkpoint: auditCheckpointSchema,
  }),
});
/** What format 2 adds: the manifest and where the chain records it. */
const formatTwoSchema = z.object({
  manifest: z.strictObject(Object.fromEntries(MANIFEST_SECTIONS.map((section) => [section, hex64Schema]))),
  audit: z.object({ exportSeq: z.int().min(1) }),
});

const isWhole = (entry: AuditEntry | RedactedAuditEntry | undefined): entry is AuditEntry =>
  entry !== undefined && !('redacted' in entry);

type Failure = Extract<EvidenceVerification, { ok: false }>;
const fail = (
  problem: EvidenceProblem,
  message: string,
  seq: number | null = null,
  reason: VerifyFailureReason | null = null,
): Failure => Object.freeze({ ok: false as const, problem, seq, reason, message });

/**
 * Re-verifies an {@link EvidencePack} offline, with nothing but the pack
 * and the key provider that knows the checkpoint key (e.g. `hmacKeys`):
 *
 * 1. the checkpoint's HMAC signature (with the key it names);
 * 2. the hash links of the included run, entry by entry, with the existing
 *    audit chain verifier (starting from the first entry's `prevHash`), and
 *    that the run ends exactly at the checkpoint's `seq` and hash — so no
 *    entry of the run can be altered, dropped, added or reordered without
 *    the checkpoint key;
 * 3. (format 2) that every section hashes to its digest in the manifest,
 *    and that the run's `evidence.export` entry at `audit.exportSeq` — by
 *    `generatedBy`, about the employee — records the manifest's digest: so
 *    customers, orders, approvals and handovers are covered by the chain too;
 * 4. that every access-history entry is the run's entry at its `seq`, whole,
 *    and the employee's;
 * 5. that every signed template's text hashes to its `contentHash`, which
 *    is the signature's, and that the signing's audit entry (when cited)
 *    is the employee's `SIGN` of that agreement over that hash.
 *
 * Redacted entries of the run verify by their payload digest. A format-1
 * pack (exported before manifests) is checked by steps 1, 2, 4 and 5; its
 * other sections are not covered. Pure: it reads no store and no clock.
 *
 * @example
 * ```ts
 * import { hmacKeys, verifyEvidencePack } from '@guard/core';
 * const pack = JSON.parse(await readFile('e-7-evidence.json', 'utf8'));
 * const result = await verifyEvidencePack(pack, hmacKeys({ current: 'k1', keys: { k1: secret } }));
 * if (!result.ok) console.error(result.problem, result.message);
 * ```
 */
export async function verifyEvidencePack(pack: unknown, keys: KeyProvider): Promise<EvidenceVerification> {
  const parsed = verifiableSchema.safeParse(pack);
  const extra = parsed.success && parsed.data.format === EVIDENCE_PACK_FORMAT ? formatTwoSchema.safeParse(pack) : null;
  const error = parsed.success ? (extra?.success === false ? extra.error : null) : parsed.error;
  if (error) {
    const issue = error.issues[0];
    return fail(
      'malformed',
      `not an evidence pack: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  // Hash the pack's own objects, not zod's copies: parsing must not normalise what was signed.
  const p = pack as EvidencePack;
  const { checkpoint, entries } = p.audit;

  if (checkpoint.tenantId !== p.tenantId) {
    return fail(
      'checkpoint-signature',
      `the checkpoint belongs to tenant "${checkpoint.tenantId}", not "${p.tenantId}"`,
      checkpoint.seq,
    );
  }
  const key = await keys.keyById(p.tenantId, 'audit-checkpoint', checkpoint.keyId);
  if (!key)
    return fail('checkpoint-key-unknown', `the checkpoint key "${checkpoint.keyId}" is unknown`, checkpoint.seq);
  if (!verifyCheckpointSignature(checkpoint, key)) {
    return fail(
      'checkpoint-signature',
      `the signature of the checkpoint at #${checkpoint.seq} is invalid`,
      checkpoint.seq,
    );
  }

  const bySeq = new Map<number, AuditEntry | RedactedAuditEntry>();
  const head = entries[0];
  if (!head) {
    // Every pack's run reaches its checkpoint; a pack stripped of its entries proves nothing.
    return fail(
      'run-not-at-checkpoint',
      `the pack carries no audit entries up to the checkpoint #${checkpoint.seq}`,
      null,
    );
  }
  const result = verifyEntries(entries, {
    start: { seq: head.seq - 1, hash: head.prevHash },
    tenantId: p.tenantId,
    checkpoints: [checkpoint],
  });
  if (!result.ok) {
    return fail(
      'chain',
      `audit entry #${result.firstBadSeq} failed verification (${result.reason})`,
      result.firstBadSeq,
      result.reason,
    );
  }
  if (result.head.seq !== checkpoint.seq || result.head.hash !== checkpoint.hash) {
    return fail(
      'run-not-at-checkpoint',
      `the run ends at #${result.head.seq}, not at the checkpoint #${checkpoint.seq}`,
      result.head.seq,
    );
  }
  for (const e of entries) bySeq.set(e.seq, e);
  if (p.format !== EVIDENCE_PACK_FORMAT) {
    // Format-1 packs were made before salts: one holding a salted or redacted entry is a
    // format-2 pack with its manifest removed, so that its sections would go unchecked.
    const newer = entries.find((e) => !isWhole(e) || e.salt !== null);
    if (newer) {
      return fail(
        'manifest-mismatch',
        `a format 1 pack cannot hold audit entry #${newer.seq}, which is of hash format 2: its manifest was removed`,
        newer.seq,
      );
    }
  }

  for (const e of p.accessHistory.entries) {
    const inRun = bySeq.get(e.seq);
    if (!inRun || canonicalJson(inRun) !== canonicalJson(e)) {
      return fail(
        'referenced-entry-mismatch',
        `access-history entry #${e.seq} is not the audit chain's entry #${e.seq}`,
        e.seq,
      );
    }
    if (e.actor.id !== p.employeeId) {
      return fail('referenced-entry-mismatch', `access-history entry #${e.seq} is not by ${p.employeeId}`, e.seq);
    }
  }

  for (const a of p.agreements) {
    const s = a.signature;
    const what = `agreement ${s.agreementId}`;
    if (s.employeeId !== p.employeeId || s.signature.signerId !== p.employeeId) {
      return fail('agreement-mismatch', `${what} was not signed by ${p.employeeId}`);
    }
    if (a.template) {
      if (sha256Hex(a.template.text) !== a.template.contentHash) {
        return fail('agreement-mismatch', `the template text of ${what} does not match its content hash`);
      }
      if (a.template.contentHash !== s.signature.contentHash) {
        return fail('agreement-mismatch', `the signature of ${what} is over another text than the template's`);
      }
    }
    if (a.auditSeq !== null) {
      const e = bySeq.get(a.auditSeq);
      const event = isWhole(e) ? (e.data as { event?: { contentHash?: unknown } }).event : undefined;
      if (
        !isWhole(e) ||
        e.action !== `workflow.${AGREEMENT_MACHINE_ID}.sign` ||
        e.subject?.type !== 'workflow' ||
        e.subject.id !== s.agreementId ||
        e.actor.id !== s.signature.signerId ||
        event?.contentHash !== s.signature.contentHash
      ) {
        return fail('agreement-mismatch', `audit entry #${a.auditSeq} is not the signing of ${what}`, a.auditSeq);
      }
    }
  }
  // Last, so that a changed access-history entry or agreement is named as such first.
  const problem = p.format === EVIDENCE_PACK_FORMAT ? manifestProblem(p, bySeq) : null;
  if (problem) return problem;
  return Object.freeze({ ok: true as const, entries: entries.length, checkpointSeq: checkpoint.seq });
}

/**
 * A format-2 pack's sections must match its manifest, and the manifest must
 * be the one the export entry (whole, in the verified run) records.
 */
function manifestProblem(p: EvidencePack, bySeq: ReadonlyMap<number, AuditEntry | RedactedAuditEntry>): Failure | null {
  for (const section of MANIFEST_SECTIONS) {
    let digest: string | null;
    try {
      digest = sha256Hex(canonicalJson(p[section]));
    } catch {
      digest = null; // not JSON Guard could have written
    }
    if (digest !== p.manifest[section]) {
      return fail('manifest-mismatch', `the section "${section}" does not match the pack's manifest`);
    }
  }
  const { exportSeq } = p.audit;
  const e = bySeq.get(exportSeq);
  if (
    !isWhole(e) ||
    e.action !== 'evidence.export' ||
    e.subject?.type !== 'employee' ||
    e.subject.id !== p.employeeId ||
    canonicalJson(e.actor) !== canonicalJson(p.generatedBy) ||
    e.data.manifestDigest !== sha256Hex(canonicalJson(p.manifest))
  ) {
    return fail('manifest-mismatch', `audit entry #${exportSeq} does not record this pack's manifest`, exportSeq);
  }
  return null;
}
