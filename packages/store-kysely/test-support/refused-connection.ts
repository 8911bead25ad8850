import { isGuardError } from '@guard/core';
import { expect } from 'vitest';
import type { KyselyStore } from '../src/index.js';

/**
 * Checks that a store pointed at a port nothing listens on (127.0.0.1:1)
 * fails every way in with a `StoreError` that keeps the driver's error as
 * `cause` and asks whether the server runs and the URL is right.
 */
export async function expectRefusedConnection(store: KyselyStore): Promise<void> {
  const attempts = {
    transaction: store.transaction((tx) => tx.getTenant('acme')),
    migrate: store.migrate(),
    schemaVersion: store.schemaVersion(),
  };
  for (const [operation, attempt] of Object.entries(attempts)) {
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGuardError(error, 'STORE_FAILURE'), `${operation}: ${String(error)}`).toBe(true);
    const { message, cause } = error as Error;
    expect(message, operation).toMatch(/ECONNREFUSED/);
    expect(message, operation).toMatch(/is it running, and are the host and port in the connection URL right\?/);
    expect(cause, operation).toBeInstanceOf(Error);
  }
  await store.close();
}
