/**
 * Guard's testkit: the conformance suite every `Store` implementation must
 * pass, as vitest blocks (give it a harness that makes a fresh store and a
 * raw reader that reads what the store really wrote), and the contract
 * every `CrmConnector` must meet, with `memoryCrm`, a reference connector.
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

export * from './connector-contract/index.js';
export * from './fakes/index.js';
export * from './simulation/index.js';
export * from './store-conformance/index.js';
