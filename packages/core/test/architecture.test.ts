import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every source file of core, relative to `src/` (e.g. `kernel/context.ts`). */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** The files a source file imports, relative to `src/`; comments (and the examples in them) are left out. */
function importsOf(file: string): string[] {
  const code = readFileSync(join(SRC, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/\bfrom\s+'(\.[^']+)'/g)].map((m) =>
    relative(SRC, resolve(dirname(join(SRC, file)), m[1] as string)).replace(/\.js$/, '.ts'),
  );
}

/** What the kernel is built on: no feature is among them. */
const KERNEL_MAY_IMPORT = [
  'kernel/',
  'domain/',
  'errors/',
  'i18n/',
  'ports/',
  'policy/',
  'audit/',
  'encryption/',
  'store/',
  'settings/',
  'workflows/runtime/',
];

describe('the architecture of core', () => {
  const files = sourceFiles();

  it('has a kernel that imports no feature', () => {
    const kernel = files.filter((f) => f.startsWith('kernel/'));
    expect(kernel.length).toBeGreaterThan(3);
    const offending = kernel.flatMap((file) =>
      importsOf(file)
        .filter((target) => !KERNEL_MAY_IMPORT.some((prefix) => target.startsWith(prefix)))
        .map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('composes in guard/ alone: no other folder imports the composition root', () => {
    const offending = files
      .filter((f) => !f.startsWith('guard/') && f !== 'index.ts')
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith('guard/'))
          .map((target) => `${file} → ${target}`),
      );
    expect(offending).toEqual([]);
  });

  it('keeps I/O out of core: no Node module but crypto', () => {
    const offending = files.flatMap((file) => {
      const code = readFileSync(join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      return [...code.matchAll(/\bfrom\s+'node:([^']+)'/g)]
        .map((m) => m[1] as string)
        .filter((module) => module !== 'crypto')
        .map((module) => `${file} → node:${module}`);
    });
    expect(offending).toEqual([]);
  });
});
