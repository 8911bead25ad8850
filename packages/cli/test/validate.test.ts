import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulePacks, rulePackJsonSchema } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/index.js';
import { workspace } from './helpers.js';

const packsDir = join(import.meta.dirname, '../../core/src/risk/packs');
const flightRisk = () => JSON.parse(readFileSync(join(packsDir, 'employee-flight-risk.json'), 'utf8'));

describe('guard rules validate', () => {
  const ws = workspace();

  it('accepts the four built-in packs', async () => {
    const ids = Object.values(defaultRulePacks).map((p) => p.id);
    expect(ids).toHaveLength(4);
    const r = await ws.run(['rules', 'validate', ...ids.map((id) => `builtin:${id}`)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(
      Object.values(defaultRulePacks).map((p) => `ok ${p.id}@${p.version} (${p.rules.length} rules, compiled)`),
    );
    const { version, rules } = defaultRulePacks.flightRisk;
    expect(r.stdout).toContain(`ok employee-flight-risk@${version} (${rules.length} rules, compiled)\n`);
  });

  it('accepts every pack JSON file Guard ships', async () => {
    const files = readdirSync(packsDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const r = await ws.run(['rules', 'validate', ...files.map((f) => join(packsDir, f))]);
    expect(r.code).toBe(0);
    for (const f of files)
      expect(r.stdout).toMatch(new RegExp(`^ok \\S+@\\d+\\.\\d+\\.\\d+ \\(\\d+ rules, compiled\\)  .*${f}$`, 'm'));
  });

  it('says when a pack runs on json-rules-engine rather than the compiled path', async () => {
    const pack = flightRisk();
    pack.rules[0].conditions.all[0] = {
      fact: 'resumeUpdates90d',
      operator: 'greaterThan',
      value: { fact: 'jobSiteVisits90d' },
    };
    ws.write('fact-to-fact.json', pack);
    const r = await ws.run(['rules', 'validate', 'fact-to-fact.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `ok employee-flight-risk@${pack.version} (${pack.rules.length} rules, interpreted)  fact-to-fact.json\n`,
    );
  });

  it('names the path of an unknown operator', async () => {
    const pack = flightRisk();
    pack.rules[2].conditions.all[0].operator = 'greaterThen';
    ws.write('operator.json', pack);
    const r = await ws.run(['rules', 'validate', 'operator.json']);
    expect(r.code).toBe(exitCodes.invalid);
    expect(r.stdout).toMatch(
      /^operator\.json: rules\[2\]\.conditions\.all\[0\]\.operator: unknown operator "greaterThen"; use one of equal,/m,
    );
  });

  it('suggests the closest fact for an unknown one', async () => {
    const pack = flightRisk();
    pack.rules[0].conditions.all[0].fact = 'resumeUpdate30d';
    pack.rules[0].event.params.explanation = { en: 'résumé', 'zh-CN': '简历' };
    ws.write('fact.json', pack);
    const r = await ws.run(['rules', 'validate', 'fact.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'fact.json: rules[0].conditions.all[0].fact: unknown employee fact "resumeUpdate30d"; did you mean "resumeUpdates30d"?\n',
    );
  });

  it('refuses JSONPath "path" and __proto__ keys', async () => {
    const withPath = flightRisk();
    withPath.rules[4].conditions.all[0].path = '$.a';
    ws.write('path.json', withPath);
    ws.write(
      'proto.json',
      JSON.stringify(flightRisk()).replace('{"$schema"', '{"__proto__":{"polluted":true},"$schema"'),
    );
    const r = await ws.run(['rules', 'validate', 'path.json', 'proto.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'path.json: rules[4].conditions.all[0]: "path" (JSONPath) is not evaluated; use a built-in fact instead\n',
    );
    expect(r.stdout).toContain('proto.json: __proto__: the key "__proto__" is not allowed\n');
    expect(r.stderr).toBe('2 of 2 packs are invalid\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives the line and column of bad JSON', async () => {
    ws.write('broken.json', '{\n  "id": "x",\n  "version": "1.0.0"\n  "subject": "employee"\n}\n');
    ws.write('trailing.json', '{\n  "rules": [1, 2,]\n}');
    const r = await ws.run(['rules', 'validate', 'broken.json', 'trailing.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'broken.json:4:3: not valid JSON at line 4, column 3: expected "," or "}" after a property value, found "\\""\n',
    );
    expect(r.stdout).toContain('trailing.json:2:18: not valid JSON at line 2, column 18: trailing comma before "]"\n');
  });

  it('reports messages in Chinese with --locale zh-CN', async () => {
    const pack = flightRisk();
    pack.version = 1;
    ws.write('zh.json', pack);
    const r = await ws.run(['rules', 'validate', 'zh.json', '--locale', 'zh-CN']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^zh\.json: version: .*[\u4e00-\u9fff]/m);
  });

  it('exits 2 for a missing file, an unknown builtin, no packs or an unknown option — after checking the rest', async () => {
    const missing = await ws.run(['rules', 'validate', 'nope.json', 'builtin:customer-churn']);
    expect(missing.code).toBe(exitCodes.usage);
    expect(missing.stderr).toMatch(
      /^nope\.json: no such file \(looked for .*nope\.json\); check the rule pack path\n$/,
    );
    const { version, rules } = defaultRulePacks.churn;
    expect(missing.stdout).toBe(`ok customer-churn@${version} (${rules.length} rules, compiled)\n`);

    const builtin = await ws.run(['rules', 'validate', 'builtin:churn']);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain('builtin:churn: no such built-in pack; use one of builtin:employee-flight-risk,');

    const none = await ws.run(['rules', 'validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give at least one pack');

    const flag = await ws.run(['rules', 'validate', '--strict', 'x.json']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'guard rules validate: unknown option --strict; the options are --locale, --settings, --help (see guard rules validate --help)\n',
    );
    expect(flag.stderr).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  });
});

describe('guard rules validate --settings', () => {
  const ws = workspace();
  const usbPack = JSON.parse(readFileSync(join(import.meta.dirname, '../../core/test/fixtures/usb-pack.json'), 'utf8'));
  const usb = { kind: 'x-usb-copy', label: { en: 'files copied to USB', 'zh-CN': '拷贝到 U 盘的文件数' } };

  it("accepts a pack reading a custom kind's facts only with settings that declare the kind", async () => {
    ws.write('usb.json', usbPack);
    ws.write('settings.json', { locale: 'zh-CN', risk: { customSignals: [usb] } });
    const without = await ws.run(['rules', 'validate', 'usb.json']);
    expect(without.code).toBe(exitCodes.invalid);
    expect(without.stdout).toContain(
      'usb.json: rules[0].conditions.all[0].fact: "xUsbCopy30d" is a fact of the custom signal kind "x-usb-copy"',
    );
    expect(without.stdout).toContain('pass --settings');
    const withSettings = await ws.run(['rules', 'validate', 'usb.json', '--settings', 'settings.json']);
    expect(withSettings.stdout).toBe('ok acme-usb@1.0.0 (1 rule, compiled)  usb.json\n');
    expect(withSettings.code).toBe(0);
  });

  it('exits 1 with every problem of a settings file that does not validate', async () => {
    ws.write('bad-settings.json', { risk: { customSignals: [{ ...usb, kind: 'usb' }, usb, usb] } });
    const r = await ws.run(['rules', 'validate', 'builtin:customer-churn', '--settings', 'bad-settings.json']);
    expect(r.code).toBe(exitCodes.invalid);
    expect(r.stderr).toContain('bad-settings.json: risk.customSignals[0].kind: must be "x-"');
    expect(r.stdout).toBe('');
  });

  it('scores facts of a custom kind with score --settings', async () => {
    ws.write('usb.json', usbPack);
    ws.write('settings.json', { risk: { customSignals: [usb] } });
    ws.write('facts.jsonl', `${JSON.stringify({ subject: 'e-1', facts: { xUsbCopy30d: 240 } })}\n`);
    const r = await ws.run([
      'rules',
      'score',
      '--pack',
      'usb.json',
      '--facts',
      'facts.jsonl',
      '--settings',
      'settings.json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('e-1                      60  alert   usb-bulk +60');
  });
});

describe('guard rules schema', () => {
  it('prints the rule-pack JSON Schema', async () => {
    const r = await workspace().run(['rules', 'schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(rulePackJsonSchema());
    expect(r.stdout).toBe(`${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);
  });
});

describe('guard', () => {
  const ws = workspace();

  it('prints help and the version', async () => {
    const help = await ws.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('guard rules backtest');
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 invalid pack or input, 2 usage error');
    const rules = await ws.run(['rules', '--help']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toContain('guard rules score --pack <pack> --facts <facts.jsonl>');
    for (const command of ['validate', 'score', 'backtest', 'schema']) {
      const r = await ws.run(['rules', command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^guard rules ${command} — `));
    }
    const version = await ws.run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it('exits 2 with a hint for unknown commands and no command', async () => {
    const typo = await ws.run(['rules', 'valdate', 'x.json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      'unknown command "guard rules valdate"; did you mean guard rules validate? (see guard rules --help)\n',
    );
    const top = await ws.run(['validate', 'x.json']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('did you mean guard rules validate?');
    const nothing = await ws.run([]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Usage:');
    const rules = await ws.run(['rules']);
    expect(rules.code).toBe(2);
    expect(rules.stderr).toContain('guard rules validate <pack.json|builtin:id>');
  });
});
