/**
 * Guard's testkit: the conformance suite every `Store` implementation must
 * pass, as vitest blocks. Give it a harness that makes a fresh store and a
 * raw reader that reads what the store really wrote.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@guard/testkit';
 * import { sqliteHarness } from './sqlite-harness.js';
 *
 * describeStoreConformance('sqlite store', { harness: sqliteHarness });
 * ```
 *
 * @packageDocumentation
 */

export * from './simulation/index.js';
export * from './store-conformance/index.js';
