import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import type { CustomerInput, TenantGuard } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/**
 * Whatever a customer goes through, their contact and commercial values are
 * never stored in clear, and after their erasure none can be read back
 * (issue #22): random sequences of what hosts and employees do with a
 * customer, then an erasure, then a scan of everything the store holds.
 */

const RUNS = soak({ ci: 30, soak: 1_000 });

/** A value no other data contains: a phone, an e-mail, a contact name and terms, each tagged with a run-unique number. */
const secretsOf = (n: number) => ({
  contact: {
    phone: `139${String(10_000_000 + n).slice(-8)}`,
    email: `p${n}@secret-buyer.cn`,
    contactPerson: `赵${n}号`,
  },
  commercial: { creditLimit: 7_000_000 + n, terms: `月结${n}天` },
});
const textsOf = (s: ReturnType<typeof secretsOf>) => [
  s.contact.phone,
  s.contact.email,
  s.contact.contactPerson,
  String(s.commercial.creditLimit),
  s.commercial.terms,
];

type Step =
  | { readonly kind: 'read'; readonly actor: 'rep' | 'mgr' | 'hr' }
  | { readonly kind: 'list'; readonly actor: 'rep' | 'mgr' | 'hr'; readonly scope: 'own' | 'team' | 'tenant' }
  | { readonly kind: 'export'; readonly classes: readonly string[] }
  | { readonly kind: 'update' }
  | { readonly kind: 'follow-up' }
  | { readonly kind: 'transfer' }
  | { readonly kind: 'offboarding' }
  | { readonly kind: 'evidence' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('read' as const),
    actor: fc.constantFrom('rep' as const, 'mgr' as const, 'hr' as const),
  }),
  fc.record({
    kind: fc.constant('list' as const),
    actor: fc.constantFrom('rep' as const, 'mgr' as const, 'hr' as const),
    scope: fc.constantFrom('own' as const, 'team' as const, 'tenant' as const),
  }),
  fc.record({
    kind: fc.constant('export' as const),
    classes: fc.subarray(['public', 'contact', 'commercial'], { minLength: 1 }),
  }),
  fc.constant({ kind: 'update' as const }),
  fc.constant({ kind: 'follow-up' as const }),
  fc.constant({ kind: 'transfer' as const }),
  fc.constant({ kind: 'offboarding' as const }),
  fc.constant({ kind: 'evidence' as const }),
);

/** The customer's name, found nowhere else. */
const NAME = 'Secret Buyer 秘密买家';

/** Steps run and refused, for the soak figures. */
const tally = { sequences: 0, steps: 0, refused: 0, scans: 0 };

/** Runs a step; a refusal (the policy, a workflow already started) is part of the story, not a failure. */
async function run(t: TenantGuard, step: Step, customer: () => CustomerInput, next: () => CustomerInput) {
  tally.steps++;
  const tolerate = (p: Promise<unknown>) =>
    p.catch((e: unknown) => {
      if (!(e as { code?: string }).code) return Promise.reject(e);
      tally.refused++;
      return null;
    });
  switch (step.kind) {
    case 'read':
      return tolerate(t.customers.read({ actor: step.actor, customerId: 'c-secret' }));
    case 'list':
      return tolerate(t.customers.list({ actor: step.actor, scope: step.scope }));
    case 'export':
      return tolerate(
        (async () => {
          const r = await t.customers.requestExport({
            actor: 'rep',
            customerIds: ['c-secret'],
            classes: [...step.classes],
            reason: 'visit plan',
          });
          if (r.status === 'ready') await t.customers.downloadExport({ actor: 'rep', exportId: r.id });
        })(),
      );
    case 'update':
      return t.customers.upsert({ ...next(), ownerId: customer().ownerId });
    case 'follow-up':
      return tolerate(t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-secret', channel: 'call' }));
    case 'transfer':
      // The manager's request starts an approval whose title, audit entries and notification name the customer.
      return tolerate(t.ownership.requestTransfer({ actor: 'mgr', customerId: 'c-secret', to: 'mate', reason: 'x' }));
    case 'offboarding':
      return tolerate(
        t.offboarding.start({
          employeeId: 'rep',
          resignationDate: '2026-11-02',
          lastWorkingDay: '2026-11-30',
          reason: 'moving on',
        }),
      );
    default:
      return t.evidence.pack({ employeeId: 'rep' });
  }
}

describe('a customer’s personal data', () => {
  it(
    'is never stored in clear, whatever happens to the customer; after an erasure none of it, nor the name, is left',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { maxLength: 8 }), async (steps) => {
          tally.sequences++;
          const { t, store } = await seededGuard();
          const raw = () =>
            JSON.stringify([...store.raw.entries()], (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
          let n = 0;
          const used: string[] = [];
          let current: CustomerInput;
          const next = (): CustomerInput => {
            const secrets = secretsOf(++n);
            used.push(...textsOf(secrets));
            current = {
              id: 'c-secret',
              name: NAME,
              ownerId: 'rep',
              unitId: 'sh-1',
              fields: { public: { city: '上海' }, ...secrets },
            };
            return current;
          };
          await t.customers.upsert(next());
          for (const step of steps) {
            await run(t, step, () => current, next);
            tally.scans++;
            const text = raw();
            for (const value of used)
              expect(text.includes(value), `${value} stored in clear after ${step.kind}`).toBe(false);
          }
          await t.privacy.erase({ customerId: 'c-secret', reason: 'PIPL request' });
          const view = await t.customers.read({ actor: 'hr', customerId: 'c-secret' });
          expect(view.fields).toEqual({});
          const text = raw();
          for (const value of used) expect(text.includes(value)).toBe(false);
          // Nor the name: texts that named the customer hold its id and look the name up when read.
          expect(text.includes(NAME), `the name is still stored after ${steps.map((s) => s.kind).join(', ')}`).toBe(
            false,
          );
          expect((await t.audit.verify()).ok).toBe(true);
        }),
        { numRuns: RUNS },
      );
      console.log(
        `[erasure] ${tally.sequences} sequences, ${tally.steps} steps (${tally.refused} refused), ${tally.scans + tally.sequences} scans of the store, every one clean`,
      );
    },
    soak({ ci: 120_000, soak: 4 * 3_600_000 }),
  );
});
