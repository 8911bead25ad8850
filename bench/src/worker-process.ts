// One worker process of the bench's Postgres worker section (see workers.ts):
// connects, says it is ready, drains what is due when told to, reports, exits.
import { drain, postgresGuard } from './workers.js';

const [url, prefix] = process.argv.slice(2) as [string, string];
const send = (message: object) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

try {
  const guard = postgresGuard(url, prefix);
  // Connect before "ready", so that the timing starts with warm connections.
  await guard.tenants.get('warm-up').catch(() => undefined);
  await send({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const fired = await drain(guard);
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - started) / 1e3;
  // The share of the drain this process spent on a core: near 1, a faster CPU (or more cores) is what helps.
  await send({ type: 'done', fired, busy: (used.user + used.system) / wall });
  await guard.close();
} catch (error) {
  await send({ type: 'error', error: error instanceof Error ? error.stack : String(error) });
}
process.disconnect?.();
