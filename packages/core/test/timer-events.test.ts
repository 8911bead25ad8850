import { describe, expect, it } from 'vitest';
import { memoryNotifier } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/** Timer events are JSON in the store: the worker parses them before acting on them. */
describe('timer events read back from the store', () => {
  async function withTimer(event: Parameters<typeof JSON.stringify>[0]) {
    const setup = await seededGuard();
    await setup.store.transaction((tx) =>
      tx.scheduleTimer({
        id: 'tm-odd',
        tenantId: 'acme',
        key: 'odd',
        workflowId: null,
        event,
        dueAt: '2026-11-02T00:00:00.000Z',
        createdAt: '2026-11-02T00:00:00.000Z',
      }),
    );
    const result = await setup.guard.worker({ notifier: memoryNotifier() }).runDue();
    const kept = await setup.store.transaction((tx) => tx.getTimer('acme', 'odd'));
    return { ...result, kept: kept !== null };
  }

  it('drops and counts a timer whose event has no type, without failing the run', async () => {
    for (const event of [null, ['follow-up.due'], { kind: 'follow-up.due' }, { type: 42 }]) {
      const result = await withTimer(event);
      expect(result, JSON.stringify(event)).toMatchObject({
        timersDropped: 1,
        timersFired: 0,
        timerErrors: [],
        kept: false,
      });
    }
  });

  it('refuses a follow-up event changed in the database, naming the bad field, and keeps the timer', async () => {
    const result = await withTimer({
      type: 'follow-up.due',
      customerId: 'c-rep',
      ownerId: 'rep',
      since: '2026-10-01T00:00:00.000Z',
      stage: 'transfer-to-me',
    });
    expect(result.timersFired).toBe(0);
    expect(result.timerErrors).toEqual([expect.stringMatching(/timer odd: .*follow-up\.due event.*stage/)]);
    expect(result.kept).toBe(true); // leased, and retried when the lease runs out
  });
});
