import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DueEntry, DueIndex } from '../src/store/due-index.js';

describe('DueIndex', () => {
  it('gives entries back by due time, then id, whatever the order they came in', () => {
    const entry = fc.record({
      due: fc.integer({ min: 0, max: 50 }).map((n) => new Date(Date.UTC(2026, 10, 2) + n * 60_000).toISOString()),
      id: fc.string({ minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(entry, fc.constant('pop' as const)), { maxLength: 200 }), (steps) => {
        const index = new DueIndex();
        const model: DueEntry[] = [];
        const order = (a: DueEntry, b: DueEntry) =>
          a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        for (const step of steps) {
          if (step === 'pop') {
            model.sort(order);
            const expected = model.shift();
            const got = index.pop();
            expect(got && { due: got.due, id: got.id }).toEqual(expected && { due: expected.due, id: expected.id });
          } else {
            const e = { tenantId: 't', key: step.id, ...step };
            index.add(e);
            model.push(e);
            expect(index.where(step.id)).toEqual({ tenantId: 't', key: step.id });
          }
          model.sort(order);
          expect(index.peek()?.due).toBe(model[0]?.due);
        }
      }),
      { numRuns: 300 },
    );
  });
});
