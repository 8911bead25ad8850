import { describe, expect, it } from 'vitest';
import { client, textOf, usePortal } from './harness.js';

const portal = usePortal();

/** The cell of one customer's row, by data-field. */
function cell(html: string, customerId: string, field: string): string {
  const row = new RegExp(`<tr data-customer="${customerId}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return textOf(new RegExp(`<td data-field="${field}">([\\s\\S]*?)</td>`).exec(row)?.[1] ?? '').trim();
}

describe('the HR portal: login', () => {
  it('sends a visitor to the login page, in Chinese', async () => {
    const c = client(portal.app);
    const res = await c.get('/customers');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login');
    expect(textOf((await c.get('/login')).body)).toContain('用户名');
  });

  it('refuses a wrong password, and a form without its CSRF token', async () => {
    const c = client(portal.app);
    const wrong = await c.login('lilei', 'nope');
    expect(wrong.statusCode).toBe(401);
    expect(textOf(wrong.body)).toContain('用户名或密码不正确');
    const stranger = await c.login('nobody', 'guard-demo');
    expect(stranger.statusCode).toBe(401);
    const forged = await client(portal.app).post(
      '/login',
      { username: 'lilei', password: 'guard-demo' },
      { csrf: false },
    );
    expect(forged.statusCode).toBe(403);
    expect(textOf(forged.body)).toContain('表单已过期');
  });

  it('logs a user in and out', async () => {
    const c = client(portal.app);
    const res = await c.login('lilei');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/customers');
    expect(textOf((await c.get('/customers')).body)).toContain('当前用户：李雷');
    await c.post('/logout', {});
    expect((await c.get('/customers')).headers.location).toBe('/login');
  });
});

describe('the HR portal: customers through Guard', () => {
  it('shows a rep their own customers in full, with the confidentiality notice', async () => {
    const c = client(portal.app);
    await c.login('lilei');
    const page = (await c.get('/customers')).body;
    expect(cell(page, 'c-001', 'phone')).toMatch(/^138\d{8}$/);
    expect(cell(page, 'c-001', 'creditLimit')).toBe('100000');
    expect(page).not.toContain('data-customer="c-002"'); // 韩梅梅's
    expect(textOf(page)).toContain('保密提示');
  });

  it("shows a rep a colleague's customers without contact or commercial fields", async () => {
    const c = client(portal.app);
    await c.login('lilei');
    const page = (await c.get('/customers?scope=tenant')).body;
    expect(cell(page, 'c-002', 'phone')).toBe('无权查看');
    expect(cell(page, 'c-002', 'creditLimit')).toBe('无权查看');
    const detail = await c.get('/customers/c-002');
    expect(detail.statusCode).toBe(200);
    expect(textOf(detail.body)).toContain('联系方式 无权查看');
  });

  it('shows HR every customer with the phone masked', async () => {
    const c = client(portal.app);
    await c.login('zhaomin');
    const page = (await c.get('/customers?scope=tenant')).body;
    expect(cell(page, 'c-001', 'phone')).toMatch(/^1\*{6}\d{4}$/);
    expect(cell(page, 'c-002', 'phone')).toMatch(/^1\*{6}\d{4}$/);
  });

  it("answers a missing customer with Guard's own message, in the reader's language", async () => {
    const c = client(portal.app);
    await c.login('lilei');
    const missing = await c.get('/customers/c-999');
    expect(missing.statusCode).toBe(404);
    expect(textOf(missing.body)).toMatch(/c-999/);
    expect(textOf(missing.body)).not.toMatch(/not found/i);
  });
});

describe('the HR portal: languages', () => {
  it('switches to English and back, Guard notices included, and never redirects off the site', async () => {
    const c = client(portal.app);
    await c.login('lilei');
    await c.get('/customers');
    const switched = await c.post('/language', { locale: 'en', back: '/customers' });
    expect(switched.headers.location).toBe('/customers');
    const page = textOf((await c.get('/customers')).body);
    expect(page).toContain('Signed in as 李雷');
    expect(page).toContain('Confidential: this customer information is a trade secret');
    expect(page).not.toContain('保密提示');
    const missing = textOf((await c.get('/customers/c-999')).body);
    expect(missing).toMatch(/not found|does not exist/i);
    expect((await c.post('/language', { locale: 'zh-CN', back: '//evil.example/' })).headers.location).toBe('/');
    expect(textOf((await c.get('/customers')).body)).toContain('保密提示');
  });
});
