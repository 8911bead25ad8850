import { memoryStore } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { playDemo } from '../src/story.js';

describe('the demo story', () => {
  it.each(['en', 'zh-CN'] as const)('shows every promise of the quick start (%s)', async (locale) => {
    const lines: string[] = [];
    const outcome = await playDemo(memoryStore(), (line) => lines.push(line), locale);

    // a rep reads an own customer in full
    expect(outcome.ownRead.decision.fields).toEqual({ public: 'show', contact: 'show', commercial: 'show' });
    expect(outcome.ownRead.fields.contact?.phone).toMatch(/^138\d{8}$/);
    // a teammate's customer: public fields only
    expect(Object.keys(outcome.teammateRead.fields)).toEqual(['public']);
    // HR sees contact details masked
    expect(outcome.hrRead.fields.contact?.phone).toMatch(/^138\*{4}\d{4}$/);
    expect(outcome.hrRead.fields.contact?.email).toMatch(/^b\*\*\*@example\.cn$/);
    // a frozen account is denied
    expect(outcome.frozenDenied?.code).toBe('FORBIDDEN');
    // the list holds only the rep's own customers, in full
    expect(outcome.ownPage.length).toBeGreaterThan(0);
    expect(outcome.ownPage.every((c) => c.ownerId === 'e-lilei')).toBe(true);
    // the chain verifies, then the tampered entry is found exactly
    expect(outcome.verified.ok).toBe(true);
    expect(outcome.afterTamper).toMatchObject({ ok: false, firstBadSeq: outcome.tamperedSeq });
    expect(lines.join('\n')).toContain(locale === 'zh-CN' ? '校验发现篡改' : 'verify() catches it');
  });
});
