import { describe, expect, it } from 'vitest';
import { memoryNotifier } from '../src/index.js';
import { customer, seededGuard } from './fixtures.js';

/**
 * Overdue follow-ups used to raise one alert per customer per day: thousands
 * per 100 staff per month on a real sales force (#17, alert volume). They go
 * to the owner and the manager as one digest per day, and into one open alert
 * per owner.
 */
async function neglectful(locale: 'en' | 'zh-CN' = 'en') {
  const setup = await seededGuard();
  const { t } = setup;
  await t.settings.update({
    locale,
    followUp: { remindAfterDays: 1, alertManagerAfterDays: 2, returnToPoolAfterDays: null },
  });
  for (const id of ['c-rep2', 'c-rep3']) await t.customers.upsert(customer(id, 'rep', 'sh-1'));
  setup.clock.advance({ minutes: 1 }); // the follow-ups restart every clock on the new settings, at one instant
  for (const id of ['c-rep', 'c-rep2', 'c-rep3']) {
    await t.ownership.recordFollowUp({ actor: 'rep', customerId: id, channel: 'call' });
  }
  const notifier = memoryNotifier();
  const worker = setup.guard.worker({ notifier });
  /** Moves the clock `hours` ahead, running the worker every hour on the way. */
  const pass = async (hours: number) => {
    for (let h = 0; h < hours; h++) {
      setup.clock.advance({ hours: 1 });
      await worker.runDue();
    }
  };
  /** Rep's digests (the other reps of the fixture neglect their customers too). */
  const digests = () => notifier.sent.filter((n) => n.template === 'follow-up.digest' && n.data.ownerId === 'rep');
  const followUpAlerts = async () =>
    (await t.alerts.list({ employeeId: 'rep' })).items.filter((a) => a.kind === 'follow-up-overdue');
  return { ...setup, notifier, pass, digests, followUpAlerts };
}

describe('overdue follow-ups: one digest a day per owner', () => {
  it('still sends a digest written before its customers were records of their own', async () => {
    const { store, clock, guard } = await seededGuard();
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      const since =
        ((await tx.getTimer('acme', 'follow-up:c-rep'))?.event as { since?: string } | undefined)?.since ?? '';
      const day = '2026-11-02';
      const data = { ownerId: 'rep', day, customers: [{ customerId: 'c-rep', customerName: 'Old', days: 9, since }] };
      await tx.putRecord(
        {
          tenantId: 'acme',
          kind: 'follow-up-digest',
          id: `rep:${day}`,
          ref: 'rep',
          status: 'pending',
          at: now,
          data,
          version: 1,
          createdAt: now,
          updatedAt: now,
        },
        null,
      );
      await tx.scheduleTimer({
        id: 'tm-old-digest',
        tenantId: 'acme',
        key: `follow-up-digest:rep:${day}`,
        workflowId: null,
        event: { type: 'follow-up.digest', ownerId: 'rep', day },
        dueAt: now,
        createdAt: now,
      });
    });
    const notifier = memoryNotifier();
    await guard.worker({ notifier }).runDue();
    const sent = notifier.sent.filter((n) => n.template === 'follow-up.digest');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.data).toMatchObject({ ownerId: 'rep', count: 1 });
    expect(sent[0]?.body).toContain('(c-rep)');
  });

  it('sends the owner and the manager one digest the next morning, and raises one alert for all the customers', async () => {
    const { digests, pass, followUpAlerts } = await neglectful();
    await pass(3 * 24);
    const sent = digests();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(['rep', 'mgr']);
    expect(sent[0]?.data).toMatchObject({ ownerId: 'rep', count: 3 });
    for (const id of ['c-rep', 'c-rep2', 'c-rep3']) expect(sent[0]?.body).toContain(`(${id})`);
    // 09:00 in the tenant's zone (Asia/Shanghai) is 01:00 UTC.
    const alerts = await followUpAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.evidence).toMatchObject({ count: 3 });
    expect(alerts[0]?.summary).toContain('3 customer(s) of Rep (rep)');
  });

  it('updates the open alert instead of raising another', async () => {
    const { t, digests, pass, followUpAlerts } = await neglectful();
    await pass(3 * 24);
    // Two customers are followed up, and slide again.
    await t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep2', channel: 'call' });
    await t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep3', channel: 'call' });
    await pass(3 * 24);
    expect(digests().map((d) => d.data.count)).toEqual([3, 2]);
    const alerts = await followUpAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ count: 2, evidence: { count: 2 } });
  });

  it('leaves out a customer followed up before the digest goes out', async () => {
    const { t, digests, pass } = await neglectful();
    await pass(2 * 24 + 1); // all three overdue: on tomorrow's digest
    await t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep', channel: 'visit' });
    await pass(24);
    expect(digests()).toHaveLength(1);
    expect(digests()[0]?.data.count).toBe(2);
    expect(digests()[0]?.body).not.toContain('(c-rep)');
  });

  it('speaks the tenant’s language', async () => {
    const { digests, pass, followUpAlerts } = await neglectful('zh-CN');
    await pass(3 * 24);
    const [digest] = digests();
    expect(digest?.title).toBe('客户长时间未跟进（每日汇总）');
    expect(digest?.body).toContain('Rep 名下 3 个客户');
    expect((await followUpAlerts())[0]?.summary).toContain('Rep（rep）名下 3 个客户');
  });

  it('sends nothing for customers followed up before the digest goes out', async () => {
    const { t, digests, pass, followUpAlerts } = await neglectful();
    await pass(2 * 24 + 1); // overdue: on the digest
    for (const id of ['c-rep', 'c-rep2', 'c-rep3']) {
      await t.customers.upsert({ ...customer(id, 'mate', 'sh-1') });
    }
    await pass(24);
    expect(digests()).toEqual([]);
    expect(await followUpAlerts()).toEqual([]);
  });
});

describe('follow-ups reported as signals', () => {
  it('restart the owner’s clock like one entered in Guard (a CRM sync reports calls this way)', async () => {
    const { t, clock, digests, pass } = await neglectful();
    await pass(20);
    const at = (hoursAgo: number) => new Date(clock.now().getTime() - hoursAgo * 3_600_000).toISOString();
    await t.signals.record([
      // The owner's calls: the latest of the two counts.
      { kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: at(5), id: 'crm:call-1' },
      { kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: at(1), id: 'crm:call-2' },
      // A colleague's call on the rep's customer does not restart the rep's clock.
      { kind: 'follow-up', employeeId: 'mate', customerId: 'c-rep2', at: at(1), id: 'crm:call-3' },
    ]);
    await pass(2 * 24 + 10);
    const [digest] = digests();
    expect(digest?.data.count).toBe(2);
    expect(digest?.body).not.toContain('(c-rep)');
    expect(digest?.body).toContain('(c-rep2)');
  });

  it('leave the clock alone when older than its start', async () => {
    const { t, clock, digests, pass } = await neglectful();
    const before = new Date(clock.now().getTime() - 3 * 86_400_000).toISOString();
    await t.signals.record({ kind: 'follow-up', employeeId: 'rep', customerId: 'c-rep', at: before, id: 'crm:old' });
    await pass(3 * 24);
    expect(digests()[0]?.data.count).toBe(3);
  });
});
