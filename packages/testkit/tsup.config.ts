import { defineConfig } from 'tsup';
import shared from '../../tsup.package.js';

/**
 * The shared package build with a second entry: `@guard/testkit/simulation`
 * (`dist/simulation.*`), the simulated sales organisation without the
 * conformance suite, so a tool like `guard simulate` can use it without
 * vitest installed; and `@guard/testkit/fakes` (`dist/fakes.*`), the
 * loopback fake CRM servers, for the same reason.
 */
export default defineConfig({
  ...shared,
  entry: { index: 'src/index.ts', simulation: 'src/simulation/index.ts', fakes: 'src/fakes/index.ts' },
});
