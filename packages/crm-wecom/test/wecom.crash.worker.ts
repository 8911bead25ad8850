// Run by wecom.crash.test.ts as a child process (node --conditions=@guard/source --import tsx <this file>):
// a Guard worker that delivers CRM transfers to the fake corp until it is killed.
import { createGuard, hmacKeys, memoryNotifier } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { wecomConnector } from '../src/index.js';
import { CRASH_KEYS, POOL } from './harness.js';

const [filename, baseUrl, corpId, corpSecret] = process.argv.slice(2) as [string, string, string, string];
const store = sqliteStore({ filename, busyTimeoutMs: 20_000 });
const guard = createGuard({ store, keys: hmacKeys(CRASH_KEYS) });
const wecom = wecomConnector({
  corpId,
  corpSecret,
  baseUrl,
  poolUserId: POOL,
  retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
});
const worker = guard.worker({
  notifier: memoryNotifier(),
  crm: { connectors: [wecom], checkEveryMs: 1000 },
  batchSize: 100,
  leaseMs: 1500,
  retryBaseMs: 200,
  workerId: `crash-${process.pid}`,
});
process.stdout.write('ready\n');
for (;;) {
  const run = await worker.runDue();
  process.stdout.write(`${JSON.stringify(run)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
