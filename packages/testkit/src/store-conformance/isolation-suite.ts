import type {
  AuditEntry,
  CustomerRecord,
  EmployeeRecord,
  OrgUnitRecord,
  OutboxEffect,
  StoredRecord,
  StoreTransaction,
  TenantRecord,
  TimerRecord,
  WorkflowRecord,
} from '@guard/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  auditLog,
  claim,
  customerRecord,
  employeeRecord,
  instant,
  inTx,
  newEffect,
  newTimer,
  sortBy,
  storedRecord,
  tenantRecord,
  unitRecord,
  workflowRecord,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** Few runs: every run is dozens of statements, and on a networked database each one is a round trip. */
const NUM_RUNS = 50;
const CLAIM_RUNS = 30;
/** A networked database needs a few seconds for those runs; vitest's default of 5 s is too tight. */
const PROPERTY_TIMEOUT_MS = 60_000;

/** Ids shared by both tenants, so that a missing tenant condition shows. */
const IDS = ['a', 'b', 'c', 'd'] as const;
const UNIT_PATHS = { hq: ['hq'], u1: ['hq', 'u1'], u2: ['hq', 'u1', 'u2'], u3: ['hq', 'u3'] } as const;
type UnitId = keyof typeof UNIT_PATHS;

const id = fc.constantFrom(...IDS);
const due = fc.constantFrom(-1000, 0, 1000);
/** Record kinds: the same ids in each, so that a missing kind condition shows too. */
const RECORD_KINDS = ['alert', 'order'] as const;
const RECORD_STATUSES = ['open', 'done'] as const;

/** One tenant's data; each tenant of a run gets its own. */
const world = fc.record({
  tenant: fc.boolean(),
  units: fc.subarray(['u1', 'u2', 'u3'] as UnitId[]),
  employees: fc.uniqueArray(id, { maxLength: 3 }),
  customers: fc.uniqueArray(
    fc.record({ id, ownerId: fc.option(id, { nil: null }), unitId: fc.constantFrom<UnitId>('hq', 'u1', 'u2', 'u3') }),
    { selector: (c) => c.id, maxLength: 4 },
  ),
  workflows: fc.uniqueArray(fc.record({ id, state: fc.constantFrom('pending', 'done') }), {
    selector: (w) => w.id,
    maxLength: 3,
  }),
  audit: fc.array(fc.record({ actorId: id, count: fc.integer({ min: 1, max: 2 }) }), { maxLength: 3 }),
  effects: fc.uniqueArray(fc.record({ key: id, due }), { selector: (e) => e.key, maxLength: 3 }),
  timers: fc.uniqueArray(fc.record({ key: id, due }), { selector: (t) => t.key, maxLength: 3 }),
  records: fc.uniqueArray(
    fc.record({
      kind: fc.constantFrom(...RECORD_KINDS),
      id,
      ref: fc.option(id, { nil: null }),
      status: fc.option(fc.constantFrom(...RECORD_STATUSES), { nil: null }),
      due,
    }),
    { selector: (r) => `${r.kind}/${r.id}`, maxLength: 4 },
  ),
});
type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

/** What a tenant holds once its world is written. */
interface Model {
  readonly tenant: TenantRecord | null;
  readonly units: OrgUnitRecord[];
  readonly employees: EmployeeRecord[];
  readonly customers: CustomerRecord[];
  readonly workflows: WorkflowRecord[];
  readonly audit: AuditEntry[];
  readonly effects: OutboxEffect[];
  readonly timers: TimerRecord[];
  readonly records: StoredRecord[];
}

