/** What the concurrency suite's parent and its processes (`concurrency-worker.ts`) share. */
import { hmacKeys } from '@guard/core';
import type { SqlDialectName } from '../src/index.js';

export const CONCURRENCY_TENANT = 'race';
export const concurrencyKeys = hmacKeys({ current: 'k1', keys: { k1: 'guard-concurrency-suite-secret-0001' } });

/** What a process is asked to do. */
export type ConcurrencyJob = {
  readonly dialect: SqlDialectName;
  readonly target: string;
  readonly prefix: string;
  readonly index: number;
} & (
  | {
      /** Claim `attempts` times, as `actor`, walking `customerIds` in an order of its own. */
      readonly phase: 'claim';
      readonly actor: string;
      readonly customerIds: readonly string[];
      readonly attempts: number;
    }
  | {
      /** Approve every one of `approvalIds` as `actor`, in an order of its own. */
      readonly phase: 'approve';
      readonly actor: string;
      readonly approvalIds: readonly string[];
    }
  | {
      /**
       * Run the worker at `now` until a round finds nothing to do, delivering
       * `crm.transfer` effects and notifications by appending a line to
       * `deliveries`; transfers of customers in `slow` take `slowMs`.
       */
      readonly phase: 'work';
      readonly now: string;
      readonly leaseMs: number;
      readonly slow: readonly string[];
      readonly slowMs: number;
      readonly deliveries: string;
    }
);
