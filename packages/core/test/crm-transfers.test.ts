import { describe, expect, it } from 'vitest';
import {
  CRM_TRANSFER_EFFECT,
  type CrmTransferPayload,
  crmTransferPayloadSchema,
  type OutboxEffect,
} from '../src/index.js';
import { seededGuard } from './fixtures.js';

type Setup = Awaited<ReturnType<typeof seededGuard>>;

/** Delivers due effects and returns the CRM transfers among them. */
async function delivered({ guard }: Setup): Promise<CrmTransferPayload[]> {
  const seen: OutboxEffect[] = [];
  await guard.worker({ effects: { [CRM_TRANSFER_EFFECT]: async (e) => void seen.push(e) } }).runDue();
  return seen.map((e) => crmTransferPayloadSchema.parse(e.payload));
}

/** @see issue #16, hole 3: claims, releases and returns to the pool told the CRM nothing. */
describe('every owner change queues one crm.transfer, where the move happens', () => {
  it('an approved claim of a pool customer', async () => {
    const setup = await seededGuard();
    const claim = await setup.t.ownership.claim({ actor: 'rep', customerId: 'c-pool', reason: 'met at the fair' });
    expect(await delivered(setup)).toEqual([]);
    await setup.t.approvals.approve({ actor: 'mgr', approvalId: claim.approvalId as string });
    expect(await delivered(setup)).toEqual([
      expect.objectContaining({ customerId: 'c-pool', from: null, to: 'rep', reason: 'claim' }),
    ]);
  });

  it('a release to the pool', async () => {
    const setup = await seededGuard();
    const released = await setup.t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    expect(await delivered(setup)).toEqual([
      {
        customerId: 'c-rep',
        from: 'rep',
        to: null,
        reason: 'release',
        version: released.version,
        at: expect.any(String),
      },
    ]);
  });

  it('a return to the pool by the follow-up rule, once', async () => {
    const setup = await seededGuard();
    await setup.t.settings.update({
      followUp: { remindAfterDays: 1, alertManagerAfterDays: 2, returnToPoolAfterDays: 3 },
    });
    await setup.t.ownership.recordFollowUp({ actor: 'rep', customerId: 'c-rep', channel: 'call' });
    const seen: CrmTransferPayload[] = [];
    for (let day = 1; day <= 6; day++) {
      setup.clock.advance({ days: 1 });
      seen.push(...(await delivered(setup)));
    }
    expect(seen.filter((p) => p.customerId === 'c-rep')).toEqual([
      expect.objectContaining({ customerId: 'c-rep', from: 'rep', to: null, reason: 'follow-up-rule' }),
    ]);
  });

  it('an approved transfer, with the approval as its idempotency key', async () => {
    const setup = await seededGuard();
    const { approvalId } = await setup.t.ownership.requestTransfer({
      actor: 'mgr',
      customerId: 'c-rep',
      to: 'mate',
      reason: 'rebalance',
    });
    await setup.t.approvals.approve({ actor: 'hr', approvalId });
    const keys: string[] = [];
    await setup.guard
      .worker({ effects: { [CRM_TRANSFER_EFFECT]: async (e) => void keys.push(e.idempotencyKey) } })
      .runDue();
    expect(keys).toEqual([`${approvalId}:crm-transfer`]);
  });
});

describe('worker fallback', () => {
  it('delivers the kinds without a handler of their own, and only those', async () => {
    const setup = await seededGuard();
    await setup.t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    const fallback: string[] = [];
    const own: string[] = [];
    const first = await setup.guard.worker({ effects: {}, fallback: async (e) => void fallback.push(e.kind) }).runDue();
    expect(first.effectsDelivered).toBeGreaterThanOrEqual(1);
    expect(fallback).toContain(CRM_TRANSFER_EFFECT);
    expect(fallback).not.toContain('notify');

    await setup.t.ownership.release({ actor: 'mate', customerId: 'c-mate', reason: 'moved away' });
    fallback.length = 0;
    await setup.guard
      .worker({
        effects: { [CRM_TRANSFER_EFFECT]: async (e) => void own.push(e.kind) },
        fallback: async (e) => void fallback.push(e.kind),
      })
      .runDue();
    expect(own).toEqual([CRM_TRANSFER_EFFECT]);
    expect(fallback).toEqual([]);
  });
});

describe('a product without a CRM', () => {
  it('says so with crm: { connectors: [] }: owner changes complete in Guard, nothing fails or dies', async () => {
    const setup = await setupWithRelease();
    const run = await setup.guard.worker({ crm: { connectors: [] } }).runDue();
    expect(run).toMatchObject({ effectsFailed: 0, effectsDead: 0 });
    expect(run.effectsDelivered).toBeGreaterThanOrEqual(1);
    expect((await setup.t.outbox.backlog()).effects).toMatchObject({ pending: 0, dead: 0 });
  });

  it('without saying so, the effect waits and its error names both ways out', async () => {
    const setup = await setupWithRelease();
    const run = await setup.guard.worker({}).runDue();
    expect(run.effectsFailed).toBe(1);
    expect((await setup.t.outbox.backlog()).effects.retrying).toBe(1);
    const waiting = [...(setup.store.raw.get('acme')?.effects.values() ?? [])].filter(
      (e) => e.kind === CRM_TRANSFER_EFFECT,
    );
    expect(waiting.map((e) => e.lastError)).toEqual([expect.stringContaining('connectors: [] when it has no CRM')]);
  });
});

async function setupWithRelease() {
  const setup = await seededGuard();
  await setup.t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
  return setup;
}
