export type { DeadEffectView, OutboxApi } from './dead-effects.js';
export type { EffectHandler, RunDueResult, Worker, WorkerOptions } from './worker.js';
