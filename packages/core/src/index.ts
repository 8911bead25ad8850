/**
 * Guard core: the access policy, the audit hash chain, the domain schemas,
 * the ports (store, clock, ids, keys) and the in-memory reference store.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys, memoryStore } from '@guard/core';
 * const guard = createGuard({ store: memoryStore(), keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY! } }) });
 * ```
 *
 * @packageDocumentation
 */
export * from './audit/index.js';
export * from './domain/index.js';
export * from './errors/index.js';
export * from './guard/index.js';
export * from './i18n/index.js';
export * from './policy/index.js';
export * from './ports/index.js';
export * from './store/index.js';