/** Writes `w` as tenant `tenantId`; every name, payload and effect or timer id carries the tenant id. */
async function write(h: StoreHarness, tenantId: string, w: World): Promise<Model> {
  const { log } = auditLog(2);
  const model: Model = {
    tenant: w.tenant ? tenantRecord(tenantId, { name: `${tenantId} name` }) : null,
    units: (['hq', ...w.units] as UnitId[]).map((u) =>
      unitRecord(tenantId, UNIT_PATHS[u], { name: `${tenantId}:${u}` }),
    ),
    employees: w.employees.map((e) => employeeRecord(tenantId, e, 'hq', { name: `${tenantId}:${e}` })),
    customers: w.customers.map((c) => customerRecord(tenantId, c.id, { ...c, name: `${tenantId}:${c.id}` })),
    workflows: w.workflows.map((wf) =>
      workflowRecord(tenantId, wf.id, {
        state: wf.state,
        snapshot: { tenantId },
        subject: { type: 'customer', id: wf.id },
      }),
    ),
    audit: [],
    effects: w.effects.map((e) => ({
      ...newEffect(tenantId, `${tenantId}:fx:${e.key}`, e.key, { payload: { tenantId }, availableAt: instant(e.due) }),
      status: 'pending',
      attempts: 0,
      lastError: null,
      leaseOwner: null,
      leaseUntil: null,
    })),
    timers: w.timers.map((t) => ({
      ...newTimer(tenantId, `${tenantId}:tm:${t.key}`, t.key, { event: { tenantId }, dueAt: instant(t.due) }),
      attempts: 0,
      leaseOwner: null,
      leaseUntil: null,
    })),
    records: w.records.map((r) =>
      storedRecord(tenantId, r.kind, r.id, { ref: r.ref, status: r.status, at: instant(r.due), data: { tenantId } }),
    ),
  };
  await inTx(h, async (tx) => {
    if (model.tenant) await tx.putTenant(model.tenant);
    await tx.putUnits(model.units);
    await tx.putEmployees(model.employees);
    for (const c of model.customers) await tx.putCustomer(c, null);
    for (const wf of model.workflows) await tx.putWorkflow(wf, null);
    for (const { actorId, count } of w.audit) {
      const drafts = Array.from({ length: count }, () => ({
        actor: { type: 'employee' as const, id: actorId },
        action: 'customer.read',
        subject: null,
        data: { tenantId },
      }));
      model.audit.push(...(await log.append(tx, tenantId, drafts)));
    }
    await tx.enqueueEffects(model.effects.map(({ status, attempts, lastError, leaseOwner, leaseUntil, ...e }) => e));
    for (const { attempts, leaseOwner, leaseUntil, ...t } of model.timers) await tx.scheduleTimer(t);
    for (const r of model.records) await tx.putRecord(r, null);
  });
  return model;
}

const byId = <T extends { id: string }>(rows: readonly T[]) => sortBy(rows, (r) => r.id);

/** Every tenant-scoped read of `tenantId`, in one transaction. */
async function readAll(tx: StoreTransaction, tenantId: string) {
  const unitIds = Object.keys(UNIT_PATHS);
  const all = { limit: 1000 };
  const perId = async <T>(get: (id: string) => Promise<T | null>) => {
    const out: T[] = [];
    for (const i of IDS) {
      const row = await get(i);
      if (row !== null) out.push(row);
    }
    return out;
  };
  return {
    tenant: await tx.getTenant(tenantId),
    units: byId(await tx.getUnits(tenantId, unitIds)),
    unitsUnder: (await tx.listUnitsUnder(tenantId, 'hq', all)).items,
    employees: byId(await tx.getEmployees(tenantId, IDS)),
    employeesListed: (await tx.listEmployees(tenantId, all)).items,
    customer: await perId((i) => tx.getCustomer(tenantId, i)),
    customers: byId(await tx.getCustomers(tenantId, IDS)),
    listed: (await tx.listCustomers(tenantId, {}, all)).items,
    owned: await (async () => {
      const out: (readonly CustomerRecord[])[] = [];
      for (const ownerId of IDS) out.push((await tx.listCustomers(tenantId, { ownerId }, all)).items);
      return out;
    })(),
    pool: (await tx.listCustomers(tenantId, { pool: true }, all)).items,
    subtree: (await tx.listCustomers(tenantId, { unitId: 'u1' }, all)).items,
    workflow: await perId((i) => tx.getWorkflow(tenantId, i)),
    workflows: (await tx.listWorkflows(tenantId, {}, all)).items,
    audit: await tx.readAudit(tenantId, 0, 1000),
    queried: (await tx.queryAudit(tenantId, all)).items,
    head: await tx.lockAuditHead(tenantId),
    checkpoints: await tx.readCheckpoints(tenantId, 0, 1000),
    latestCheckpoint: await tx.latestCheckpoint(tenantId),
    effects: await perId((key) => tx.getEffect(tenantId, key)),
    timers: await perId((key) => tx.getTimer(tenantId, key)),
    records: await (async () => {
      const out: StoredRecord[] = [];
      for (const kind of RECORD_KINDS) out.push(...(await perId((i) => tx.getRecord(tenantId, kind, i))));
      return out;
    })(),
    listedRecords: await (async () => {
      const out: (readonly StoredRecord[])[] = [];
      for (const kind of RECORD_KINDS) {
        out.push((await tx.listRecords(tenantId, { kind }, all)).items);
        out.push((await tx.listRecords(tenantId, { kind, order: 'desc', from: instant(0) }, all)).items);
        for (const ref of IDS) out.push((await tx.listRecords(tenantId, { kind, ref }, all)).items);
        for (const status of RECORD_STATUSES) out.push((await tx.listRecords(tenantId, { kind, status }, all)).items);
      }
      return out;
    })(),
  };
}

