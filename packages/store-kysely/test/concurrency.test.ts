/**
 * The cross-process concurrency suite (issue #22), on PostgreSQL and MariaDB:
 * four Node processes sharing one database through Guard's public API.
 *
 * - 4 × 250 claims on 100 pool customers: one pending claim per customer,
 *   every other attempt refused with a typed error;
 * - two managers approving the same claims at once, from four processes:
 *   one decision per approval, one owner per customer — the claimant;
 * - four workers at once: every due timer fires once (claim approvals that
 *   time out), every effect is delivered once, including transfers whose
 *   handler takes three times the lease.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard, type TenantGuard } from '@guard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kyselyStore, type SqlDialectName } from '../src/index.js';
import { raceChildren, startChild } from '../test-support/child-process.js';
import { CONCURRENCY_TENANT, type ConcurrencyJob, concurrencyKeys } from '../test-support/concurrency-job.js';
import { testDatabase } from '../test-support/databases.js';
import { connectRaw, type SqlHarness, sqlHarness } from '../test-support/sql-harness.js';

const PROCESSES = 4;
const CUSTOMERS = 100;
const ATTEMPTS = 250;
const TIMED_OUT = 20;
const LEASE_MS = 1000;

const script = fileURLToPath(new URL('../test-support/concurrency-worker.ts', import.meta.url));
const customerId = (i: number) => `c-${String(i).padStart(3, '0')}`;

type Job = ConcurrencyJob extends infer J
  ? J extends unknown
    ? Omit<J, 'dialect' | 'target' | 'prefix'>
    : never
  : never;

/** Starts one process per job, lets them go together, and returns what each printed. */
function race<R>(harness: SqlHarness, dialect: SqlDialectName, jobs: readonly Job[], dir: string): Promise<R[]> {
  return raceChildren(
    jobs.map((job, i) => {
      const file = join(dir, `job-${job.phase}-${i}.json`);
      writeFileSync(file, JSON.stringify({ ...job, dialect, target: harness.target, prefix: harness.prefix }));
      return startChild<R>(script, [file], `process ${i} (${job.phase})`);
    }),
  );
}

const targets: { dialect: SqlDialectName; url: string }[] = [];
for (const dialect of ['postgres', 'mysql'] as const) {
  const url = await testDatabase(dialect);
  if (url !== null) targets.push({ dialect, url });
}

