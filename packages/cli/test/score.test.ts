import { describe, expect, it } from 'vitest';
import { jsonl, workspace } from './helpers.js';

const facts = [
  {
    subject: 'e-1',
    at: '2026-10-01T00:00:00Z',
    facts: { resumeUpdates90d: 3, jobSiteVisits90d: 6, competitorContacts90d: 1, leaveDays30d: 4 },
  },
  { subject: 'e-2', facts: { resumeUpdates90d: 1, followUpTrend: 0.4 } },
  { subject: 'e-3', facts: { logins30d: 20 } },
];

describe('guard rules score', () => {
  const ws = workspace({ 'facts.jsonl': `${jsonl(facts.slice(0, 1))}\n   \n${jsonl(facts.slice(1))}` });
  const pack = ['--pack', 'builtin:employee-flight-risk', '--facts', 'facts.jsonl'];

  it('prints a table of scores, bands and top rules', async () => {
    const r = await ws.run(['rules', 'score', ...pack]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'SUBJECT               SCORE  BAND    TOP RULES',
        'e-1                      75  alert   competitor-contact +20, resume-updated +20, job-site-visit +15, 2 more',
        'e-2                      30  watch   resume-updated +20, follow-ups-falling +10',
        'e-3                       0  normal  –',
        '',
        '3 scored: 1 alert, 1 watch, 1 normal',
        '',
      ].join('\n'),
    );
  });

  it('explains every fired rule, in the locale asked for', async () => {
    const en = await ws.run(['rules', 'score', ...pack, '--explain']);
    expect(en.stdout).toContain('e-2                      30  watch');
    expect(en.stdout).toContain('      +10  Customer follow-ups fell to 0.4× the usual level  [follow-ups-falling]\n');
    const zh = await ws.run(['rules', 'score', ...pack, '--explain', '--locale', 'zh-CN']);
    expect(zh.stdout).toContain('e-1                      75  警报');
    expect(zh.stdout).toContain('近 90 天接触竞争对手 1 次  [competitor-contact]');
    expect(zh.stdout).toContain('已评分 3 个：警报 1，关注 1，正常 1');
    const fromLang = await ws.run(['rules', 'score', ...pack], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(fromLang.stdout).toContain('已评分 3 个');
  });

  it('prints one JSON object per line with --format json', async () => {
    const r = await ws.run(['rules', 'score', ...pack, '--format', 'json']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      subject: 'e-1',
      at: '2026-10-01T00:00:00Z',
      pack: { id: 'employee-flight-risk', version: '2.0.0' },
      score: 75,
      band: 'alert',
    });
    expect(lines[0].fired[0]).toEqual({
      rule: 'competitor-contact',
      points: 20,
      explanation: 'Contacts with competitors in 90 days: 1',
    });
    expect(lines[1]).not.toHaveProperty('at');
    const explained = await ws.run(['rules', 'score', ...pack, '--format', 'json', '--explain']);
    expect(JSON.parse(explained.stdout.split('\n')[0] as string).fired[0]).toMatchObject({
      weight: 20,
      tags: ['leaving-signs'],
      facts: { competitorContacts90d: 1 },
    });
  });

  it('names the line of a bad facts line and exits 1', async () => {
    ws.write(
      'bad.jsonl',
      jsonl([facts[0] as object, { subject: 'e-2', facts: { exports30d: 1, logins30d: { n: 1 } } }]),
    );
    const r = await ws.run(['rules', 'score', '--pack', 'builtin:employee-flight-risk', '--facts', 'bad.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad\.jsonl:2: /m);
    expect(r.stderr).toMatch(/^bad\.jsonl:2: facts\.logins30d: /);

    ws.write('notjson.jsonl', `${JSON.stringify(facts[0])}\n{"subject": "e-2", facts: {}}\n`);
    const nj = await ws.run(['rules', 'score', '--pack', 'builtin:employee-flight-risk', '--facts', 'notjson.jsonl']);
    expect(nj.code).toBe(1);
    expect(nj.stderr).toBe(
      'notjson.jsonl:2: not valid JSON at column 20: expected a property name in double quotes, found "f" (each line must be one JSON object)\n',
    );

    ws.write('proto.jsonl', '{"subject":"e-1","facts":{"__proto__":{"x":1}}}\n');
    const proto = await ws.run(['rules', 'score', '--pack', 'builtin:employee-flight-risk', '--facts', 'proto.jsonl']);
    expect(proto.code).toBe(1);
    expect(proto.stderr).toBe('proto.jsonl:1: facts.__proto__: the key "__proto__" is not allowed\n');

    ws.write('empty.jsonl', '\n\n');
    const empty = await ws.run(['rules', 'score', '--pack', 'builtin:employee-flight-risk', '--facts', 'empty.jsonl']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('empty.jsonl: no facts to score');
  });

  it('exits 1 for an invalid pack and 2 for usage errors', async () => {
    ws.write('invalid.json', { id: 'x' });
    const invalid = await ws.run(['rules', 'score', '--pack', 'invalid.json', '--facts', 'facts.jsonl']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('invalid.json: version: ');

    const cases: [string[], RegExp][] = [
      [['--facts', 'facts.jsonl'], /missing --pack <pack\.json\|builtin:id>/],
      [['--pack', 'builtin:customer-churn'], /missing --facts <facts\.jsonl>/],
      [[...pack, '--format', 'csv'], /--format must be table or json, not "csv"/],
      [[...pack, '--locale', 'fr'], /--locale must be en or zh-CN/],
      [['--pack', 'builtin:customer-churn', '--facts', 'missing.jsonl'], /missing\.jsonl: no such file/],
      [[...pack, 'extra'], /unexpected argument "extra"/],
      [[...pack, '--pack'], /--pack needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = await ws.run(['rules', 'score', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
