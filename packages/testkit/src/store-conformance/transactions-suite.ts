import type { StoreTransaction } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  appendEntries,
  auditLog,
  claim,
  customerRecord,
  employeeRecord,
  instant,
  inTx,
  newEffect,
  newTimer,
  OTHER_TENANT,
  rawSnapshot,
  storedRecord,
  TENANT,
  tenantRecord,
  unitRecord,
  workflowRecord,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** What the port itself says about tenants, units, employees, checkpoints, effects and timers (no raw reader for those). */
async function portSnapshot(h: StoreHarness) {
  return inTx(h, async (tx) => ({
    tenants: [await tx.getTenant(TENANT), await tx.getTenant(OTHER_TENANT)],
    units: (await tx.getUnits(TENANT, ['hq', 'east'])).sort((a, b) => (a.id < b.id ? -1 : 1)),
    employees: (await tx.getEmployees(TENANT, ['e-1', 'e-2'])).sort((a, b) => (a.id < b.id ? -1 : 1)),
    checkpoints: await tx.readCheckpoints(TENANT, 0, 100),
    effects: [await tx.getEffect(TENANT, 'fx-key-1'), await tx.getEffect(TENANT, 'fx-key-2')],
    timers: [await tx.getTimer(TENANT, 'tm-key-1'), await tx.getTimer(TENANT, 'tm-key-2')],
    workflows: [await tx.getWorkflow(TENANT, 'wf-1'), await tx.getWorkflow(TENANT, 'wf-2')],
  }));
}

