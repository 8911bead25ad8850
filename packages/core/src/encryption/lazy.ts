/**
 * Defines `key` on `target` as an enumerable property computed on first
 * read and kept: how decrypted values are handed out, so that a read that
 * never looks at them decrypts nothing. A spread, `JSON.stringify` or
 * equality check reads it like any other property; what `compute` throws
 * (a `DataKeyError` for tampered ciphertext) is thrown by that read.
 */
export function defineLazy<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let computed = false;
  let value: T[K];
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!computed) {
        value = compute();
        computed = true;
      }
      return value;
    },
  });
}
