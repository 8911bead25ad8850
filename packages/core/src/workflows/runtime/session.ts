import { type AnyActorRef, type AnyStateMachine, type ContextFrom, createActor } from 'xstate';
import type { AuditDraft } from '../../audit/index.js';
import type { ActorRef, Json, SubjectRef } from '../../domain/entities.js';
import type { WorkerProgress } from '../../domain/progress.js';
import { NotFoundError, StoreError, WorkflowRejectedError, WorkflowVersionError } from '../../errors/guard-error.js';
import type { Locale } from '../../i18n/locale.js';
import type { IdGenerator } from '../../ports/ids.js';
import type { NewOutboxEffect, StoreTransaction, WorkflowRecord } from '../../ports/store.js';
import type { WorkflowEmitted } from '../protocol.js';
import type { PersistedWorkflowSnapshot, WorkflowDefinition } from './definition.js';

/**
 * An event as a caller hands it to the runtime: a `type` and JSON fields.
 * The runtime adds `at` and `actor` before the machine sees it.
 *
 * @example
 * ```ts
 * import type { WorkflowInputEvent } from '@guard/core';
 * const approve: WorkflowInputEvent = { type: 'APPROVE', approver: 'e-2', comment: null };
 * ```
 */
export interface WorkflowInputEvent {
  readonly type: string;
  readonly [key: string]: Json;
}

/**
 * What a command handler gets besides the command's payload.
 *
 * @example
 * ```ts
 * import type { WorkflowCommandContext } from '@guard/core';
 * async function assign(payload: { customerId: string }, c: WorkflowCommandContext<unknown>) {
 *   const customer = await c.tx.getCustomer(c.tenantId, payload.customerId);
 *   return customer ? [{ type: 'ASSIGNED' }] : [{ type: 'LOST', reason: 'customer deleted' }];
 * }
 * ```
 */
export interface WorkflowCommandContext<TEnv> {
  readonly env: TEnv;
  readonly tx: StoreTransaction;
  readonly tenantId: string;
  /** The workflow that emitted the command, as just persisted. */
  readonly workflow: WorkflowRecord;
  /** Its machine context after the transition. */
  readonly context: Readonly<Record<string, unknown>>;
  /** The instant of the event being processed. */
  readonly at: string;
  /** Who caused the event being processed. */
  readonly actor: ActorRef;
  /** The session, to start or signal other workflows in the same transaction. */
  readonly session: WorkflowSession<TEnv>;
}

/**
 * Carries out a `guard.command` a machine emitted, inside the transaction;
 * returns events to send back to the same workflow (in order), if any.
 *
 * @example
 * ```ts
 * import type { WorkflowCommandHandler } from '@guard/core';
 * const resolve: WorkflowCommandHandler<unknown> = async (payload) => [{ type: 'APPROVERS', level: payload.level ?? 0, groups: [['e-2']] }];
 * ```
 */
export type WorkflowCommandHandler<TEnv> = (
  payload: { readonly [key: string]: Json },
  context: WorkflowCommandContext<TEnv>,
) => Promise<readonly WorkflowInputEvent[] | undefined> | readonly WorkflowInputEvent[] | undefined;

/**
 * The machines a Guard runs and the handlers of their commands.
 *
 * @example
 * ```ts
 * import { workflowRegistry } from '@guard/core';
 * const registry = workflowRegistry({ definitions: [ping], commands: { 'ping.pong': async () => [] } });
 * ```
 */
export interface WorkflowRegistry<TEnv> {
  readonly definitions: ReadonlyMap<string, WorkflowDefinition>;
  readonly commands: ReadonlyMap<string, WorkflowCommandHandler<TEnv>>;
  /** Handlers of durable timers that belong to no workflow (e.g. follow-up rules), by event type. */
  readonly timers: ReadonlyMap<string, TimerHandler<TEnv>>;
}

/**
 * Handles a durable timer that belongs to no workflow, inside the
 * transaction that completes it.
 *
 * @example
 * ```ts
 * import type { TimerHandler } from '@guard/core';
 * const remind: TimerHandler<unknown> = async (event, c) => {
 *   await c.tx.enqueueEffects([]);
 * };
 * ```
 */
