import { deepFreeze } from './freeze.js';
import { definePolicy, type PolicyInput } from './policy-schema.js';

const ALL_SHOWN = { public: 'show', contact: 'show', commercial: 'show' } as const;
const CONTACT_MASKED = { public: 'show', contact: 'mask', commercial: 'show' } as const;
const PUBLIC_ONLY = { public: 'show' } as const;

/**
 * The policy Guard uses when none is configured: roles `sales`, `manager`
 * and `hr-admin` over the classes `public`, `contact` and `commercial`.
 *
 * - Sales reps see and edit their own customers in full (with the
 *   confidentiality notice), see only the public fields of their team's
 *   customers, may browse and claim from the public pool, and may export their own
 *   customers with contacts masked, after approval, watermarked.
 * - Managers read, update and transfer every customer of their unit subtree
 *   in full; exports and deletes need approval.
 * - HR admins read every customer of the tenant with contacts masked.
 * - Nobody exports between 22:00 and 06:00 local time.
 *
 * The object is deeply frozen; copy it to derive your own.
 *
 * @example
 * ```ts
 * import { compilePolicy, defaultPolicy, definePolicy } from '@guard/core';
 * const policy = compilePolicy(defaultPolicy);
 * const stricter = definePolicy({ ...defaultPolicy, rules: defaultPolicy.rules.filter((r) => r.id !== 'sales-pool-public') });
 * ```
 */
export const defaultPolicy: PolicyInput = deepFreeze(
  definePolicy({
    version: 1,
    fieldClasses: ['public', 'contact', 'commercial'],
    rules: [
      {
        id: 'sales-own-full',
        description: 'A sales rep reads and updates their own customers in full, under the confidentiality notice.',
        effect: 'allow',
        actions: ['read', 'update'],
        roles: ['sales'],
        scope: 'own',
        fields: ALL_SHOWN,
        obligations: [{ type: 'confidentiality-notice' }],
      },
      {
        id: 'sales-team-public',
        description: "A sales rep sees only the public fields of teammates' customers (no contacts, no deal data).",
        effect: 'allow',
        actions: ['read'],
        roles: ['sales'],
        scope: 'team',
        fields: PUBLIC_ONLY,
      },
      {
        id: 'sales-pool-public',
        description:
          'A sales rep may browse the public pool (公海) and claim an unowned customer, seeing its public fields only.',
        effect: 'allow',
        actions: ['read', 'claim'],
        roles: ['sales'],
        scope: 'pool',
        fields: PUBLIC_ONLY,
      },
      {
        id: 'sales-export-own',
        description:
          'A sales rep may export their own customers after approval: contacts masked, the file watermarked.',
        effect: 'allow',
        actions: ['export'],
        roles: ['sales'],
        scope: 'own',
        fields: CONTACT_MASKED,
        obligations: [{ type: 'approval', approvalKind: 'customer-export' }, { type: 'watermark' }],
      },
      {
        id: 'manager-team-full',
        description: 'A manager reads, updates and reassigns every customer of their unit subtree in full.',
        effect: 'allow',
        actions: ['read', 'update', 'transfer'],
        roles: ['manager'],
        scope: 'team',
        fields: ALL_SHOWN,
        obligations: [{ type: 'confidentiality-notice' }],
      },
      {
        id: 'manager-team-export',
        description: "A manager may export their unit's customers in full, after approval and watermarked.",
        effect: 'allow',
        actions: ['export'],
        roles: ['manager'],
        scope: 'team',
        fields: ALL_SHOWN,
        obligations: [{ type: 'approval', approvalKind: 'customer-export' }, { type: 'watermark' }],
      },
      {
        id: 'manager-team-delete',
        description: 'A manager may delete a customer of their unit, but only through an approved request.',
        effect: 'allow',
        actions: ['delete'],
        roles: ['manager'],
        scope: 'team',
        obligations: [{ type: 'approval', approvalKind: 'customer-delete' }],
      },
      {
        id: 'hr-admin-tenant-read',
        description: 'An HR admin reads every customer of the tenant (e.g. for a handover) with contacts masked.',
        effect: 'allow',
        actions: ['read'],
        roles: ['hr-admin'],
        scope: 'tenant',
        fields: CONTACT_MASKED,
      },
      {
        id: 'no-after-hours-export',
        description: 'Nobody exports customers between 22:00 and 06:00 local time, when bulk theft usually happens.',
        effect: 'deny',
        actions: ['export'],
        scope: 'tenant',
        when: { timeOfDay: { from: '22:00', to: '06:00' } },
      },
    ],
  }),
);
