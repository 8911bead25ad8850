/**
 * The bad-input sweep of the command line (issue #22): generated command
 * lines for every command — known options with garbage values, unknown
 * options, odd Unicode and injection-shaped strings, files that are not what
 * they should be (broken, binary, nested a hundred thousand deep, polluting,
 * a folder, missing) — never crash `guard`: each run ends with one of the
 * documented exit codes other than 70 (a bug), prints no stack trace, and a
 * run that fails leaves every row of every table of the database as it was.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hmacKeys } from '@guard/core';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import { exitCodes } from '../src/index.js';
import { jsonl, seedTenant, workspace } from './helpers.js';

const RUNS = soak({ ci: 150, soak: 5000 });
/** Soak sizes run for an hour or more on a busy machine. */
const TIMEOUT = soak({ ci: 600_000, soak: 4 * 3_600_000 });
const keys = { current: 'k1', keys: { k1: 'bad-input-sweep-secret-bad-input-sweep' } };

const ws = workspace({
  'keys.json': keys,
  'pack.json': readFileSync(new URL('./fixtures/flight-risk-v1.json', import.meta.url), 'utf8'),
  'broken.json': '{"id": "x", ',
  'binary.bin': randomBytes(4096).toString('latin1'),
  'deep.json': `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  'polluting.json': '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
  'empty.json': '',
  'facts.jsonl': jsonl([{ subject: 'e-1', facts: { resumeUpdates90d: 3, jobSiteVisits90d: 6 } }, { subject: 'e-2' }]),
  'null.json': 'null',
  'nul.json': '{"id": "a\\u0000b"}',
  'settings.json': { risk: { customSignals: [] } },
  'history.jsonl': jsonl([
    { subject: 'e-1', at: '2026-01-01T00:00:00Z', facts: { resumeUpdates30d: 2 }, label: { positive: true } },
    { subject: 'e-2', at: '2026-01-01T00:00:00Z', facts: {}, label: { positive: false } },
  ]),
});

const BAD_FILES = [
  'broken.json',
  'binary.bin',
  'deep.json',
  'polluting.json',
  'empty.json',
  'null.json',
  'nul.json',
  'missing.json',
  '.',
];
const DATABASES = [
  'ops.db',
  'sqlite:ops.db',
  'sqlite:missing/ops.db',
  'postgres://guard:secret@127.0.0.1:1/none',
  'mysql://root@127.0.0.1:1/none',
  'oracle://x@y/z',
];
const GARBAGE = [
  '-1',
  '0',
  '1e309',
  'NaN',
  '99999999999',
  "'; DROP TABLE guard_audit_entries; --",
  'a\u0000b',
  '\uD800',
  '客户',
  '👩‍👩‍👧‍👦',
  '',
  'x'.repeat(5000),
  '--',
];

/** Each command's words and options, each option with values worth trying: good ones and bad ones. */
const COMMANDS: readonly { words: readonly string[]; options: Readonly<Record<string, readonly string[] | null>> }[] = [
  { words: ['rules', 'validate'], options: { '': ['pack.json', 'builtin:employee-flight-risk', ...BAD_FILES] } },
  {
    words: ['rules', 'score'],
    options: {
      '--pack': ['pack.json', 'builtin:employee-flight-risk', 'builtin:nope', ...BAD_FILES],
      '--facts': ['facts.jsonl', 'history.jsonl', ...BAD_FILES],
      '--format': ['json', 'text', 'html', 'xml'],
      '--explain': null,
      '--settings': ['settings.json', ...BAD_FILES],
    },
  },
  {
    words: ['rules', 'backtest'],
    options: {
      '--pack': ['pack.json', 'builtin:employee-flight-risk', ...BAD_FILES],
      '--history': ['history.jsonl', 'facts.jsonl', ...BAD_FILES],
      '--baseline': ['pack.json', ...BAD_FILES],
      '--format': ['json', 'text', 'html', 'xml'],
      '--out': ['report.html', '.', 'missing/report.html'],
      '--progress': null,
      '--settings': ['settings.json', ...BAD_FILES],
    },
  },
  { words: ['rules', 'schema'], options: {} },
  {
    words: ['simulate'],
    options: {
      '--seed': ['7', 'abc'],
      '--scale': ['1', '0.5', '1000000'],
      '--months': ['1', '2', '600'],
      '--out': ['sim', '.', 'ops.db'],
    },
  },
  { words: ['migrate'], options: { '--db': DATABASES, '--table-prefix': ['guard_', 'x-y', '1abc'] } },
  {
    // `--once`: without it the worker runs until the process is signalled.
    words: ['worker', '--once'],
    options: {
      '--db': DATABASES,
      '--keys': ['keys.json', ...BAD_FILES],
      '--deliver': ['http://127.0.0.1:1/hook', 'ftp://x', 'not a url'],
      '--every': ['1', '0', '-5'],
      '--worker-id': ['w-1', ''],
      '--table-prefix': ['guard_', 'x-y'],
    },
  },
  {
    words: ['audit', 'verify'],
    options: {
      '--tenant': ['acme', 'ghost', '客户'],
      '--db': DATABASES,
      '--keys': ['keys.json', ...BAD_FILES],
      '--public-key': ['keys.json', 'binary.bin', ...BAD_FILES],
      '--table-prefix': ['guard_', 'x-y'],
    },
  },
  {
    words: ['evidence', 'verify'],
    options: {
      '': ['pack.json', 'keys.json', ...BAD_FILES],
      '--public-key': ['keys.json', 'binary.bin', ...BAD_FILES],
      '--keys': ['keys.json', ...BAD_FILES],
    },
  },
  { words: ['evidence'], options: {} },
  { words: ['audit'], options: {} },
  { words: ['rules'], options: {} },
  { words: [], options: {} },
];
const EVERYWHERE: Readonly<Record<string, readonly string[] | null>> = {
  '--locale': ['zh-CN', 'en', 'fr'],
  '--help': null,
  '--bogus': GARBAGE,
};

/**
 * A command line: a command with most of its options, each with a good
 * value or a bad one, written `--x v` or `--x=v`, in any order; now and then
 * a `--locale`, a `--help`, an unknown option or stray garbage.
 */
const argvArb: fc.Arbitrary<string[]> = fc.constantFrom(...COMMANDS).chain(({ words, options }) => {
  const part = (name: string, values: readonly string[] | null): fc.Arbitrary<string[]> => {
    if (values === null) return fc.constant([name]);
    const value = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, fc.constantFrom(...GARBAGE));
    if (name === '') return value.map((v) => [v]);
    return fc.tuple(value, fc.boolean()).map(([v, joined]) => (joined ? [`${name}=${v}`] : [name, v]));
  };
  const own = Object.entries(options).map(([name, values]) =>
    fc.option(part(name, values), { freq: 5, nil: [] as string[] }),
  );
  const extra = Object.entries(EVERYWHERE).map(([name, values]) =>
    fc.option(part(name, values), { freq: 1, nil: [] as string[] }).map((p) => p),
  );
  const noise = fc.option(
    fc.oneof(fc.constantFrom(...GARBAGE), fc.string({ maxLength: 8 })).map((g) => [g]),
    { freq: 1, nil: [] as string[] },
  );
  return fc
    .tuple(...own, ...extra.map((e) => fc.oneof({ weight: 4, arbitrary: fc.constant([] as string[]) }, e)), noise)
    .chain((parts) => fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length }))
    .map((parts) => [...words, ...parts.flat()]);
});

/** Every row of every table of the SQLite file, in a stable order. */
function dump(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
      name: string;
    }[];
    return JSON.stringify(
      tables.map(({ name }) => [
        name,
        (db.prepare(`select * from "${name.replaceAll('"', '""')}"`).all() as unknown[])
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

describe('guard, given generated command lines', () => {
  const db = join(ws.dir, 'ops.db');

  beforeAll(() =>
    seedTenant(db, hmacKeys(keys), async (t) => {
      await t.settings.update({ claims: { dailyQuota: 5 } });
    }),
  );

  it(
    `ends every one of ${RUNS} runs with a documented exit code, no stack, and the database as it was after a failure`,
    async () => {
      const codes = new Map<number, number>();
      const allowed: readonly number[] = [
        exitCodes.ok,
        exitCodes.invalid,
        exitCodes.usage,
        exitCodes.broken,
        exitCodes.unavailable,
      ];
      let before = dump(db);
      await fc.assert(
        fc.asyncProperty(argvArb, async (argv) => {
          const shown = JSON.stringify(argv).slice(0, 300);
          const env = {
            GUARD_AUDIT_KEYS: JSON.stringify(keys),
            GUARD_WEBHOOK_SECRET: 'bad-input-sweep-webhook-secret-of-32+',
          };
          const r = await ws.run(argv, { env });
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
          expect(allowed, `guard ${shown} exited ${r.code}: ${r.stderr.slice(0, 400)}`).toContain(r.code);
          expect(r.stderr, `guard ${shown} printed a stack`).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
          expect(({} as Record<string, unknown>).polluted, `guard ${shown} polluted Object.prototype`).toBeUndefined();
          const after = dump(db);
          if (r.code !== exitCodes.ok && after !== before)
            expect.fail(`guard ${shown} failed (${r.code}) but changed the database`);
          before = after;
        }),
        { numRuns: RUNS },
      );
      console.info(
        `[bad-input/cli] ${RUNS} command lines; exit codes: ${[...codes]
          .sort(([a], [b]) => a - b)
          .map(([code, n]) => `${code} ×${n}`)
          .join(', ')}`,
      );
    },
    TIMEOUT,
  );
});
