import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { FieldValue } from '@guard/core';

/**
 * The peers' share of encryption at rest, written by hand against the format
 * Guard stores: a data key per customer, wrapped (AES-256-GCM) by an HKDF
 * subkey of the secret; every class but `public` sealed under the data key.
 */

/** The secret every benchmark's Guard is created with. */
export const BENCH_SECRET = 'benchmark-only-secret-benchmark-only!!';

const wrapping = Buffer.from(
  hkdfSync('sha256', Buffer.from(BENCH_SECRET, 'utf8'), new Uint8Array(0), 'guard/data-key-wrap/v1', 32),
);

export type Fields = Record<string, Record<string, FieldValue>>;

/** AES-256-GCM in the `<nonce>.<ciphertext>.<tag>` base64url form Guard stores. */
export const gcm = {
  seal(key: Buffer, aad: string, plain: Buffer): string {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return [nonce, body, c.getAuthTag()].map((b) => b.toString('base64url')).join('.');
  },
  open(key: Buffer, aad: string, sealed: string): Buffer {
    const [nonce, body, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]);
  },
};

/** Decrypts a customer's fields with its data-key record, unwrapping each data key once. */
export function plainDecrypter() {
  const unwrapped = new Map<string, Buffer>();
  return (customerId: string, stored: Fields, key: { id: string; wrapped: string } | undefined): Fields => {
    const { '~sealed': sealed, ...clear } = stored as Fields & { '~sealed'?: { key: string; data: string } };
    if (sealed === undefined || key === undefined) return clear;
    let dataKey = unwrapped.get(key.wrapped);
    if (dataKey === undefined) {
      dataKey = gcm.open(wrapping, `guard/data-key/v1\nacme\ncustomer:${customerId}\n${key.id}`, key.wrapped);
      unwrapped.set(key.wrapped, dataKey);
    }
    const aad = `guard/customer-fields/v1\nacme\n${customerId}\n${sealed.key}`;
    return { ...clear, ...(JSON.parse(gcm.open(dataKey, aad, sealed.data).toString('utf8')) as Fields) };
  };
}

/**
 * Encrypts a new customer's fields as Guard stores them: a fresh data key,
 * wrapped, and every class but `public` sealed under it. Returns the stored
 * fields and the data-key record's data.
 */
export function plainSeal(
  tenantId: string,
  customerId: string,
  fields: Fields,
): { readonly fields: Fields; readonly key: { readonly id: string; readonly wrapped: string } } {
  const { public: shown, ...secret } = fields;
  const id = randomBytes(8).toString('hex');
  const dataKey = randomBytes(32);
  const wrapped = gcm.seal(wrapping, `guard/data-key/v1\n${tenantId}\ncustomer:${customerId}\n${id}`, dataKey);
  const aad = `guard/customer-fields/v1\n${tenantId}\n${customerId}\n${id}`;
  const data = gcm.seal(dataKey, aad, Buffer.from(JSON.stringify(secret), 'utf8'));
  const sealed = { alg: 'A256GCM', key: id, data } as unknown as Record<string, FieldValue>;
  return { fields: { ...(shown === undefined ? {} : { public: shown }), '~sealed': sealed }, key: { id, wrapped } };
}
