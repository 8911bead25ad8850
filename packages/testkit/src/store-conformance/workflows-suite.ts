import { isGuardError, type WorkflowRecord } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import { errorOf, instant, inTx, TENANT, workflowRecord } from './fixtures.js';

const offboarding: WorkflowRecord = workflowRecord(TENANT, 'wf-1', {
  machine: 'offboarding',
  machineVersion: 3,
  state: 'handover',
  snapshot: {
    status: 'active',
    value: { handover: 'collecting' },
    context: {
      employeeId: 'e-7',
      items: [{ customerId: 'c-1', successor: 'e-8', done: false }],
      note: '交接中',
      ratio: 0.5,
    },
    historyValue: {},
    children: {},
  },
  subject: { type: 'employee', id: 'e-7' },
  createdAt: instant(-1000),
});

const conflict = (error: unknown) =>
  [isGuardError(error, 'CONFLICT'), `expected a ConflictError, got ${String(error)}`] as const;

export const workflowsSuite = defineSuite('workflows', {
  'getWorkflow is null for a missing workflow': async (h) => {
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-404'))).toBeNull();
  },

  'inserts a new workflow with expectedVersion null, every field round-tripping': async (h) => {
    const bare = workflowRecord(TENANT, 'wf-2', { subject: null, snapshot: 'idle' });
    await inTx(h, async (tx) => {
      await tx.putWorkflow(offboarding, null);
      await tx.putWorkflow(bare, null);
    });
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-1'))).toEqual(offboarding);
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-2'))).toEqual(bare);
    const rows = await h.raw.workflows(TENANT);
    expect([...rows].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
      { id: 'wf-1', state: 'handover', version: 1 },
      { id: 'wf-2', state: 'pending', version: 1 },
    ]);
  },

  'updates a workflow given its current version': async (h) => {
    await inTx(h, (tx) => tx.putWorkflow(offboarding, null));
    const v2 = { ...offboarding, state: 'review', snapshot: { value: 'review' }, version: 2, updatedAt: instant(1) };
    await inTx(h, (tx) => tx.putWorkflow(v2, 1));
    const v3 = { ...v2, state: 'closed', machineVersion: 4, version: 3, updatedAt: instant(2) };
    await inTx(h, (tx) => tx.putWorkflow(v3, 2));
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-1'))).toEqual(v3);
    expect(await h.raw.workflows(TENANT)).toEqual([{ id: 'wf-1', state: 'closed', version: 3 }]);
  },

  'throws ConflictError on a stale or wrong version, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putWorkflow(offboarding, null));
    const v2 = { ...offboarding, state: 'review', version: 2 };
    await inTx(h, (tx) => tx.putWorkflow(v2, 1));
    const before = await h.raw.workflows(TENANT);
    const stale = await errorOf(h, (tx) => tx.putWorkflow({ ...offboarding, state: 'stale', version: 2 }, 1));
    expect(...conflict(stale)).toBe(true);
    const ahead = await errorOf(h, (tx) => tx.putWorkflow({ ...offboarding, state: 'ahead', version: 4 }, 3));
    expect(...conflict(ahead)).toBe(true);
    expect(await h.raw.workflows(TENANT)).toEqual(before);
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-1'))).toEqual(v2);
  },

  'throws ConflictError when inserting an id that exists, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putWorkflow(offboarding, null));
    const before = await h.raw.workflows(TENANT);
    const error = await errorOf(h, (tx) => tx.putWorkflow(workflowRecord(TENANT, 'wf-1', { state: 'impostor' }), null));
    expect(...conflict(error)).toBe(true);
    expect(await h.raw.workflows(TENANT)).toEqual(before);
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-1'))).toEqual(offboarding);
  },

  'throws ConflictError when updating a workflow that does not exist, and writes nothing': async (h) => {
    const error = await errorOf(h, (tx) => tx.putWorkflow(workflowRecord(TENANT, 'wf-1', { version: 2 }), 1));
    expect(...conflict(error)).toBe(true);
    expect(await h.raw.workflows(TENANT)).toEqual([]);
    expect(await inTx(h, (tx) => tx.getWorkflow(TENANT, 'wf-1'))).toBeNull();
  },
});
