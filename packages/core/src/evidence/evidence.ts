import * as z from 'zod';
import {
  type AgreementTemplate,
  agreementTemplates,
  SIGNATURE_KIND,
  type SignatureEvidence,
  signatureRecords,
} from '../agreements/agreements.js';
import { type ApprovalView, approvalView } from '../approvals/approvals.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { type VerifyFailureReason, verifyEntries } from '../audit/chain.js';
import { auditCheckpointSchema, verifyCheckpointSignature } from '../audit/checkpoint.js';
import { sha256Hex } from '../audit/hash.js';
import {
  type ActorRef,
  type AuditEntry,
  actorRefSchema,
  auditEntrySchema,
  idSchema,
  type Json,
} from '../domain/entities.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, HOST_ACTOR, inUnitOfWork } from '../kernel/context.js';
import { requireEmployee } from '../kernel/directory.js';
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

/** The format tag of {@link EvidencePack}; bumped when its shape changes incompatibly. */
/**
 * The format tag of an {@link EvidencePack}; a verifier refuses packs of another format.
 *
 * @example
 * ```ts
 * import { EVIDENCE_PACK_FORMAT } from '@guard/core';
 * if (pack.format !== EVIDENCE_PACK_FORMAT) throw new Error('not a Guard evidence pack');
 * ```
 */
export const EVIDENCE_PACK_FORMAT = 'guard.evidence-pack/1';
/** The most access-history entries a pack holds (the newest ones). */
const ACCESS_LIMIT = 10_000;
/** The most orders a pack holds. */
const ORDER_LIMIT = 10_000;
/** Orders are records of this kind, `ref` = customer id. */
const ORDER_KIND = 'order';
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
 * what it takes to check offline that the audit trail it cites was not
 * altered:
 *
 * - `audit.entries` — the contiguous run of the tenant's audit entries from
 *   the earliest entry the pack references (access history, signatures) to a
 *   signed checkpoint at or after the newest one, and `audit.checkpoint`.
 *   **The run includes other employees' entries** that fall between the first
 *   and last referenced ones: it has to, for the hash links to be checked.
 *   Redact by hand before giving the pack to a third party; per-subject
 *   encryption of audit data is planned separately.
 * - `accessHistory` — the employee's own audit entries (actor = the
 *   employee), the newest `accessHistory.limit` at most
 *   (`truncated` says whether older ones were left out); each is also in
 *   the run, and {@link verifyEvidencePack} checks they are identical.
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
  readonly audit: {
    readonly entries: readonly AuditEntry[];
    readonly checkpoint: AuditCheckpoint;
  };
};

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
  | 'agreement-mismatch';

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
   * Builds the {@link EvidencePack} of one employee in one transaction. If
   * no stored checkpoint is at or after the newest entry the pack
   * references, one is signed at the current head first. The export itself
   * is audited (action `evidence.export`, subject the employee), in the same
   * transaction, after the pack's run — so it is not part of the pack.
   */
  pack(input: { employeeId: string; actor?: ActorRef }): Promise<EvidencePack>;
}

const packSchema = z.strictObject({ employeeId: idSchema, actor: actorRefSchema.optional() });

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
      return inUnitOfWork(ctx, tenantId, async ({ tx, session, now }) => {
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

        const approvals = (await allWorkflows(tx, tenantId, { machine: APPROVAL_MACHINE_ID }))
          .filter((r) => {
            const c = WorkflowSession.contextFor(r, approvalMachine);
            return c.requester === id || (c.decisions ?? []).some((d) => d.approver === id || d.by === id);
          })
          .map(approvalView);

        const access = await accessHistory(tx, tenantId, id);

        const customerIds = new Set<string>();
        for await (const c of pagedItems((page) => tx.listCustomers(tenantId, { ownerId: id }, page), PAGE)) {
          customerIds.add(c.id);
        }
        for (const h of handovers) {
          for (const item of (h.context.items ?? []) as readonly { customerId?: unknown }[]) {
            if (typeof item.customerId === 'string') customerIds.add(item.customerId);
          }
        }
        const ids = [...customerIds].sort();
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
        const last = referenced.length === 0 ? 0 : Math.max(...referenced);
        const [covering] = await tx.readCheckpoints(tenantId, Math.max(0, last - 1), 1);
        const checkpoint = covering ?? (await ctx.audit.checkpoint(tx, tenantId));
        if (!checkpoint) throw new TypeError(`tenant ${tenantId} has no audit entries to build evidence on`);
        // Never an empty run: with nothing referenced, the run is the checkpoint's own entry.
        const entries = await auditRun(tx, tenantId, first ?? checkpoint.seq, checkpoint.seq);

        const pack: EvidencePack = {
          format: EVIDENCE_PACK_FORMAT,
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
          audit: { entries, checkpoint: { ...checkpoint } },
        };
        session.record({
          actor,
          action: 'evidence.export',
          subject: { type: 'employee', id },
          data: {
            agreements: agreements.length,
            handovers: handovers.length,
            approvals: approvals.length,
            accessEntries: access.entries.length,
            accessTruncated: access.truncated,
            customers: customers.length,
            orders: orders.length,
            runFrom: entries[0]?.seq ?? null,
            checkpointSeq: checkpoint.seq,
          },
        });
        return pack;
      });
    },
  };
}

const verifiableSchema = z.object({
  format: z.literal(EVIDENCE_PACK_FORMAT),
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
  audit: z.object({ entries: z.array(auditEntrySchema), checkpoint: auditCheckpointSchema }),
});

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
 * 3. that every access-history entry is the run's entry at its `seq`, and
 *    the employee's;
 * 4. that every signed template's text hashes to its `contentHash`, which
 *    is the signature's, and that the signing's audit entry (when cited)
 *    is the employee's `SIGN` of that agreement over that hash.
 *
 * Other parts of the pack (customers, orders, approvals, handovers) are
 * copies of the current records, not covered by the chain. Pure: it reads
 * no store and no clock.
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
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
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

  const bySeq = new Map<number, AuditEntry>();
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
      const event = (e?.data as { event?: { contentHash?: unknown } } | undefined)?.event;
      if (
        !e ||
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
  return Object.freeze({ ok: true as const, entries: entries.length, checkpointSeq: checkpoint.seq });
}
