/**
 * One process of the cross-process concurrency suite (`concurrency.test.ts`),
 * run outside vitest: it opens the store under test, says `ready`, waits for
 * `go` on stdin, does its part through Guard's public API, and prints what it
 * did as one JSON line.
 *
 *     node --conditions=@guard/source --import tsx concurrency-worker.ts <job.json>
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createGuard, type EffectHandler, isGuardError, type Notifier } from '@guard/core';
import { kyselyStore } from '../src/index.js';
import { CONCURRENCY_TENANT, type ConcurrencyJob, concurrencyKeys } from './concurrency-job.js';
import { connectRaw } from './sql-harness.js';

/** Walks `items` from an offset and with a stride of the process's own (strides coprime with the length). */
function ownOrder<T>(items: readonly T[], index: number, count = items.length): T[] {
  const n = items.length;
  const strides = [1, 3, 7, 9, 11, 13, 17, 19].filter((s) => gcd(s, n) === 1);
  const stride = strides[index % strides.length] ?? 1;
  return Array.from({ length: count }, (_, i) => items[(i * stride + index * 17) % n] as T);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Counts errors by code; anything that is not a typed GuardError is rethrown (the process then fails). */
function tally(counts: Record<string, number>, error: unknown): void {
  if (!isGuardError(error)) throw error;
  counts[error.code] = (counts[error.code] ?? 0) + 1;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ConcurrencyJob;
  const store = kyselyStore({
    db: connectRaw(job.dialect, job.target),
    dialect: job.dialect,
    tablePrefix: job.prefix,
    destroyOnClose: true,
  });
  const guard = createGuard({ store, keys: concurrencyKeys });
  const t = guard.tenant(CONCURRENCY_TENANT);
  await t.settings.get();
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
  const refused: Record<string, number> = {};
  let result: object;
  try {
    switch (job.phase) {
      case 'claim': {
        const won: { customerId: string; claimId: string; approvalId: string | null }[] = [];
        for (const customerId of ownOrder(job.customerIds, job.index, job.attempts)) {
          try {
            const claim = await t.ownership.claim({ actor: job.actor, customerId });
            won.push({ customerId, claimId: claim.id, approvalId: claim.approvalId });
          } catch (error) {
            tally(refused, error);
          }
        }
        result = { won, refused };
        break;
      }
      case 'approve': {
        const decided: string[] = [];
        for (const approvalId of ownOrder(job.approvalIds, job.index)) {
          try {
            await t.approvals.approve({ actor: job.actor, approvalId });
            decided.push(approvalId);
          } catch (error) {
            tally(refused, error);
          }
        }
        result = { decided, refused };
        break;
      }
      case 'work': {
        const record = (line: string) => appendFileSync(job.deliveries, `${line}\t${process.pid}\n`);
        const transfer: EffectHandler = async (effect, { signal }) => {
          const customerId = String((effect.payload as { customerId?: unknown }).customerId);
          if (job.slow.includes(customerId)) {
            await new Promise((resolve) => setTimeout(resolve, job.slowMs));
            // A lease lost meanwhile would abort the signal: then the delivery must not count.
            if (signal.aborted) throw new Error('lease lost');
          }
          record(`crm.transfer\t${effect.id}\t${customerId}`);
        };
        const notifier: Notifier = {
          async send(notification) {
            record(`notify\t${notification.id}\t${notification.template}`);
          },
        };
        const worker = guard.worker({
          workerId: `w-${job.index}`,
          leaseMs: job.leaseMs,
          batchSize: 10,
          notifier,
          effects: { 'crm.transfer': transfer },
        });
        const totals = { timersFired: 0, effectsDelivered: 0, effectsFailed: 0, rounds: 0 };
        for (;;) {
          const r = await worker.runDue(new Date(job.now));
          totals.rounds++;
          totals.timersFired += r.timersFired;
          totals.effectsDelivered += r.effectsDelivered;
          totals.effectsFailed += r.effectsFailed;
          if (r.timerErrors.length > 0) throw new Error(`timer errors: ${r.timerErrors.join('; ')}`);
          if (r.timersFired + r.timersDropped + r.effectsDelivered + r.effectsFailed === 0) break;
        }
        result = totals;
        break;
      }
    }
  } finally {
    await guard.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
