import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerInput, OrderInput } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/**
 * Invariants of personal data at rest and of retention (issue #22), over
 * random inputs.
 */

const printable = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((s) => !/[\uD800-\uDFFF]/.test(s));
const fieldValue = fc.oneof(printable, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const fieldName = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,10}$/);
const classValues = fc.dictionary(fieldName, fieldValue, { minKeys: 1, maxKeys: 4 });

describe('customer fields at rest', () => {
  it('read back exactly as written, whatever the values, and never as stored text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ public: classValues, contact: classValues, commercial: classValues }, { requiredKeys: [] }),
        async (fields) => {
          const { t, store } = await seededGuard();
          const input: CustomerInput = { id: 'c-x', name: 'X', ownerId: 'rep', unitId: 'sh-1', fields };
          await t.customers.upsert(input);
          // `-0` is stored as JSON, which has no negative zero.
          const expected = JSON.parse(JSON.stringify(fields)) as typeof fields;
          expect((await t.customers.read({ actor: 'rep', customerId: 'c-x' })).fields).toEqual(expected);
          const stored = store.raw.get('acme')?.customers.get('c-x')?.fields as Record<string, unknown>;
          expect(Object.keys(stored).sort()).toEqual(
            [
              ...('public' in fields ? ['public'] : []),
              ...('contact' in fields || 'commercial' in fields ? ['~sealed'] : []),
            ].sort(),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

const DAY = 86_400_000;
/** The seeded guard's clock: 2026-11-02T02:00:00Z. */
const NOW = Date.parse('2026-11-02T02:00:00.000Z');
const statuses = ['open', 'won', 'fulfilled', 'lost', 'cancelled'] as const;

describe('retention', () => {
  it('erases exactly the orders and follow-ups past their time that are finished and not under a hold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            customer: fc.constantFrom('c-rep', 'c-mate'),
            ageDays: fc.integer({ min: 0, max: 400 }),
            status: fc.constantFrom(...statuses),
            owed: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
        fc.array(
          fc.record({ customer: fc.constantFrom('c-rep', 'c-mate'), ageDays: fc.integer({ min: 0, max: 400 }) }),
          {
            maxLength: 8,
          },
        ),
        fc.integer({ min: 1, max: 365 }),
        fc.boolean(),
        async (orders, followUps, days, held) => {
          const { t } = await seededGuard();
          const at = (ageDays: number) => new Date(NOW - ageDays * DAY - 60_000).toISOString();
          if (orders.length > 0) {
            await t.orders.upsert(
              orders.map(
                (o, i): OrderInput => ({
                  id: `o-${i}`,
                  customerId: o.customer,
                  ownerId: o.customer === 'c-rep' ? 'rep' : 'mate',
                  amountMinor: 100_00,
                  currency: 'CNY',
                  orderedAt: at(o.ageDays),
                  status: o.status,
                  receivableMinor: o.owed ? 50_00 : 0,
                }),
              ),
            );
          }
          for (const f of followUps) {
            const actor = f.customer === 'c-rep' ? 'rep' : 'mate';
            await t.ownership.recordFollowUp({ actor, customerId: f.customer, channel: 'call', at: at(f.ageDays) });
          }
          if (held) {
            const pack = await t.evidence.pack({ employeeId: 'rep' });
            await t.privacy.hold({ on: { type: 'evidence-pack', exportSeq: pack.audit.exportSeq }, reason: 'x' });
          }
          await t.settings.update({ retention: { orders: days, followUps: days } });
          await t.privacy.applyRetention();

          const covered = (customer: string) => held && customer === 'c-rep';
          const expired = (ageDays: number) => ageDays >= days;
          const finished = (o: (typeof orders)[number]) =>
            o.status === 'lost' ||
            o.status === 'cancelled' ||
            ((o.status === 'won' || o.status === 'fulfilled') && !o.owed);
          const keptOrders = orders
            .map((o, i) => ({ ...o, id: `o-${i}` }))
            .filter((o) => !(expired(o.ageDays) && finished(o) && !covered(o.customer)))
            .map((o) => o.id)
            .sort();
          // The orders Guard still has, as evidence packs show them: each owner's customers' orders.
          const remaining: string[] = [];
          for (const employeeId of ['rep', 'mate']) {
            remaining.push(...(await t.evidence.pack({ employeeId })).orders.map((o) => o.id));
          }
          expect(remaining.sort()).toEqual(keptOrders);

          for (const c of ['c-rep', 'c-mate'] as const) {
            const kept = followUps.filter((f) => f.customer === c && !(expired(f.ageDays) && !covered(c))).length;
            expect((await t.ownership.followUps(c)).items).toHaveLength(kept);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
