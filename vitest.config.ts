import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** Tests import workspace packages from source through the `@guard/source` export condition. */
const conditions = ['@guard/source', 'import', 'module', 'node', 'default'];

const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@guard/source'] } },
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