/** Runs `change`, ignoring the TypeError a frozen object throws. */
function attempt(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

class WorkFailed extends Error {
  readonly detail = 'thrown by the work';
}

export const transactionsSuite = defineSuite('transactions', {
  'commits every write together when the work resolves, and returns its result': async (h) => {
    const { log } = auditLog();
    const result = await inTx(h, async (tx) => {
      await tx.putTenant(tenantRecord(TENANT));
      await tx.putUnits([unitRecord(TENANT, ['hq'])]);
      await tx.putEmployees([employeeRecord(TENANT, 'e-1', 'hq')]);
      await tx.putCustomer(customerRecord(TENANT, 'c-1'), null);
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-1'), null);
      await tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'fx-key-1')]);
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'tm-key-1'));
      await tx.putRecord(storedRecord(TENANT, 'alert', 'a-1', { ref: 'e-1', status: 'open' }), null);
      const entries = await appendEntries(log, tx, TENANT, 2);
      return { answer: 42, head: entries.at(-1)?.hash };
    });
    expect(result.answer).toBe(42);
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: 'Customer c-1', ownerId: null, unitId: 'hq', version: 1 },
    ]);
    expect(await h.raw.workflows(TENANT)).toEqual([{ id: 'wf-1', state: 'pending', version: 1 }]);
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'fx-key-1', status: 'pending', attempts: 0, leaseOwner: null },
    ]);
    expect(await h.raw.timers(TENANT)).toEqual([{ id: 'tm-1', key: 'tm-key-1', dueAt: instant(), leaseOwner: null }]);
    expect(await h.raw.records(TENANT)).toEqual([
      { kind: 'alert', id: 'a-1', ref: 'e-1', status: 'open', at: instant(), data: { note: 'alert a-1' }, version: 1 },
    ]);
    expect((await h.raw.auditEntries(TENANT)).map((r) => r.seq).sort()).toEqual([1, 2]);
    expect(await h.raw.auditHead(TENANT)).toMatchObject({ seq: 2, hash: result.head });
    const port = await portSnapshot(h);
    expect(port.tenants).toEqual([tenantRecord(TENANT), null]);
    expect(port.units).toEqual([unitRecord(TENANT, ['hq'])]);
    expect(port.employees).toEqual([employeeRecord(TENANT, 'e-1', 'hq')]);
  },

  'rolls back every write when the work throws': async (h) => {
    const { log } = auditLog();
    await inTx(h, async (tx) => {
      await tx.putTenant(tenantRecord(TENANT, { name: 'Before' }));
      await tx.putUnits([unitRecord(TENANT, ['hq'])]);
      await tx.putEmployees([employeeRecord(TENANT, 'e-1', 'hq')]);
      await tx.putCustomer(customerRecord(TENANT, 'c-1'), null);
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-1'), null);
      await tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'fx-key-1')]);
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'tm-key-1'));
      await tx.putRecord(storedRecord(TENANT, 'alert', 'a-1'), null);
      await tx.putRecord(storedRecord(TENANT, 'alert', 'a-2'), null);
      await appendEntries(log, tx, TENANT, 2);
      await log.checkpoint(tx, TENANT);
    });
    const rawBefore = await rawSnapshot(h, [TENANT, OTHER_TENANT]);
    const portBefore = await portSnapshot(h);

    const boom = new Error('boom');
    const wrote: string[] = [];
    const work = async (tx: StoreTransaction) => {
      await tx.putTenant(tenantRecord(TENANT, { name: 'After' }));
      await tx.putTenant(tenantRecord(OTHER_TENANT));
      await tx.putUnits([unitRecord(TENANT, ['hq'], { name: 'Renamed' }), unitRecord(TENANT, ['hq', 'east'])]);
      await tx.putEmployees([
        employeeRecord(TENANT, 'e-1', 'hq', { status: 'departed' }),
        employeeRecord(TENANT, 'e-2', 'hq'),
      ]);
      await tx.putCustomer(customerRecord(TENANT, 'c-1', { name: 'Renamed', version: 2 }), 1);
      await tx.putCustomer(customerRecord(TENANT, 'c-2'), null);
      await tx.putCustomer(customerRecord(OTHER_TENANT, 'c-1'), null);
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-1', { state: 'done', version: 2 }), 1);
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-2'), null);
      await tx.putRecord(storedRecord(TENANT, 'alert', 'a-1', { status: 'closed', version: 2 }), 1);
      await tx.putRecord(storedRecord(TENANT, 'alert', 'a-3'), null);
      await tx.putRecord(storedRecord(OTHER_TENANT, 'alert', 'a-1'), null);
      expect(await tx.deleteRecord(TENANT, 'alert', 'a-2')).toBe(true);
      await appendEntries(log, tx, TENANT, 3);
      await appendEntries(log, tx, OTHER_TENANT, 1);
      await log.checkpoint(tx, TENANT);
      expect(await tx.enqueueEffects([newEffect(TENANT, 'fx-2', 'fx-key-2')])).toBe(1);
      await tx.scheduleTimer(newTimer(TENANT, 'tm-2', 'tm-key-2'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1b', 'tm-key-1', { dueAt: instant(3_600_000) }));
      wrote.push('everything');
      throw boom;
    };
    await expect(h.store.transaction(work)).rejects.toBe(boom);
    expect(wrote).toEqual(['everything']);
    expect(await rawSnapshot(h, [TENANT, OTHER_TENANT])).toEqual(rawBefore);
    expect(await portSnapshot(h)).toEqual(portBefore);
  },

  'rolls back owner changes, claims, settlements, cancellations and completions when the work throws': async (h) => {
    await inTx(h, async (tx) => {
      await tx.putCustomer(customerRecord(TENANT, 'c-1'), null);
      await tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'fx-key-1'), newEffect(TENANT, 'fx-2', 'fx-key-2')]);
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'tm-key-1'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-2', 'tm-key-2'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-3', 'tm-key-3', { dueAt: instant(3_600_000) }));
    });
    // w-1 holds fx-1 and tm-1 (committed), so that the failed work below can settle and complete them.
    await inTx(h, async (tx) => {
      expect((await tx.claimEffects(claim('w-1', { limit: 1 }))).map((e) => e.id)).toEqual(['fx-1']);
      expect((await tx.claimTimers(claim('w-1', { limit: 1 }))).map((t) => t.id)).toEqual(['tm-1']);
    });
    const rawBefore = await rawSnapshot(h, [TENANT]);
    // What the port says about every row the work below touches.
    const portState = () =>
      inTx(h, async (tx) => ({
        effects: [await tx.getEffect(TENANT, 'fx-key-1'), await tx.getEffect(TENANT, 'fx-key-2')],
        timers: [
          await tx.getTimer(TENANT, 'tm-key-1'),
          await tx.getTimer(TENANT, 'tm-key-2'),
          await tx.getTimer(TENANT, 'tm-key-3'),
        ],
        customer: await tx.getCustomer(TENANT, 'c-1'),
      }));
    const portBefore = await portState();

    const boom = new Error('boom');
    const done: unknown[] = [];
    await expect(
      h.store.transaction(async (tx) => {
        done.push((await tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-1', at: instant(1) }))?.ownerId);
        done.push((await tx.claimEffects(claim('w-2'))).map((e) => e.id));
        done.push(await tx.settleEffect('fx-1', 'w-1', { status: 'done' }));
        done.push((await tx.claimTimers(claim('w-2'))).map((t) => t.id));
        done.push(await tx.completeTimer('tm-1', 'w-1'));
        done.push(await tx.cancelTimer(TENANT, 'tm-key-3'));
        throw boom;
      }),
    ).rejects.toBe(boom);
    // Each of them did write before the work threw.
    expect(done).toEqual(['e-1', ['fx-2'], true, ['tm-2'], true, true]);
    expect(await rawSnapshot(h, [TENANT])).toEqual(rawBefore);
    expect(await portState()).toEqual(portBefore);
  },

  'rethrows the very error the work threw': async (h) => {
    const thrown = new WorkFailed('the work failed');
    const caught = await h.store
      .transaction(async (tx) => {
        await tx.putCustomer(customerRecord(TENANT, 'c-1'), null);
        throw thrown;
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(caught).toBe(thrown);
    expect(caught).toBeInstanceOf(WorkFailed);
    expect((caught as WorkFailed).detail).toBe('thrown by the work');
    expect(await h.raw.customers(TENANT)).toEqual([]);
  },

  'never keeps or returns references a caller could mutate': async (h) => {
    // Handles on the nested objects passed in, to change them after the store has them.
    const contact = { phone: '13812345678' };
    const refs = { salesforce: '001A' };
    const approvers = ['e-2'];
    const to = ['e-2'];
    const event = { type: 'TIMEOUT', level: 1 };
    const customer = customerRecord(TENANT, 'c-1', { fields: { contact }, externalRefs: refs });
    const workflow = workflowRecord(TENANT, 'wf-1', {
      snapshot: { value: 'pending', context: { approvers } },
      subject: { type: 'customer', id: 'c-1' },
    });
    const expected = [
      customerRecord(TENANT, 'c-1', {
        fields: { contact: { phone: '13812345678' } },
        externalRefs: { salesforce: '001A' },
      }),
      workflowRecord(TENANT, 'wf-1', {
        snapshot: { value: 'pending', context: { approvers: ['e-2'] } },
        subject: { type: 'customer', id: 'c-1' },
      }),
      { to: ['e-2'] },
      { type: 'TIMEOUT', level: 1 },
    ];
    const read = async (tx: StoreTransaction) => {
      const c = await tx.getCustomer(TENANT, 'c-1');
      const w = await tx.getWorkflow(TENANT, 'wf-1');
      const fx = await tx.getEffect(TENANT, 'fx-key-1');
      const tm = await tx.getTimer(TENANT, 'tm-key-1');
      if (!c || !w || !fx || !tm) throw new Error('a record that was just written is missing');
      return [c, w, fx.payload, tm.event] as const;
    };

    await inTx(h, async (tx) => {
      await tx.putCustomer(customer, null);
      await tx.putWorkflow(workflow, null);
      await tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'fx-key-1', { payload: { to } })]);
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'tm-key-1', { event }));
      // Change what was passed in…
      Object.assign(customer, { name: 'mutated' });
      contact.phone = 'mutated';
      refs.salesforce = 'mutated';
      Object.assign(workflow, { state: 'mutated' });
      approvers.push('mutated');
      to.push('mutated');
      event.level = 99;
      // …and what came out.
      const [c, w, payload, timerEvent] = await read(tx);
      expect([c, w, payload, timerEvent]).toEqual(expected);
      // A store may hand out frozen records instead of copies: then these throw, which is fine too.
      attempt(() => Object.assign(c, { name: 'mutated' }));
      attempt(() => Object.assign(c.fields.contact ?? {}, { phone: 'mutated' }));
      attempt(() => Object.assign(w, { state: 'mutated' }));
      attempt(() => (payload as { to: string[] }).to.push('mutated'));
      attempt(() => Object.assign(timerEvent as object, { level: 99 }));
      expect(await read(tx)).toEqual(expected);
    });
    expect(await inTx(h, read)).toEqual(expected);
  },
});
