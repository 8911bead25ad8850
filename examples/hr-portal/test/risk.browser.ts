import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, openPortalInBrowser, screenshot } from './browser.js';

let session: Awaited<ReturnType<typeof openPortalInBrowser>>;
beforeAll(async () => {
  session = await openPortalInBrowser({ risk: true });
}, 120_000);
afterAll(() => session?.close());

describe('the HR portal in Chromium: risk', () => {
  it("a poacher's risk alert appears with its explanation, and her score's history is charted", async () => {
    const { url, browser } = session;
    const manager = await browser.newPage();
    await logIn(manager, url, 'wang');
    await manager.getByRole('link', { name: '预警' }).click();
    const alert = manager.locator('tr[data-kind="risk-threshold"]', { hasText: '客户数据外泄' });
    await expect(alert.locator('[data-section="employee"]').textContent()).resolves.toBe('韩梅梅');
    await expect(alert.locator('[data-section="summary"]').textContent()).resolves.toMatch(/查看客户记录|导出客户数据/);
    await screenshot(manager, 'alerts');

    await manager.getByRole('link', { name: '风险', exact: true }).click();
    await expect(manager.locator('tbody tr').first().getAttribute('data-employee')).resolves.toBe('e-hanmeimei');
    await manager.getByRole('link', { name: '韩梅梅' }).click();
    const exfiltration = manager.locator('section[data-pack="employee-data-exfiltration"]');
    await expect(exfiltration.locator('[data-section="reasons"]').textContent()).resolves.toMatch(
      /导出客户数据 \d+ 行/,
    );
    // Chart.js drew the history on the canvas.
    const drawn = await exfiltration
      .locator('canvas.chart')
      .evaluate(
        (canvas) =>
          (globalThis as unknown as { Chart: { getChart(c: unknown): unknown } }).Chart.getChart(canvas) !== undefined,
      );
    expect(drawn).toBe(true);
    await screenshot(manager, 'risk-employee');
  });
});
