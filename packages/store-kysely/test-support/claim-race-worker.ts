/**
 * The worker side of the multi-process claim race (see `claim-race.ts`):
 * runs in a child process, outside vitest.
 */
import { AuditLog, hmacKeys, systemClock } from '@guard/core';
import type { KyselyStore } from '../src/index.js';

export const RACE_TENANT = 'race';
export const RACE_CUSTOMERS = 100;
export const RACE_WORKERS = 4;

const keys = hmacKeys({ current: 'k1', keys: { k1: 'guard-claim-race-test-secret-0001' } });

/** The audit log every process uses; checkpoints every 10 entries, so signing one happens under contention too. */
export const raceAuditLog = (): AuditLog => new AuditLog({ clock: systemClock, keys, checkpointEvery: 10 });

export const raceCustomerId = (i: number): string => `c-${String(i).padStart(3, '0')}`;

/**
 * The worker's side: opens the store with `open(target, prefix)` from its
 * command line, tries to claim every customer (in an order of its own), each
 * claim and its audit entry in one transaction, and prints the ids it won
 * as JSON.
 */
export async function claimRaceWorker(open: (target: string, prefix: string) => KyselyStore): Promise<void> {
  const [target, prefix, index] = process.argv.slice(2);
  if (target === undefined || prefix === undefined || index === undefined) {
    throw new Error('usage: <worker> <target> <prefix> <worker index>');
  }
  const worker = Number(index);
  const store = open(target, prefix);
  const audit = raceAuditLog();
  await store.transaction((tx) => tx.getTenant(RACE_TENANT));
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
  // Each worker walks the customers in an order of its own (multipliers coprime with 100 make permutations).
  const step = [1, 3, 7, 9, 11, 13, 17, 19][worker % 8] ?? 1;
  const ids = Array.from({ length: RACE_CUSTOMERS }, (_, i) =>
    raceCustomerId((i * step + worker * 17) % RACE_CUSTOMERS),
  );
  const won: string[] = [];
  try {
    for (const id of ids) {
      const claimed = await store.transaction(async (tx) => {
        const customer = await tx.setCustomerOwner(RACE_TENANT, id, {
          from: null,
          to: `e-${worker}`,
          at: new Date().toISOString(),
        });
        if (customer === null) return false;
        await audit.append(tx, RACE_TENANT, [
          {
            actor: { type: 'employee', id: `e-${worker}` },
            action: 'customer.claim',
            subject: { type: 'customer', id },
            data: { worker, version: customer.version },
          },
        ]);
        return true;
      });
      if (claimed) won.push(id);
    }
  } finally {
    await store.close();
  }
  process.stdout.write(`${JSON.stringify(won)}\n`);
}
