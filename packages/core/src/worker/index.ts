export type { DeadEffectView, OutboxApi } from './dead-effects.js';
export type { EffectContext, EffectHandler, RunDueResult, Worker, WorkerOptions } from './worker.js';
