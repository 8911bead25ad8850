import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, type Guard, type KeyProvider } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { afterAll } from 'vitest';
import { type CliOutput, runCli } from '../src/index.js';

/** What one `guard` run printed and returned. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function collector(isTTY = false): CliOutput & { text: string } {
  const out = {
    text: '',
    isTTY,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

/** A temporary directory with files, removed after the test file. */
export function workspace(files: Record<string, string | object> = {}): {
  dir: string;
  write: (name: string, content: string | object) => string;
  run: (argv: readonly string[], options?: { env?: Record<string, string>; ttyStderr?: boolean }) => Promise<Run>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'guard-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | object) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  for (const [name, content] of Object.entries(files)) write(name, content);
  return {
    dir,
    write,
    run: async (argv, options = {}) => {
      const stdout = collector();
      const stderr = collector(options.ttyStderr ?? false);
      const code = await runCli(argv, { stdout, stderr, cwd: dir, env: options.env ?? {} });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
  };
}

/** JSON lines. */
export function jsonl(lines: readonly object[]): string {
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** A migrated SQLite file with tenant `acme` (HR and a rep), then `more` done through the public API. */
export async function seedTenant(
  path: string,
  keys: KeyProvider,
  more: (t: ReturnType<Guard['tenant']>) => Promise<void>,
): Promise<void> {
  const store = sqliteStore({ filename: path });
  await store.migrate();
  const guard = createGuard({ store, keys });
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({
    units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
    employees: [
      { id: 'hr', name: 'HR', unitId: 'hq', roles: ['hr-admin'], hireDate: '2020-01-01' },
      { id: 'rep', name: 'Rep', unitId: 'hq', roles: ['sales'], hireDate: '2020-01-01' },
    ],
  });
  await more(t);
  await store.close();
}

/** A fresh Ed25519 key pair in PEM, as `ed25519Keys` takes it. */
export function ed25519Pem(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
