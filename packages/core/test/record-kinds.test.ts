import { describe, expect, it } from 'vitest';
import { approvalMachine, isGuardError, offboardingMachine, type StoreError, WorkflowSession } from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

/** @see issue #16, kernel: records were cast with `as unknown as`, so corrupt data flowed on silently. */
describe('feature records are parsed when read', () => {
  it('a stored alert that no longer matches its schema is a StoreError naming it, not a half-read alert', async () => {
    const { t, store, clock } = await seededGuard();
    await t.settings.update({ anomaly: { afterHours: { limit: 1, windowMinutes: 60 } } });
    clock.set('2026-11-02T23:00:00+08:00');
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const [alert] = (await t.alerts.list({ employeeId: 'rep' })).items;
    expect(alert?.count).toBe(1);

    // Someone with database access (or a bad migration) breaks the record.
    await store.transaction(async (tx) => {
      const record = await tx.getRecord('acme', 'alert', alert?.id as string);
      if (!record) throw new Error('no alert record');
      const data = { ...(record.data as Record<string, unknown>), count: 'many' };
      await tx.putRecord({ ...record, data: data as never, version: record.version + 1 }, record.version);
    });
    const error = (await rejection(t.alerts.get(alert?.id as string))) as StoreError;
    expect(isGuardError(error, 'STORE_FAILURE')).toBe(true);
    expect(error.params.operation).toBe(`read alert "${alert?.id}"`);
    expect(error.params.detail).toMatch(/^count: /);
  });

  it('a stored export request is parsed too', async () => {
    const { t, store } = await seededGuard();
    const request = await t.customers.requestExport({
      actor: 'mgr',
      customerIds: ['c-rep'],
      classes: ['public'],
      reason: 'review',
    });
    await store.transaction(async (tx) => {
      const record = await tx.getRecord('acme', 'export', request.id);
      if (!record) throw new Error('no export record');
      const data = { ...(record.data as Record<string, unknown>), customerIds: 'c-rep' };
      await tx.putRecord({ ...record, data: data as never, version: record.version + 1 }, record.version);
    });
    const error = await rejection(t.customers.getExport(request.id));
    expect(isGuardError(error, 'STORE_FAILURE')).toBe(true);
  });
});

describe('workflow contexts are read through their machine', () => {
  it('a workflow of another machine is a StoreError, never a context of the wrong type', async () => {
    const { t, store } = await seededGuard();
    const view = await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'relocation',
    });
    const record = await store.transaction((tx) => tx.getWorkflow('acme', view.id));
    if (!record) throw new Error('no workflow record');
    expect(WorkflowSession.contextFor(record, offboardingMachine).employeeId).toBe('rep');
    const error = (() => {
      try {
        WorkflowSession.contextFor(record, approvalMachine);
      } catch (e) {
        return e;
      }
    })();
    expect(isGuardError(error, 'STORE_FAILURE')).toBe(true);
  });
});
