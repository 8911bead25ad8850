import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backtest, type LabelledSnapshot, parseRulePack } from '@guard/core';
import { describe, expect, it } from 'vitest';
import flightRiskV1 from './fixtures/flight-risk-v1.json' with { type: 'json' };
import { jsonl, workspace } from './helpers.js';

type Facts = Record<string, number>;
const XSS = '<script>alert(1)</script>';

/** Seven employees, monthly snapshots January–April 2026. */
const people: [subject: string, positive: boolean, deadline: string | undefined, group: string, months: Facts[]][] = [
  [
    'e-1',
    true,
    '2026-04-30',
    'poacher',
    [
      {},
      { resumeUpdates30d: 2, jobSiteVisits30d: 4 },
      { resumeUpdates30d: 3, jobSiteVisits30d: 5, competitorContacts30d: 1 },
      { competitorContacts30d: 2, resumeUpdates30d: 1 },
    ],
  ],
  [
    'e-2',
    true,
    '2026-02-15',
    'poacher',
    [{}, {}, { resumeUpdates30d: 1, jobSiteVisits30d: 3, competitorContacts30d: 1 }, {}],
  ],
  [
    'e-3',
    true,
    '2026-04-30',
    'poacher',
    [
      {},
      { resumeUpdates30d: 1, jobSiteVisits30d: 3 },
      { resumeUpdates30d: 1, jobSiteVisits30d: 3, leaveDays30d: 5 },
      { resumeUpdates30d: 1, jobSiteVisits30d: 3 },
    ],
  ],
  [
    'e-4',
    false,
    undefined,
    'honest-leaver',
    [{}, { resumeUpdates30d: 2, jobSiteVisits30d: 4, competitorContacts30d: 1 }, {}, {}],
  ],
  ['e-5', false, undefined, 'stayer', [{}, { resumeUpdates30d: 1, jobSiteVisits30d: 3, leaveDays30d: 5 }, {}, {}]],
  ['e-6', false, undefined, 'stayer', [{}, {}, {}, {}]],
  [
    XSS,
    false,
    undefined,
    'stayer',
    [{ resumeUpdates30d: 1, jobSiteVisits30d: 3, competitorContacts30d: 1 }, {}, {}, {}],
  ],
];

const history: LabelledSnapshot[] = people.flatMap(([subject, positive, deadline, group, months]) =>
  months.map((facts, m) => ({
    subject,
    at: `2026-0${m + 1}-01T00:00:00Z`,
    facts,
    label: { positive, ...(deadline ? { deadline: `${deadline}T00:00:00Z` } : {}) },
    group,
  })),
);

/**
 * A flight-risk pack "in production", alerting at 60, and a candidate that
 * lowers the alert threshold to 50. Both are version 1 of the default pack,
 * kept as a fixture, so the numbers below do not move when the shipped pack
 * is retuned.
 */
const production = { ...flightRiskV1, version: '1.0.0', thresholds: { alert: 60, watch: 40 } };
const candidate = { ...flightRiskV1, version: '1.1.0', thresholds: { alert: 50, watch: 40 } };