export type TimerHandler<TEnv> = (
  event: WorkflowInputEvent,
  context: {
    readonly env: TEnv;
    readonly tx: StoreTransaction;
    readonly tenantId: string;
    /** The timer's due time. */
    readonly at: string;
    readonly session: WorkflowSession<TEnv>;
    /** Reports progress to the worker's `onProgress`, once the transaction has committed. */
    readonly progress: (update: WorkerProgress) => void;
  },
) => Promise<void>;

/**
 * One capability's contribution to a {@link WorkflowRegistry}: its machines,
 * the commands they emit, and its timers that belong to no workflow.
 *
 * @example
 * ```ts
 * import type { WorkflowModule } from '@guard/core';
 * const pingModule: WorkflowModule<unknown> = { definitions: [ping], commands: { 'ping.pong': async () => [] } };
 * ```
 */
export interface WorkflowModule<TEnv> {
  readonly definitions?: readonly WorkflowDefinition[];
  readonly commands?: Readonly<Record<string, WorkflowCommandHandler<TEnv>>>;
  readonly timers?: Readonly<Record<string, TimerHandler<TEnv>>>;
}

/**
 * Builds a {@link WorkflowRegistry} from parts; a machine id or command
 * name given twice is a programming error and throws.
 *
 * @example
 * ```ts
 * import { workflowRegistry } from '@guard/core';
 * const registry = workflowRegistry(
 *   { definitions: [approvalWorkflow], commands: { 'approval.resolve': resolveApprovers } },
 *   { definitions: [claimWorkflow], commands: { 'claim.assign': assignClaim } },
 * );
 * ```
 */
export function workflowRegistry<TEnv>(...parts: readonly WorkflowModule<TEnv>[]): WorkflowRegistry<TEnv> {
  const definitions = new Map<string, WorkflowDefinition>();
  const commands = new Map<string, WorkflowCommandHandler<TEnv>>();
  const timers = new Map<string, TimerHandler<TEnv>>();
  for (const part of parts) {
    for (const definition of part.definitions ?? []) {
      if (definitions.has(definition.id)) throw new TypeError(`workflow machine "${definition.id}" registered twice`);
      definitions.set(definition.id, definition);
    }
    for (const [name, handler] of Object.entries(part.commands ?? {})) {
      if (commands.has(name)) throw new TypeError(`workflow command "${name}" registered twice`);
      commands.set(name, handler);
    }
    for (const [name, handler] of Object.entries(part.timers ?? {})) {
      if (timers.has(name)) throw new TypeError(`timer handler "${name}" registered twice`);
      timers.set(name, handler);
    }
  }
  return { definitions, commands, timers };
}

/**
 * Where an event comes from decides what happens when the machine refuses
 * it: a caller gets `WorkflowRejectedError`; a timer or a signal from another
 * workflow that arrives after the state moved on is dropped.
 */
type Origin = 'caller' | 'reply' | 'timer' | 'signal';

interface Pending {
  readonly workflowId: string;
  readonly event: WorkflowInputEvent;
  readonly actor: ActorRef;
  readonly at: string;
  readonly origin: Origin;
}

/** The most events one call may cascade into (commands answering, children signalling parents). */
const MAX_STEPS = 500;

const SYSTEM_ACTOR: ActorRef = Object.freeze({ type: 'system', id: 'workflow' });

/** `SUBMIT_ITEM` → `submit-item`, for audit action names. */
const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[_\s.]+/g, '-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .replace(/^-+|-+$/g, '') || 'event';

/** The top-level state name, for queries. */
function topState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return Object.keys(value)[0] ?? 'unknown';
  return 'unknown';
}

/**
 * The settings a {@link WorkflowSession} needs from its Guard.
 *
 * @example
 * ```ts
 * import { WorkflowSession, type WorkflowSessionOptions } from '@guard/core';
 * const options: WorkflowSessionOptions<unknown> = { tx, tenantId: 'acme', registry, ids, locale: 'en', now: new Date().toISOString(), env: {} };
 * const session = new WorkflowSession(options);
 * ```
 */
export interface WorkflowSessionOptions<TEnv> {
  readonly tx: StoreTransaction;
  readonly tenantId: string;
  readonly registry: WorkflowRegistry<TEnv>;
  readonly ids: IdGenerator;
  readonly locale: Locale;
  /** The wall-clock instant of this transaction (ISO), for `createdAt` and effects. */
  readonly now: string;
  readonly env: TEnv;
}

