import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORTAL_KEYS, servePortal } from '@guard/example-hr-portal';
import { afterAll, describe, expect, it } from 'vitest';
import { TENANT } from '../src/chain/company.js';
import { type SeededDemo, seedChainDemo } from '../src/chain/seed.js';
import { tellChainStory, unmetClaims } from '../src/chain/story.js';

// `npm run demo`: the chain company seeded into the portal's database, its
// story told and checked, then the portal served on it. One run (about a
// minute and a half on SQLite), pinned to a date so the story is the same.
const dir = mkdtempSync(join(tmpdir(), 'guard-chain-demo-'));
let demo: SeededDemo | undefined;
afterAll(() => {
  demo?.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the chain demo', () => {
  it('seeds the company, tells a true story in both languages, and serves the portal on it', async () => {
    const months: string[] = [];
    demo = await seedChainDemo({
      file: join(dir, 'portal.db'),
      filesDir: join(dir, 'files'),
      today: new Date('2026-12-06T10:00:00+08:00'),
      onMonth: (m) => months.push(m.month),
    });
    const { company } = demo;
    expect(company.units.map((u) => u.kind)).toEqual(['hq', 'branch', 'branch', 'branch']);
    expect(company.employees.length).toBeGreaterThanOrEqual(60);
    expect(company.customers.length).toBeGreaterThan(2_900);
    expect(months).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);

    const en: string[] = [];
    const findings = await tellChainStory(demo, (line) => en.push(line), 'en');
    expect(unmetClaims(findings)).toEqual([]);
    expect(findings.poacherLeadDays).toBeGreaterThanOrEqual(14);
    expect(en.join('\n')).toContain(`days before she resigned on`);

    const zh: string[] = [];
    const again = await tellChainStory(demo, (line) => zh.push(line), 'zh-CN');
    expect(again).toEqual({ ...findings, auditEntries: again.auditEntries });
    // Chinese readers see no English words outside names and codes.
    expect(zh.join('\n')).not.toMatch(/\b(closed|frozen|alert|customers?|the)\b/);

    const portal = await servePortal({
      db: demo.db,
      store: demo.store,
      keys: PORTAL_KEYS,
      tenantId: TENANT.id,
      filesDir: join(dir, 'files'),
      port: 0,
    });
    try {
      const page = await fetch(new URL('login', portal.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('登录');
    } finally {
      await portal.close();
    }
  }, 600_000);
});