describe.each(targets)('4 processes on one $dialect database', ({ dialect, url }) => {
  let harness: SqlHarness;
  let t: TenantGuard;
  let dir: string;
  const claims = new Map<string, { claimant: string; approvalId: string }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'guard-concurrency-'));
    harness = await sqlHarness({
      dialect,
      url,
      open: ({ prefix }) =>
        kyselyStore({ db: connectRaw(dialect, url), dialect, tablePrefix: prefix, destroyOnClose: true }),
    });
    const guard = createGuard({ store: harness.store, keys: concurrencyKeys });
    await guard.tenants.upsert({ id: CONCURRENCY_TENANT, name: '华东贸易', timeZone: 'Asia/Shanghai' });
    t = guard.tenant(CONCURRENCY_TENANT);
    await t.directory.sync({
      units: [
        { id: 'hq', name: '总部', kind: 'hq', parentId: null },
        { id: 'sh', name: '上海', kind: 'branch', parentId: 'hq' },
      ],
      employees: [
        { id: 'mgr-a', name: '王经理', unitId: 'sh', roles: ['manager'], hireDate: '2018-01-01' },
        { id: 'mgr-b', name: '李经理', unitId: 'sh', roles: ['manager'], hireDate: '2018-01-01' },
        ...Array.from({ length: PROCESSES }, (_, w) => ({
          id: `rep-${w}`,
          name: `销售${w}`,
          unitId: 'sh',
          managerId: 'mgr-a',
          roles: ['sales'],
          hireDate: '2022-01-01',
        })),
      ],
    });
    await t.customers.upsert(
      Array.from({ length: CUSTOMERS + TIMED_OUT }, (_, i) => ({
        id: customerId(i),
        name: `客户${i}`,
        ownerId: null,
        unitId: 'sh',
      })),
    );
    const unlimited = { limit: 100_000, windowMinutes: 60 };
    await t.settings.update({
      claims: { dailyQuota: 10_000, maxCustomersPerRep: 10_000 },
      anomaly: { ownershipChange: unlimited, denied: unlimited, view: unlimited },
      // Either manager may decide; the first decision settles it.
      approvals: { 'ownership-claim': [{ approvers: [{ type: 'role', role: 'manager' }], quorum: 'any' }] },
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${PROCESSES} × ${ATTEMPTS} claims on ${CUSTOMERS} customers, then two managers approving at once: one claim, one decision, one owner each`, async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => customerId(i));
    const claimed = await race<{
      won: { customerId: string; claimId: string; approvalId: string | null }[];
      refused: Record<string, number>;
    }>(
      harness,
      dialect,
      Array.from({ length: PROCESSES }, (_, w) => ({
        phase: 'claim' as const,
        index: w,
        actor: `rep-${w}`,
        customerIds: ids,
        attempts: ATTEMPTS,
      })),
      dir,
    );
    claimed.forEach((r, w) => {
      for (const c of r.won) {
        expect(claims.get(c.customerId), `${c.customerId} claimed twice`).toBeUndefined();
        expect(c.approvalId).not.toBeNull();
        claims.set(c.customerId, { claimant: `rep-${w}`, approvalId: c.approvalId as string });
      }
    });
    expect(claims.size).toBe(CUSTOMERS);
    const refusals = claimed.reduce((n, r) => n + Object.values(r.refused).reduce((a, b) => a + b, 0), 0);
    expect(refusals).toBe(PROCESSES * ATTEMPTS - CUSTOMERS);
    // A race, not a relay: more than one process won claims.
    expect(claimed.filter((r) => r.won.length > 0).length).toBeGreaterThan(1);

    const approvalIds = [...claims.values()].map((c) => c.approvalId);
    const approved = await race<{ decided: string[]; refused: Record<string, number> }>(
      harness,
      dialect,
      Array.from({ length: PROCESSES }, (_, w) => ({
        phase: 'approve' as const,
        index: w,
        actor: w % 2 === 0 ? 'mgr-a' : 'mgr-b',
        approvalIds,
      })),
      dir,
    );
    const decided = approved.flatMap((r) => r.decided);
    expect(decided.sort()).toEqual([...approvalIds].sort());
    for (const [id, { claimant, approvalId }] of claims) {
      const approval = await t.approvals.get(approvalId);
      expect(approval).toMatchObject({ state: 'approved', outcome: 'approved' });
      expect(approval.decisions, approvalId).toHaveLength(1);
      const [owner] = (await t.ownership.history(id)).items.map((h) => h.to);
      expect(owner, id).toBe(claimant);
    }
    expect(await t.audit.verify()).toMatchObject({ ok: true });
  }, 300_000);

  it(`${PROCESSES} workers at once: each due timer fires once, each effect is delivered once, a handler slower than its lease included`, async () => {
    // Claims whose approval times out in an hour and is then approved by the timer.
    await t.settings.update({
      claims: { dailyQuota: 10_000, maxCustomersPerRep: 10_000 },
      anomaly: {
        ownershipChange: { limit: 100_000, windowMinutes: 60 },
        denied: { limit: 100_000, windowMinutes: 60 },
      },
      approvals: {
        'ownership-claim': [
          {
            approvers: [{ type: 'role', role: 'manager' }],
            quorum: 'any',
            // biome-ignore lint/suspicious/noThenProperty: `then` is the timeout's action in the approval-level JSON format
            timeout: { hours: 1, then: 'approve' },
          },
        ],
      },
    });
    const timed: { customerId: string; approvalId: string }[] = [];
    for (let i = CUSTOMERS; i < CUSTOMERS + TIMED_OUT; i++) {
      const claim = await t.ownership.claim({ actor: 'rep-0', customerId: customerId(i) });
      timed.push({ customerId: claim.customerId, approvalId: claim.approvalId as string });
    }
    const backlog = await t.outbox.backlog();
    const deliveries = join(dir, 'deliveries.tsv');
    writeFileSync(deliveries, '');
    const slow = Array.from({ length: CUSTOMERS + TIMED_OUT }, (_, i) => customerId(i)).filter((_, i) => i % 30 === 0);
    const worked = await race<{ timersFired: number; effectsDelivered: number; effectsFailed: number }>(
      harness,
      dialect,
      Array.from({ length: PROCESSES }, (_, w) => ({
        phase: 'work' as const,
        index: w,
        now: new Date(Date.now() + 2 * 3_600_000).toISOString(),
        leaseMs: LEASE_MS,
        slow,
        slowMs: 3 * LEASE_MS,
        deliveries,
      })),
      dir,
    );

    // Each timer once: every timed-out claim approved by its timer, with one decision, owned by its claimant.
    expect(worked.reduce((n, r) => n + r.timersFired, 0)).toBe(TIMED_OUT);
    for (const { customerId: id, approvalId } of timed) {
      expect(await t.approvals.get(approvalId), approvalId).toMatchObject({ state: 'approved' });
      expect(
        (await t.ownership.history(id)).items.map((h) => h.to),
        id,
      ).toEqual(['rep-0']);
    }
    // Each effect once: no line twice, every transfer (one per claim) and nothing left in the outbox.
    const lines = readFileSync(deliveries, 'utf8').trim().split('\n');
    const keys = lines.map((l) => l.split('\t').slice(0, 2).join('\t'));
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(twice, 'delivered more than once').toEqual([]);
    const transfers = lines.filter((l) => l.startsWith('crm.transfer\t')).map((l) => l.split('\t')[2]);
    expect(transfers.sort()).toEqual(Array.from({ length: CUSTOMERS + TIMED_OUT }, (_, i) => customerId(i)));
    expect(worked.reduce((n, r) => n + r.effectsDelivered, 0)).toBe(lines.length);
    expect(worked.reduce((n, r) => n + r.effectsFailed, 0)).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(backlog.effects.pending);
    expect((await t.outbox.backlog()).effects).toMatchObject({ pending: 0, dead: 0 });
    // More than one worker delivered: they really ran side by side.
    expect(new Set(lines.map((l) => l.split('\t').at(-1))).size).toBeGreaterThan(1);
    expect(await t.audit.verify()).toMatchObject({ ok: true });
  }, 300_000);
});
