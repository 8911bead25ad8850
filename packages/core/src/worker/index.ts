export type { DeadEffectView, OutboxApi } from './dead-effects.js';
export type {
  EffectBatchHandler,
  EffectContext,
  EffectHandler,
  EffectResult,
  RunDueResult,
  Worker,
  WorkerOptions,
} from './worker.js';
