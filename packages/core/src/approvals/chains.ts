import type { TenantSettings } from '../settings/settings.js';
import type { ApprovalKind, ApprovalLevel } from '../workflows/approval/index.js';

/**
 * The approval chain of each kind when the tenant configures none:
 * an export needs the manager and then HR (two approvals); special terms the
 * manager and the manager's manager; an offboarding sign-off the manager, HR
 * and finance in parallel; the rest the requester's manager. Claims and
 * transfers escalate after 48 hours without a decision.
 *
 * @example
 * ```ts
 * import { defaultApprovalChains } from '@guard/core';
 * defaultApprovalChains['customer-export'].length; // 2
 * ```
 */
export const defaultApprovalChains: Readonly<Record<ApprovalKind, readonly ApprovalLevel[]>> = Object.freeze({
  'customer-export': [
    // biome-ignore lint/suspicious/noThenProperty: `then` is the timeout's action in the approval-level JSON format
    { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any', timeout: { hours: 48, then: 'escalate' } },
    { name: 'hr', approvers: [{ type: 'role', role: 'hr-admin' }], quorum: 'any' },
  ],
  'large-discount': [
    { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any' },
    { name: 'finance', approvers: [{ type: 'role', role: 'finance' }], quorum: 'any' },
  ],
  'special-terms': [
    { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any' },
    { name: 'director', approvers: [{ type: 'skip-manager' }], quorum: 'any' },
  ],
  'ownership-claim': [
    // biome-ignore lint/suspicious/noThenProperty: `then` is the timeout's action in the approval-level JSON format
    { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any', timeout: { hours: 48, then: 'escalate' } },
  ],
  'ownership-transfer': [
    // biome-ignore lint/suspicious/noThenProperty: `then` is the timeout's action in the approval-level JSON format
    { name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any', timeout: { hours: 48, then: 'escalate' } },
  ],
  'offboarding-signoff': [
    {
      name: 'sign-off',
      approvers: [{ type: 'manager' }, { type: 'role', role: 'hr-admin' }, { type: 'role', role: 'finance' }],
      quorum: 'all',
    },
  ],
  'customer-delete': [{ name: 'manager', approvers: [{ type: 'manager' }], quorum: 'any' }],
});

/** The tenant's chain for a kind (its settings, else the default). */
export function chainFor(settings: TenantSettings, kind: ApprovalKind): readonly ApprovalLevel[] {
  return settings.approvals[kind] ?? defaultApprovalChains[kind];
}
