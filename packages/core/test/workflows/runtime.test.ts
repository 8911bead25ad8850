import { describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
// Imported from the folders, not the package entry, so this suite exercises the runtime alone.
import { ConflictError, isGuardError } from '../../src/errors/index.js';
import { sequentialIds } from '../../src/ports/index.js';
import { memoryStore } from '../../src/store/index.js';
import {
  defineWorkflow,
  type WorkflowEmitted,
  type WorkflowEventBase,
  WorkflowSession,
  workflowRegistry,
} from '../../src/workflows/index.js';

type Ev = WorkflowEventBase & ({ type: 'GO' } | { type: 'TICK' });
const machine = (id: string) =>
  setup({
    types: {
      context: {} as { n: number },
      events: {} as Ev,
      input: {} as { id: string },
      emitted: {} as WorkflowEmitted,
    },
  }).createMachine({
    id,
    context: { n: 0 },
    initial: 'a',
    states: {
      a: {
        entry: emit({ type: 'guard.schedule', key: 'tick', at: '2026-01-02T00:00:00.000Z', event: { type: 'TICK' } }),
        on: {
          GO: {
            target: 'b',
            actions: [
              emit({ type: 'guard.notify', key: 'went', to: ['e-1'], template: 'x', data: {} }),
              emit({ type: 'guard.cancel', key: 'tick' }),
              emit({ type: 'guard.command', command: 'count', payload: {} }),
            ],
          },
        },
      },
      b: { on: { TICK: 'c' } },
      c: { type: 'final' },
    },
  });

const at = '2026-01-01T00:00:00.000Z';
const actor = { type: 'employee', id: 'e-1' } as const;

function session(
  store: ReturnType<typeof memoryStore>,
  tx: Parameters<Parameters<typeof store.transaction>[0]>[0],
  registry = workflowRegistry<{ calls: number }>({
    definitions: [defineWorkflow({ machine: machine('m'), version: 1 })],
    commands: {
      count: async (_p, c) => {
        c.env.calls++;
        return [{ type: 'TICK' }];
      },
    },
  }),
) {
  return new WorkflowSession({
    tx,
    tenantId: 't',
    registry,
    ids: sequentialIds(),
    locale: 'en',
    now: at,
    env: { calls: 0 },
  });
}

describe('the durable runtime', () => {
  it('persists snapshots, carries out what machines emit, answers commands and audits every transition', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      const s = session(store, tx);
      const started = await s.start('m', { id: 'wf-1' }, { actor, subject: null, at });
      expect(started).toMatchObject({ state: 'a', version: 1, machine: 'm', machineVersion: 1 });
      expect(await tx.getTimer('t', 'wf-1:tick')).toMatchObject({
        workflowId: 'wf-1',
        dueAt: '2026-01-02T00:00:00.000Z',
      });
      const done = await s.send('wf-1', { type: 'GO' }, { actor, at });
      // GO → b, the command answered TICK → c
      expect(done).toMatchObject({ state: 'c', version: 3 });
      expect(await tx.getTimer('t', 'wf-1:tick')).toBeNull();
      expect(await tx.getEffect('t', 'wf-1:went')).toMatchObject({ kind: 'notify', status: 'pending' });
      expect(s.audit.map((d) => d.action)).toEqual(['workflow.m.start', 'workflow.m.go', 'workflow.m.tick']);
      expect(JSON.parse(JSON.stringify(done.snapshot))).toEqual(done.snapshot);
    });
  });

  it('refuses an event the state does not accept with WorkflowRejectedError, and drops stale timers', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      const s = session(store, tx);
      await s.start('m', { id: 'wf-1' }, { actor, subject: null, at });
      const error = await s.send('wf-1', { type: 'TICK' }, { actor, at }).catch((e: unknown) => e);
      expect(isGuardError(error, 'WORKFLOW_REJECTED')).toBe(true);
      expect(await s.deliverTimer('wf-1', { type: 'TICK' }, at)).toBe(false);
      expect(await s.deliverTimer('wf-gone', { type: 'TICK' }, at)).toBe(false);
    });
  });

  it('a concurrent writer loses the optimistic version check', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      await session(store, tx).start('m', { id: 'wf-1' }, { actor, subject: null, at });
    });
    const stale = await store.transaction((tx) => tx.getWorkflow('t', 'wf-1'));
    await store.transaction(async (tx) => {
      await session(store, tx).send('wf-1', { type: 'GO' }, { actor, at });
    });
    const error = await store
      .transaction((tx) => tx.putWorkflow({ ...stale!, version: stale!.version + 1 }, stale!.version))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('migrates older snapshots and refuses newer ones with WorkflowVersionError', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      await session(store, tx).start('m', { id: 'wf-1' }, { actor, subject: null, at });
    });
    let migrated = 0;
    const v2 = workflowRegistry<{ calls: number }>({
      definitions: [
        defineWorkflow({
          machine: machine('m'),
          version: 2,
          migrations: {
            1: (s) => {
              migrated++;
              return s;
            },
          },
        }),
      ],
      commands: { count: async () => [] },
    });
    await store.transaction(async (tx) => {
      const record = await session(store, tx, v2).send('wf-1', { type: 'GO' }, { actor, at });
      expect(record).toMatchObject({ machineVersion: 2, state: 'b' });
    });
    expect(migrated).toBe(1);
    const v1 = workflowRegistry<{ calls: number }>({
      definitions: [defineWorkflow({ machine: machine('m'), version: 1 })],
    });
    const error = await store
      .transaction((tx) => session(store, tx, v1).send('wf-1', { type: 'TICK' }, { actor, at }))
      .catch((e: unknown) => e);
    expect(isGuardError(error, 'WORKFLOW_VERSION_UNKNOWN')).toBe(true);
    expect(() => defineWorkflow({ machine: machine('m'), version: 3, migrations: { 1: (s) => s } })).toThrow(
      /migrations\[2\]/,
    );
  });
});
