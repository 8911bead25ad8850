import type { StoreCapabilities } from '@guard/core';
import { describe, it } from 'vitest';
import { harnessPerTest, probeHarness } from '../harness-per-test.js';
import { conformanceTests, suites } from './catalog.js';
import type { StoreHarness } from './harness.js';
import type { ConformanceTestName } from './test-names.js';

/**
 * Options of {@link describeStoreConformance}.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@guard/core';
 * import type { StoreConformanceOptions } from '@guard/testkit';
 * declare function memoryRawReader(store: ReturnType<typeof memoryStore>): import('@guard/testkit').RawReader;
 * const options: StoreConformanceOptions = {
 *   harness: async () => {
 *     const store = memoryStore();
 *     return { store, raw: memoryRawReader(store), cleanup: () => store.close() };
 *   },
 *   optOut: ['concurrency > a claim of effects skips the rows another open transaction holds'],
 * };
 * ```
 */
export interface StoreConformanceOptions {
  /**
   * Makes a fresh, empty, migrated store and its raw reader. Called once
   * while the suite is defined (to read the store's capabilities) and once
   * before every test; every harness is cleaned up.
   */
  harness: () => Promise<StoreHarness>;
  /**
   * Tests to leave out. Only tests that need a capability the store declares
   * `false` may be listed (they skip themselves anyway; listing them states
   * it in the runner): anything else throws while the suite is defined.
   */
  optOut?: readonly ConformanceTestName[] | undefined;
}

const catalog = new Map(conformanceTests.map((t) => [t.name as string, t]));

/** Checks what can be checked before any store exists: every name is a test that needs a capability. */
function checkOptOut(names: readonly string[]): ReadonlySet<string> {
  const problems: string[] = [];
  for (const name of names) {
    const test = catalog.get(name);
    if (test === undefined) problems.push(`"${name}" is not a conformance test`);
    else if (test.requires === undefined) problems.push(`"${name}" needs no capability, so every store must pass it`);
  }
  if (problems.length > 0) {
    throw new Error(
      `describeStoreConformance: optOut may only name tests that need a capability the store lacks:\n  ${problems.join('\n  ')}`,
    );
  }
  return new Set(names);
}

/** Throws unless every opted-out test needs a capability this store declares false. */
function checkOptOutAgainst(optOut: ReadonlySet<string>, storeName: string, capabilities: StoreCapabilities): void {
  const wrong = [...optOut].flatMap((name) => {
    const requires = catalog.get(name)?.requires;
    return requires !== undefined && capabilities[requires] === true
      ? [`"${name}" needs ${requires}, which ${storeName} declares true: it must pass`]
      : [];
  });
  if (wrong.length > 0) throw new Error(`describeStoreConformance: ${wrong.join('\n  ')}`);
}

/**
 * Registers the store conformance suite as vitest `describe`/`it` blocks:
 * one `describe(name)` holding a block per area (transactions, tenants &
 * directory, customers, claims, workflows, records, audit, outbox, timers,
 * paging, concurrency, isolation). Every test gets a fresh harness and cleans it up. Tests that
 * need a capability the store declares `false` are skipped, and their titles
 * say so; nothing else is ever skipped.
 *
 * Call it at the top level of a test file; vitest must be the test runner.
 *
 * @throws Error when `optOut` names a test that is unknown or needs no capability (at once), or one whose capability the store declares `true` (while vitest collects the suite).
 *
 * @example
 * ```ts
 * // packages/store-postgres/test/postgres.conformance.test.ts
 * import { describeStoreConformance } from '@guard/testkit';
 * import { postgresHarness } from './postgres-harness.js';
 *
 * describeStoreConformance('postgres store', { harness: postgresHarness });
 * ```
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  const optOut = checkOptOut(options.optOut ?? []);
  describe(name, async () => {
    const { capabilities, storeName } = await probeHarness(options.harness, (h) => ({
      capabilities: { ...h.store.capabilities },
      storeName: h.store.name,
    }));
    checkOptOutAgainst(optOut, storeName, capabilities);

    const current = harnessPerTest(options.harness, 'describeStoreConformance');

    for (const suite of suites) {
      describe(suite.name, () => {
        for (const test of suite.tests) {
          const lacking = test.requires !== undefined && capabilities[test.requires] !== true ? test.requires : null;
          if (lacking !== null) {
            const why = `${storeName} declares ${lacking}: ${String(capabilities[lacking])}`;
            it.skip(`${test.title} [skipped: ${why}${optOut.has(test.name) ? '; opted out' : ''}]`, () => {});
            continue;
          }
          it(test.title, () => test.run(current()), test.timeoutMs);
        }
      });
    }
  });
}
