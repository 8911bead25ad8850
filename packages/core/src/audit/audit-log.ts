import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import {
  type ActorRef,
  type AuditEntry,
  auditEntrySchema,
  idSchema,
  isoDateTimeSchema,
  type Json,
  type RedactedAuditEntry,
  type SubjectRef,
  subjectRefSchema,
} from '../domain/entities.js';
import { AuditIntegrityError, AuditKeyError, ValidationError, type ValidationIssue } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { Locale } from '../i18n/locale.js';
import type { Clock } from '../ports/clock.js';
import type { KeyProvider, SecretKey } from '../ports/keys.js';
import type { AuditCheckpoint, AuditHead, AuditQuery, Page, StoreTransaction } from '../ports/store.js';
import { copyAuditData } from './audit-data.js';
import { ChainVerifier, type CheckpointClaim, chainFailure, type VerifyFailure, type VerifyResult } from './chain.js';
import { auditCheckpointSchema, signCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
import { entryHash, GENESIS_HASH } from './hash.js';
import { entrySealValid, headSealValid, sealEntry, sealHead, sealKeyId } from './seal.js';

/**
 * One audit entry to append: what happened, by whom, to what. The log fills
 * in `tenantId`, `seq`, `at` and the hashes.
 *
 * @example
 * ```ts
 * import type { AuditDraft } from '@guard/core';
 * const draft: AuditDraft = {
 *   actor: { type: 'employee', id: 'e-7' }, action: 'customer.export',
 *   subject: { type: 'customer', id: 'c-1001' }, data: { rows: 1, watermark: true },
 * };
 * ```
 */
export interface AuditDraft {
  readonly actor: ActorRef;
  /** Dotted, kebab-case action name, e.g. `customer.read`. */
  readonly action: string;
  readonly subject: SubjectRef | null;
  readonly data: Readonly<Record<string, Json>>;
}

/**
 * The store operations the audit log uses: the audit part of
 * {@link StoreTransaction}. Every `StoreTransaction` is one.
 *
 * @example
 * ```ts
 * import type { AuditTransaction } from '@guard/core';
 * async function head(tx: AuditTransaction) { return tx.latestCheckpoint('acme'); }
 * ```
 */
export type AuditTransaction = Pick<
  StoreTransaction,
  | 'lockAuditHead'
  | 'appendAudit'
  | 'readAudit'
  | 'queryAudit'
  | 'putCheckpoint'
  | 'latestCheckpoint'
  | 'readCheckpoints'
>;

/**
 * What {@link AuditLog.verify} needs of a store: transactions offering the
 * audit operations. Every `Store` is one.
 *
 * @example
 * ```ts
 * import { memoryStore, type AuditStore } from '@guard/core';
 * const store: AuditStore = memoryStore();
 * ```
 */
export interface AuditStore {
  transaction<T>(work: (tx: AuditTransaction) => Promise<T>): Promise<T>;
}

/**
 * Options of {@link AuditLog}.
 *
 * @example
 * ```ts
 * import { hmacKeys, systemClock, type AuditLogOptions } from '@guard/core';
 * const options: AuditLogOptions = { clock: systemClock, keys: hmacKeys({ current: 'k1', keys: { k1: secret } }) };
 * ```
 */
export interface AuditLogOptions {
  /** Where entry and checkpoint timestamps come from. */
  readonly clock: Clock;
  /** Signs checkpoints (`currentKey`) and verifies them (`keyById`), purpose `audit-checkpoint`. */
  readonly keys: KeyProvider;
  /**
   * Sign and store a checkpoint whenever an append moves the head past a
   * multiple of this many entries. Default 1000; 0 turns automatic
   * checkpoints off.
   */
  readonly checkpointEvery?: number | undefined;
  /** Language of error messages; `en` by default. */
  readonly locale?: Locale | undefined;
}

/**
 * Options of {@link AuditLog.verify}.
 *
 * @example
 * ```ts
 * import type { AuditVerifyOptions } from '@guard/core';
 * const options: AuditVerifyOptions = { trusted: JSON.parse(archivedCheckpoints), pageSize: 10_000 };
 * ```
 */
export interface AuditVerifyOptions {
  /**
   * Checkpoints kept outside the database (e.g. exported to write-once
   * storage). They are checked like stored ones and are the only defence
   * against someone who rewrites both the entries and the stored checkpoints.
   */
  readonly trusted?: readonly AuditCheckpoint[] | undefined;
  /** Entries read per transaction; default 5000. */
  readonly pageSize?: number | undefined;
  /**
   * Check every entry's seal and the head's (default `true`). `false` is for
   * a verifier without the HMAC seal key — an auditor holding only the
   * checkpoints' Ed25519 public key: every link and every checkpoint
   * signature is still checked, but an entry after the last checkpoint is
   * then vouched for by its links alone (someone who can write the database
   * could have added or rewritten it), and a cut-off tail shows only against
   * a checkpoint.
   */
  readonly seals?: boolean | undefined;
}

const headsSchema = z.array(
  auditEntrySchema.pick({ actor: true, action: true, subject: true }).extend({ data: z.null() }),
);
const trustedSchema = z.array(auditCheckpointSchema);

const querySchema = z.strictObject({
  cursor: z.string().min(1).max(1024).optional(),
  limit: z.int().min(1).max(1000),
  actorId: idSchema.optional(),
  subject: subjectRefSchema.optional(),
  action: auditEntrySchema.shape.action.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

const CHECKPOINT_PAGE = 1000;
/** Bytes of randomness in each entry's salt (32 hex digits). */
const SALT_BYTES = 16;
const KEY_PURPOSE = 'audit-checkpoint';
const SEAL_PURPOSE = 'audit-seal';

const verifyOptionsSchema = z.strictObject({
  trusted: z.array(z.unknown()).optional(),
  pageSize: z.int().min(1).max(100_000).optional(),
  seals: z.boolean().optional(),
});

/**
 * A tenant's append-only, hash-chained audit log over the store port.
 *
 * - {@link AuditLog.append} writes entries inside the caller's transaction,
 *   so an audited change and its audit entry commit together.
 * - Every `checkpointEvery` entries it signs a checkpoint of the head;
 *   {@link AuditLog.checkpoint} signs one on demand (e.g. nightly, before an
 *   export). Copy checkpoints out of the database: see {@link ChainVerifier}
 *   for why.
 * - {@link AuditLog.verify} streams the chain and reports the first broken
 *   sequence number.
 *
 * @example
 * ```ts
 * import { AuditLog, hmacKeys, memoryStore, systemClock } from '@guard/core';
 * const store = memoryStore();
 * const log = new AuditLog({ clock: systemClock, keys: hmacKeys({ current: 'k1', keys: { k1: secret } }) });
 * await store.transaction((tx) =>
 *   log.append(tx, 'acme', [{ actor: { type: 'employee', id: 'e-7' }, action: 'customer.read', subject: { type: 'customer', id: 'c-1' }, data: {} }]),
 * );
 * const result = await log.verify(store, 'acme');
 * ```
 */
export class AuditLog {
  readonly #clock: Clock;
  readonly #keys: KeyProvider;
  readonly #every: number;
  readonly #locale: Locale;

  constructor(options: AuditLogOptions) {
    const every = options.checkpointEvery ?? 1000;
    if (!Number.isSafeInteger(every) || every < 0) {
      throw new RangeError(`AuditLog: checkpointEvery must be a whole number ≥ 0 (0 disables), got ${String(every)}`);
    }
    this.#clock = options.clock;
    this.#keys = options.keys;
    this.#every = every;
    this.#locale = options.locale ?? 'en';
  }

  /**
   * Appends entries to the tenant's chain inside `tx`: validates the drafts,
   * locks the head, numbers them consecutively, stamps them all with the same
   * `clock.now()`, gives each a random salt, chains their hashes (format 2,
   * see {@link entryHash}) and writes them. When the head passes
   * a multiple of `checkpointEvery`, it also signs and stores a checkpoint at
   * the new head. Returns the written entries, frozen.
   *
   * @throws ValidationError (`what: 'audit entry'`) naming each bad path; nothing is written.
   * @throws AuditKeyError when a checkpoint is due and the key provider has no current key.
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => {
   *   await tx.putCustomer(next, current.version);
   *   await log.append(tx, 'acme', [{ actor, action: 'customer.update', subject: { type: 'customer', id: next.id }, data: { fields: ['name'] } }]);
   * });
   * ```
   */
  async append(tx: AuditTransaction, tenantId: string, drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    this.#parseTenant(tenantId);
    const valid = this.#parseDrafts(drafts);
    if (valid.length === 0) return [];
    // Fetch the keys first, so that a missing key fails before anything is written.
    const sealKey = await this.#currentKey(tenantId, SEAL_PURPOSE);
    const head = (await tx.lockAuditHead(tenantId)) ?? { seq: 0, hash: GENESIS_HASH };
    const at = this.#clock.now().toISOString();
    const entries: AuditEntry[] = [];
    // One draw of randomness for the whole batch: 16 bytes of salt per entry.
    const salts = randomBytes(SALT_BYTES * valid.length).toString('hex');
    let prevHash = head.hash;
    for (const [i, draft] of valid.entries()) {
      const salt = salts.slice(i * SALT_BYTES * 2, (i + 1) * SALT_BYTES * 2);
      const body = { tenantId, seq: head.seq + 1 + i, at, ...draft, salt };
      // The drafts were checked to have a canonical form, so this cannot throw.
      const hash = entryHash(prevHash, body);
      entries.push(Object.freeze({ ...body, prevHash, hash, seal: sealEntry(hash, sealKey) }));
      prevHash = hash;
    }
    const last = entries[entries.length - 1] as AuditEntry;
    const due = this.#every > 0 && Math.floor(last.seq / this.#every) > Math.floor(head.seq / this.#every);
    const key = due ? await this.#currentKey(tenantId, KEY_PURPOSE) : null;
    const newHead: AuditHead = {
      seq: last.seq,
      hash: last.hash,
      seal: sealHead(tenantId, last.seq, last.hash, sealKey),
    };
    await tx.appendAudit(entries, newHead.seal);
    // An automatic checkpoint only vouches for a chain that verifies since the last one; if it
    // does not, the append still stands (the audit trail must not stop) and verify() reports it.
    if (key && (await this.#brokenSince(tx, tenantId, newHead)) === null) await this.#sign(tx, tenantId, newHead, key);
    return entries;
  }

  /**
   * Validates drafts: zod for `actor`, `action` and `subject` (and for stray
   * keys), {@link copyAuditData} for `data`. Returns frozen copies.
   */
  #parseDrafts(drafts: readonly AuditDraft[]): AuditDraft[] {
    const options = { what: 'audit entry' as const, locale: this.#locale };
    if (!Array.isArray(drafts)) parseInput(z.array(z.unknown()), drafts, options);
    const issues: ValidationIssue[] = [];
    let heads: z.output<typeof headsSchema> = [];
    try {
      // `data` is checked below, in one pass that also copies it.
      heads = parseInput(
        headsSchema,
        drafts.map((d: unknown) => (isObject(d) ? { ...d, data: null } : d)),
        options,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
    const datas = drafts.map((d: unknown, i) =>
      isObject(d) ? copyAuditData((d as { data?: unknown }).data, [i, 'data'], this.#locale, issues) : {},
    );
    if (issues.length > 0) throw new ValidationError('audit entry', issues, { locale: this.#locale });
    return heads.map((h, i) =>
      Object.freeze({
        actor: Object.freeze(h.actor),
        action: h.action,
        subject: h.subject && Object.freeze(h.subject),
        data: datas[i] as Record<string, Json>,
      }),
    );
  }

  /**
   * Signs and stores a checkpoint at the tenant's current head, inside `tx`.
   * Returns the latest checkpoint unchanged when it already covers the head,
   * and `null` when the chain is empty. Call it before exporting
   * checkpoints, and on a schedule, so that the tail of the chain is never
   * long without one.
   *
   * A stored checkpoint at the head's `seq` with a different hash is never
   * overwritten (it is evidence that the chain was rewritten); it is
   * returned as it is and {@link AuditLog.verify} reports the mismatch.
   *
   * @throws AuditKeyError when the key provider has no current key.
   *
   * @example
   * ```ts
   * const cp = await store.transaction((tx) => log.checkpoint(tx, 'acme'));
   * if (cp) await archive.put(`acme/${cp.seq}.json`, JSON.stringify(cp));
   * ```
   */
  async checkpoint(tx: AuditTransaction, tenantId: string): Promise<AuditCheckpoint | null> {
    this.#parseTenant(tenantId);
    const head = await tx.lockAuditHead(tenantId);
    if (head === null) return null;
    const latest = await tx.latestCheckpoint(tenantId);
    if (latest !== null && latest.seq === head.seq) return latest;
    const key = await this.#currentKey(tenantId, KEY_PURPOSE);
    const broken = await this.#brokenSince(tx, tenantId, head);
    if (broken) {
      throw new AuditIntegrityError(
        { tenantId, firstBadSeq: broken.firstBadSeq, reason: broken.reason },
        { locale: this.#locale },
      );
    }
    return this.#sign(tx, tenantId, head, key);
  }

  async #currentKey(tenantId: string, purpose: typeof KEY_PURPOSE | typeof SEAL_PURPOSE): Promise<SecretKey> {
    const key = await this.#keys.currentKey(tenantId, purpose);
    // Seals are HMACs: an Ed25519 key (for checkpoints) cannot seal entries.
    if (key === null || (purpose === SEAL_PURPOSE && key.algorithm === 'Ed25519')) {
      throw new AuditKeyError({ tenantId, ...(key ? { keyId: key.id } : {}) }, { locale: this.#locale });
    }
    return key;
  }

  /** A seal checker that knows every key it has been {@link SealKeys.load}ed with. */
  #sealKeys(tenantId: string) {
    const keys = new Map<string, SecretKey | null>();
    return {
      load: async (entries: readonly AuditEntry[]) => {
        for (const entry of entries) {
          const id = sealKeyId(entry.seal);
          if (id !== null && !keys.has(id)) keys.set(id, await this.#keys.keyById(tenantId, SEAL_PURPOSE, id));
        }
      },
      check: (entry: AuditEntry | RedactedAuditEntry) => {
        const key = keys.get(sealKeyId(entry.seal) ?? '');
        return key != null && entrySealValid(entry.seal, entry.hash, key);
      },
      head: async (head: AuditHead) => {
        const id = sealKeyId(head.seal);
        const key = id === null ? null : await this.#keys.keyById(tenantId, SEAL_PURPOSE, id);
        return key !== null && headSealValid(head.seal, tenantId, head.seq, head.hash, key);
      },
    };
  }

  /**
   * Verifies, inside `tx`, the entries since the latest checkpoint whose
   * signature holds (or since the genesis) up to `head`, seals included, and
   * that the chain ends exactly at `head`. The first failure, or `null`.
   */
  async #brokenSince(tx: AuditTransaction, tenantId: string, head: AuditHead): Promise<VerifyFailure | null> {
    const latest = await tx.latestCheckpoint(tenantId);
    let start: AuditHead = { seq: 0, hash: GENESIS_HASH };
    if (latest !== null && latest.tenantId === tenantId) {
      const key = await this.#keys.keyById(tenantId, KEY_PURPOSE, latest.keyId);
      if (key !== null && verifyCheckpointSignature(latest, key)) {
        // A good checkpoint past the head: the tail was cut off and the head moved back.
        if (latest.seq > head.seq) return chainFailure(head.seq + 1, 'truncated', 0, { seq: 0, hash: GENESIS_HASH });
        start = { seq: latest.seq, hash: latest.hash };
      }
    }
    const seals = this.#sealKeys(tenantId);
    if (!(await seals.head(head))) return chainFailure(head.seq, 'head-mismatch', 0, { seq: 0, hash: GENESIS_HASH });
    const verifier = new ChainVerifier({ tenantId, start, seals: seals.check });
    while (verifier.head.seq < head.seq && !verifier.broken) {
      const page = await tx.readAudit(
        tenantId,
        verifier.head.seq,
        Math.min(CHECKPOINT_PAGE, head.seq - verifier.head.seq),
      );
      await seals.load(page);
      for (const entry of page) if (!verifier.push(entry)) break;
      if (page.length === 0) break;
    }
    const result = verifier.finish();
    if (!result.ok) return result;
    if (result.head.seq !== head.seq)
      return chainFailure(result.head.seq + 1, 'truncated', result.entries, result.head);
    if (result.head.hash !== head.hash) return chainFailure(head.seq + 1, 'head-mismatch', result.entries, result.head);
    return null;
  }

  async #sign(tx: AuditTransaction, tenantId: string, head: AuditHead, key: SecretKey): Promise<AuditCheckpoint> {
    const checkpoint = signCheckpoint(
      { tenantId, seq: head.seq, hash: head.hash, at: this.#clock.now().toISOString() },
      key,
    );
    await tx.putCheckpoint(checkpoint);
    return checkpoint;
  }

  /**
   * Verifies the tenant's whole chain against every stored checkpoint and
   * every `trusted` one, and reports the first broken sequence number.
   * Checkpoints are read first, then entries page by page, each page in its
   * own transaction, so writers are not blocked and memory stays flat. Every
   * checkpoint's signature is checked with the key it names
   * (`keys.keyById`); a bad signature is reported as `checkpoint-signature`
   * at that checkpoint's `seq` (unless the chain breaks earlier).
   *
   * Entries appended while verification runs are verified too, if they are
   * read; checkpoints stored after it started are not used.
   *
   * @throws AuditKeyError when a checkpoint names a key the provider does not know.
   * @throws ValidationError when a trusted checkpoint is malformed.
   *
   * @example
   * ```ts
   * const result = await log.verify(store, 'acme', { trusted: archivedCheckpoints });
   * if (!result.ok) alert(`audit chain of acme broken at #${result.firstBadSeq}: ${result.reason}`);
   * ```
   */
  async verify(store: AuditStore, tenantId: string, options: AuditVerifyOptions = {}): Promise<VerifyResult> {
    this.#parseTenant(tenantId);
    const parsed = parseInput(verifyOptionsSchema, options, { what: 'audit verify options', locale: this.#locale });
    const pageSize = parsed.pageSize ?? 5000;
    const trusted = parseInput(trustedSchema, parsed.trusted ?? [], { what: 'checkpoint', locale: this.#locale });

    const stored: AuditCheckpoint[] = [];
    for (let after = 0; ; ) {
      const page = await store.transaction((tx) => tx.readCheckpoints(tenantId, after, CHECKPOINT_PAGE));
      stored.push(...page);
      const last = page[page.length - 1];
      if (page.length < CHECKPOINT_PAGE || last === undefined || !(last.seq > after)) break;
      after = last.seq;
    }

    const { claims, forgedAt } = await this.#checkSignatures(tenantId, [...stored, ...trusted]);
    const seals = parsed.seals === false ? null : this.#sealKeys(tenantId);
    const verifier = new ChainVerifier({ tenantId, checkpoints: claims, seals: seals?.check });
    let stopped = false; // reached the forged checkpoint: nothing from there on can be trusted
    let head: AuditHead | null = null; // the stored head, read with the last page
    read: for (;;) {
      const after = verifier.head.seq;
      // The head is locked while the page is read, so the last page and the head are one snapshot.
      const { page, atHead } = await store.transaction(async (tx) => ({
        atHead: await tx.lockAuditHead(tenantId),
        page: await tx.readAudit(tenantId, after, pageSize),
      }));
      await seals?.load(page);
      for (const entry of page) {
        // Verification starts at the genesis, so the next position is entries + 1.
        if (verifier.entries + 1 >= forgedAt) {
          stopped = true;
          break read;
        }
        if (!verifier.push(entry)) break read;
      }
      if (page.length < pageSize) {
        head = atHead;
        break;
      }
    }
    let result = verifier.finish();
    if (result.ok && !stopped) result = await this.#againstHead(result, head, seals?.head ?? (async () => true));
    if (forgedAt === Number.POSITIVE_INFINITY) return result;
    if (!stopped && !result.ok && result.firstBadSeq <= forgedAt) return result;
    return chainFailure(forgedAt, 'checkpoint-signature', verifier.entries, verifier.head);
  }

  /**
   * A chain that verified must end exactly at the stored head, and the head's
   * seal must hold: otherwise entries were cut off (`truncated`) or added
   * after it, or the head was moved (`head-mismatch`).
   */
  async #againstHead(
    result: VerifyResult & { ok: true },
    head: AuditHead | null,
    headSealHolds: (head: AuditHead) => Promise<boolean>,
  ): Promise<VerifyResult> {
    const last = result.head;
    if (head === null) {
      return last.seq === 0 ? result : chainFailure(1, 'head-mismatch', 0, { seq: 0, hash: GENESIS_HASH });
    }
    if (head.seq > last.seq) return chainFailure(last.seq + 1, 'truncated', result.entries, last);
    // Entries after the stored head: verification started at the genesis, so entry n is the n-th.
    if (head.seq < last.seq) return chainFailure(head.seq + 1, 'head-mismatch', head.seq, head);
    // Every entry verified: what cannot be trusted is whatever came after the last one.
    if (head.hash !== last.hash || !(await headSealHolds(head))) {
      return chainFailure(last.seq + 1, 'head-mismatch', result.entries, last);
    }
    return result;
  }

  async #checkSignatures(
    tenantId: string,
    checkpoints: readonly AuditCheckpoint[],
  ): Promise<{ claims: CheckpointClaim[]; forgedAt: number }> {
    const keys = new Map<string, SecretKey>();
    const claims: CheckpointClaim[] = [];
    let forgedAt = Number.POSITIVE_INFINITY;
    for (const cp of checkpoints) {
      let key = keys.get(cp.keyId);
      if (key === undefined) {
        const found = await this.#keys.keyById(tenantId, KEY_PURPOSE, cp.keyId);
        if (found === null) throw new AuditKeyError({ tenantId, keyId: cp.keyId }, { locale: this.#locale });
        key = found;
        keys.set(cp.keyId, key);
      }
      // A checkpoint of another tenant, even if validly signed, says nothing about this chain.
      if (cp.tenantId === tenantId && verifyCheckpointSignature(cp, key)) claims.push(cp);
      else forgedAt = Math.min(forgedAt, Number.isSafeInteger(cp.seq) && cp.seq >= 1 ? cp.seq : 1);
    }
    return { claims, forgedAt };
  }

  /**
   * One page of the tenant's audit entries matching `query`, ordered by
   * `seq`. `from` (inclusive) and `to` (exclusive) may use any offset; they
   * are compared as instants.
   *
   * @throws ValidationError (`what: 'audit query'`) for a malformed query, e.g. `limit` outside 1–1000.
   *
   * @example
   * ```ts
   * const page = await store.transaction((tx) =>
   *   log.query(tx, 'acme', { actorId: 'e-7', from: '2026-11-01T00:00:00+08:00', limit: 100 }),
   * );
   * ```
   */
  async query(tx: AuditTransaction, tenantId: string, query: AuditQuery): Promise<Page<AuditEntry>> {
    this.#parseTenant(tenantId);
    const valid = parseInput(querySchema, query, { what: 'audit query', locale: this.#locale });
    return tx.queryAudit(tenantId, {
      ...valid,
      from: valid.from === undefined ? undefined : toUtcMillis(valid.from),
      to: valid.to === undefined ? undefined : toUtcMillis(valid.to),
    });
  }

  #parseTenant(tenantId: string): void {
    parseInput(idSchema, tenantId, { what: 'tenant id', locale: this.#locale });
  }
}

/**
 * Rewrites an instant in the form entries use (`toISOString`, UTC,
 * milliseconds), rounding sub-millisecond digits up so that `at >= from` and
 * `at < to` mean the same for millisecond timestamps, whether a store compares
 * strings or instants.
 */
function toUtcMillis(instant: string): string {
  const fraction = /\.(\d+)/.exec(instant)?.[1] ?? '';
  const roundUp = /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  return new Date(Date.parse(instant) + roundUp).toISOString();
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
