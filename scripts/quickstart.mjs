#!/usr/bin/env node
// The README's quick start: `npm run demo` and `npm test` on a machine with
// only Node.js 20+ and npm. Installs the workspace with the pnpm version pinned
// in package.json (through npx, so no global pnpm is needed), then runs the
// demo or the tests. Extra arguments are passed on (`npm test -- policy`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const [task, ...rest] = process.argv.slice(2);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const pnpm = (...args) => run('npx', ['--yes', packageManager, ...args]);

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Guard needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}

pnpm('install', '--frozen-lockfile', '--reporter=silent');
switch (task) {
  case 'demo':
    // The examples run the packages from their sources (the `@guard/source` export condition): no build.
    pnpm('--filter', '@guard/example-demo', 'start', ...rest);
    break;
  case 'test':
    pnpm('exec', 'vitest', 'run', ...rest);
    break;
  default:
    console.error('usage: node scripts/quickstart.mjs demo|test [args…]');
    process.exit(2);
}
