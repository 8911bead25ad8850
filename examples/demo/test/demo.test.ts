import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryDemoStore, sqliteDemoStore } from '../src/stores.js';
import { type DemoOutcome, playDemo } from '../src/story.js';

function expectEveryPromise(outcome: DemoOutcome, lines: readonly string[], locale: 'en' | 'zh-CN') {
  // a rep reads an own customer in full
  expect(outcome.ownRead.decision.fields).toEqual({ public: 'show', contact: 'show', commercial: 'show' });
  expect(outcome.ownRead.fields.contact?.phone).toMatch(/^138\d{8}$/);
  // a teammate's customer: public fields only
  expect(Object.keys(outcome.teammateRead.fields)).toEqual(['public']);
  // HR sees contact details masked
  expect(outcome.hrRead.fields.contact?.phone).toMatch(/^1\*{6}\d{4}$/);
  expect(outcome.hrRead.fields.contact?.email).toMatch(/^b\*\*\*@e\*\*\*\.cn$/);
  // a frozen account is denied
  expect(outcome.frozenDenied?.code).toBe('FORBIDDEN');
  // the list holds only the rep's own customers, in full
  expect(outcome.ownPage.length).toBeGreaterThan(0);
  expect(outcome.ownPage.every((c) => c.ownerId === 'e-lilei')).toBe(true);
  // the chain verifies, the tampered entry is found exactly, and restoring it mends the chain
  expect(outcome.verified.ok).toBe(true);
  expect(outcome.afterTamper).toMatchObject({ ok: false, firstBadSeq: outcome.tamperedSeq });
  expect(outcome.afterRestore.ok).toBe(true);
  expect(lines.join('\n')).toContain(locale === 'zh-CN' ? '校验发现篡改' : 'verify() catches it');
}

describe('the demo story', () => {
  it.each(['en', 'zh-CN'] as const)('shows every promise of the quick start in memory (%s)', async (locale) => {
    const lines: string[] = [];
    const { store, tamper } = memoryDemoStore();
    expectEveryPromise(await playDemo(store, tamper, (line) => lines.push(line), locale), lines, locale);
  });

  const dir = mkdtempSync(join(tmpdir(), 'guard-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs on a SQLite file, and again on the same file', async () => {
    const file = join(dir, 'guard.db');
    const entries: number[] = [];
    for (let run = 0; run < 2; run++) {
      const lines: string[] = [];
      const { store, tamper } = await sqliteDemoStore(file);
      const outcome = await playDemo(store, tamper, (line) => lines.push(line), 'en');
      expectEveryPromise(outcome, lines, 'en');
      entries.push(outcome.verified.entries);
    }
    // the second run carried on the first run's chain
    expect(entries[1]).toBeGreaterThan(entries[0] as number);
  });
});
