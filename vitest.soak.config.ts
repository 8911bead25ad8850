import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The reliability suites at soak size (`pnpm test:soak`, issue #22): the same
 * files `npm test` runs at their bounded CI size, with `GUARD_SOAK=1` so that
 * each runs its full number of cases (10,000 attacks on the audit chain, …).
 * One file at a time on two cores; an hour or more in all. Their figures are
 * in `docs/reliability.md`.
 */
export const SOAK_SUITES = [
  'packages/store-kysely/test/audit-tampering.test.ts',
  'packages/core/test/policy-properties.test.ts',
  'packages/core/test/masked-values.property.test.ts',
  'packages/core/test/erasure.property.test.ts',
  'packages/store-kysely/test/bad-input.test.ts',
  'packages/cli/test/bad-input.test.ts',
  'packages/testkit/test/default-packs.test.ts',
  'packages/store-kysely/test/crash.test.ts',
];

export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({
    test: {
      name: 'soak',
      include: SOAK_SUITES,
      env: { GUARD_SOAK: '1' },
      fileParallelism: false,
      testTimeout: 0,
      hookTimeout: 0,
    },
  }),
);
