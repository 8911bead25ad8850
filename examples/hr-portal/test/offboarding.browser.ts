import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, openPortalInBrowser, screenshot } from './browser.js';

let session: Awaited<ReturnType<typeof openPortalInBrowser>>;
beforeAll(async () => {
  session = await openPortalInBrowser();
});
afterAll(() => session?.close());

describe('the HR portal in Chromium: offboarding', () => {
  it('a full offboarding ends with the customers under the successor and the account frozen', async () => {
    const { url, browser } = session;
    const hr = await browser.newPage();
    await logIn(hr, url, 'zhaomin');
    await hr.getByRole('link', { name: '离职交接' }).click();
    await hr.getByLabel('离职员工').selectOption('e-hanmeimei');
    await hr.getByLabel('提出离职日期').fill('2026-11-30');
    await hr.getByLabel('最后工作日').fill('2026-12-31');
    await hr.getByLabel('理由').fill('个人发展');
    await hr.getByRole('button', { name: '发起离职交接' }).click();
    await expect(hr.getByRole('status').textContent()).resolves.toContain('已为 韩梅梅 发起离职交接');
    const caseUrl = hr.url();

    const leaver = await browser.newPage();
    await logIn(leaver, url, 'hanmeimei');
    await leaver.goto(caseUrl);
    const successors = leaver.locator('select[name^="successor:"]');
    for (let i = 0; i < (await successors.count()); i++) await successors.nth(i).selectOption('e-lilei');
    const files = leaver.locator('input[type="file"]');
    for (let i = 0; i < (await files.count()); i++) {
      await files
        .nth(i)
        .setInputFiles({ name: '交接确认函.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
    }
    await screenshot(leaver, 'offboarding-handover');
    await leaver.getByRole('button', { name: '提交交接并送审' }).click();
    await expect(leaver.getByRole('status').textContent()).resolves.toContain('交接已提交');

    const manager = await browser.newPage();
    await logIn(manager, url, 'wang');
    await manager.goto(caseUrl);
    await manager.getByRole('button', { name: '全部通过' }).click();
    await manager.getByRole('button', { name: '签字确认' }).click();
    await expect(manager.getByRole('status').textContent()).resolves.toContain('已签字');
    await hr.goto(caseUrl);
    await hr.getByRole('button', { name: '签字确认' }).click();
    const finance = await browser.newPage();
    await logIn(finance, url, 'qianfang');
    await finance.goto(caseUrl);
    await finance.getByLabel('应收款已核对（财务）').check();
    await finance.getByRole('button', { name: '签字确认' }).click();
    await expect(finance.locator('[data-section="completed"]').textContent()).resolves.toContain('账号已冻结');
    await screenshot(finance, 'offboarding-done');

    const successor = await browser.newPage();
    await logIn(successor, url, 'lilei');
    for (const id of ['c-002', 'c-005', 'c-023']) {
      await expect(successor.locator(`tr[data-customer="${id}"]`).count()).resolves.toBe(1);
    }
  });
});
