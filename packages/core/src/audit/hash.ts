import * as crypto from 'node:crypto';
import type { AuditEntry, RedactedAuditEntry } from '../domain/entities.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The `prevHash` of a tenant's first audit entry: 64 zeros.
 *
 * @example
 * ```ts
 * import { GENESIS_HASH } from '@guard/core';
 * const head = { seq: 0, hash: GENESIS_HASH }; // the head of an empty chain
 * ```
 */
export const GENESIS_HASH: string = '0'.repeat(64);

/**
 * The hashed part of an audit entry: every field except `prevHash`, `hash`
 * and `seal`. Without a `salt` (or with `salt: null`) it is hashed in
 * format 1.
 *
 * @example
 * ```ts
 * import type { AuditEntryBody } from '@guard/core';
 * const body: AuditEntryBody = {
 *   tenantId: 'acme', seq: 1, at: '2026-11-02T02:00:00.000Z', actor: { type: 'employee', id: 'e-7' },
 *   action: 'customer.read', subject: { type: 'customer', id: 'c-1001' }, data: {}, salt: '0f'.repeat(16),
 * };
 * ```
 */
export type AuditEntryBody = Omit<AuditEntry, 'prevHash' | 'hash' | 'seal' | 'salt'> & {
  readonly salt?: string | null | undefined;
};

/**
 * The hashed part of a redacted audit entry: its position, time and the
 * digest of the payload it stands for.
 *
 * @example
 * ```ts
 * import type { RedactedAuditEntryBody } from '@guard/core';
 * const body: RedactedAuditEntryBody = {
 *   tenantId: 'acme', seq: 2, at: '2026-11-02T02:00:00.000Z', redacted: true, payloadDigest: 'ab'.repeat(32),
 * };
 * ```
 */
export type RedactedAuditEntryBody = Omit<RedactedAuditEntry, 'prevHash' | 'hash' | 'seal'>;

/**
 * The payload of an audit entry — what happened, by whom, to what — which a
 * redacted copy leaves out.
 *
 * @example
 * ```ts
 * import type { AuditPayload } from '@guard/core';
 * const payload: AuditPayload = {
 *   action: 'customer.read', actor: { type: 'employee', id: 'e-7' }, subject: { type: 'customer', id: 'c-1' }, data: {},
 * };
 * ```
 */
export type AuditPayload = Pick<AuditEntry, 'action' | 'actor' | 'subject' | 'data'>;

/** Node ≥ 20.12 has a one-shot `crypto.hash`, about twice as fast as `createHash` for small inputs. */
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of a UTF-8 string, as lowercase hex. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The salted digest of an entry's payload that a format-2 hash commits to:
 * hex SHA-256 over the UTF-8 bytes of `salt + canonicalJson({ action,
 * actor, data, subject })`. The salt (32 hex digits, fixed length) keeps a
 * redacted entry's digest from being matched against guessed payloads.
 *
 * @throws ValidationError when the payload cannot be written as canonical JSON.
 *
 * @example
 * ```ts
 * import { payloadDigest } from '@guard/core';
 * const digest = payloadDigest('0f'.repeat(16), {
 *   action: 'customer.read', actor: { type: 'employee', id: 'e-7' }, subject: { type: 'customer', id: 'c-1' }, data: {},
 * });
 * digest.length; // 64
 * ```
 */
export function payloadDigest(salt: string, payload: AuditPayload): string {
  // Listed in canonical (sorted) order, which makes the serializer's key sort a no-op.
  const picked = { action: payload.action, actor: payload.actor, data: payload.data, subject: payload.subject };
  return sha256Hex(salt + canonicalJson(picked));
}

/**
 * The hash of an audit entry, whole or redacted.
 *
 * - **Format 2** (an entry with a `salt`, or a redacted entry): hex SHA-256
 *   over the UTF-8 bytes of `prevHash + canonicalJson({ at, payloadDigest,
 *   seq, tenantId, v: 2 })`, where `payloadDigest` is {@link payloadDigest}
 *   of the entry (or the redacted entry's own `payloadDigest`).
 * - **Format 1** (no salt; entries written before format 2): hex SHA-256
 *   over `prevHash + canonicalJson(body)`, the body being `tenantId`, `seq`,
 *   `at`, `actor`, `action`, `subject` and `data`.
 *
 * Any other property of `body`, such as a `hash`, is ignored.
 *
 * @throws ValidationError when the body cannot be written as canonical JSON
 *   (see {@link canonicalJson}).
 *
 * @example
 * ```ts
 * import { GENESIS_HASH, entryHash, redactAuditEntry } from '@guard/core';
 * const body = {
 *   tenantId: 'acme', seq: 1, at: '2026-11-02T02:00:00.000Z', actor: { type: 'host', id: 'hr-sync' },
 *   action: 'directory.sync', subject: null, data: { employees: 120 }, salt: '0f'.repeat(16),
 * } as const;
 * const hash = entryHash(GENESIS_HASH, body);
 * const redacted = redactAuditEntry({ ...body, prevHash: GENESIS_HASH, hash, seal: null });
 * entryHash(GENESIS_HASH, redacted!) === hash; // true: the redacted copy still verifies
 * ```
 */
export function entryHash(prevHash: string, body: AuditEntryBody | RedactedAuditEntryBody): string {
  if ('redacted' in body && body.redacted === true) return formatTwo(prevHash, body, body.payloadDigest);
  const whole = body as AuditEntryBody;
  if (typeof whole.salt === 'string') return formatTwo(prevHash, whole, payloadDigest(whole.salt, whole));
  // Format 1. Listed in canonical (sorted) order, which makes the serializer's key sort a no-op.
  const picked = {
    action: whole.action,
    actor: whole.actor,
    at: whole.at,
    data: whole.data,
    seq: whole.seq,
    subject: whole.subject,
    tenantId: whole.tenantId,
  };
  return sha256Hex(prevHash + canonicalJson(picked));
}

function formatTwo(prevHash: string, body: Pick<AuditEntry, 'at' | 'seq' | 'tenantId'>, digest: string): string {
  return sha256Hex(
    prevHash + canonicalJson({ at: body.at, payloadDigest: digest, seq: body.seq, tenantId: body.tenantId, v: 2 }),
  );
}

/**
 * A copy of `entry` without its payload (`action`, `actor`, `subject`,
 * `data`), carrying instead the salted digest its hash commits to: it
 * verifies in a chain exactly as the whole entry does, and reveals only the
 * tenant, position and time. Returns `null` for a format-1 entry (written
 * before salts), which cannot be redacted.
 *
 * @example
 * ```ts
 * import { redactAuditEntry, verifyEntries } from '@guard/core';
 * const shown = entries.map((e) => (e.actor.id === 'e-7' ? e : (redactAuditEntry(e) ?? e)));
 * verifyEntries(shown).ok; // true, as for the whole entries
 * ```
 */
export function redactAuditEntry(entry: AuditEntry): RedactedAuditEntry | null {
  if (typeof entry.salt !== 'string') return null;
  return Object.freeze({
    tenantId: entry.tenantId,
    seq: entry.seq,
    at: entry.at,
    redacted: true as const,
    payloadDigest: payloadDigest(entry.salt, entry),
    prevHash: entry.prevHash,
    hash: entry.hash,
    seal: entry.seal ?? null,
  });
}
