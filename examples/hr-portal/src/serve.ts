// Serves the portal on a database that already holds the host's tables and
// Guard's: Guard on the real clock, the worker loop, the Fastify app. Used by
// `main.ts` (the portal on its own) and by the demo (the chain company).
import { createGuard, type KeyProvider, memoryNotifier, type Store } from '@guard/core';
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildPortal } from './app.js';
import type { WorkerRun } from './views/operations.js';

export interface ServeOptions {
  /** The host's database (see `openHostDb`), with Guard's tables migrated in it. */
  readonly db: Database.Database;
  /** Guard's store on that database. */
  readonly store: Store;
  readonly keys: KeyProvider;
  readonly tenantId: string;
  /** Where handover confirmations are kept. */
  readonly filesDir: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /** How often the worker loop runs, in milliseconds. Default 15 s. */
  readonly workerEveryMs?: number;
}

export interface ServedPortal {
  readonly app: FastifyInstance;
  readonly url: string;
  /** Stops the worker loop and the server. */
  close(): Promise<void>;
}

/** Starts the worker loop and the portal on 127.0.0.1. */
export async function servePortal(options: ServeOptions): Promise<ServedPortal> {
  const guard = createGuard({ store: options.store, keys: options.keys, locale: 'zh-CN' });
  // Timers and outbox effects. Notifications are kept in memory here; a real
  // product sends them by e-mail or WeCom (a `Notifier` of its own).
  // The example has no CRM behind it: owner changes live in Guard alone.
  const worker = guard.worker({ notifier: memoryNotifier(), crm: { connectors: [] } });
  let lastRun: WorkerRun | null = null;
  const runWorker = async () => {
    const result = await worker.runDue();
    lastRun = { at: new Date().toISOString(), ...result };
  };
  await runWorker();
  const timer = setInterval(
    () => void runWorker().catch((error: unknown) => console.error('worker:', error)),
    options.workerEveryMs ?? 15_000,
  );
  timer.unref();
  const app = await buildPortal({
    db: options.db,
    guard: guard.tenant(options.tenantId),
    sessionSecret: process.env.PORTAL_SESSION_SECRET ?? 'portal-example-session-secret-of-32+',
    filesDir: options.filesDir,
    keys: options.keys,
    lastWorkerRun: () => lastRun,
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 3000 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    url: `http://127.0.0.1:${port}/`,
    async close() {
      clearInterval(timer);
      await app.close();
    },
  };
}
