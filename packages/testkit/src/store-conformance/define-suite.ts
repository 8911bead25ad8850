import type { StoreCapabilities } from '@guard/core';
import type { StoreHarness } from './harness.js';
import type { ConformanceTestName } from './test-names.js';

/** The body of one conformance test, run against a fresh harness. */
export type ConformanceRun = (harness: StoreHarness) => Promise<void>;

/** A test: its body, or its body with the capability it needs and a longer timeout. */
export type ConformanceCase =
  | ConformanceRun
  | {
      readonly requires?: keyof StoreCapabilities | undefined;
      /** For tests that make many round trips (property tests); vitest's default otherwise. */
      readonly timeoutMs?: number | undefined;
      readonly run: ConformanceRun;
    };

/** The suite names that occur in {@link ConformanceTestName}. */
export type SuiteName = ConformanceTestName extends infer N ? (N extends `${infer S} > ${string}` ? S : never) : never;

/** The titles of the tests of suite `S`. */
export type TitlesOf<S extends SuiteName> = ConformanceTestName extends infer N
  ? N extends `${S} > ${infer T}`
    ? T
    : never
  : never;

/** One registered test of a suite. */
export interface ConformanceEntry {
  readonly name: ConformanceTestName;
  readonly title: string;
  readonly requires?: keyof StoreCapabilities | undefined;
  readonly timeoutMs?: number | undefined;
  readonly run: ConformanceRun;
}

/** A named group of tests, registered as one `describe` block. */
export interface ConformanceSuite {
  readonly name: SuiteName;
  readonly tests: readonly ConformanceEntry[];
}

/**
 * Defines suite `name` from its tests, keyed by title. The type demands
 * exactly the titles {@link ConformanceTestName} lists for the suite: a
 * missing or unknown title does not compile.
 */
export function defineSuite<const S extends SuiteName>(
  name: S,
  cases: Readonly<Record<TitlesOf<S>, ConformanceCase>>,
): ConformanceSuite {
  const tests = Object.entries<ConformanceCase>(cases).map(([title, c]): ConformanceEntry => {
    const full = `${name} > ${title}` as ConformanceTestName;
    return typeof c === 'function'
      ? { name: full, title, run: c }
      : { name: full, title, requires: c.requires, timeoutMs: c.timeoutMs, run: c.run };
  });
  return { name, tests };
}
