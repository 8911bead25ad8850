// Type-checks every ```ts snippet of the docs listed below against the packages'
// sources: `pnpm docs:snippets`. Each snippet is compiled as a module of its own,
// so it must declare what it uses (`declare const acme: TenantGuard;`), as a
// reader would have it. Errors are reported at the Markdown file and line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const project = join(root, 'docs/snippets');
const out = join(project, '.generated');

/**
 * Every Markdown document of the repository with TypeScript in it (changelogs and
 * changesets aside), so a new guide is checked without being listed.
 */
const DOCUMENTS = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !file.startsWith('.changeset/') && !file.endsWith('CHANGELOG.md'))
  .filter((file) => readFileSync(join(root, file), 'utf8').includes('```ts\n'));

interface Snippet {
  readonly file: string;
  /** The Markdown line of the snippet's first code line (1-based). */
  readonly line: number;
  readonly code: string;
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end++;
    found.push({ file, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return found;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const generated = new Map<string, Snippet>();
let count = 0;
for (const file of DOCUMENTS) {
  for (const [n, snippet] of snippetsOf(file).entries()) {
    const name = `${file.replace(/[/.]/g, '_')}_${n + 1}.ts`;
    // `export {}` makes every snippet a module: top-level await, and no names shared between snippets.
    writeFileSync(join(out, name), `${snippet.code}\nexport {};\n`);
    generated.set(name, snippet);
    count++;
  }
}

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  console.log(`✔ ${count} snippets in ${DOCUMENTS.length} document(s) type-check`);
} catch (error) {
  const output = String((error as { stdout?: string }).stdout ?? error);
  // `docs/snippets/.generated/<name>.ts(12,5): error TS…` → `docs/guides/embedding.md:80:5 error TS…`
  const mapped = output.replace(/^.*?\.generated\/([^(]+)\((\d+),(\d+)\)/gm, (whole, name: string, line, column) => {
    const snippet = generated.get(name);
    return snippet ? `${snippet.file}:${snippet.line + Number(line) - 1}:${column}` : whole;
  });
  console.error(mapped.trim());
  console.error(`✖ snippets that do not type-check (generated in ${relative(root, out)})`);
  process.exit(1);
}