/** The same reads, computed from the model. */
function expectedReads(m: Model) {
  const customers = byId(m.customers);
  // A subtree is listed by unit path, then id.
  const subtreePaths = new Map(
    m.units.filter((u) => u.path.includes('u1')).map((u) => [u.id, `/${u.path.join('/')}/`]),
  );
  const last = m.audit.at(-1);
  return {
    tenant: m.tenant,
    units: byId(m.units),
    unitsUnder: byId(m.units.filter((u) => u.id !== 'hq')),
    employees: byId(m.employees),
    employeesListed: byId(m.employees),
    customer: customers,
    customers,
    listed: customers,
    owned: IDS.map((ownerId) => customers.filter((c) => c.ownerId === ownerId)),
    pool: customers.filter((c) => c.ownerId === null),
    subtree: sortBy(
      customers.filter((c) => subtreePaths.has(c.unitId)),
      (c) => `${subtreePaths.get(c.unitId)} ${c.id}`,
    ),
    workflow: byId(m.workflows),
    workflows: byId(m.workflows),
    audit: m.audit,
    queried: m.audit,
    head: last ? { seq: last.seq, hash: last.hash, seal: expect.stringMatching(/^.+:[0-9a-f]{64}$/) } : null,
    effects: sortBy(m.effects, (e) => e.idempotencyKey),
    timers: sortBy(m.timers, (t) => t.key),
    records: RECORD_KINDS.flatMap((kind) => byId(m.records.filter((r) => r.kind === kind))),
    listedRecords: RECORD_KINDS.flatMap((kind) => {
      const ofKind = sortBy(
        m.records.filter((r) => r.kind === kind),
        (r) => `${r.at} ${r.id}`,
      );
      return [
        ofKind,
        ofKind.filter((r) => r.at >= instant(0)).reverse(),
        ...IDS.map((ref) => ofKind.filter((r) => r.ref === ref)),
        ...RECORD_STATUSES.map((status) => ofKind.filter((r) => r.status === status)),
      ];
    }),
  };
}

export const isolationSuite = defineSuite('isolation', {
  'every read with one tenant id returns only rows of that tenant': {
    timeoutMs: PROPERTY_TIMEOUT_MS,
    run: async (h) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(world, world, async (wa, wb) => {
          run++;
          const [a, b] = [`iso-${run}-a`, `iso-${run}-b`];
          const model = await write(h, a, wa);
          await write(h, b, wb);
          const { checkpoints, latestCheckpoint, ...reads } = await inTx(h, (tx) => readAll(tx, a));
          expect(reads).toEqual(expectedReads(model));
          // Checkpoints are signed at times the model does not track: check that each is of this tenant's chain.
          for (const cp of checkpoints) {
            expect(cp.tenantId).toBe(a);
            expect(cp.hash).toBe(model.audit.find((e) => e.seq === cp.seq)?.hash);
          }
          expect(latestCheckpoint).toEqual(checkpoints.at(-1) ?? null);
        }),
        { numRuns: NUM_RUNS },
      );
    },
  },

  'claims return each row with the tenantId it was written under': {
    timeoutMs: PROPERTY_TIMEOUT_MS,
    run: async (h) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(world, world, async (wa, wb) => {
          run++;
          const [a, b] = [`claim-${run}-a`, `claim-${run}-b`];
          const models = [await write(h, a, wa), await write(h, b, wb)];
          // Leases last a day, so rows claimed in earlier runs stay leased and are not claimed again.
          const request = claim(`w-${run}`, { now: instant(0), limit: 1000, leaseMs: 86_400_000 });
          const lease = { attempts: 1, leaseOwner: request.workerId, leaseUntil: expect.any(String) };
          const [effects, timers] = await inTx(h, async (tx) => [
            await tx.claimEffects(request),
            await tx.claimTimers(request),
          ]);
          const dueEffects = models.flatMap((m) => m.effects.filter((e) => e.availableAt <= request.now));
          const dueTimers = models.flatMap((m) => m.timers.filter((t) => t.dueAt <= request.now));
          expect(byId(effects)).toEqual(byId(dueEffects.map((e) => ({ ...e, ...lease }))));
          expect(byId(timers)).toEqual(byId(dueTimers.map((t) => ({ ...t, ...lease }))));
          for (const row of [...effects, ...timers]) expect(row.id.startsWith(`${row.tenantId}:`)).toBe(true);
        }),
        { numRuns: CLAIM_RUNS },
      );
    },
  },
});
