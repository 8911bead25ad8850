import { describe, expect, it } from 'vitest';
import { type PortalClient, textOf, usePortal } from './harness.js';

const portal = usePortal({ fresh: true });
const as = portal.as;

/** Follows a form's redirect and returns the page it lands on. */
async function submit(c: PortalClient, url: string, form: Record<string, string>) {
  const res = await c.post(url, form);
  expect(res.statusCode, textOf(res.body)).toBe(303);
  return c.get(String(res.headers.location));
}

const approvalIds = (html: string) => [...html.matchAll(/data-approval="([^"]+)"/g)].map((m) => m[1] as string);

describe('the HR portal: claims and approvals', () => {
  it('a rep claims a pool customer, the manager approves it in the inbox, and the rep owns it', async () => {
    const rep = await as('lilei');
    await rep.get('/customers/c-024');
    const claimed = await submit(rep, '/customers/c-024/claim', { reason: '展会上认识的客户' });
    expect(textOf(claimed.body)).toContain('认领申请已提交，等待经理审批');

    const manager = await as('wang');
    const inbox = (await manager.get('/approvals')).body;
    const [approvalId] = approvalIds(inbox);
    expect(approvalId).toBeDefined();
    expect(textOf(inbox)).toContain('李雷');
    const after = await submit(manager, `/approvals/${approvalId}/approve`, {});
    expect(textOf(after.body)).toContain('已同意');
    expect(approvalIds(after.body)).toEqual([]);

    const own = (await rep.get('/customers')).body;
    expect(own).toContain('data-customer="c-024"');
  });

  it('a manager sends a claim back or rejects an export, with a reason; the requester sees the outcome', async () => {
    const rep = await as('lilei');
    await rep.get('/customers');
    await submit(rep, '/exports', { customerIds: 'c-001', contact: 'yes', reason: '拜访计划' });
    const manager = await as('wang');
    const [approvalId] = approvalIds((await manager.get('/approvals')).body);
    const missing = await manager.post(`/approvals/${approvalId}/reject`, { reason: '' });
    expect(missing.statusCode).toBe(400); // Guard wants a reason, and says so in Chinese
    expect(textOf(missing.body)).toContain('审批驳回无效');
    const rejected = await submit(manager, `/approvals/${approvalId}/reject`, { reason: '请只导出公开信息' });
    expect(textOf(rejected.body)).toContain('已驳回');
    expect((await rep.get('/exports')).body).toContain('data-status="rejected"');
  });

  it('a manager delegates approvals to a colleague for a period', async () => {
    const manager = await as('wang');
    await manager.get('/approvals');
    const done = await submit(manager, '/approvals/delegate', {
      to: 'e-zhaomin',
      from: '2026-12-01',
      until: '2026-12-10',
    });
    expect(textOf(done.body)).toContain('已委托 赵敏 在此期间代为审批');
  });
});

describe('the HR portal: follow-ups and exports', () => {
  it('the owner records a follow-up and sees it listed', async () => {
    const rep = await as('lilei');
    await rep.get('/customers/c-001');
    const page = await submit(rep, '/customers/c-001/follow-ups', { channel: 'visit', note: '送样品' });
    expect(textOf(page.body)).toContain('已记录跟进');
    expect(textOf(page.body)).toContain('2026-11-30 10:00 拜访 送样品'); // in the tenant's time zone
    const forged = await rep.post('/customers/c-001/follow-ups', { channel: 'telepathy' });
    expect(forged.statusCode).toBe(400);
  });

  it('an export with contact details waits for approval, then downloads once, masked and watermarked', async () => {
    const rep = await as('lilei');
    await rep.get('/customers');
    const requested = await submit(rep, '/exports', { customerIds: 'c-001', contact: 'yes', reason: '拜访计划' });
    expect(textOf(requested.body)).toContain('等待审批');
    for (const approver of ['wang', 'zhaomin']) {
      const c = await as(approver);
      for (const id of approvalIds((await c.get('/approvals')).body)) await submit(c, `/approvals/${id}/approve`, {});
    }
    const list = (await rep.get('/exports')).body;
    const exportId = /data-export="([^"]+)" data-status="ready"/.exec(list)?.[1];
    expect(exportId, textOf(list)).toBeDefined();
    const file = await rep.get(`/exports/${exportId}/download`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const lines = file.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^id,name,/);
    expect(lines[1]).toMatch(/^c-001,华东机电,/);
    expect(lines[1]).toMatch(/,1\*{6}\d{4},/); // exported phones are masked for a rep
    expect(lines.at(-1)).toMatch(/e-lilei/); // the watermark names the person
    const again = await rep.get(`/exports/${exportId}/download`);
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('blocks a rep who exports again and again, and says so in their language', async () => {
    const rep = await as('hanmeimei');
    await rep.get('/customers');
    for (let i = 0; i < 3; i++) await submit(rep, '/exports', { customerIds: 'c-002', reason: '周报' });
    const blocked = await rep.post('/exports', { customerIds: 'c-002', reason: '周报' });
    expect(blocked.statusCode).toBe(403);
    const error = textOf(/<p class="error"[^>]*>([\s\S]*?)<\/p>/.exec(blocked.body)?.[1] ?? '');
    expect(error).toContain('暂不能批量执行「导出」');
    // Ids and API names aside (「…」 and `…`), not a word of English.
    expect(error.replace(/「[^」]*」|`[^`]*`/g, '')).not.toMatch(/[A-Za-z]{2,}/);
  });
});
