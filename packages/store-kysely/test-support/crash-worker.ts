/**
 * One process of the crash suite (`crash.test.ts`), run outside vitest and
 * killed with SIGKILL at any moment: run after run, it drives a leaver's
 * offboarding through Guard's public API from wherever the case stands —
 * start, hand every item over, submit, accept, the three sign-offs — then
 * runs the worker until nothing is due, delivering `crm.transfer` effects to
 * a fake CRM (a file of lines) and notifications nowhere. Before every step
 * it prints `run <r> step <n> <what>`, so the parent can kill it at a step
 * boundary; at the end it prints `done`.
 *
 *     node --conditions=@guard/source --import tsx crash-worker.ts <db file> <runs> <crm file>
 */
import { appendFileSync } from 'node:fs';
import { createGuard, type OffboardingView } from '@guard/core';
import { kyselyStore } from '../src/index.js';
import { CRASH_TENANT, crashKeys, leaverId, successorOf } from './crash-job.js';
import { connectRaw } from './sql-harness.js';

const [file, runs, crm] = process.argv.slice(2) as [string, string, string];
const store = kyselyStore({ db: connectRaw('sqlite', file), dialect: 'sqlite', destroyOnClose: true });
const guard = createGuard({ store, keys: crashKeys });
const t = guard.tenant(CRASH_TENANT);

let run = 0;
let steps = 0;
let answeredSlowly = false;
const step = (what: string) => process.stdout.write(`run ${run} step ${++steps} ${what}\n`);

const SIGNERS = ['mgr', 'hr', 'fin'] as const;

/** One step forward from where the case stands; `false` once it is complete. */
async function advance(leaver: string, view: OffboardingView | null): Promise<boolean> {
  if (view === null) {
    step('start');
    const today = new Date().toISOString().slice(0, 10);
    const lastDay = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await t.offboarding.start({
      employeeId: leaver,
      resignationDate: today,
      lastWorkingDay: lastDay,
      reason: '个人原因',
    });
    return true;
  }
  if (view.completedAt !== null) return false;
  if (view.state === 'handover') {
    const item = view.items.find((i) => i.status === 'open' || i.status === 'returned');
    if (item !== undefined) {
      step(`submit ${item.kind}:${item.ref}`);
      await t.offboarding.submitItem({
        actor: leaver,
        caseId: view.id,
        itemId: item.id,
        ...(item.kind === 'customer' ? { successorId: successorOf(item.ref) } : {}),
        ...(item.kind === 'confirmation' ? { fileRef: `files/${view.id}-${item.ref}.pdf` } : {}),
      });
      return true;
    }
    step('submit handover');
    await t.offboarding.submitHandover({ actor: leaver, caseId: view.id });
    return true;
  }
  if (view.pendingApprovalId === null) {
    step('accept');
    await t.offboarding.acceptItems({ actor: 'mgr', caseId: view.id, itemIds: view.items.map((i) => i.id) });
    return true;
  }
  const approval = await t.approvals.get(view.pendingApprovalId);
  const signed = new Set(approval.decisions.map((d) => d.approver));
  const signer = SIGNERS.find((s) => !signed.has(s));
  if (signer === undefined)
    throw new Error(`case ${view.id} is signed off by everyone but not complete (${view.state})`);
  step(`sign-off ${signer}`);
  await t.offboarding.signOff({
    actor: signer,
    caseId: view.id,
    ...(signer === 'fin' ? { receivablesConfirmed: true } : {}),
  });
  return true;
}

// Short leases: an effect a killed process was delivering is taken over a second later.
const worker = guard.worker({
  leaseMs: 1000,
  notifier: { send: async () => undefined },
  effects: {
    'crm.transfer': async (effect) => {
      const p = effect.payload as { customerId: string; to: string | null };
      // The fake CRM: one line per delivery; it applies a key once, as a real one would.
      appendFileSync(crm, `${effect.idempotencyKey}\t${p.customerId}\t${p.to}\n`);
      // A boundary of its own: the CRM has applied the move, Guard has not yet recorded the delivery.
      step('delivered');
      // The CRM's first answer of a run takes a moment: a kill at this boundary lands before Guard records it.
      if (!answeredSlowly) {
        answeredSlowly = true;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
  },
});

try {
  for (run = 0; run < Number(runs); run++) {
    steps = 0;
    answeredSlowly = false;
    const leaver = leaverId(run);
    for (let i = 0; i < 50 && (await advance(leaver, await t.offboarding.forEmployee(leaver))); i++);
    step('deliver');
    // Until the outbox is empty: effects a killed process held wait for their lease to run out.
    for (let round = 0; round < 200; round++) {
      const r = await worker.runDue();
      if (r.timersFired + r.effectsDelivered + r.effectsFailed > 0) continue;
      if ((await t.outbox.backlog()).effects.pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  process.stdout.write('done\n');
} finally {
  await guard.close();
}
