import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a fresh 96-bit nonce per message and the context bound as
 * additional authenticated data: a ciphertext moved to another tenant,
 * subject or field fails to open. Node's own `crypto` (OpenSSL) does the
 * cryptography; this file only fixes the parameters and the text form.
 */
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes of a data key or a wrapping key. */
export const KEY_BYTES = 32;

/**
 * A sealed message as text: `<nonce>.<ciphertext>.<tag>`, each base64url
 * without padding, so it fits a JSON string and a SQL text column.
 */
export type Sealed = string;

/**
 * Nonces are taken from a buffer of random bytes filled 1,024 nonces at a
 * time, as Node's `randomUUID` caches its entropy: one call to the random
 * source per 1,024 seals instead of one per seal, which cost more than the
 * encryption itself. Each slice is handed out once, and a spent buffer is
 * replaced, never refilled.
 */
const NONCES_PER_FILL = 1024;
let nonces = Buffer.alloc(0);
let nextNonce = 0;

function freshNonce(): Buffer {
  if (nextNonce + NONCE_BYTES > nonces.length) {
    nonces = randomBytes(NONCE_BYTES * NONCES_PER_FILL);
    nextNonce = 0;
  }
  const nonce = nonces.subarray(nextNonce, nextNonce + NONCE_BYTES);
  nextNonce += NONCE_BYTES;
  return nonce;
}

/** Encrypts `plaintext` under `key`, bound to `context`. */
export function seal(key: Uint8Array, context: string, plaintext: Uint8Array): Sealed {
  const nonce = freshNonce();
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${nonce.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * Decrypts what {@link seal} made with the same key and context, or returns
 * `null` when it does not authenticate (another key, another context, or
 * changed bytes) or is not in the sealed form at all.
 */
export function open(key: Uint8Array, context: string, sealed: unknown): Buffer | null {
  if (typeof sealed !== 'string') return null;
  const parts = sealed.split('.');
  if (parts.length !== 3) return null;
  const [nonce, body, tag] = parts.map((p) => Buffer.from(p as string, 'base64url')) as [Buffer, Buffer, Buffer];
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return null;
  }
}

/** A fresh random key. */
export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * The key derived (HKDF-SHA256) from a provider's secret for one use, so that
 * a secret shared between purposes (as `hmacKeys` shares it) never encrypts
 * with its raw bytes.
 */
export function deriveKey(secret: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), label, KEY_BYTES));
}
