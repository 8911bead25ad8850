import { createPrivateKey, createPublicKey } from 'node:crypto';

/**
 * What a key is used for:
 *
 * - `audit-seal` — an HMAC on every audit entry and on the chain's head as
 *   they are written, so that nobody without the key can add, change or
 *   remove an entry unnoticed. Needed on every write.
 * - `audit-checkpoint` — signs checkpoints of the chain.
 * - `data-key` — wraps the data keys that encrypt each customer's personal
 *   data at rest (AES-256-GCM). A subject's data key is destroyed on
 *   erasure; this key only wraps. Needs an HMAC-style secret of 32 bytes or
 *   more.
 *
 * A provider may return the same secret for all three: Guard derives a
 * separate subkey for sealing and for wrapping, so no raw secret serves two
 * kinds of material.
 *
 * @example
 * ```ts
 * import type { KeyPurpose } from '@guard/core';
 * const purpose: KeyPurpose = 'audit-seal';
 * ```
 */
export type KeyPurpose = 'audit-checkpoint' | 'audit-seal' | 'data-key';

/**
 * A secret key with its id. The id is stored next to whatever the key signed,
 * so that after a rotation older signatures are verified with the key that
 * made them.
 *
 * @example
 * ```ts
 * import type { SecretKey } from '@guard/core';
 * const key: SecretKey = { id: '2026-11', secret: new TextEncoder().encode(process.env.GUARD_AUDIT_KEY) };
 * ```
 */
export interface SecretKey {
  readonly id: string;
  /** An HMAC secret; for an Ed25519 key, the private key as PKCS#8 DER (empty when the key only verifies). */
  readonly secret: Uint8Array;
  /** `HMAC-SHA256` (the default) or `Ed25519`, which only checkpoints use. */
  readonly algorithm?: 'HMAC-SHA256' | 'Ed25519';
  /** For an Ed25519 key: the public key as SPKI DER, enough to verify what it signed. */
  readonly publicKey?: Uint8Array;
}

/**
 * Guard's key port: where signing keys come from (an environment variable,
 * a KMS, a vault). Implementations may cache; Guard calls it once per
 * checkpoint or verification.
 *
 * Contract:
 * - `currentKey` returns the key to sign new material with, or `null` when
 *   there is none for that tenant and purpose.
 * - `keyById` returns a key by id, including retired keys kept for
 *   verification, or `null` when it does not know the id.
 *
 * @example
 * ```ts
 * import type { KeyProvider } from '@guard/core';
 * const kms: KeyProvider = {
 *   currentKey: async (tenantId, purpose) => fetchKeyFromVault(tenantId, purpose, 'current'),
 *   keyById: async (tenantId, purpose, id) => fetchKeyFromVault(tenantId, purpose, id),
 * };
 * ```
 */
export interface KeyProvider {
  currentKey(tenantId: string, purpose: KeyPurpose): Promise<SecretKey | null> | SecretKey | null;
  keyById(tenantId: string, purpose: KeyPurpose, keyId: string): Promise<SecretKey | null> | SecretKey | null;
}

/**
 * A {@link KeyProvider} over a fixed set of HMAC secrets, shared by every
 * tenant: sign with `current`, verify with any key in `keys`. Rotate by
 * adding a new key and making it `current`; keep the old ones for as long as
 * their checkpoints must verify. Secrets must be at least 32 bytes.
 *
 * @example
 * ```ts
 * import { hmacKeys } from '@guard/core';
 * const keys = hmacKeys({ current: '2026-11', keys: { '2026-11': process.env.GUARD_AUDIT_KEY! } });
 * ```
 */
