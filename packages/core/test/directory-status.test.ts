import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EmployeeInput, EmployeeStatus } from '../src/index.js';
import { employees, seededGuard } from './fixtures.js';

const rep = employees.find((e) => e.id === 'rep') as EmployeeInput;
const { status: _repStatus, ...repWithoutStatus } = rep;

/** The host's nightly sync of one employee, with the status it believes in (or none). */
const nightly = (status?: EmployeeStatus): EmployeeInput =>
  status === undefined ? repWithoutStatus : { ...repWithoutStatus, status };

/** HR records rep's resignation: rep is `resigning` from now on. */
const hrStartsOffboarding = (t: Awaited<ReturnType<typeof seededGuard>>['t']) =>
  t.offboarding.start({
    actor: { type: 'employee', id: 'hr' },
    employeeId: 'rep',
    resignationDate: '2026-11-02',
    lastWorkingDay: '2026-11-30',
    reason: 'relocation',
  });

describe('directory sync and lifecycle status', () => {
  /** @see issue #16, hole 2: a routine sync turned a resigning leaver back to active. */
  it('a nightly sync cannot bring a leaver back: the case stays in handover and reads stay restricted', async () => {
    const { t } = await seededGuard();
    const kase = await hrStartsOffboarding(t);

    const withoutStatus = await t.directory.sync({ employees: [nightly()] });
    const saysActive = await t.directory.sync({ employees: [nightly('active')] });

    expect(withoutStatus.statusChanges).toEqual([]);
    expect(withoutStatus.statusKept).toEqual([]);
    expect(saysActive.statusChanges).toEqual([]);
    expect(saysActive.statusKept).toEqual([{ employeeId: 'rep', status: 'resigning', requested: 'active' }]);
    expect((await t.directory.employee('rep')).status).toBe('resigning');
    expect((await t.offboarding.get(kase.id)).state).toBe('handover');
    expect((await t.customers.decide({ actor: 'rep', customerId: 'c-mate', action: 'read' })).allow).toBe(false);
    expect((await t.customers.decide({ actor: 'rep', customerId: 'c-rep', action: 'export' })).allow).toBe(false);

    const kept = await t.audit.query({ action: 'employee.status-kept', limit: 10 });
    expect(kept.items.map((e) => [e.subject?.id, e.data])).toEqual([
      ['rep', { status: 'resigning', requested: 'active' }],
    ]);
  });

  it('cancelling the offboarding is what makes the employee active again', async () => {
    const { t } = await seededGuard();
    const kase = await hrStartsOffboarding(t);
    await t.offboarding.cancel({ actor: 'hr', caseId: kase.id, reason: 'resignation withdrawn' });
    expect((await t.directory.employee('rep')).status).toBe('active');
    expect((await t.directory.sync({ employees: [nightly('active')] })).statusKept).toEqual([]);
  });

  it('a sync still moves an employee further out, and a new employee without a status is active', async () => {
    const { t } = await seededGuard();
    const frozen = await t.directory.sync({ employees: [nightly('frozen')] });
    expect(frozen.statusChanges).toEqual([{ employeeId: 'rep', from: 'active', to: 'frozen' }]);
    const hired = await t.directory.sync({
      employees: [{ id: 'new', name: 'New', unitId: 'sh-1', roles: ['sales'], hireDate: '2026-11-01' }],
    });
    expect(hired.statusChanges).toEqual([{ employeeId: 'new', from: null, to: 'active' }]);
    expect((await t.directory.employee('new')).status).toBe('active');
  });

  it('no sequence of syncs re-activates a frozen or departed employee, or moves anyone back', async () => {
    const stage: Record<EmployeeStatus, number> = { active: 0, resigning: 1, frozen: 2, departed: 3 };
    const statusArb = fc.option(fc.constantFrom<EmployeeStatus>('active', 'resigning', 'frozen', 'departed'), {
      nil: undefined,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(statusArb, { minLength: 1, maxLength: 8 }), async (syncs) => {
        const { t } = await seededGuard();
        let furthest: EmployeeStatus = 'active';
        for (const status of syncs) {
          const result = await t.directory.sync({ employees: [nightly(status)] });
          const now = (await t.directory.employee('rep')).status;
          expect(stage[now]).toBeGreaterThanOrEqual(stage[furthest]);
          if (status !== undefined && stage[status] < stage[furthest]) {
            expect(result.statusKept).toEqual([{ employeeId: 'rep', status: furthest, requested: status }]);
          }
          furthest = now;
        }
        const frozenOrGone = syncs.some((s) => s === 'frozen' || s === 'departed');
        if (frozenOrGone) expect((await t.directory.employee('rep')).status).not.toBe('active');
      }),
      { numRuns: 60 },
    );
  });
});
