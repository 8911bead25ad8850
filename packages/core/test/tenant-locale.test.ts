import { describe, expect, it } from 'vitest';
import { type GuardError, isGuardError, memoryNotifier, type ValidationError } from '../src/index.js';
import { customer, employees, rejection, seededGuard, units } from './fixtures.js';
import { latinWords } from './latin.js';

/** The host's own data (names and ids from the fixtures): not Guard's text, so not checked for language. */
const data = [
  ...employees.flatMap((e) => [e.id, e.name]),
  ...units.flatMap((u) => [u.id, u.name]),
  ...['c-rep', 'c-mate', 'c-other', 'c-pool', 'c-ice', 'c-leaver'].flatMap((id) => [id, customer(id, null, 'x').name]),
  'acme',
];

/** A Guard speaking English whose tenant `acme` has chosen zh-CN; `beta` has not. */
async function zhTenant() {
  const setup = await seededGuard({ locale: 'en' });
  await setup.t.settings.update({ locale: 'zh-CN' });
  await setup.guard.tenants.upsert({ id: 'beta', name: 'Beta', timeZone: 'UTC' });
  return setup;
}

/** @see issue #16, hole 11: zh-CN tenants saw English. */
describe('a zh-CN tenant on an English Guard', () => {
  it('gets its validation errors in Chinese, with no English in any issue', async () => {
    const { t } = await zhTenant();
    const error = (await rejection(
      t.customers.upsert({ id: 'c-x', fields: { public: 1 } } as never),
    )) as ValidationError;
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error.locale).toBe('zh-CN');
    expect(error.message).toMatch(/^客户无效，共 \d+ 处问题：/);
    expect(error.hint).toBe('未写入任何数据。请修正所列路径后重试。');
    for (const issue of error.issues) expect(latinWords(issue.message), issue.message).toEqual([]);
    // The English text is still there for logs: the same error, localized.
    expect(error.localize('en').message).toMatch(/^Invalid customer: /);
  });

  it('gets Guard’s own rule messages in Chinese too', async () => {
    const { t } = await zhTenant();
    const error = (await rejection(t.customers.upsert({ ...customer('c-x', 'nobody', 'sh-1') }))) as ValidationError;
    expect(error.issues.map((i) => i.message)).toEqual(['员工「nobody」不存在']);
  });

  it('gets not-found, forbidden and blocked errors in Chinese; another tenant keeps English', async () => {
    const { guard, t } = await zhTenant();
    const missing = (await rejection(t.customers.read({ actor: 'rep', customerId: 'nope' }))) as GuardError;
    expect(missing.message).toBe('租户「acme」中找不到客户「nope」。');
    const denied = (await rejection(t.customers.read({ actor: 'rep', customerId: 'c-other' }))) as GuardError;
    expect(denied.code).toBe('FORBIDDEN');
    expect(latinWords(denied.message, data)).toEqual([]);
    const beta = guard.tenant('beta');
    const english = (await rejection(beta.directory.employee('nobody'))) as GuardError;
    expect(english.message).toBe('Employee "nobody" was not found in tenant "beta".');
  });

  it('sees alert titles and summaries, approval titles and checklists in Chinese', async () => {
    const { t, clock } = await zhTenant();
    await t.settings.update({ locale: 'zh-CN', anomaly: { afterHours: { limit: 1, windowMinutes: 60 } } });
    clock.set('2026-11-02T23:00:00+08:00');
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const [alert] = (await t.alerts.list({ employeeId: 'rep' })).items;
    expect(alert?.title).toBe('非工作时间访问客户数据');
    expect(alert?.summary).toBe('Rep（rep）在 60 分钟内非工作时间访问 2 次（上限 1）。');

    clock.set('2026-11-03T10:00:00+08:00');
    const request = await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate'],
      classes: ['public', 'contact'],
      reason: '季度回访',
    });
    const approval = await t.approvals.get(request.approvalId as string);
    expect(approval.title).toBe('导出 2 个客户');

    const offboarding = await t.offboarding.start({
      employeeId: 'mate',
      resignationDate: '2026-11-03',
      lastWorkingDay: '2026-11-30',
      reason: '个人原因',
    });
    expect(offboarding.items.map((i) => i.title)).toEqual([
      'Customer c-mate',
      '与 Customer c-mate 的沟通记录',
      'Customer c-mate 的交接确认函',
    ]);
  });

  it('gets every notification in Chinese, and the notifier is told the locale', async () => {
    const notifier = memoryNotifier();
    const { guard, t } = await zhTenant();
    await t.offboarding.start({
      employeeId: 'mate',
      resignationDate: '2026-11-03',
      lastWorkingDay: '2026-11-30',
      reason: '个人原因',
    });
    await t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: '客户转型' });
    await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate'],
      classes: ['public', 'contact'],
      reason: '季度回访',
    });
    await guard.worker({ notifier }).runDue();
    expect(new Set(notifier.sent.map((n) => n.template))).toEqual(
      new Set(['offboarding.started', 'approval.escalated']),
    );
    for (const n of notifier.sent) {
      expect(n.locale).toBe('zh-CN');
      expect(latinWords(`${n.title} ${n.body}`, data), `${n.template}: ${n.title} / ${n.body}`).toEqual([]);
    }
  });

  it('shows read notices in the tenant’s language', async () => {
    const { t } = await zhTenant();
    const view = await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    for (const notice of view.notices) expect(latinWords(notice)).toEqual([]);
  });
});
