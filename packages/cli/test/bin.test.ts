import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultRulePacks } from '@guard/core';
import { afterAll, describe, it } from 'vitest';

/**
 * The `guard` bin as a user runs it: a real Node process, its exit code and
 * its two streams. It runs the source through tsx with the `@guard/source`
 * condition (the way the root's `schema:rules` script runs TypeScript), so it
 * needs no build. Each spawn costs about a second; the tests run concurrently.
 */
const root = resolve(import.meta.dirname, '../../..');
const bin = resolve(import.meta.dirname, '../src/cli.ts');
const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
  version: string;
};

/** Generous: a spawn takes about a second, more on a loaded machine. */
const SPAWN_TIMEOUT = 30_000;

/** English messages whatever the machine's locale. */
const env = { ...process.env, LANG: 'C', LC_ALL: '', LC_MESSAGES: '' };

interface Run {
  /** The exit code, or the signal that ended the process. */
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

function guard(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=@guard/source', '--import', 'tsx', bin, ...args],
      { cwd: root, env, timeout: SPAWN_TIMEOUT },
      (error, stdout, stderr) => {
        const code =
          error === null ? 0 : typeof error.code === 'number' ? error.code : String(error.signal ?? error.code);
        done({ code, stdout, stderr });
      },
    );
  });
}

describe.concurrent('the guard bin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guard-bin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the package version with --version', { timeout: SPAWN_TIMEOUT }, async ({ expect }) => {
    const r = await guard('--version');
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints the usage with --help and exits 0', { timeout: SPAWN_TIMEOUT }, async ({ expect }) => {
    const r = await guard('--help');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage:\n {2}guard rules <command> \[options\]$/m);
    expect(r.stdout).toContain('guard rules validate <pack.json|builtin:id>');
  });

  it('validates the built-in packs and exits 0', { timeout: SPAWN_TIMEOUT }, async ({ expect }) => {
    const r = await guard('rules', 'validate', 'builtin:employee-flight-risk', 'builtin:customer-churn');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok employee-flight-risk@\d+\.\d+\.\d+ \(\d+ rules, compiled\)\nok customer-churn@/);
  });

  it('exits 1 for an invalid pack, naming the file and the path in it', { timeout: SPAWN_TIMEOUT }, async ({
    expect,
  }) => {
    const pack = structuredClone(defaultRulePacks.flightRisk) as unknown as {
      rules: { conditions: { all: { operator: string }[] } }[];
    };
    pack.rules[2]!.conditions.all[0]!.operator = 'greaterThen';
    const file = join(dir, 'bad-pack.json');
    writeFileSync(file, JSON.stringify(pack, null, 2));

    const r = await guard('rules', 'validate', file, 'builtin:customer-churn');
    expect(r.code).toBe(1);
    // The report (one line per problem, and "ok" per valid pack) is the command's output, on stdout;
    // the summary of a run over several packs is on stderr.
    expect(r.stdout).toContain(
      `${file}: rules[2].conditions.all[0].operator: unknown operator "greaterThen"; use one of `,
    );
    expect(r.stdout).toContain('ok customer-churn@');
    expect(r.stderr).toBe('1 of 2 packs are invalid\n');
  });

  it('exits 2 with a usage message for an unknown command', { timeout: SPAWN_TIMEOUT }, async ({ expect }) => {
    const r = await guard('rules', 'valdate', 'pack.json');
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'unknown command "guard rules valdate"; did you mean guard rules validate? (see guard rules --help)\n',
    });
  });
});
