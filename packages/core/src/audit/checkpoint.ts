import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { idSchema, isoDateTimeSchema } from '../domain/entities.js';
import type { SecretKey } from '../ports/keys.js';
import type { AuditCheckpoint } from '../ports/store.js';
import { canonicalJson } from './canonical-json.js';

const ALGORITHM = 'HMAC-SHA256';
const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * The schema of a checkpoint that comes from outside (e.g. an archive the
 * host passes back as trusted).
 * @internal
 *
 * @example
 * ```ts
 * const trusted = parseInput(z.array(auditCheckpointSchema), JSON.parse(archive), { what: 'checkpoint' });
 * ```
 */
export const auditCheckpointSchema = z.strictObject({
  tenantId: idSchema,
  seq: z.int().min(1),
  hash: z.string().regex(HEX_64, { error: 'must be 64 lowercase hex digits' }),
  at: isoDateTimeSchema,
  keyId: z.string().min(1).max(256),
  algorithm: z.literal(ALGORITHM),
  signature: z.string().regex(HEX_64, { error: 'must be 64 lowercase hex digits' }),
});

/**
 * What a checkpoint states, before it is signed.
 *
 * @example
 * ```ts
 * import type { CheckpointStatement } from '@guard/core';
 * const statement: CheckpointStatement = { tenantId: 'acme', seq: 1000, hash: head.hash, at: new Date().toISOString() };
 * ```
 */
export type CheckpointStatement = Pick<AuditCheckpoint, 'tenantId' | 'seq' | 'hash' | 'at'>;

function signatureOf(statement: CheckpointStatement, keyId: string, secret: Uint8Array): string {
  const payload = canonicalJson({
    tenantId: statement.tenantId,
    seq: statement.seq,
    hash: statement.hash,
    at: statement.at,
    keyId,
    algorithm: ALGORITHM,
  });
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/**
 * Signs the statement "tenant T's audit chain had hash H at sequence S" with
 * HMAC-SHA256 over the canonical JSON of `{ tenantId, seq, hash, at, keyId,
 * algorithm }`. The key id is kept in the checkpoint so that it can be
 * verified after a key rotation.
 *
 * @example
 * ```ts
 * import { signCheckpoint } from '@guard/core';
 * const cp = signCheckpoint({ tenantId: 'acme', seq: head.seq, hash: head.hash, at: new Date().toISOString() }, key);
 * await tx.putCheckpoint(cp);
 * ```
 */
export function signCheckpoint(statement: CheckpointStatement, key: SecretKey): AuditCheckpoint {
  return Object.freeze({
    tenantId: statement.tenantId,
    seq: statement.seq,
    hash: statement.hash,
    at: statement.at,
    keyId: key.id,
    algorithm: ALGORITHM,
    signature: signatureOf(statement, key.id, key.secret),
  });
}

/**
 * True when `checkpoint` was signed with `key` and not altered since (the
 * comparison takes constant time). False for a different key id, an unknown
 * algorithm or a malformed checkpoint.
 *
 * @example
 * ```ts
 * import { verifyCheckpointSignature } from '@guard/core';
 * const key = await keys.keyById(cp.tenantId, 'audit-checkpoint', cp.keyId);
 * if (key && !verifyCheckpointSignature(cp, key)) throw new Error('forged checkpoint');
 * ```
 */
export function verifyCheckpointSignature(checkpoint: AuditCheckpoint, key: SecretKey): boolean {
  if (checkpoint.keyId !== key.id || checkpoint.algorithm !== ALGORITHM) return false;
  if (typeof checkpoint.signature !== 'string' || !HEX_64.test(checkpoint.signature)) return false;
  let expected: string;
  try {
    expected = signatureOf(checkpoint, key.id, key.secret);
  } catch {
    return false; // not canonical JSON: never signed by Guard
  }
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(checkpoint.signature, 'hex'));
}
