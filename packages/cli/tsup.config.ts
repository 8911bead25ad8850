import { defineConfig, type Options } from 'tsup';

const common = {
  sourcemap: true,
  target: 'node20',
  treeshake: true,
} satisfies Options;

/**
 * Two builds, run in parallel by tsup:
 *
 * - the library, like every package (`../../tsup.package.ts`): ESM + CJS +
 *   `.d.ts` of `src/index.ts` (`shims` gives the CJS build `import.meta.url`,
 *   which `--version` reads `package.json` with);
 * - the `guard` bin, `dist/cli.js`, ESM only. tsup keeps its
 *   `#!/usr/bin/env node` line and makes it executable.
 *
 * Only the library build cleans `dist/`, and it spares the bin's files, so
 * the two never remove each other's output.
 */
export default defineConfig([
  {
    ...common,
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    shims: true,
    clean: ['!cli.js', '!cli.js.map'],
  },
  {
    ...common,
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
  },
]);
