/**
 * Texts that name a customer or an employee are stored with ids and rendered
 * when read (issue #22): alert summaries, the titles of the approvals Guard
 * starts, and notifications show the names and the tenant's language as
 * they are at that moment — so an erasure or a rename reaches them, and a
 * tenant that switches to zh-CN sees its older alerts in Chinese too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customerName,
  deferredText,
  employeeName,
  inLocales,
  type Json,
  memoryNotifier,
  namesIn,
  renderDeferred,
} from '../src/index.js';
import { employees, seededGuard, units } from './fixtures.js';
import { latinWords } from './latin.js';

const none = { customers: new Map<string, string>(), employees: new Map<string, string>() };

describe('renderDeferred', () => {
  it('renders catalog texts with the names found, and an id where there is none', () => {
    const title = deferredText('approvalTitles', 'transfer', {
      customer: customerName('c-1'),
      to: employeeName('e-2'),
    });
    const names = { customers: new Map([['c-1', 'ACME Ltd']]), employees: new Map<string, string>() };
    expect(renderDeferred('en', title, names)).toBe('Transfer ACME Ltd to e-2');
    expect(renderDeferred('zh-CN', title, names)).toBe('将客户 ACME Ltd 转给 e-2');
  });

  it('picks the reader’s language of a text given in every locale', () => {
    const risk = deferredText('summaries', 'riskThreshold', {
      pack: inLocales({ en: 'Departure risk', 'zh-CN': '离职风险' }),
      subject: 'employee',
      subjectId: 'e-7',
      subjectName: employeeName('e-7'),
      score: 70,
      threshold: 60,
      reasons: [inLocales({ en: 'asked for a reference', 'zh-CN': '索要了推荐信' })],
    });
    const names = { customers: new Map<string, string>(), employees: new Map([['e-7', '李雷']]) };
    expect(renderDeferred('en', risk, names)).toBe(
      'Departure risk: employee "李雷" (e-7) scored 70 (alert at 60) — asked for a reference',
    );
    const zh = renderDeferred('zh-CN', risk, names) as string;
    expect(zh).toBe('离职风险：员工「李雷」（e-7）风险评分 70（预警阈值 60）——索要了推荐信');
    expect(latinWords(zh, ['e-7'])).toEqual([]);
  });

  it('shows an erased person by id alone, not as "id (id)"', () => {
    const text = deferredText('summaries', 'compensationOverdue', {
      employeeId: 'e-7',
      employeeName: employeeName('e-7'),
      month: 2,
    });
    const erased = { customers: new Map<string, string>(), employees: new Map([['e-7', 'e-7']]) };
    expect(renderDeferred('en', text, erased)).toBe(
      'Non-compete compensation for month 2 of e-7 is unpaid after the grace period; an unpaid non-compete may not be enforceable.',
    );
  });

  it('shows the key of a text it cannot render, instead of failing the read', () => {
    expect(renderDeferred('en', { $text: 'summaries', key: 'from-a-newer-version', params: {} }, none)).toBe(
      'from-a-newer-version',
    );
    // Parameters another version wrote: `reasons` missing makes the renderer throw.
    expect(renderDeferred('en', { $text: 'summaries', key: 'riskThreshold', params: { pack: 'p' } }, none)).toBe(
      'riskThreshold',
    );
  });

  it('returns anything without references as it is, and finds every reference nested anywhere', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 5 }), (value, ids) => {
        const json = value as Json;
        expect(renderDeferred('en', json, none)).toEqual(json);
        const nested: Json = { value: json, list: ids.map((id) => ({ who: customerName(id) })) };
        expect([...namesIn([nested]).customers].sort()).toEqual([...ids].sort());
        const names = { customers: new Map(ids.map((id) => [id, `name of ${id}`])), employees: new Map() };
        expect(renderDeferred('en', nested, names)).toEqual({
          value: json,
          list: ids.map((id) => ({ who: `name of ${id}` })),
        });
      }),
    );
  });
});

describe('texts that name someone, read later', () => {
  it('an alert raised in English reads in Chinese once the tenant switches, with the employee’s new name', async () => {
    const { t, clock } = await seededGuard({ locale: 'en' });
    await t.settings.update({ anomaly: { afterHours: { limit: 1, windowMinutes: 60 } } });
    clock.set('2026-11-02T23:00:00+08:00');
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const [alert] = (await t.alerts.list({ employeeId: 'rep' })).items;
    expect(alert?.summary).toBe('Rep (rep): 2 after-hours access events in 60 min (limit 1).');

    await t.settings.update({ locale: 'zh-CN' });
    await t.directory.sync({ units, employees: employees.map((e) => (e.id === 'rep' ? { ...e, name: '韩梅梅' } : e)) });
    const again = await t.alerts.get(alert?.id as string);
    expect(again.title).toBe('非工作时间访问客户数据');
    expect(again.summary).toBe('韩梅梅（rep）在 60 分钟内非工作时间访问 2 次（上限 1）。');
  });

  it('an erased customer leaves the approval title, its audit entries and its notification by id', async () => {
    const { t, guard } = await seededGuard({ locale: 'en' });
    const { approvalId } = await t.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-rep',
      to: 'mate',
      reason: 'territory change',
    });
    expect((await t.approvals.get(approvalId)).title).toBe('Transfer Customer c-rep to Mate');
    const entries = JSON.stringify((await t.audit.query({ limit: 200 })).items);
    expect(entries).not.toContain('Customer c-rep');

    await t.privacy.erase({ customerId: 'c-rep', reason: 'PIPL request' });
    expect((await t.approvals.get(approvalId)).title).toBe('Transfer c-rep to Mate');
    const [pending] = (await t.approvals.inbox({ actor: 'hr' })).items;
    expect(pending?.title).toBe('Transfer c-rep to Mate');

    // The notification was written before the erasure and goes out after it: it names nobody erased.
    const notifier = memoryNotifier();
    await guard.worker({ notifier }).runDue();
    const told = notifier.sent.filter((n) => n.data.approvalId === approvalId);
    expect(told.map((n) => n.title)).toEqual(['Escalated approval: Transfer c-rep to Mate']);
    expect(JSON.stringify(told)).not.toContain('Customer c-rep');
  });
});
