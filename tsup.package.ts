import { defineConfig } from 'tsup';

/**
 * The build of every published package (run from the package's folder:
 * `tsup --config ../../tsup.package.ts`): ESM + CJS + `.d.ts` from
 * `src/index.ts`. tsup leaves the package's `dependencies` and
 * `peerDependencies` external.
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
});
