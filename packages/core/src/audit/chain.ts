import type { AuditEntry, RedactedAuditEntry } from '../domain/entities.js';
import type { VerifyFailureReason } from '../domain/vocabulary.js';
import type { AuditCheckpoint, AuditHead } from '../ports/store.js';
import { entryHash, GENESIS_HASH } from './hash.js';

/**
 * A statement "the chain had hash `hash` at sequence `seq`" that the
 * verifier trusts. An {@link AuditCheckpoint} is one; check its signature
 * with {@link verifyCheckpointSignature} before passing it in
 * ({@link AuditLog.verify} does this for you).
 *
 * @example
 * ```ts
 * import type { CheckpointClaim } from '@guard/core';
 * const claim: CheckpointClaim = { seq: 1000, hash: 'a3f1…' };
 * ```
 */
export type CheckpointClaim = Pick<AuditCheckpoint, 'seq' | 'hash'>;

export type { VerifyFailureReason } from '../domain/vocabulary.js';

/**
 * The chain verified: `entries` entries (after the start), ending at `head`.
 *
 * @example
 * ```ts
 * import type { VerifySuccess } from '@guard/core';
 * const show = (r: VerifySuccess) => `${r.entries} entries, head ${r.head.seq}:${r.head.hash}`;
 * ```
 */
export interface VerifySuccess {
  readonly ok: true;
  /** How many entries were verified. */
  readonly entries: number;
  /** The last entry's sequence number and hash (the start when there were none). */
  readonly head: AuditHead;
}

/**
 * The chain is broken. Everything up to `head` verified; `firstBadSeq` is the
 * first sequence number that cannot be trusted.
 *
 * @example
 * ```ts
 * import type { VerifyFailure } from '@guard/core';
 * const show = (r: VerifyFailure) => `broken at #${r.firstBadSeq} (${r.reason}); #1–#${r.head.seq} intact`;
 * ```
 */
export interface VerifyFailure {
  readonly ok: false;
  /** The first sequence number that failed. */
  readonly firstBadSeq: number;
  readonly reason: VerifyFailureReason;
  /** How many entries verified before the break. */
  readonly entries: number;
  /** The last good entry's sequence number and hash (the start when there was none). */
  readonly head: AuditHead;
}

/**
 * The outcome of verifying an audit chain.
 *
 * @example
 * ```ts
 * import { verifyEntries } from '@guard/core';
 * const result = verifyEntries(entries);
 * if (!result.ok) console.error(`audit chain broken at #${result.firstBadSeq}: ${result.reason}`);
 * ```
 */
export type VerifyResult = VerifySuccess | VerifyFailure;

/**
 * Options of {@link verifyEntries} and {@link ChainVerifier}.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from '@guard/core';
 * const options: VerifyOptions = { tenantId: 'acme', checkpoints: [exportedCheckpoint] };
 * ```
 */
export interface VerifyOptions {
  /**
   * Checkpoints whose signatures have already been checked. Each is compared
   * with the entry at its `seq`; one past the last entry means the tail was
   * cut off. Claims at or before `start.seq` are ignored.
   */
  readonly checkpoints?: readonly CheckpointClaim[] | undefined;
  /** Verify from this trusted head rather than from the genesis (`{ seq: 0, hash: GENESIS_HASH }`). */
  readonly start?: AuditHead | undefined;
  /** The tenant every entry must belong to; by default the first entry's tenant. */
  readonly tenantId?: string | undefined;
  /**
   * Checks an entry's `seal` (see {@link AuditEntry}); an entry it
   * refuses fails with `seal-mismatch`. Without it seals are not checked:
   * that is how a chain is verified by someone who holds no key.
   */
  readonly seals?: ((entry: AuditEntry | RedactedAuditEntry) => boolean) | undefined;
}

/**
 * Verifies an audit chain one entry at a time, so that a chain can be
 * streamed page by page without holding it in memory. Feed entries in chain
 * order with {@link ChainVerifier.push} and read the outcome with
 * {@link ChainVerifier.finish}.
 *
 * For each position `i = start.seq + 1, start.seq + 2, …` the entry must have
 * `seq === i`, `prevHash` equal to the previous entry's hash, the expected
 * tenant, a `hash` equal to the recomputed {@link entryHash}, and the hash
 * every checkpoint at `i` claims. A redacted entry (see
 * {@link redactAuditEntry}) is checked the same way, from the payload
 * digest it carries. After the last entry `n`, a checkpoint
 * beyond `n` means the tail was cut off (reported at `n + 1`). Verification
 * stops at the first bad entry, so a modified, deleted, inserted or reordered
 * entry is always reported at its own position.
 *
 * What the chain alone cannot catch: someone able to write the database can
 * rewrite an entry and recompute the hash of it and every later entry. The
 * result is a valid chain; only a signed checkpoint at or after the rewritten
 * entry exposes it (`checkpoint-mismatch`). Between checkpoints — and if the
 * same person also deletes or re-signs the stored checkpoints — a full rewrite
 * of the tail is only caught by a checkpoint kept outside the database. That
 * is why checkpoints should be exported regularly to storage the database
 * administrators cannot write, and passed back as trusted checkpoints when
 * verifying.
 *
 * @example
 * ```ts
 * import { ChainVerifier } from '@guard/core';
 * const verifier = new ChainVerifier({ tenantId: 'acme', checkpoints });
 * for await (const page of pages) {
 *   for (const entry of page) if (!verifier.push(entry)) break;
 *   if (verifier.broken) break;
 * }
 * const result = verifier.finish();
 * ```
 */
