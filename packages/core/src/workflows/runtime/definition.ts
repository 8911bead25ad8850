import type { AnyStateMachine } from 'xstate';
import type { Json } from '../../domain/entities.js';

/**
 * A persisted XState snapshot as Guard stores it: plain JSON.
 *
 * @example
 * ```ts
 * import type { PersistedWorkflowSnapshot } from '@guard/core';
 * const s: PersistedWorkflowSnapshot = { status: 'active', value: 'pending', context: {}, children: {}, historyValue: {} };
 * ```
 */
export type PersistedWorkflowSnapshot = { readonly [key: string]: Json };

/**
 * Moves a snapshot written by machine version `n` to version `n + 1`.
 *
 * @example
 * ```ts
 * import type { SnapshotMigration } from '@guard/core';
 * // v2 renamed context.approvers to context.groups
 * const toV2: SnapshotMigration = (s) => {
 *   const { approvers, ...context } = s.context as Record<string, unknown>;
 *   return { ...s, context: { ...context, groups: approvers } } as typeof s;
 * };
 * ```
 */
export type SnapshotMigration = (snapshot: PersistedWorkflowSnapshot) => PersistedWorkflowSnapshot;

/**
 * A machine Guard can run durably: the pure XState machine, its version, and
 * the migrations that bring snapshots of older versions forward.
 *
 * @example
 * ```ts
 * import { defineWorkflow, approvalMachine } from '@guard/core';
 * const approval = defineWorkflow({ machine: approvalMachine, version: 1 });
 * ```
 */
export interface WorkflowDefinition<TMachine extends AnyStateMachine = AnyStateMachine> {
  /** The machine's id (`machine.id`), stored with every instance. */
  readonly id: string;
  readonly version: number;
  readonly machine: TMachine;
  /** `migrations[n]` moves a version-`n` snapshot to version `n + 1`. */
  readonly migrations: Readonly<Record<number, SnapshotMigration>>;
}

/**
 * Declares a durable workflow. `version` starts at 1; when you change a
 * machine so that old snapshots no longer fit, bump it and add a migration
 * from the previous version. A snapshot with a version newer than the
 * definition's is refused with `WorkflowVersionError`.
 *
 * @example
 * ```ts
 * import { defineWorkflow } from '@guard/core';
 * import { setup } from 'xstate';
 * const machine = setup({}).createMachine({ id: 'ping', initial: 'idle', states: { idle: {} } });
 * const ping = defineWorkflow({ machine, version: 2, migrations: { 1: (s) => ({ ...s, value: 'idle' }) } });
 * ```
 */
export function defineWorkflow<TMachine extends AnyStateMachine>(options: {
  readonly machine: TMachine;
  readonly version: number;
  readonly migrations?: Readonly<Record<number, SnapshotMigration>>;
}): WorkflowDefinition<TMachine> {
  const { machine, version } = options;
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`defineWorkflow: version of "${machine.id}" must be an integer ≥ 1, got ${version}`);
  }
  const migrations = options.migrations ?? {};
  for (let from = 1; from < version; from++) {
    if (typeof migrations[from] !== 'function') {
      throw new TypeError(
        `defineWorkflow: "${machine.id}" v${version} lacks migrations[${from}] (v${from} → v${from + 1}); stored v${from} snapshots could not be restored`,
      );
    }
  }
  return Object.freeze({ id: machine.id, version, machine, migrations: Object.freeze({ ...migrations }) });
}
