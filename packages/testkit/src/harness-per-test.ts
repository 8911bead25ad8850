import { afterEach, beforeEach } from 'vitest';

/** Anything a suite makes fresh for each test and must clean up. */
export interface Disposable {
  cleanup(): Promise<void>;
}

/** Makes one harness, reads what the suite needs to know before any test (its capabilities), and cleans it up. */
export async function probeHarness<H extends Disposable, T>(make: () => Promise<H>, read: (h: H) => T): Promise<T> {
  const probe = await make();
  try {
    return read(probe);
  } finally {
    await probe.cleanup();
  }
}

/**
 * Registers vitest hooks that make a fresh harness before every test of the
 * enclosing `describe` and clean it up after; returns the current one's
 * getter, which throws outside a test (`suite` names the caller).
 */
export function harnessPerTest<H extends Disposable>(make: () => Promise<H>, suite: string): () => H {
  let current: H | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  });
  return () => {
    if (current === undefined) throw new Error(`${suite}: no harness (did beforeEach fail?)`);
    return current;
  };
}
