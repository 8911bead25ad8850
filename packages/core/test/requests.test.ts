import { describe, expect, it } from 'vitest';
import {
  type ActorBlockedError,
  defaultPolicy,
  definePolicy,
  type ForbiddenError,
  isGuardError,
  memoryNotifier,
  type OutboxEffect,
} from '../src/index.js';
import { customer, employees, rejection, seededGuard } from './fixtures.js';

/** The default policy, except that a manager's export carries no approval obligation. */
const noApprovalForManagers = definePolicy({
  ...defaultPolicy,
  rules: defaultPolicy.rules.map((r) =>
    r.id === 'manager-team-export' ? { ...r, obligations: [{ type: 'watermark' as const }] } : r,
  ),
});

describe('customer exports', () => {
  it('a small export without contacts needs no approval: downloaded once, masked per policy, watermarked, audited without data', async () => {
    const { t } = await seededGuard({ policy: noApprovalForManagers });
    const request = await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate'],
      classes: ['public', 'commercial'],
      reason: 'pipeline review',
    });
    expect(request).toMatchObject({ status: 'ready', approvalId: null, count: 2, classes: ['public', 'commercial'] });

    const file = await t.customers.downloadExport({ actor: 'mgr', exportId: request.id });
    expect(file.rows.map((r) => r.id)).toEqual(['c-rep', 'c-mate']);
    // contact was not asked for: left out even though the manager may see it
    expect(file.rows[0]?.fields).toEqual({ public: { industry: 'retail' }, commercial: { creditLimit: 100000 } });
    expect(file.watermark).toEqual({
      text: `acme/mgr/${request.id}/2026-11-02T02:00:00.000Z`,
      by: 'mgr',
      exportId: request.id,
      at: '2026-11-02T02:00:00.000Z',
    });
    expect((await t.customers.getExport(request.id)).status).toBe('delivered');

    const audit = await t.audit.query({ actorId: 'mgr', action: 'customer.export', limit: 5 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.data).toMatchObject({ rows: 2, watermark: file.watermark });
    expect(JSON.stringify(audit.items[0])).not.toContain('retail');
    expect(JSON.stringify(audit.items[0])).not.toContain('13812345678');

    const again = await rejection(t.customers.downloadExport({ actor: 'mgr', exportId: request.id }));
    expect(isGuardError(again, 'WORKFLOW_REJECTED')).toBe(true);
  });

  it('more rows than exports.approvalAboveRows need approval', async () => {
    const { t } = await seededGuard({ policy: noApprovalForManagers });
    await t.settings.update({ exports: { approvalAboveRows: 2 } });
    const small = await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate'],
      classes: ['public'],
      reason: 'r',
    });
    expect(small.status).toBe('ready');
    const large = await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate', 'c-other'],
      classes: ['public'],
      reason: 'r',
    });
    expect(large.status).toBe('pending-approval');
    expect((await t.approvals.get(large.approvalId as string)).kind).toBe('customer-export');
  });

  it('an export with contacts takes the manager and then HR; the requester cannot approve; masked per policy, once', async () => {
    const { t } = await seededGuard();
    const request = await t.customers.requestExport({
      actor: 'rep',
      customerIds: ['c-rep'],
      classes: ['public', 'contact'],
      reason: 'visit plan',
    });
    expect(request.status).toBe('pending-approval');
    const approvalId = request.approvalId as string;
    expect((await t.approvals.get(approvalId)).payload).toEqual({
      exportId: request.id,
      count: 1,
      classes: ['public', 'contact'],
      reason: 'visit plan',
    });

    expect(isGuardError(await rejection(t.approvals.approve({ actor: 'rep', approvalId })), 'WORKFLOW_REJECTED')).toBe(
      true,
    );
    // HR is the second level: not yet
    expect(isGuardError(await rejection(t.approvals.approve({ actor: 'hr', approvalId })), 'WORKFLOW_REJECTED')).toBe(
      true,
    );
    expect(
      isGuardError(
        await rejection(t.customers.downloadExport({ actor: 'rep', exportId: request.id })),
        'WORKFLOW_REJECTED',
      ),
    ).toBe(true);

    await t.approvals.approve({ actor: 'mgr', approvalId });
    expect((await t.customers.getExport(request.id)).status).toBe('pending-approval');
    expect(isGuardError(await rejection(t.approvals.approve({ actor: 'rep', approvalId })), 'WORKFLOW_REJECTED')).toBe(
      true,
    );
    const approved = await t.approvals.approve({ actor: 'hr', approvalId });
    expect(approved.state).toBe('approved');
    expect(approved.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver)).toEqual(['mgr', 'hr']);
    expect((await t.customers.getExport(request.id)).status).toBe('ready');

    // only the requester downloads
    const other = await rejection(t.customers.downloadExport({ actor: 'mgr', exportId: request.id }));
    expect(isGuardError(other, 'FORBIDDEN')).toBe(true);

    const file = await t.customers.downloadExport({ actor: 'rep', exportId: request.id });
    // the sales export rule masks contacts, even on the rep's own customer
    expect(file.rows).toEqual([
      {
        id: 'c-rep',
        name: 'Customer c-rep',
        ownerId: 'rep',
        unitId: 'sh-1',
        fields: { public: { industry: 'retail' }, contact: { phone: '1******5678', email: 'b***@e***.com' } },
      },
    ]);
    expect(
      isGuardError(
        await rejection(t.customers.downloadExport({ actor: 'rep', exportId: request.id })),
        'WORKFLOW_REJECTED',
      ),
    ).toBe(true);
  });

  it('a rejected export cannot be downloaded', async () => {
    const { t } = await seededGuard();
    const request = await t.customers.requestExport({ actor: 'rep', customerIds: ['c-rep'], reason: 'r' });
    expect(request.classes).toEqual(['public', 'contact', 'commercial']);
    await t.approvals.reject({ actor: 'mgr', approvalId: request.approvalId as string, reason: 'not needed' });
    expect((await t.customers.getExport(request.id)).status).toBe('rejected');
    const error = await rejection(t.customers.downloadExport({ actor: 'rep', exportId: request.id }));
    expect(isGuardError(error, 'WORKFLOW_REJECTED')).toBe(true);
  });

  it('resigning staff are denied an export, audited; someone who starts resigning after approval gets nothing', async () => {
    const { t } = await seededGuard();
    const denied = await rejection(
      t.customers.requestExport({ actor: 'leaver', customerIds: ['c-leaver'], reason: 'taking my book' }),
    );
    expect(isGuardError(denied, 'FORBIDDEN')).toBe(true);
    expect((denied as ForbiddenError).decision.reason.code).toBe('resigning-restricted');
    expect((await t.audit.query({ actorId: 'leaver', action: 'customer.export-denied', limit: 5 })).items).toHaveLength(
      1,
    );
    expect((await t.approvals.inbox({ actor: 'mgr' })).items).toHaveLength(0);

    const request = await t.customers.requestExport({ actor: 'rep', customerIds: ['c-rep'], reason: 'r' });
    await t.approvals.approve({ actor: 'mgr', approvalId: request.approvalId as string });
    await t.approvals.approve({ actor: 'hr', approvalId: request.approvalId as string });
    const rep = employees.find((e) => e.id === 'rep');
    await t.directory.sync({ employees: [{ ...rep!, status: 'resigning' }] });
    const late = await rejection(t.customers.downloadExport({ actor: 'rep', exportId: request.id }));
    expect((late as ForbiddenError).decision.reason.code).toBe('resigning-restricted');
    expect((await t.customers.getExport(request.id)).status).toBe('ready');
    expect((await t.audit.query({ actorId: 'rep', action: 'customer.export', limit: 5 })).items).toHaveLength(0);
  });

  it('names the first customer the actor may not export; unknown classes and customers are refused', async () => {
    const { t } = await seededGuard();
    const error = await rejection(
      t.customers.requestExport({ actor: 'rep', customerIds: ['c-rep', 'c-other', 'c-mate'], reason: 'r' }),
    );
    expect(isGuardError(error, 'FORBIDDEN')).toBe(true);
    expect((error as ForbiddenError).params.resourceId).toBe('c-other');
    const badClass = await rejection(
      t.customers.requestExport({ actor: 'rep', customerIds: ['c-rep'], classes: ['salary'], reason: 'r' }),
    );
    expect(isGuardError(badClass, 'VALIDATION_FAILED')).toBe(true);
    expect(
      isGuardError(
        await rejection(t.customers.requestExport({ actor: 'rep', customerIds: ['nope'], reason: 'r' })),
        'NOT_FOUND',
      ),
    ).toBe(true);
    expect(
      isGuardError(
        await rejection(t.customers.requestExport({ actor: 'rep', customerIds: [], reason: 'r' })),
        'VALIDATION_FAILED',
      ),
    ).toBe(true);
  });
});

