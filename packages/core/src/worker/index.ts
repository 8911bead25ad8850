export type { EffectHandler, RunDueResult, Worker, WorkerOptions } from './worker.js';