describe('guard rules backtest', () => {
  const ws = workspace({
    'labelled.jsonl': jsonl(history),
    'candidate.json': candidate,
    'production.json': production,
  });
  const args = ['rules', 'backtest', '--pack', 'candidate.json', '--history', 'labelled.jsonl'];
  const withBaseline = [...args, '--baseline', 'production.json'];

  it('prints precision, recall, F1, the alert rate, the confusion matrix, lead time and groups', async () => {
    const r = await ws.run(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Backtest of employee-flight-risk@1.1.0\n');
    expect(r.stdout).toContain(
      'History: 28 snapshots of 7 employees (3 labelled positive), 2026-01-01 to 2026-04-01\n',
    );
    expect(r.stdout).toMatch(/^Precision +40\.0%$/m);
    expect(r.stdout).toMatch(/^Recall +66\.7%$/m);
    expect(r.stdout).toMatch(/^F1 +50\.0%$/m);
    expect(r.stdout).toMatch(/^Alerts per 100 staff per month +21\.43$/m);
    expect(r.stdout).toMatch(/^Lead time, median \(days\) +60\.0$/m);
    expect(r.stdout).toMatch(/^ {2}alerted in time +2 TP +3 FP$/m);
    expect(r.stdout).toMatch(/^ {2}not alerted \(1 late\) +1 FN +1 TN$/m);
    expect(r.stdout).toMatch(/^ {2}poacher +3 +3 +2 +2 +0 +1 +0$/m);
    expect(r.stdout).not.toContain('Changes against the baseline');
  });

  it('compares with a baseline side by side and lists the subjects the change adds', async () => {
    const r = await ws.run(withBaseline);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Backtest of employee-flight-risk@1.1.0 against the baseline employee-flight-risk@1.0.0\n',
    );
    expect(r.stdout).toMatch(/^ +pack +baseline +change$/m);
    expect(r.stdout).toMatch(/^Recall +66\.7% +33\.3% +\+33\.3 pts$/m);
    expect(r.stdout).toMatch(/^False positives \(false alarms\) +3 +2 +\+1$/m);
    expect(r.stdout).toContain('  + 2 newly alerted: 1 true catch gained, 1 false alarm added\n');
    expect(r.stdout).toMatch(/^ {4}\+ e-3 +positive +poacher +first alert 2026-03-01 +score 50$/m);
    expect(r.stdout).toMatch(/^ {4}\+ e-5 +negative +stayer +first alert 2026-02-01 +score 50$/m);

    const reverse = await ws.run([
      'rules',
      'backtest',
      '--pack',
      'production.json',
      '--history',
      'labelled.jsonl',
      '--baseline',
      'candidate.json',
    ]);
    expect(reverse.stdout).toContain('  − 2 no longer alerted: 1 true catch lost, 1 false alarm removed\n');
  });

  it('prints the report of backtest() as JSON', async () => {
    const r = await ws.run([...withBaseline, '--format', 'json']);
    expect(r.code).toBe(0);
    const expected = await backtest(parseRulePack(candidate), history, { baseline: parseRulePack(production) });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('writes one self-contained HTML page with charts, escaping every input string', async () => {
    const r = await ws.run([...withBaseline, '--out', 'report.html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote report\.html \(html, [\d,]+ bytes\)\n$/);
    const html = readFileSync(join(ws.dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<style>');
    expect(html).not.toContain(XSS);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:/);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('employee-flight-risk@1.1.0');

    const stdout = await ws.run([...args, '--format', 'html', '--locale', 'zh-CN']);
    expect(stdout.stdout).toContain('<html lang="zh-CN">');
    expect(stdout.stdout).toContain('混淆矩阵');
  });

  it('shows progress on stderr only: as a bar on a terminal, as lines with --progress', async () => {
    const json = await ws.run([...args, '--format', 'json', '--progress']);
    expect(json.code).toBe(0);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    expect(json.stderr).toBe('progress: 100% (28 snapshots)\n');
    const quiet = await ws.run(args);
    expect(quiet.stderr).toBe('');

    ws.write('long.jsonl', jsonl(Array.from({ length: 40 }, () => history).flat()));
    const tty = await ws.run(['rules', 'backtest', '--pack', 'candidate.json', '--history', 'long.jsonl'], {
      ttyStderr: true,
    });
    expect(tty.code).toBe(0);
    // Drawn in place (cursor to column 1) and the line cleared when done.
    const ESC = '\x1b';
    expect(tty.stderr).toContain(`${ESC}[1G[`);
    expect(tty.stderr).toMatch(/\[[█░]{24}\] +\d+% {2}1,000 snapshots/);
    expect(tty.stderr.endsWith(`${ESC}[1G${ESC}[2K`)).toBe(true);
    expect(tty.stdout.includes('\r') || tty.stdout.includes(ESC)).toBe(false);
  });

  it('names the line of a bad history line, a contradicting label, and rejects an empty history', async () => {
    const bad = [...history.slice(0, 3), { ...history[3], label: { positive: 'yes' } }];
    ws.write('bad.jsonl', jsonl(bad));
    const r = await ws.run(['rules', 'backtest', '--pack', 'candidate.json', '--history', 'bad.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad\.jsonl:4: label\.positive: /);
    expect(r.stdout).toBe('');

    ws.write('contradicts.jsonl', jsonl([history[0] as object, { ...history[1], label: { positive: false } }]));
    const c = await ws.run(['rules', 'backtest', '--pack', 'candidate.json', '--history', 'contradicts.jsonl']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/^contradicts\.jsonl:2: label: subject "e-1" has another label on an earlier line/);

    ws.write('empty.jsonl', '');
    const e = await ws.run(['rules', 'backtest', '--pack', 'candidate.json', '--history', 'empty.jsonl']);
    expect(e.code).toBe(1);
    expect(e.stderr).toBe(
      'empty.jsonl: the history is empty; give at least one labelled snapshot (one JSON object per line)\n',
    );
  });

  it('warns when the history has none of the facts the pack reads', async () => {
    ws.write(
      'customers.jsonl',
      jsonl([{ subject: 'c-1', at: '2026-01-01T00:00:00Z', facts: { orders90d: 0 }, label: { positive: false } }]),
    );
    const r = await ws.run(['rules', 'backtest', '--pack', 'candidate.json', '--history', 'customers.jsonl']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: no line of customers\.jsonl has any fact employee-flight-risk reads .*; is it a history of employees\?\n$/,
    );
  });

  it('exits 1 for a baseline of another subject and 2 for usage errors', async () => {
    const other = await ws.run([...args, '--baseline', 'builtin:customer-churn']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      'builtin:customer-churn: the baseline customer-churn@2.1.0 scores customers but candidate.json',
    );

    const cases: [string[], RegExp][] = [
      [['--history', 'labelled.jsonl'], /missing --pack/],
      [['--pack', 'candidate.json'], /missing --history <labelled\.jsonl>/],
      [[...args.slice(2), '--format', 'pdf'], /--format must be table or json or html, not "pdf"/],
      [[...args.slice(2), '--baseline', 'old.json'], /old\.json: no such file/],
      [['--pack', 'candidate.json', '--history', 'nope.jsonl'], /nope\.jsonl: no such file .*check the history path/],
      [[...args.slice(2), '--explain'], /unknown option --explain/],
    ];
    for (const [rest, message] of cases) {
      const r = await ws.run(['rules', 'backtest', ...rest]);
      expect(r.code, rest.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const unwritable = await ws.run([...args, '--out', 'no/such/dir/report.html']);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain('no/such/dir/report.html: cannot write the report (ENOENT)');
  });
});