/**
 * The durable runtime for one transaction: it restores workflows from their
 * persisted snapshots, sends them events, persists the new snapshots with an
 * optimistic version check, and carries out what the machines emitted —
 * outbox effects, durable timers, commands, signals to other workflows —
 * in the same transaction. Every transition leaves an audit draft in
 * {@link WorkflowSession.audit}; the caller appends them before committing.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   const session = new WorkflowSession({ tx, tenantId: 'acme', registry, ids, locale: 'en', now, env });
 *   await session.send('wf-1', { type: 'APPROVE', approver: 'e-2' }, { actor: { type: 'employee', id: 'e-2' } });
 *   await audit.append(tx, 'acme', session.audit);
 * });
 * ```
 */
export class WorkflowSession<TEnv> {
  readonly #o: WorkflowSessionOptions<TEnv>;
  readonly #records = new Map<string, WorkflowRecord>();
  readonly #audit: AuditDraft[] = [];
  #steps = 0;

  constructor(options: WorkflowSessionOptions<TEnv>) {
    this.#o = options;
  }

  /** Audit drafts of every transition so far, in order. */
  get audit(): readonly AuditDraft[] {
    return this.#audit;
  }

  /** Adds an audit draft of the caller's own (e.g. a decision that is not a transition). */
  record(draft: AuditDraft): void {
    this.#audit.push(draft);
  }

  /** The workflow as of this session (including its own writes), or `null`. */
  async find(workflowId: string): Promise<WorkflowRecord | null> {
    const cached = this.#records.get(workflowId);
    if (cached) return cached;
    const record = await this.#o.tx.getWorkflow(this.#o.tenantId, workflowId);
    if (record) this.#records.set(workflowId, record);
    return record;
  }

  /** The workflow, or `NotFoundError`. */
  async get(workflowId: string): Promise<WorkflowRecord> {
    const record = await this.find(workflowId);
    if (!record) {
      throw new NotFoundError(
        { entity: 'workflow', id: workflowId, tenantId: this.#o.tenantId },
        { locale: this.#o.locale },
      );
    }
    return record;
  }

  /** The machine context of a persisted workflow. */
  static contextOf(record: WorkflowRecord): Readonly<Record<string, unknown>> {
    const snapshot = record.snapshot as { context?: unknown };
    return (snapshot.context ?? {}) as Readonly<Record<string, unknown>>;
  }

  /**
   * The machine context of a persisted workflow, typed by its machine; a
   * record of another machine is a `StoreError` (never a context read as the
   * wrong type).
   */
  static contextFor<TMachine extends AnyStateMachine>(
    record: WorkflowRecord,
    machine: TMachine,
  ): ContextFrom<TMachine> {
    if (record.machine !== machine.id) {
      throw new StoreError({
        store: 'workflows',
        operation: `read ${machine.id} context`,
        detail: `workflow "${record.id}" is a ${record.machine} workflow`,
      });
    }
    return WorkflowSession.contextOf(record) as ContextFrom<TMachine>;
  }

  /**
   * Starts a workflow: creates the actor with `input`, persists its first
   * snapshot (the id must be new), and carries out what its initial state
   * emitted. Returns the record as it stands after every cascaded step.
   */
  async start(
    machineId: string,
    input: { readonly id: string; readonly [key: string]: unknown },
    options: { readonly actor: ActorRef; readonly subject: SubjectRef | null; readonly at: string },
  ): Promise<WorkflowRecord> {
    const definition = this.#definition(machineId);
    const emitted: WorkflowEmitted[] = [];
    const actor = this.#actor(definition.machine, { input }, emitted);
    this.#failIfErrored(actor);
    // XState types it `Snapshot<unknown>`; for machines without spawned actors it is plain JSON (library boundary).
    const snapshot = actor.getPersistedSnapshot() as unknown as PersistedWorkflowSnapshot;
    const value = actor.getSnapshot().value;
    actor.stop();
    const now = this.#o.now;
    const record: WorkflowRecord = {
      tenantId: this.#o.tenantId,
      id: input.id,
      machine: definition.id,
      machineVersion: definition.version,
      state: topState(value),
      snapshot,
      subject: options.subject,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.#o.tx.putWorkflow(record, null);
    this.#records.set(record.id, record);
    this.#audit.push({
      actor: options.actor,
      action: `workflow.${kebab(definition.id)}.start`,
      subject: { type: 'workflow', id: record.id },
      data: { machine: definition.id, machineVersion: definition.version, to: record.state, input: input as Json },
    });
    const queue: Pending[] = [];
    await this.#carryOut(record, emitted, { actor: options.actor, at: options.at }, queue);
    await this.#drain(queue);
    return this.get(record.id);
  }

  /**
   * Sends an event from a caller. A refused event throws
   * `WorkflowRejectedError` (and the caller's transaction rolls back).
   */
  async send(
    workflowId: string,
    event: WorkflowInputEvent,
    options: { readonly actor: ActorRef; readonly at: string },
  ): Promise<WorkflowRecord> {
    await this.#drain([{ workflowId, event, actor: options.actor, at: options.at, origin: 'caller' }]);
    return this.get(workflowId);
  }

  /**
   * Delivers a durable timer's event. Returns `false` when the workflow is
   * gone or no longer accepts it (the state moved on): stale timers are
   * dropped, not errors.
   */
  async deliverTimer(workflowId: string, event: WorkflowInputEvent, dueAt: string): Promise<boolean> {
    return this.#drain([{ workflowId, event, actor: { type: 'system', id: 'timer' }, at: dueAt, origin: 'timer' }]);
  }

  /** Processes events until the cascade settles; `false` if the first event was dropped. */
  async #drain(queue: Pending[]): Promise<boolean> {
    let first = true;
    let firstAccepted = true;
    while (queue.length > 0) {
      const next = queue.shift() as Pending;
      if (++this.#steps > MAX_STEPS) {
        throw new TypeError(
          `workflow cascade exceeded ${MAX_STEPS} steps (a command and a machine answering each other forever?)`,
        );
      }
      const accepted = await this.#step(next, queue);
      if (first) firstAccepted = accepted;
      first = false;
    }
    return firstAccepted;
  }

