import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify } from 'node:crypto';
import * as z from 'zod';
import { idSchema, isoDateTimeSchema } from '../domain/entities.js';
import { validationMessage } from '../i18n/keys.js';
import type { SecretKey } from '../ports/keys.js';
import type { AuditCheckpoint } from '../ports/store.js';
import { canonicalJson } from './canonical-json.js';

const HMAC = 'HMAC-SHA256';
const ED25519 = 'Ed25519';
const HEX_64 = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}(?:[0-9a-f]{64})?$/;

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
  hash: z.string().regex(HEX_64, { error: validationMessage('hex-64') }),
  at: isoDateTimeSchema,
  keyId: z.string().min(1).max(256),
  algorithm: z.enum([HMAC, ED25519]),
  signature: z.string().regex(SIGNATURE_HEX, { error: validationMessage('signature-hex') }),
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

/** The signed bytes: the canonical JSON of the statement with its key id and algorithm. */
function payloadOf(statement: CheckpointStatement, keyId: string, algorithm: AuditCheckpoint['algorithm']): string {
  return canonicalJson({
    tenantId: statement.tenantId,
    seq: statement.seq,
    hash: statement.hash,
    at: statement.at,
    keyId,
    algorithm,
  });
}

function hmacOf(statement: CheckpointStatement, keyId: string, secret: Uint8Array): string {
  return createHmac('sha256', secret)
    .update(payloadOf(statement, keyId, HMAC), 'utf8')
    .digest('hex');
}

/**
 * Signs the statement "tenant T's audit chain had hash H at sequence S" over
 * the canonical JSON of `{ tenantId, seq, hash, at, keyId, algorithm }`:
 * with HMAC-SHA256, or with Ed25519 when the key says `algorithm: 'Ed25519'`
 * (then anyone with the public key can check it). The key id is kept in the
 * checkpoint so that it can be verified after a key rotation.
 *
 * @example
 * ```ts
 * import { signCheckpoint } from '@guard/core';
 * const cp = signCheckpoint({ tenantId: 'acme', seq: head.seq, hash: head.hash, at: new Date().toISOString() }, key);
 * cp.algorithm; // 'HMAC-SHA256', or 'Ed25519' for an Ed25519 key
 * ```
 */
export function signCheckpoint(statement: CheckpointStatement, key: SecretKey): AuditCheckpoint {
  const algorithm = key.algorithm === ED25519 ? ED25519 : HMAC;
  const signature =
    algorithm === ED25519
      ? sign(
          null,
          Buffer.from(payloadOf(statement, key.id, ED25519), 'utf8'),
          createPrivateKey({ key: Buffer.from(key.secret), format: 'der', type: 'pkcs8' }),
        ).toString('hex')
      : hmacOf(statement, key.id, key.secret);
  return Object.freeze({
    tenantId: statement.tenantId,
    seq: statement.seq,
    hash: statement.hash,
    at: statement.at,
    keyId: key.id,
    algorithm,
    signature,
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
  if (checkpoint.keyId !== key.id || typeof checkpoint.signature !== 'string') return false;
  if (checkpoint.algorithm === ED25519) {
    if (key.algorithm !== ED25519 || key.publicKey === undefined) return false;
    return ed25519Valid(checkpoint, key.publicKey);
  }
  if (checkpoint.algorithm !== HMAC || key.algorithm === ED25519 || !HEX_64.test(checkpoint.signature)) return false;
  let expected: string;
  try {
    expected = hmacOf(checkpoint, key.id, key.secret);
  } catch {
    return false; // not canonical JSON: never signed by Guard
  }
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(checkpoint.signature, 'hex'));
}

function ed25519Valid(checkpoint: AuditCheckpoint, publicKeyDer: Uint8Array | string): boolean {
  if (!/^[0-9a-f]{128}$/.test(checkpoint.signature)) return false;
  try {
    const publicKey =
      typeof publicKeyDer === 'string'
        ? createPublicKey(publicKeyDer)
        : createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
    const payload = Buffer.from(payloadOf(checkpoint, checkpoint.keyId, ED25519), 'utf8');
    return verify(null, payload, publicKey, Buffer.from(checkpoint.signature, 'hex'));
  } catch {
    return false; // not canonical JSON, or not a key: never signed by Guard
  }
}

/**
 * Checks an Ed25519 checkpoint with nothing but the signer's public key
 * (PEM), as a third party does — a court, an auditor — who holds no secret
 * of the company's. False for an HMAC checkpoint (only the key's holder can
 * check those), a wrong key or any alteration.
 *
 * @example
 * ```ts
 * import { verifyCheckpointWithPublicKey } from '@guard/core';
 * verifyCheckpointWithPublicKey(pack.audit.checkpoint, fs.readFileSync('acme-audit-2026.pub.pem', 'utf8')); // true
 * ```
 */
export function verifyCheckpointWithPublicKey(checkpoint: AuditCheckpoint, publicKeyPem: string): boolean {
  return checkpoint.algorithm === ED25519 && ed25519Valid(checkpoint, publicKeyPem);
}
