import type * as z from 'zod';
import type { Json } from '../../domain/entities.js';
import { parseStored } from '../../store/records.js';
import type { TimerHandler, WorkflowInputEvent } from './session.js';

/**
 * A kind of timer that is not a workflow's (a follow-up clock, a scheduled
 * scan): its event type and the schema of its event. The event is checked
 * when it is scheduled and parsed when it fires, so a handler gets it typed
 * and an event changed in the database is a `StoreError`, not a guess.
 *
 * @example
 * ```ts
 * import type { TimerKind } from '@guard/core';
 * const since = (kind: TimerKind<{ type: 'follow-up.due'; since: string }>, timer: TimerRecord) =>
 *   kind.read(timer.event).since; // a StoreError if the stored event lost its `since`
 * ```
 */
export interface TimerKind<T extends { readonly type: string }> {
  /** The event's `type`, which the worker dispatches on. */
  readonly type: T['type'];
  /** The event as stored with the timer: parsed, plain JSON. */
  event(value: T): Json;
  /** A stored event, parsed. @throws StoreError when it does not fit the schema. */
  read(event: Json | WorkflowInputEvent): T;
  /** The timer handler to register under {@link TimerKind.type}: it gets the event parsed. */
  handler<TEnv>(
    handle: (event: T, context: Parameters<TimerHandler<TEnv>>[1]) => Promise<void>,
  ): Readonly<Record<string, TimerHandler<TEnv>>>;
}

/**
 * Declares a {@link TimerKind}.
 *
 * @example
 * ```ts
 * const due = timerKind('follow-up.due', z.object({ type: z.literal('follow-up.due'), customerId: z.string() }));
 * await tx.scheduleTimer({ ...timer, event: due.event({ type: 'follow-up.due', customerId: 'c-1' }) });
 * const module = { timers: due.handler(async (event) => console.log(event.customerId)) };
 * ```
 */
export function timerKind<S extends z.ZodType<{ readonly type: string }>>(
  type: z.output<S>['type'],
  schema: S,
): TimerKind<z.output<S>> {
  type T = z.output<S>;
  const read = (event: unknown, operation: string): T =>
    parseStored(schema, event, 'timers', `${operation} ${type} event`);
  return {
    type,
    // The one cast of timer events in core: a schema of JSON data parses to JSON.
    event: (value) => read(value, 'schedule') as Json,
    read: (event) => read(event, 'read'),
    handler: (handle) => ({ [type]: (event, context) => handle(read(event, 'read'), context) }),
  };
}

/**
 * Whether a stored timer event has the shape every timer event has — an
 * object with a string `type` — so that the worker can dispatch it.
 *
 * @example
 * ```ts
 * if (isInputEvent(timer.event)) await session.deliverTimer(timer.workflowId, timer.event, timer.dueAt);
 * ```
 */
export function isInputEvent(event: Json): event is WorkflowInputEvent {
  if (typeof event !== 'object' || event === null || isList(event)) return false;
  return typeof event.type === 'string';
}

/** `Array.isArray` that narrows readonly arrays too. */
const isList = (value: Json): value is readonly Json[] => Array.isArray(value);
