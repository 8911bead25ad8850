import { type MemoryStore, type MemoryTenantData, memoryStore } from '@guard/core';
import { describeStoreConformance, type RawReader, type StoreHarness } from '../src/index.js';

/** Reads the memory store's backing maps: what it really holds, not what its methods return. */
function memoryRawReader(store: MemoryStore): RawReader {
  const rows = <T, R>(tenantId: string, pick: (data: MemoryTenantData) => Iterable<T>, map: (row: T) => R): R[] => {
    const data = store.raw.get(tenantId);
    return data ? [...pick(data)].map(map) : [];
  };
  return {
    async customers(tenantId) {
      return rows(
        tenantId,
        (d) => d.customers.values(),
        (c) => ({ id: c.id, name: c.name, ownerId: c.ownerId, unitId: c.unitId, version: c.version }),
      );
    },
    async auditEntries(tenantId) {
      return rows(
        tenantId,
        (d) => d.audit,
        (e) => ({
          seq: e.seq,
          action: e.action,
          actorId: e.actor.id,
          prevHash: e.prevHash,
          hash: e.hash,
          seal: e.seal,
        }),
      );
    },
    async auditHead(tenantId) {
      const head = store.raw.get(tenantId)?.auditHead;
      return head ? { seq: head.seq, hash: head.hash, seal: head.seal } : null;
    },
    async workflows(tenantId) {
      return rows(
        tenantId,
        (d) => d.workflows.values(),
        (w) => ({ id: w.id, state: w.state, version: w.version }),
      );
    },
    async effects(tenantId) {
      return rows(
        tenantId,
        (d) => d.effects.values(),
        (e) => ({
          id: e.id,
          idempotencyKey: e.idempotencyKey,
          status: e.status,
          attempts: e.attempts,
          leaseOwner: e.leaseOwner,
        }),
      );
    },
    async timers(tenantId) {
      return rows(
        tenantId,
        (d) => d.timers.values(),
        (t) => ({ id: t.id, key: t.key, dueAt: t.dueAt, leaseOwner: t.leaseOwner }),
      );
    },
    async records(tenantId) {
      return rows(
        tenantId,
        (d) => [...d.records.values()].flatMap((ofKind) => [...ofKind.values()]),
        (r) => ({
          kind: r.kind,
          id: r.id,
          ref: r.ref,
          status: r.status,
          at: r.at,
          data: structuredClone(r.data),
          version: r.version,
        }),
      );
    },
  };
}

async function memoryHarness(): Promise<StoreHarness> {
  const store = memoryStore();
  return { store, raw: memoryRawReader(store), cleanup: () => store.close() };
}

describeStoreConformance('memory store', {
  harness: memoryHarness,
  optOut: [
    'concurrency > two transactions can be open at the same time',
    'concurrency > a claim of effects skips the rows another open transaction holds',
    'concurrency > a claim of timers skips the rows another open transaction holds',
    'concurrency > concurrent workers each get a full batch of distinct effects',
  ],
});
