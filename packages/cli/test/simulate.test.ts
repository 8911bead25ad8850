import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/index.js';
import { workspace } from './helpers.js';

const small = ['--scale', '0.1', '--months', '6'];
const files = [
  'employees-poaching.jsonl',
  'employees-leaving.jsonl',
  'customers-diversion.jsonl',
  'customers-churn.jsonl',
];

describe('guard simulate', () => {
  const ws = workspace();

  it('writes one labelled history per purpose, the same for the same seed', async () => {
    const r = await ws.run(['simulate', '--out', 'a', '--seed', '7', ...small]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Simulated a sales organisation \(seed 7\): 1 branch, 26 staff, 500 customers, 6 months\n/,
    );
    for (const name of files) {
      const lines = readFileSync(join(ws.dir, 'a', name), 'utf8')
        .trim()
        .split('\n');
      const rows = lines.map((l) => JSON.parse(l) as { subject: string; label: { positive: boolean } });
      const subjects = new Set(rows.map((row) => row.subject)).size;
      const positives = new Set(rows.filter((row) => row.label.positive).map((row) => row.subject)).size;
      expect(r.stdout).toContain(`a/${name}: ${rows.length.toLocaleString('en')} snapshots of ${subjects} `);
      expect(r.stdout).toContain(`, ${positives} positive\n`);
    }
    expect(r.stdout).toContain(
      'guard rules backtest --pack builtin:employee-data-exfiltration --history a/employees-poaching.jsonl',
    );

    await ws.run(['simulate', '--out', 'b', '--seed', '7', ...small]);
    await ws.run(['simulate', '--out', 'c', '--seed', '8', ...small]);
    const read = (dir: string) => files.map((f) => readFileSync(join(ws.dir, dir, f), 'utf8'));
    expect(read('b')).toEqual(read('a'));
    expect(read('c')).not.toEqual(read('a'));
    // Two simulations: seconds on a quiet machine, more on a shared one.
  }, 60_000);

  it('writes histories guard rules backtest reads', async () => {
    await ws.run(['simulate', '--out', 'h', ...small]);
    const r = await ws.run([
      'rules',
      'backtest',
      '--pack',
      'builtin:employee-data-exfiltration',
      '--history',
      'h/employees-poaching.jsonl',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toMatchObject({ subjects: 26, snapshots: expect.any(Number) });
  });

  it('speaks Chinese with --locale zh-CN', async () => {
    const r = await ws.run(['simulate', '--out', 'zh', '--locale', 'zh-CN', ...small]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^已模拟一个销售组织（种子 42）：1 个分公司、26 名员工、500 个客户、6 个月\n/);
  });

  it('exits 2 with what to do for a bad option, and writes nothing', async () => {
    const cases: [string[], string][] = [
      [['--seed', '1'], 'guard simulate: missing --out <dir>'],
      [['--out', 'x', '--scale', '0'], 'guard simulate: --scale must be a number from 0.1 to 10, not "0"'],
      [['--out', 'x', '--months', '3'], 'guard simulate: --months must be a whole number from 6 to 60, not "3"'],
      [
        ['--out', 'x', '--seed', '1.5'],
        'guard simulate: --seed must be a whole number from 0 to 4294967295, not "1.5"',
      ],
      [['--out', 'x', '--branches', '3'], 'guard simulate: unknown option --branches'],
    ];
    for (const [args, message] of cases) {
      const r = await ws.run(['simulate', ...args]);
      expect(r.code, args.join(' ')).toBe(exitCodes.usage);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    const typo = await ws.run(['simulat', '--out', 'x']);
    expect(typo.code).toBe(exitCodes.usage);
    expect(typo.stderr).toContain('did you mean guard simulate?');
  });
});