export function hmacKeys(options: {
  current: string;
  keys: Readonly<Record<string, string | Uint8Array>>;
}): KeyProvider {
  const table = new Map<string, SecretKey>();
  for (const [id, secret] of Object.entries(options.keys)) {
    const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (bytes.byteLength < 32) {
      throw new RangeError(`hmacKeys: key "${id}" is ${bytes.byteLength} bytes; use at least 32 random bytes`);
    }
    table.set(id, Object.freeze({ id, secret: bytes }));
  }
  if (!table.has(options.current)) {
    throw new RangeError(
      `hmacKeys: the current key "${options.current}" is not among keys (${[...table.keys()].join(', ')})`,
    );
  }
  return {
    currentKey: () => table.get(options.current) ?? null,
    keyById: (_tenantId, _purpose, keyId) => table.get(keyId) ?? null,
  };
}

/**
 * A {@link KeyProvider} of Ed25519 checkpoint keys, from PEM: sign with
 * `current` (its `privateKey` is needed), verify with any key's `publicKey`.
 * A checkpoint signed this way can be checked by a third party — a court,
 * an auditor — with the public key alone ({@link verifyCheckpointWithPublicKey}).
 * Entries are still sealed with an HMAC key: combine the two with
 * {@link keysByPurpose}.
 *
 * @example
 * ```ts
 * import { ed25519Keys, hmacKeys, keysByPurpose } from '@guard/core';
 * const keys = keysByPurpose({
 *   'audit-seal': hmacKeys({ current: 's1', keys: { s1: process.env.GUARD_SEAL_KEY! } }),
 *   'audit-checkpoint': ed25519Keys({ current: 'c1', keys: { c1: { privateKey: privatePem, publicKey: publicPem } } }),
 * });
 * ```
 */
export function ed25519Keys(options: {
  current: string | null;
  keys: Readonly<Record<string, { readonly privateKey?: string; readonly publicKey: string }>>;
}): KeyProvider {
  const table = new Map<string, SecretKey>();
  for (const [id, pems] of Object.entries(options.keys)) {
    const publicKey = createPublicKey(pems.publicKey);
    if (publicKey.asymmetricKeyType !== 'ed25519') {
      throw new RangeError(`ed25519Keys: key "${id}" is not an Ed25519 public key`);
    }
    const secret = pems.privateKey
      ? new Uint8Array(createPrivateKey(pems.privateKey).export({ format: 'der', type: 'pkcs8' }))
      : new Uint8Array(0);
    table.set(
      id,
      Object.freeze({
        id,
        algorithm: 'Ed25519' as const,
        secret,
        publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      }),
    );
  }
  if (options.current !== null && !(table.get(options.current)?.secret.byteLength ?? 0)) {
    throw new RangeError(`ed25519Keys: the current key "${options.current}" needs its privateKey`);
  }
  return {
    currentKey: () => (options.current === null ? null : (table.get(options.current) ?? null)),
    keyById: (_tenantId, _purpose, keyId) => table.get(keyId) ?? null,
  };
}

/**
 * One {@link KeyProvider} that asks another per purpose: e.g. HMAC keys to
 * seal entries, Ed25519 keys to sign checkpoints, and a KMS-held key to wrap
 * data keys. Without a `data-key` provider, data keys are wrapped with a
 * subkey of the `audit-seal` keys.
 *
 * @example
 * ```ts
 * import { keysByPurpose } from '@guard/core';
 * const keys = keysByPurpose({ 'audit-seal': sealKeys, 'audit-checkpoint': checkpointKeys, 'data-key': kmsKeys });
 * ```
 */
export function keysByPurpose(
  providers: Readonly<Record<Exclude<KeyPurpose, 'data-key'>, KeyProvider>> & {
    readonly 'data-key'?: KeyProvider | undefined;
  },
): KeyProvider {
  const of = (purpose: KeyPurpose): KeyProvider => providers[purpose] ?? providers['audit-seal'];
  return {
    currentKey: (tenantId, purpose) => of(purpose).currentKey(tenantId, purpose),
    keyById: (tenantId, purpose, keyId) => of(purpose).keyById(tenantId, purpose, keyId),
  };
}
