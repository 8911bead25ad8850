/**
 * Guard core: the access policy, the audit hash chain, the domain schemas,
 * durable workflows (approvals, ownership claims, offboarding, agreements)
 * on XState, anomaly detection, the ports (store, notifier, clock, ids,
 * keys) and the in-memory reference store.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys, memoryStore } from '@guard/core';
 * const guard = createGuard({ store: memoryStore(), keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY! } }) });
 * ```
 *
 * @packageDocumentation
 */
export * from './agreements/index.js';
export * from './alerts/index.js';
export * from './anomaly/index.js';
export * from './approvals/index.js';
export * from './audit/index.js';
export * from './connectors/index.js';
export * from './crm/index.js';
export * from './customers/index.js';
export * from './domain/index.js';
export * from './errors/index.js';
export * from './evidence/index.js';
export * from './guard/index.js';
export * from './i18n/index.js';
export * from './kernel/index.js';
export * from './offboarding/index.js';
export * from './orders/index.js';
export * from './ownership/index.js';
export * from './policy/index.js';
export * from './ports/index.js';
export * from './privacy/public.js';
export * from './requests/index.js';
export * from './risk/index.js';
export * from './settings/index.js';
export * from './store/index.js';
export * from './worker/index.js';
export * from './workflows/index.js';
