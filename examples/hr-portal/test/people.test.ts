import { hmacKeys, memoryNotifier, verifyEvidencePack } from '@guard/core';
import { describe, expect, it } from 'vitest';
import { textOf, usePortal } from './harness.js';

const portal = usePortal();
const as = portal.as;

describe('the HR portal: agreements and training', () => {
  it('a rep reads the confidentiality agreement and signs it; the signature is recorded once', async () => {
    const rep = await as('lilei');
    const page = (await rep.get('/me')).body;
    expect(textOf(page)).toContain('保密协议（2026 版） · 待签署');
    expect(textOf(page)).toContain('客户资料归公司所有');
    const id = /data-agreement="([^"]+)" data-state="pending"/.exec(page)?.[1];
    const signed = await rep.post(`/me/agreements/${id}/sign`, {});
    expect(signed.statusCode).toBe(303);
    const after = textOf((await rep.get('/me')).body);
    expect(after).toContain('已签署：签署记录已存证');
    expect(after).toMatch(/已签署 · 签署于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const again = await rep.post(`/me/agreements/${id}/sign`, {});
    expect(again.statusCode).toBe(403); // no longer pending: Guard refuses, in Chinese
  });

  it('records a failed and a passed quiz as training results, each for its own employee only', async () => {
    const rep = await as('wang');
    const page = (await rep.get('/me')).body;
    const id = /data-training="([^"]+)" data-status="assigned"/.exec(page)?.[1];
    expect(id).toBeDefined();
    const failed = await rep.post(`/me/training/${id}/complete`, { answer: 'keep' });
    expect(failed.statusCode).toBe(303);
    const after = textOf((await rep.get('/me')).body);
    expect(after).toContain('答案不正确：本次培训未通过，结果已记录');
    expect(after).toContain('客户信息保护与离职交接培训 · 已完成');

    const rep2 = await as('lilei');
    const id2 = /data-training="([^"]+)" data-status="assigned"/.exec((await rep2.get('/me')).body)?.[1];
    await rep2.post(`/me/training/${id2}/complete`, { answer: 'handover' });
    expect(textOf((await rep2.get('/me')).body)).toContain('测验通过，培训已完成');
    // Someone else's assignment is not theirs to complete.
    await rep2.post(`/me/training/${id}/complete`, { answer: 'handover' });
    expect(textOf((await rep2.get('/me')).body)).toContain('没有分配的培训');
  });
});

describe('the HR portal: audit and evidence', () => {
  it('shows HR a verified chain and the latest entries, and hands out an evidence pack that verifies', async () => {
    const hr = await as('zhaomin');
    const page = (await hr.get('/audit')).body;
    expect(page).toContain('data-ok="true"');
    expect(textOf(page)).toMatch(/审计链校验通过：共 \d+ 条记录/);
    const file = await hr.get('/audit/evidence?employeeId=e-lilei');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('evidence-e-lilei-');
    const pack = JSON.parse(file.body);
    const keys = hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } });
    expect(await verifyEvidencePack(pack, keys)).toMatchObject({ ok: true });
    // One changed byte and it no longer verifies.
    pack.employee.name = '李雷（已改）';
    expect(await verifyEvidencePack(pack, keys)).toMatchObject({ ok: false });
  });

  it('keeps the audit page from everyone but HR', async () => {
    const manager = await as('wang');
    const page = await manager.get('/audit');
    expect(page.statusCode).toBe(403);
    expect(textOf(page.body)).toContain('仅人事可查看此页');
    expect((await manager.get('/audit/evidence?employeeId=e-lilei')).statusCode).toBe(403);
  });
});

describe('the HR portal: operations', () => {
  it("shows HR the worker's backlog and what a worker run clears", async () => {
    const hr = await as('zhaomin');
    const before = (await hr.get('/operations')).body;
    const count = (html: string, queue: string) =>
      Number(new RegExp(`data-queue="${queue}"><th>[^<]*</th><td>(\\d+)</td>`).exec(html)?.[1]);
    expect(textOf(before)).toContain('本进程未运行后台任务');
    // Seeding assigned agreements and courses: their notifications wait in the outbox.
    expect(count(before, 'effects')).toBeGreaterThan(0);
    await portal.guard.worker({ notifier: memoryNotifier(), crm: { connectors: [] } }).runDue();
    const after = (await hr.get('/operations')).body;
    expect(count(after, 'effects')).toBeLessThan(count(before, 'effects'));
    expect(textOf(after)).toContain('没有已放弃的任务');
    expect((await (await as('wang')).get('/operations')).statusCode).toBe(403);
  });
});
