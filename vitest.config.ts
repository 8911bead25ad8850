import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Tests import workspace packages from source through the `@guard/source`
 * export condition, on top of Vite's defaults. (`import` must not be listed:
 * Vitest forwards these conditions to Node for external packages, and CJS
 * packages such as `pg` would then `require()` their ESM builds.)
 */
const conditions = ['@guard/source', 'module', 'node', 'development|production'];
/**
 * Vitest hands the SSR conditions to Node as `--conditions` for externalized
 * dependencies, where they also steer `require()`: with `import` or `module`
 * among them, a CommonJS package requiring a dual package (pg → pg-pool) gets
 * the ESM build and breaks. Vite adds `import`/`require` by itself.
 */
const serverConditions = ['@guard/source', 'node', 'development|production'];

const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: serverConditions, externalConditions: ['@guard/source'] } },
  test: {
    setupFiles: ['./scripts/vitest-setup.ts'],
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`] },
      })),
      {
        extends: true as const,
        test: { name: 'examples', include: ['examples/*/test/**/*.test.ts'] },
      },
    ],
  },
});
