import { describe, expect, it } from 'vitest';
import { textOf, usePortal } from './harness.js';

const portal = usePortal();
const as = portal.as;

const attr = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`${name}="([^"]+)"`, 'g'))].map((m) => m[1] as string);

describe('the HR portal: an offboarding from start to freeze', () => {
  it('HR starts it, the leaver hands over with signed confirmations, the manager reviews, three sign, the customers move', async () => {
    const hr = await as('zhaomin');
    await hr.get('/offboarding');
    const started = await hr.post('/offboarding', {
      employeeId: 'e-hanmeimei',
      resignationDate: '2026-11-30',
      lastWorkingDay: '2026-12-31',
      reason: '个人发展',
    });
    expect(started.statusCode, textOf(started.body)).toBe(303);
    const caseUrl = String(started.headers.location);

    // The leaver: a successor for every customer, a scan of every signed confirmation.
    const leaver = await as('hanmeimei');
    const page = (await leaver.get(caseUrl)).body;
    expect(textOf(page)).toContain('离职中');
    const successors = attr(page, 'name').filter((n) => n.startsWith('successor:'));
    const files = attr(page, 'name').filter((n) => n.startsWith('file:'));
    expect(successors).toHaveLength(8);
    expect(files).toHaveLength(8);
    // Without the scans nothing goes to review, and the page says how many are missing.
    const partial = await leaver.upload(
      `${caseUrl}/handover`,
      Object.fromEntries(successors.map((n) => [n, 'e-lilei'])),
      {},
    );
    expect(partial.statusCode).toBe(303);
    expect(textOf((await leaver.get(caseUrl)).body)).toContain('还有 8 份交接确认函未上传');
    const done = await leaver.upload(
      `${caseUrl}/handover`,
      {},
      Object.fromEntries(files.map((n) => [n, ['确认函.pdf', '%PDF-1.4 signed']])),
    );
    expect(done.statusCode, textOf(done.body)).toBe(303);
    expect(textOf((await leaver.get(caseUrl)).body)).toContain('交接已提交，等待审核');

    const manager = await as('wang');
    await manager.get(caseUrl);
    expect((await manager.post(`${caseUrl}/accept`, {})).statusCode).toBe(303);
    for (const [who, form] of [
      ['wang', {}],
      ['zhaomin', {}],
      ['qianfang', { receivablesConfirmed: 'yes' }],
    ] as const) {
      const signer = who === 'wang' ? manager : await as(who);
      await signer.get(caseUrl);
      const signed = await signer.post(`${caseUrl}/sign-off`, form);
      expect(signed.statusCode, textOf(signed.body)).toBe(303);
    }
    const closed = (await hr.get(caseUrl)).body;
    expect(textOf(closed)).toContain('交接完成：客户已转给接任人，账号已冻结');
    expect(closed).toContain('data-employee-status="frozen"');
    const rep = await as('lilei');
    const own = (await rep.get('/customers')).body;
    for (const id of ['c-002', 'c-005', 'c-023']) expect(own).toContain(`data-customer="${id}"`);
  });
});