export class ChainVerifier {
  #tenantId: string | undefined;
  #seq: number;
  #hash: string;
  #entries = 0;
  #failure: VerifyFailure | null = null;
  #finished: VerifyResult | null = null;
  readonly #claims = new Map<number, string[]>();
  readonly #seals: ((entry: AuditEntry | RedactedAuditEntry) => boolean) | undefined;
  #lastClaimSeq = 0;

  constructor(options: VerifyOptions = {}) {
    this.#tenantId = options.tenantId;
    this.#seals = options.seals;
    this.#seq = options.start?.seq ?? 0;
    this.#hash = options.start?.hash ?? GENESIS_HASH;
    for (const claim of options.checkpoints ?? []) {
      if (claim.seq <= this.#seq) continue;
      const hashes = this.#claims.get(claim.seq);
      if (hashes) hashes.push(claim.hash);
      else this.#claims.set(claim.seq, [claim.hash]);
      if (claim.seq > this.#lastClaimSeq) this.#lastClaimSeq = claim.seq;
    }
  }

  /**
   * Checks the next entry. Returns `false` once the chain is broken (this
   * entry or an earlier one); further entries are then ignored.
   *
   * @example
   * ```ts
   * if (!verifier.push(entry)) console.log('broken');
   * ```
   */
  push(entry: AuditEntry | RedactedAuditEntry): boolean {
    if (this.#failure || this.#finished) return false;
    const i = this.#seq + 1;
    const reason = this.#check(entry, i);
    if (reason) {
      this.#failure = chainFailure(i, reason, this.#entries, this.head);
      return false;
    }
    this.#seq = i;
    this.#hash = entry.hash;
    this.#entries++;
    return true;
  }

  #check(entry: AuditEntry | RedactedAuditEntry, i: number): VerifyFailureReason | null {
    if (entry.seq !== i) return typeof entry.seq === 'number' && entry.seq > i ? 'sequence-gap' : 'sequence-disorder';
    if (entry.prevHash !== this.#hash) return 'broken-link';
    this.#tenantId ??= entry.tenantId;
    if (entry.tenantId !== this.#tenantId) return 'wrong-tenant';
    let hash: string;
    try {
      hash = entryHash(this.#hash, entry);
    } catch {
      // Content that cannot be written canonically was never hashed by Guard.
      return 'hash-mismatch';
    }
    if (hash !== entry.hash) return 'hash-mismatch';
    if (this.#seals && !this.#seals(entry)) return 'seal-mismatch';
    const claimed = this.#claims.get(i);
    if (claimed?.some((h) => h !== entry.hash)) return 'checkpoint-mismatch';
    return null;
  }

  /**
   * True once a bad entry was found.
   *
   * @example
   * ```ts
   * if (verifier.broken) return verifier.finish();
   * ```
   */
  get broken(): boolean {
    return this.#failure !== null;
  }

  /**
   * The last verified position: its sequence number and hash.
   *
   * @example
   * ```ts
   * const next = await tx.readAudit('acme', verifier.head.seq, 5000);
   * ```
   */
  get head(): AuditHead {
    return { seq: this.#seq, hash: this.#hash };
  }

  /**
   * How many entries verified so far.
   *
   * @example
   * ```ts
   * console.log(`${verifier.entries} entries verified`);
   * ```
   */
  get entries(): number {
    return this.#entries;
  }

  /**
   * Ends verification: the first failure, or — when every entry pushed was
   * good — a `truncated` failure if a checkpoint points past the last entry,
   * else success. Further pushes are ignored.
   *
   * @example
   * ```ts
   * const result = verifier.finish();
   * ```
   */
  finish(): VerifyResult {
    this.#finished ??=
      this.#failure ??
      (this.#lastClaimSeq > this.#seq
        ? chainFailure(this.#seq + 1, 'truncated', this.#entries, this.head)
        : Object.freeze({ ok: true as const, entries: this.#entries, head: Object.freeze(this.head) }));
    return this.#finished;
  }
}

/** A frozen failure at `firstBadSeq`, after `entries` good entries ending at `head`. */
export function chainFailure(
  firstBadSeq: number,
  reason: VerifyFailureReason,
  entries: number,
  head: AuditHead,
): VerifyFailure {
  return Object.freeze({
    ok: false as const,
    firstBadSeq,
    reason,
    entries,
    head: Object.freeze({ seq: head.seq, hash: head.hash }),
  });
}

/**
 * Verifies an audit chain held in memory (or any iterable, read lazily) and
 * reports the first broken sequence number. See {@link ChainVerifier} for the
 * checks made, and for what only a checkpoint kept outside the database can
 * catch.
 *
 * @example
 * ```ts
 * import { verifyEntries } from '@guard/core';
 * const result = verifyEntries(entries, { checkpoints: [trustedCheckpoint] });
 * if (!result.ok) console.error(`broken at #${result.firstBadSeq}: ${result.reason}`);
 * ```
 */
export function verifyEntries(
  entries: Iterable<AuditEntry | RedactedAuditEntry>,
  options: VerifyOptions = {},
): VerifyResult {
  const verifier = new ChainVerifier(options);
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.finish();
}
