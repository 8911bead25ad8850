import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, openPortalInBrowser, screenshot } from './browser.js';

let session: Awaited<ReturnType<typeof openPortalInBrowser>>;
beforeAll(async () => {
  session = await openPortalInBrowser();
});
afterAll(() => session?.close());

describe('the HR portal in Chromium: customers', () => {
  it("a rep sees their own customer in full and a colleague's without contact details; HR sees phones masked", async () => {
    const { url, browser } = session;
    const rep = await browser.newPage();
    await logIn(rep, url, 'lilei');
    const own = rep.locator('tr[data-customer="c-001"] td[data-field="phone"]');
    await expect(own.textContent()).resolves.toMatch(/^138\d{8}$/);
    await expect(rep.getByRole('note').first().textContent()).resolves.toContain('保密提示');
    await screenshot(rep, 'customers-rep-own');

    await rep.getByRole('link', { name: '全部客户' }).click();
    const colleague = rep.locator('tr[data-customer="c-002"] td[data-field="phone"]');
    await expect(colleague.textContent()).resolves.toBe('无权查看');
    await rep.getByRole('link', { name: '申江物流' }).first().click();
    await expect(rep.locator('section[data-class="contact"]').textContent()).resolves.toContain('无权查看');
    await screenshot(rep, 'customer-rep-colleague');

    const hr = await browser.newPage();
    await logIn(hr, url, 'zhaomin');
    await hr.getByRole('link', { name: '全部客户' }).click();
    await expect(hr.locator('tr[data-customer="c-001"] td[data-field="phone"]').textContent()).resolves.toMatch(
      /^1\*{6}\d{4}$/,
    );
    await screenshot(hr, 'customers-hr-masked');
  });

  it('switches to English with one click, Guard notices included', async () => {
    const { url, browser } = session;
    const page = await browser.newPage();
    await logIn(page, url, 'hanmeimei');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Customers');
    await expect(page.getByRole('note').first().textContent()).resolves.toContain('Confidential');
    await screenshot(page, 'customers-en');
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('客户');
  });
});
