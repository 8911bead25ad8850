import * as crypto from 'node:crypto';
import type { AuditEntry } from '../domain/entities.js';
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
 * The hashed part of an audit entry: every field except `prevHash` and
 * `hash`.
 *
 * @example
 * ```ts
 * import type { AuditEntryBody } from '@guard/core';
 * const body: AuditEntryBody = {
 *   tenantId: 'acme', seq: 1, at: '2026-11-02T02:00:00.000Z', actor: { type: 'employee', id: 'e-7' },
 *   action: 'customer.read', subject: { type: 'customer', id: 'c-1001' }, data: {},
 * };
 * ```
 */
export type AuditEntryBody = Omit<AuditEntry, 'prevHash' | 'hash' | 'seal'>;

/** Node ≥ 20.12 has a one-shot `crypto.hash`, about twice as fast as `createHash` for small inputs. */
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of a UTF-8 string, as lowercase hex. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The hash of an audit entry: hex SHA-256 over the UTF-8 bytes of
 * `prevHash + canonicalJson(body)`, where the body is `tenantId`, `seq`, `at`,
 * `actor`, `action`, `subject` and `data` (any other property of `body`,
 * such as a `hash`, is ignored).
 *
 * @throws ValidationError when the body cannot be written as canonical JSON
 *   (see {@link canonicalJson}).
 *
 * @example
 * ```ts
 * import { GENESIS_HASH, entryHash } from '@guard/core';
 * const hash = entryHash(GENESIS_HASH, {
 *   tenantId: 'acme', seq: 1, at: '2026-11-02T02:00:00.000Z', actor: { type: 'host', id: 'hr-sync' },
 *   action: 'directory.sync', subject: null, data: { employees: 120 },
 * });
 * ```
 */
export function entryHash(prevHash: string, body: AuditEntryBody): string {
  // Listed in canonical (sorted) order, which makes the serializer's key sort a no-op.
  const picked = {
    action: body.action,
    actor: body.actor,
    at: body.at,
    data: body.data,
    seq: body.seq,
    subject: body.subject,
    tenantId: body.tenantId,
  };
  return sha256Hex(prevHash + canonicalJson(picked));
}
