import { describe, expect, it } from 'vitest';
import { type EmployeeInput, isGuardError, type OutboxEffect, type ValidationError } from '../src/index.js';
import { employees, rejection, seededGuard, snapshot } from './fixtures.js';

const mgr = employees.find((e) => e.id === 'mgr') as EmployeeInput;
const rep = employees.find((e) => e.id === 'rep') as EmployeeInput;
/** A host sync that takes someone's roles away while their request waits. */
const demoted = (e: EmployeeInput): EmployeeInput => ({ ...e, roles: [] });

/** @see issue #16, hole 1: approvals bypassed the policy. */
describe('approvals that change Guard are started only by the feature that owns them', () => {
  it.each([
    ['ownership-transfer', { customerId: 'c-mate', from: 'mate', to: 'rep' }, 'ownership.requestTransfer'],
    ['customer-export', { exportId: 'ex-1' }, 'customers.requestExport'],
    ['customer-delete', { customerIds: ['c-mate'] }, 'customers.requestDelete'],
    ['ownership-claim', { customerId: 'c-pool' }, 'ownership.claim'],
    ['offboarding-signoff', { caseId: 'x' }, 'offboarding'],
  ])('approvals.request refuses %s, names the API to use, and writes nothing', async (kind, payload, owner) => {
    const { t, store } = await seededGuard();
    const before = snapshot(store);
    const error = await rejection(
      t.approvals.request({
        actor: 'rep',
        kind: kind as 'large-discount',
        title: 'x',
        payload,
        levels: [{ approvers: [{ type: 'employee', id: 'mate' }], quorum: 'any' }],
      }),
    );
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['kind']);
    expect((error as Error).message).toContain(owner);
    expect(snapshot(store)).toBe(before);
  });

  it('the issue’s exploit: a rep and an accomplice cannot move a teammate’s customer', async () => {
    const { t } = await seededGuard();
    await rejection(
      t.approvals.request({
        actor: 'rep',
        kind: 'ownership-transfer' as 'large-discount',
        title: 'x',
        payload: { customerId: 'c-mate', from: 'mate', to: 'rep' },
        levels: [{ approvers: [{ type: 'employee', id: 'other' }], quorum: 'any' }],
      }),
    );
    expect((await t.customers.read({ actor: 'hr', customerId: 'c-mate' })).ownerId).toBe('mate');
  });

  it('outcome-free kinds still take a host-given chain', async () => {
    const { t } = await seededGuard();
    const request = await t.approvals.request({
      actor: 'rep',
      kind: 'large-discount',
      title: '25% off',
      payload: { percent: 25 },
      levels: [{ approvers: [{ type: 'employee', id: 'hr' }], quorum: 'any' }],
    });
    expect(request.approvers).toEqual([['hr']]);
    expect((await t.approvals.approve({ actor: 'hr', approvalId: request.id })).outcome).toBe('approved');
  });
});

describe('an approved outcome is decided again when it is carried out', () => {
  it('a transfer whose requester lost the right meanwhile moves nothing and tells no CRM', async () => {
    const { guard, t } = await seededGuard();
    const { approvalId } = await t.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-rep',
      to: 'mate',
      reason: 'rebalance',
    });
    await t.directory.sync({ employees: [demoted(mgr)] });
    await t.approvals.approve({ actor: 'hr', approvalId });

    expect((await t.approvals.get(approvalId)).outcome).toBe('approved');
    expect((await t.customers.read({ actor: 'hr', customerId: 'c-rep' })).ownerId).toBe('rep');
    const skipped = await t.audit.query({ action: 'customer.transfer-skipped', limit: 5 });
    expect(skipped.items.map((e) => e.data)).toMatchObject([
      { approvalId, reason: 'the requester may no longer transfer this customer' },
    ]);
    const crm: OutboxEffect[] = [];
    await guard.worker({ effects: { 'crm.transfer': async (e) => void crm.push(e) } }).runDue();
    expect(crm).toEqual([]);
  });

  it('a transfer to a successor who started resigning meanwhile moves nothing', async () => {
    const { t } = await seededGuard();
    const { approvalId } = await t.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-rep',
      to: 'mate',
      reason: 'rebalance',
    });
    const mate = employees.find((e) => e.id === 'mate') as EmployeeInput;
    await t.directory.sync({ employees: [{ ...mate, status: 'resigning' }] });
    await t.approvals.approve({ actor: 'hr', approvalId });
    expect((await t.customers.read({ actor: 'hr', customerId: 'c-rep' })).ownerId).toBe('rep');
    const skipped = await t.audit.query({ action: 'customer.transfer-skipped', limit: 5 });
    expect(skipped.items.map((e) => e.data)).toMatchObject([{ reason: 'the successor "mate" is no longer active' }]);
  });

  it('an export whose requester lost the right before the last approval ends rejected', async () => {
    const { t } = await seededGuard();
    const request = await t.customers.requestExport({
      actor: 'rep',
      customerIds: ['c-rep'],
      classes: ['public', 'contact'],
      reason: 'visit plan',
    });
    const approvalId = request.approvalId as string;
    await t.approvals.approve({ actor: 'mgr', approvalId });
    await t.directory.sync({ employees: [demoted(rep)] });
    await t.approvals.approve({ actor: 'hr', approvalId });

    expect((await t.customers.getExport(request.id)).status).toBe('rejected');
    const audit = await t.audit.query({ action: 'customer.export-rejected', limit: 5 });
    expect(audit.items[0]?.data).toMatchObject({
      exportId: request.id,
      outcome: 'approved',
      denied: { customerId: 'c-rep' },
    });
  });

  it('a delete whose requester lost the right meanwhile enqueues nothing', async () => {
    const { guard, t } = await seededGuard();
    const request = await t.customers.requestDelete({ actor: 'mgr', customerIds: ['c-rep'], reason: 'duplicate' });
    await t.directory.sync({ employees: [demoted(mgr)] });
    await t.approvals.approve({ actor: 'hr', approvalId: request.approvalId });

    const delivered: OutboxEffect[] = [];
    await guard.worker({ effects: { 'customer.delete': async (e) => void delivered.push(e) } }).runDue();
    expect(delivered).toEqual([]);
    expect((await t.audit.query({ action: 'customer.delete-approved', limit: 5 })).items).toEqual([]);
    const skipped = await t.audit.query({ action: 'customer.delete-skipped', limit: 5 });
    expect(skipped.items[0]?.data).toMatchObject({ approvalId: request.approvalId, denied: { customerId: 'c-rep' } });
  });
});
