#!/usr/bin/env node
// Packs every public package the way it would be published and checks the
// tarball with publint --strict and @arethetypeswrong/cli.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'guard-pack-'));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✖ ${command} ${args.join(' ')} (in ${cwd})`);
    process.exit(result.status ?? 1);
  }
}

let checked = 0;
try {
  for (const dir of readdirSync(join(root, 'packages'))) {
    const cwd = join(root, 'packages', dir);
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    console.log(`\n▶ ${pkg.name}`);
    const dest = join(out, dir);
    run('npx', ['--yes', packageManager, 'pack', '--pack-destination', dest], cwd);
    const [tarball] = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
    run(join(root, 'node_modules/.bin/publint'), ['run', join(dest, tarball), '--strict'], root);
    run(join(root, 'node_modules/.bin/attw'), [join(dest, tarball), '--format', 'table-flipped'], root);
    checked++;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`\n✔ ${checked} package(s) pass publint --strict and attw`);