describe('customer delete requests', () => {
  it('the 12-delete story: blocked, alert open, manager notified, bulk actions refused until the manager resolves', async () => {
    const { guard, t } = await seededGuard();
    const ids = Array.from({ length: 12 }, (_, i) => `c-bulk-${i}`);
    for (const id of ids) await t.customers.upsert(customer(id, 'rep', 'sh-1'));

    const error = await rejection(t.customers.requestDelete({ actor: 'rep', customerIds: ids, reason: 'cleanup' }));
    expect(isGuardError(error, 'ACTOR_BLOCKED')).toBe(true);
    const alertId = (error as ActorBlockedError).params.alertId;

    // nothing requested
    expect((await t.approvals.inbox({ actor: 'mgr' })).items).toHaveLength(0);
    expect((await t.audit.query({ actorId: 'rep', action: 'customer.delete-requested', limit: 5 })).items).toHaveLength(
      0,
    );

    const alert = await t.alerts.get(alertId);
    expect(alert).toMatchObject({ kind: 'bulk-delete', status: 'open', blocking: true, employeeId: 'rep' });
    expect(alert.evidence).toMatchObject({ count: 12, limit: 5 });

    const notifier = memoryNotifier();
    await guard.worker({ notifier }).runDue();
    expect(notifier.sent.filter((n) => n.template === 'alert.raised').map((n) => n.to)).toEqual([['mgr']]);

    const bulk = [
      t.customers.list({ actor: 'rep' }),
      t.customers.requestExport({ actor: 'rep', customerIds: ['c-rep'], reason: 'r' }),
      t.customers.requestDelete({ actor: 'rep', customerIds: ['c-rep'], reason: 'r' }),
      t.ownership.claim({ actor: 'rep', customerId: 'c-pool' }),
      t.ownership.requestTransfer({ actor: 'rep', customerId: 'c-rep', to: 'mate', reason: 'r' }),
    ];
    for (const attempt of bulk) expect(isGuardError(await rejection(attempt), 'ACTOR_BLOCKED')).toBe(true);
    // a single read still works, and other employees are not affected
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-rep' })).id).toBe('c-rep');
    expect((await t.customers.list({ actor: 'mate' })).items.map((c) => c.id)).toEqual(['c-mate']);

    expect(isGuardError(await rejection(t.alerts.resolve({ actor: 'rep', alertId })), 'FORBIDDEN')).toBe(true);
    expect(isGuardError(await rejection(t.customers.list({ actor: 'rep' })), 'ACTOR_BLOCKED')).toBe(true);

    const resolved = await t.alerts.resolve({ actor: 'mgr', alertId, note: 'talked to the rep' });
    expect(resolved.status).toBe('resolved');
    expect((await t.customers.list({ actor: 'rep', limit: 200 })).items.length).toBe(13);
  });

  it('a sales rep may not delete: audited and refused, and the attempts still count', async () => {
    const { t } = await seededGuard();
    for (const id of ['c-a', 'c-b', 'c-c']) await t.customers.upsert(customer(id, 'rep', 'sh-1'));
    const first = await rejection(
      t.customers.requestDelete({ actor: 'rep', customerIds: ['c-a', 'c-b', 'c-c'], reason: 'r' }),
    );
    expect(isGuardError(first, 'FORBIDDEN')).toBe(true);
    expect((await t.audit.query({ actorId: 'rep', action: 'customer.delete-denied', limit: 5 })).items).toHaveLength(1);
    // 3 + 3 > 5 in the hour
    const second = await rejection(
      t.customers.requestDelete({ actor: 'rep', customerIds: ['c-a', 'c-b', 'c-c'], reason: 'r' }),
    );
    expect(isGuardError(second, 'ACTOR_BLOCKED')).toBe(true);
  });

  it('a delete under the limit is approved into one customer.delete effect; the customer stays', async () => {
    const { guard, t } = await seededGuard();
    const request = await t.customers.requestDelete({
      actor: 'mgr',
      customerIds: ['c-rep', 'c-mate'],
      reason: 'duplicates',
    });
    expect(request.status).toBe('pending-approval');
    const approval = await t.approvals.get(request.approvalId);
    expect(approval).toMatchObject({
      kind: 'customer-delete',
      payload: { customerIds: ['c-rep', 'c-mate'], reason: 'duplicates' },
    });
    expect(
      isGuardError(
        await rejection(t.approvals.approve({ actor: 'mgr', approvalId: request.approvalId })),
        'WORKFLOW_REJECTED',
      ),
    ).toBe(true);
    // the manager has no manager: the request escalates to HR
    expect(approval.escalatedTo).toEqual(['hr']);

    const delivered: OutboxEffect[] = [];
    const worker = guard.worker({ effects: { 'customer.delete': async (e) => void delivered.push(e) } });
    await worker.runDue();
    expect(delivered).toHaveLength(0);

    await t.approvals.approve({ actor: 'hr', approvalId: request.approvalId });
    await worker.runDue();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      kind: 'customer.delete',
      idempotencyKey: `${request.approvalId}:delete`,
      payload: { customerIds: ['c-rep', 'c-mate'], requestedBy: 'mgr', approvalId: request.approvalId },
    });
    expect((await t.customers.read({ actor: 'mgr', customerId: 'c-rep' })).id).toBe('c-rep');
    const audit = await t.audit.query({ action: 'customer.delete-approved', limit: 5 });
    expect(audit.items.map((e) => e.subject?.id)).toEqual(['c-rep', 'c-mate']);
  });

  it('a rejected delete enqueues nothing', async () => {
    const { guard, t } = await seededGuard();
    const request = await t.customers.requestDelete({ actor: 'mgr', customerIds: ['c-rep'], reason: 'r' });
    await t.approvals.reject({ actor: 'hr', approvalId: request.approvalId, reason: 'keep it' });
    const delivered: OutboxEffect[] = [];
    await guard.worker({ effects: { 'customer.delete': async (e) => void delivered.push(e) } }).runDue();
    expect(delivered).toHaveLength(0);
  });
});
