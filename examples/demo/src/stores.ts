import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type MemoryStore, memoryStore, type Store } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import type { Tamper } from './story.js';

/** A store for the demo, and a way to tamper with it behind Guard's back. */
export interface DemoStore {
  readonly store: Store;
  readonly tamper: Tamper;
  readonly description: string;
}

/**
 * The embedded default: a SQLite file. The demo keeps the database handle so
 * that its "someone with database access" scene can run a plain SQL UPDATE.
 */
export async function sqliteDemoStore(filename: string): Promise<DemoStore> {
  mkdirSync(dirname(filename), { recursive: true });
  const database = new BetterSqlite3(filename);
  database.pragma('journal_mode = WAL');
  const store = sqliteStore({ database });
  await store.migrate();
  const close = store.close.bind(store);
  const actorOf = database.prepare<[string, number], { actor_id: string }>(
    'select actor_id from guard_audit_entries where tenant_id = ? and seq = ?',
  );
  const setActor = database.prepare<[string, string, number]>(
    'update guard_audit_entries set actor_id = ? where tenant_id = ? and seq = ?',
  );
  return {
    description: `SQLite file ${filename}`,
    store: Object.assign(store, {
      async close() {
        await close();
        database.close();
      },
    }),
    tamper: {
      async rewriteActor(tenantId, seq, actorId) {
        const original = actorOf.get(tenantId, seq)?.actor_id;
        if (original === undefined) throw new Error(`demo: no audit entry #${seq}`);
        setActor.run(actorId, tenantId, seq);
        return async () => {
          setActor.run(original, tenantId, seq);
        };
      },
    },
  };
}

/** Everything in memory: nothing survives the process. */
export function memoryDemoStore(): DemoStore {
  const store: MemoryStore = memoryStore();
  return {
    description: 'memory (nothing is kept)',
    store,
    tamper: {
      async rewriteActor(tenantId, seq, actorId) {
        const log = store.raw.get(tenantId)?.audit ?? [];
        const index = log.findIndex((e) => e.seq === seq);
        const original = log[index];
        if (!original) throw new Error(`demo: no audit entry #${seq}`);
        log[index] = { ...original, actor: { ...original.actor, id: actorId } };
        return async () => {
          log[index] = original;
        };
      },
    },
  };
}
