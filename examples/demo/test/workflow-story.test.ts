import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@guard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDemoStore } from '../src/stores.js';
import { newMemo, type StoryMemo, storyGuard, workflowSteps } from '../src/workflow-story.js';

/** Everything the story leaves behind that a restart could get wrong. */
async function endState(store: Store) {
  return store.transaction(async (tx) => {
    const tenantId = 'huadong';
    const workflows = [];
    let cursor: string | undefined;
    do {
      const page = await tx.listWorkflows(tenantId, {}, { limit: 500, ...(cursor ? { cursor } : {}) });
      workflows.push(
        ...page.items.map((w) => ({
          id: w.id,
          machine: w.machine,
          state: w.state,
          version: w.version,
          snapshot: w.snapshot,
        })),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const customers = [];
    cursor = undefined;
    do {
      const page = await tx.listCustomers(tenantId, {}, { limit: 500, ...(cursor ? { cursor } : {}) });
      customers.push(...page.items.map((c) => ({ id: c.id, ownerId: c.ownerId, version: c.version })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const alerts = await tx.listRecords(tenantId, { kind: 'alert' }, { limit: 1000 });
    const employees = await tx.getEmployees(tenantId, ['e-lilei', 'e-hanmeimei', 'e-liuyang']);
    // The same entries in the same order. Their hashes differ, as every entry has a random salt,
    // and so does the digest of an evidence pack's manifest, which covers entries.
    const audit = [];
    for (let after = 0; ; ) {
      const page = await tx.readAudit(tenantId, after, 1000);
      audit.push(
        ...page.map(({ seq, at, actor, action, subject, data }) => ({
          seq,
          at,
          actor,
          action,
          subject,
          data: action === 'evidence.export' ? { ...data, manifestDigest: 'salted' } : data,
        })),
      );
      const last = page.at(-1);
      if (!last) break;
      after = last.seq;
    }
    return {
      workflows,
      customers,
      alerts: alerts.items.map((a) => ({ id: a.id, status: a.status, data: a.data })),
      employees: employees.map((e) => ({ id: e.id, status: e.status })).sort((a, b) => a.id.localeCompare(b.id)),
      audit,
    };
  });
}

describe('the workflow story (issue #4)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guard-story-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarting the process between every two steps ends in the same state as one run', {
    timeout: 300_000,
  }, async () => {
    // One process, one Guard, every step.
    const once = await sqliteDemoStore(join(dir, 'once.db'));
    const memoOnce: StoryMemo = await newMemo(once.store);
    const guard = storyGuard(once.store, memoOnce, 'en');
    for (const step of workflowSteps) await step.run(guard, memoOnce, () => {}, false);
    const expected = await endState(once.store);
    await once.store.close();

    // A new process (store, Guard, worker) for every step; only the database and the host's memo carry over.
    const file = join(dir, 'restarts.db');
    let memo: StoryMemo | null = null;
    for (const step of workflowSteps) {
      const { store } = await sqliteDemoStore(file);
      memo ??= await newMemo(store);
      const restored: StoryMemo = JSON.parse(JSON.stringify(memo));
      await step.run(storyGuard(store, restored, 'en'), restored, () => {}, false);
      memo = restored;
      await store.close();
    }
    const { store } = await sqliteDemoStore(file);
    const actual = await endState(store);
    await store.close();

    expect(memo?.findings).toEqual(memoOnce.findings);
    expect(actual).toEqual(expected);
    // and the story itself told what issue #4 promises
    expect(memoOnce.findings).toMatchObject({
      secondClaim: 'CONFLICT',
      claimOutcome: 'owned',
      poolOwner: 'e-liuyang',
      bulkDelete: 'ACTOR_BLOCKED',
      listWhileBlocked: 'ACTOR_BLOCKED',
      statusAfterResignation: 'resigning',
      financeWithoutCheck: 'VALIDATION_FAILED',
      caseState: 'watch',
      frozen: 'frozen',
      forgottenOwner: 'null',
      closed: 'closed',
      auditOk: true,
      // issue #5: the flight-risk pack alerts once on the resigning rep; the diversion pack flags the former customers who went quiet
      // Flight risk predicts resignations: once he has resigned it is 0, and data movement takes over.
      flightRisk: 0,
      exfiltrationRisk: 80,
      riskAlertsRaised: 1,
      // #17: a rep moving her customers' data is alerted on before she resigns, to her manager and HR only;
      // a colleague who resigns honestly is left alone.
      poacherStatus: 'active',
      poacherAlerts: 2,
      poacherTold: false,
      earlyWarningTold: 'e-ceo,e-zhaomin',
      leaverAlerts: 0,
      formerCustomers: 8,
      divertedFlagged: 4,
    });
    expect(String(memoOnce.findings.exportPhone)).toMatch(/^1\*{6}\d{4}$/);
    expect(Number(memoOnce.findings.overdueAlerts)).toBeGreaterThanOrEqual(1);
    expect(memoOnce.findings.duplicates).toBe('c-001');
  });
});
