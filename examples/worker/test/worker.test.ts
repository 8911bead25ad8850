import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGuard, hmacKeys } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { company, seedOnce, TENANT } from '../src/company.js';
import { workerLoop } from '../src/loop.js';

const dir = mkdtempSync(join(tmpdir(), 'guard-worker-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(file: string) {
  const store = sqliteStore({ filename: file });
  await store.migrate();
  const guard = createGuard({
    store,
    keys: hmacKeys({ current: 'k1', keys: { k1: 'x'.repeat(32) } }),
    locale: 'zh-CN',
  });
  return { store, guard };
}

describe('the worker example', () => {
  it('seeds once, scans every employee and customer on the first run, and tells managers and HR of the alerts', async () => {
    const file = join(dir, 'guard.db');
    const today = new Date();
    const sim = company(today);
    const first = await open(file);
    const lines: string[] = [];
    expect(await seedOnce(first.guard, today, (l) => lines.push(l))).toBe(true);
    const result = await workerLoop({
      guard: first.guard,
      totals: { employee: sim.employees.length, customer: sim.customers.length },
      once: true,
      everyMs: 1000,
      log: (l) => lines.push(l),
      stream: new PassThrough(),
    });
    const scanned = Object.fromEntries(result.scans.map((s) => [s.subject, s]));
    expect(scanned.employee?.scored).toBe(sim.employees.length);
    expect(scanned.customer?.scored).toBe(sim.customers.length);
    const alerts = (scanned.employee?.alertsRaised ?? 0) + (scanned.customer?.alertsRaised ?? 0);
    expect(alerts).toBeGreaterThan(0);
    // Each alert's notification went out, in the tenant's language.
    expect(lines.filter((l) => l.startsWith('notify '))).toHaveLength(alerts);
    expect(lines.some((l) => l.includes('风险评分'))).toBe(true);
    expect(lines).toContain(
      `risk scan of employees done: ${sim.employees.length} scored, ${scanned.employee?.alertsRaised} alert(s) raised`,
    );
    await first.store.close();

    // A restart: nothing seeded again, nothing due before tomorrow's scan.
    const second = await open(file);
    expect(await seedOnce(second.guard, new Date(), () => {})).toBe(false);
    const again = await workerLoop({
      guard: second.guard,
      totals: { employee: 0, customer: 0 },
      once: true,
      everyMs: 1000,
      log: () => {},
      stream: new PassThrough(),
    });
    expect(again).toMatchObject({ runs: 1, timersFired: 0, effectsDelivered: 0, scans: [] });
    const next = (await second.guard.tenant(TENANT.id).outbox.backlog()).timers.nextAt;
    expect(Date.parse(next ?? '') - today.getTime()).toBeGreaterThan(23 * 3_600_000);
    await second.store.close();
  }, 120_000);

  it('stops looping when told to', async () => {
    const { store, guard } = await open(join(dir, 'empty.db'));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const result = await workerLoop({
      guard,
      totals: { employee: 0, customer: 0 },
      once: false,
      everyMs: 100,
      log: () => {},
      stream: new PassThrough(),
      signal: stop.signal,
    });
    expect(result.runs).toBeGreaterThanOrEqual(2);
    await store.close();
  });
});
