import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
