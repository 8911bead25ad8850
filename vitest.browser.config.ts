import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * Browser tests: the example HR portal driven in Debian's Chromium through
 * playwright-core. Not part of `npm test` (a fresh machine has no Chromium);
 * `.ci/run` installs Chromium when it is missing and runs them with
 * `pnpm test:browser`. Screenshots go to `examples/hr-portal/.screenshots/`.
 */
export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({
    test: {
      name: 'browser',
      include: ['examples/*/test/**/*.browser.ts'],
      // One browser at a time on two cores.
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
);
