import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, openPortalInBrowser, screenshot } from './browser.js';

let session: Awaited<ReturnType<typeof openPortalInBrowser>>;
beforeAll(async () => {
  session = await openPortalInBrowser();
});
afterAll(() => session?.close());

describe('the HR portal in Chromium: claims, approvals and exports', () => {
  it('a manager approves a claim from the inbox, and the customer moves to the rep', async () => {
    const { url, browser } = session;
    const rep = await browser.newPage();
    await logIn(rep, url, 'lilei');
    await rep.getByRole('link', { name: '公海' }).click();
    await rep.getByRole('link', { name: /吴淞钢构/ }).click();
    await rep.getByLabel('认领理由').fill('展会上认识的客户');
    await rep.getByRole('button', { name: '认领' }).click();
    await expect(rep.getByRole('status').textContent()).resolves.toContain('认领申请已提交');
    await screenshot(rep, 'claim-sent');

    const manager = await browser.newPage();
    await logIn(manager, url, 'wang');
    await manager.getByRole('link', { name: '审批' }).click();
    const row = manager.locator('tr[data-kind="ownership-claim"]');
    await expect(row.textContent()).resolves.toContain('李雷');
    await screenshot(manager, 'approval-inbox');
    await row.getByRole('button', { name: '同意' }).click();
    await expect(manager.getByRole('status').textContent()).resolves.toContain('已同意');
    await expect(manager.locator('tr[data-kind="ownership-claim"]').count()).resolves.toBe(0);

    await rep.goto(`${url}/customers`);
    await expect(rep.locator('tr[data-customer="c-024"]').count()).resolves.toBe(1);
  });

  it('blocks a rep who keeps exporting, with the reason in Chinese', async () => {
    const { url, browser } = session;
    const rep = await browser.newPage();
    await logIn(rep, url, 'hanmeimei');
    for (let i = 0; i < 4; i++) {
      await rep.goto(`${url}/customers`);
      await rep.locator('tr[data-customer="c-002"] input[type="checkbox"]').check();
      await rep.getByLabel('导出用途').fill('周报');
      await rep.getByRole('button', { name: '导出所选客户' }).click();
    }
    await expect(rep.getByRole('alert').textContent()).resolves.toContain('暂不能批量执行「导出」');
    await screenshot(rep, 'export-blocked');
  });
});
