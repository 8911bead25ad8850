import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretKey } from '../ports/keys.js';

/**
 * Seals authenticate what Guard wrote. A SHA-256 chain shows that entries
 * fit together, but anyone who can write the database can compute one; a
 * seal is an HMAC that only the holder of the tenant's `audit-seal` key can
 * compute. Each entry carries the seal of its hash, and the chain's head row
 * the seal of `(tenant, seq, hash)`, so an entry added, changed or reordered
 * without the key fails its own seal, and a tail cut off fails against the
 * sealed head.
 *
 * A seal is written `<keyId>:<64 hex digits>`: the key id says which key to
 * verify it with after a rotation.
 */
const ENTRY_CONTEXT = 'guard/audit-entry/v1';
const HEAD_CONTEXT = 'guard/audit-head/v1';
const HEX_64 = /^[0-9a-f]{64}$/;

/** Each key's sealing subkey: derived once, so a seal key never signs anything else with its raw bytes. */
const subkeys = new WeakMap<SecretKey, Buffer>();

function subkeyOf(key: SecretKey): Buffer {
  let subkey = subkeys.get(key);
  if (subkey === undefined) {
    subkey = createHmac('sha256', key.secret).update('guard/audit-seal-key/v1', 'utf8').digest();
    subkeys.set(key, subkey);
  }
  return subkey;
}

function mac(key: SecretKey, context: string, message: string): string {
  return `${key.id}:${createHmac('sha256', subkeyOf(key)).update(`${context}\n${message}`, 'utf8').digest('hex')}`;
}

/** The key id a seal names, or `null` when it is not a seal. */
export function sealKeyId(seal: unknown): string | null {
  if (typeof seal !== 'string') return null;
  const colon = seal.lastIndexOf(':');
  if (colon < 1 || !HEX_64.test(seal.slice(colon + 1))) return null;
  return seal.slice(0, colon);
}

function same(seal: unknown, expected: string): boolean {
  if (typeof seal !== 'string' || seal.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(seal, 'utf8'), Buffer.from(expected, 'utf8'));
}

/** The seal of an entry, over its hash (which covers its tenant, seq, link and content). */
export function sealEntry(hash: string, key: SecretKey): string {
  return mac(key, ENTRY_CONTEXT, hash);
}

/** Whether `seal` is the seal of an entry with `hash` under `key` (constant-time). */
export function entrySealValid(seal: unknown, hash: string, key: SecretKey): boolean {
  return same(seal, sealEntry(hash, key));
}

/** The seal of a tenant's chain head. */
export function sealHead(tenantId: string, seq: number, hash: string, key: SecretKey): string {
  return mac(key, HEAD_CONTEXT, `${tenantId}\n${seq}\n${hash}`);
}

/** Whether `seal` is the seal of the head `(tenantId, seq, hash)` under `key` (constant-time). */
export function headSealValid(seal: unknown, tenantId: string, seq: number, hash: string, key: SecretKey): boolean {
  return same(seal, sealHead(tenantId, seq, hash, key));
}
