/** What the crash suite's parent and its processes (`crash-worker.ts`) share. */
import { hmacKeys } from '@guard/core';

export const CRASH_TENANT = 'crash';
export const crashKeys = hmacKeys({ current: 'k1', keys: { k1: 'guard-crash-suite-secret-of-32-bytes' } });

/** Customers per leaver. */
export const CUSTOMERS_PER_LEAVER = 3;

export const leaverId = (run: number): string => `rep-${String(run).padStart(3, '0')}`;
export const customerOf = (run: number, i: number): string => `c-${String(run).padStart(3, '0')}-${i}`;

/** Who takes a customer over: alternately two colleagues. */
export function successorOf(customerId: string): string {
  return Number(customerId.at(-1)) % 2 === 0 ? 'mate-a' : 'mate-b';
}
