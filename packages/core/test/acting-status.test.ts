import { describe, expect, it } from 'vitest';
import { type ForbiddenError, followUpChannelSchema, followUpSchema, isGuardError } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

/** @see issue #16, hole 10: a frozen employee could still write. */
describe('every write checks the actor’s status, as reads do', () => {
  it('a frozen employee cannot record a follow-up; nothing is written', async () => {
    const { t } = await seededGuard();
    const error = await rejection(t.ownership.recordFollowUp({ actor: 'ice', customerId: 'c-ice', channel: 'call' }));
    expect(isGuardError(error, 'FORBIDDEN')).toBe(true);
    expect((error as ForbiddenError).decision.reason.code).toBe('subject-frozen');
    expect((await t.audit.query({ actorId: 'ice', action: 'customer.follow-up', limit: 5 })).items).toEqual([]);
    // A resigning employee still records follow-ups during the handover.
    await t.ownership.recordFollowUp({ actor: 'leaver', customerId: 'c-leaver', channel: 'visit' });
  });

  it('a frozen employee cannot request, approve or delegate approvals', async () => {
    const { t } = await seededGuard();
    const asFrozen = [
      t.approvals.request({ actor: 'ice', kind: 'special-terms', title: 'Net 90' }),
      t.approvals.delegate({
        actor: 'ice',
        to: 'mate',
        from: '2026-11-02T00:00:00Z',
        until: '2026-11-09T00:00:00Z',
      }),
    ];
    for (const attempt of asFrozen) {
      expect(((await rejection(attempt)) as ForbiddenError).decision?.reason.code).toBe('subject-frozen');
    }
    const request = await t.approvals.request({
      actor: 'rep',
      kind: 'special-terms',
      title: 'Net 90',
      levels: [{ approvers: [{ type: 'employee', id: 'mgr' }], quorum: 'any' }],
    });
    const mgr = { id: 'mgr', name: 'Manager', unitId: 'sh', roles: ['manager'], hireDate: '2016-01-01' };
    await t.directory.sync({ employees: [{ ...mgr, status: 'frozen' }] });
    const approve = await rejection(t.approvals.approve({ actor: 'mgr', approvalId: request.id }));
    expect(isGuardError(approve, 'FORBIDDEN')).toBe(true);
    expect((await t.approvals.get(request.id)).state).toBe('pending');
  });

  it('the follow-up schema and the follow-up API share one channel vocabulary', async () => {
    const { t } = await seededGuard();
    for (const channel of followUpChannelSchema.options) {
      expect(
        followUpSchema.safeParse({ id: 'f', customerId: 'c', employeeId: 'e', at: '2026-11-02T10:00:00Z', channel })
          .success,
      ).toBe(true);
      const view = await t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep', channel });
      expect(view.channel).toBe(channel);
    }
  });
});
