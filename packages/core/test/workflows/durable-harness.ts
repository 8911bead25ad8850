import { expect } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import type { WorkflowEmitted } from '../../src/index.js';

/** A machine's state as the durable runtime keeps it between events. */
export interface Durable<TContext> {
  /** The persisted snapshot as the database would hold it. */
  readonly json: string;
  readonly value: string;
  readonly status: string;
  readonly context: TContext;
}

/**
 * A stand-in for the durable runtime, for machine tests: every event restores
 * the actor from persisted JSON (checking that restoring emits nothing and
 * loses nothing), asks `can()`, sends, and persists again.
 */
export function durableHarness<Context, Event extends { type: string }, Input>(machine: AnyStateMachine) {
  interface Snapshot {
    readonly status: string;
    readonly error?: unknown;
    readonly value: unknown;
    readonly context: Context;
    can(event: Event): boolean;
  }
  const snapshotOf = (actor: { getSnapshot(): unknown }) => actor.getSnapshot() as Snapshot;

  function persist(actor: ReturnType<typeof createActor<AnyStateMachine>>): Durable<Context> {
    const snapshot = snapshotOf(actor);
    if (snapshot.status === 'error') throw snapshot.error;
    const context = snapshot.context;
    // The context must survive JSON unchanged (no undefined, no class instances).
    expect(JSON.parse(JSON.stringify(context))).toStrictEqual(context);
    return {
      json: JSON.stringify(actor.getPersistedSnapshot()),
      value: String(snapshot.value),
      status: snapshot.status,
      context,
    };
  }

  function start(input: Input): { state: Durable<Context>; emitted: WorkflowEmitted[] } {
    const actor = createActor(machine, { input } as never);
    const emitted: WorkflowEmitted[] = [];
    actor.on('*', (e) => emitted.push(e as WorkflowEmitted));
    actor.start();
    const state = persist(actor);
    actor.stop();
    return { state, emitted };
  }

  function deliver(
    state: Durable<Context>,
    event: Event,
    input: Input,
  ): { accepted: boolean; state: Durable<Context>; emitted: WorkflowEmitted[] } {
    const actor = createActor(machine, { snapshot: JSON.parse(state.json), input } as never);
    const emitted: WorkflowEmitted[] = [];
    actor.on('*', (e) => emitted.push(e as WorkflowEmitted));
    actor.start();
    // Restoring must not re-run entry actions.
    expect(emitted).toEqual([]);
    const before = snapshotOf(actor);
    expect(String(before.value)).toBe(state.value);
    expect(before.context).toEqual(state.context);
    if (before.status !== 'active' || !before.can(event)) {
      actor.stop();
      return { accepted: false, state, emitted };
    }
    actor.send(event);
    const next = persist(actor);
    actor.stop();
    return { accepted: true, state: next, emitted };
  }

  return { start, deliver };
}