  async #step(pending: Pending, queue: Pending[]): Promise<boolean> {
    const record = await this.find(pending.workflowId);
    if (!record) {
      if (pending.origin === 'timer' || pending.origin === 'signal') return false;
      await this.get(pending.workflowId);
      return false;
    }
    const definition = this.#definition(record.machine);
    const snapshot = this.#migrate(record, definition);
    const emitted: WorkflowEmitted[] = [];
    const actor = this.#actor(definition.machine, { snapshot }, emitted);
    const event = { ...pending.event, at: pending.at, actor: pending.actor };
    const before = actor.getSnapshot();
    if (before.status !== 'active' || !before.can(event)) {
      actor.stop();
      if (pending.origin === 'timer' || pending.origin === 'signal') return false;
      throw new WorkflowRejectedError(
        {
          workflowId: record.id,
          machine: record.machine,
          state: record.state,
          event: pending.event.type,
          actorId: pending.actor.id,
        },
        { locale: this.#o.locale },
      );
    }
    actor.send(event);
    this.#failIfErrored(actor);
    const after = actor.getSnapshot();
    // As in start(): XState's `Snapshot<unknown>` is our plain-JSON persisted snapshot (library boundary).
    const persisted = actor.getPersistedSnapshot() as unknown as PersistedWorkflowSnapshot;
    actor.stop();
    const updated: WorkflowRecord = {
      ...record,
      machineVersion: definition.version,
      state: topState(after.value),
      snapshot: persisted,
      version: record.version + 1,
      updatedAt: this.#o.now,
    };
    await this.#o.tx.putWorkflow(updated, record.version);
    this.#records.set(updated.id, updated);
    const { type, at: _at, actor: _actor, ...payload } = event;
    this.#audit.push({
      actor: pending.actor,
      action: `workflow.${kebab(record.machine)}.${kebab(type)}`,
      subject: { type: 'workflow', id: record.id },
      data: { machine: record.machine, from: record.state, to: updated.state, event: payload as Json },
    });
    await this.#carryOut(updated, emitted, pending, queue);
    return true;
  }

  /** Carries out emitted requests in order; replies and signals join the queue. */
  async #carryOut(
    record: WorkflowRecord,
    emitted: readonly WorkflowEmitted[],
    cause: { readonly actor: ActorRef; readonly at: string },
    queue: Pending[],
  ): Promise<void> {
    const { tx, tenantId, ids } = this.#o;
    const now = this.#o.now;
    const effects: NewOutboxEffect[] = [];
    const flush = async () => {
      if (effects.length > 0) await tx.enqueueEffects(effects.splice(0));
    };
    const replies: Pending[] = [];
    for (const request of emitted) {
      switch (request.type) {
        case 'guard.notify':
          effects.push({
            id: ids.next('fx'),
            tenantId,
            idempotencyKey: `${record.id}:${request.key}`,
            kind: 'notify',
            payload: {
              template: request.template,
              to: [...request.to],
              data: request.data,
              workflowId: record.id,
              machine: record.machine,
            },
            availableAt: now,
            createdAt: now,
          });
          break;
        case 'guard.effect':
          effects.push({
            id: ids.next('fx'),
            tenantId,
            idempotencyKey: `${record.id}:${request.key}`,
            kind: request.kind,
            payload: request.payload,
            availableAt: now,
            createdAt: now,
          });
          break;
        case 'guard.schedule':
          await tx.scheduleTimer({
            id: ids.next('tm'),
            tenantId,
            key: `${record.id}:${request.key}`,
            workflowId: record.id,
            event: request.event,
            dueAt: request.at,
            createdAt: now,
          });
          break;
        case 'guard.cancel':
          await tx.cancelTimer(tenantId, `${record.id}:${request.key}`);
          break;
        case 'guard.signal':
          replies.push({
            workflowId: request.workflowId,
            event: request.event,
            actor: SYSTEM_ACTOR,
            at: cause.at,
            origin: 'signal',
          });
          break;
        case 'guard.command': {
          await flush();
          const handler = this.#o.registry.commands.get(request.command);
          if (!handler) {
            throw new TypeError(
              `no handler registered for workflow command "${request.command}" (machine ${record.machine})`,
            );
          }
          const current = this.#records.get(record.id) ?? record;
          const answers = await handler(request.payload, {
            env: this.#o.env,
            tx,
            tenantId,
            workflow: current,
            context: WorkflowSession.contextOf(current),
            at: cause.at,
            actor: cause.actor,
            session: this,
          });
          for (const answer of answers ?? []) {
            replies.push({ workflowId: record.id, event: answer, actor: SYSTEM_ACTOR, at: cause.at, origin: 'reply' });
          }
          break;
        }
      }
    }
    await flush();
    queue.unshift(...replies);
  }

  #definition(machineId: string): WorkflowDefinition {
    const definition = this.#o.registry.definitions.get(machineId);
    if (!definition) throw new TypeError(`no workflow machine "${machineId}" is registered`);
    return definition;
  }

  /** The record's snapshot at the definition's version, or `WorkflowVersionError`. */
  #migrate(record: WorkflowRecord, definition: WorkflowDefinition): PersistedWorkflowSnapshot {
    if (record.machineVersion > definition.version || record.machineVersion < 1) {
      throw new WorkflowVersionError(
        { workflowId: record.id, machine: record.machine, version: record.machineVersion, known: definition.version },
        { locale: this.#o.locale },
      );
    }
    let snapshot = record.snapshot as PersistedWorkflowSnapshot;
    for (let v = record.machineVersion; v < definition.version; v++) {
      const migration = definition.migrations[v];
      if (!migration) {
        throw new WorkflowVersionError(
          { workflowId: record.id, machine: record.machine, version: record.machineVersion, known: definition.version },
          { locale: this.#o.locale },
        );
      }
      snapshot = migration(snapshot);
    }
    return snapshot;
  }

  /** A started actor whose emitted events are collected and whose errors do not escape as unhandled. */
  #actor(
    machine: AnyStateMachine,
    options: { input: unknown } | { snapshot: PersistedWorkflowSnapshot },
    emitted: WorkflowEmitted[],
  ): AnyActorRef & { getPersistedSnapshot(): unknown } {
    const actor = createActor(machine, options as never);
    actor.on('*', (e: unknown) => {
      emitted.push(e as WorkflowEmitted);
    });
    actor.subscribe({ error: () => {} });
    actor.start();
    return actor;
  }

  /** A machine whose action or guard threw is a bug in the machine: rethrow it so the transaction rolls back. */
  #failIfErrored(actor: AnyActorRef): void {
    const snapshot = actor.getSnapshot() as { status: string; error?: unknown };
    if (snapshot.status === 'error') {
      actor.stop();
      throw snapshot.error instanceof Error
        ? snapshot.error
        : new Error(`workflow machine failed: ${String(snapshot.error)}`);
    }
  }
}
