import {
  type AuditEntry,
  type AuditQuery,
  type CustomerFilter,
  type CustomerRecord,
  isGuardError,
  type SubjectRef,
  type WorkflowFilter,
  type WorkflowRecord,
} from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  auditLog,
  codeUnitSort,
  customerRecord,
  employeeRecord,
  errorOf,
  inTx,
  OTHER_TENANT,
  TENANT,
  unitRecord,
  walkPages,
  workflowRecord,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

const LIMITS = [1, 3, 1000] as const;

/**
 * The org tree. `east-2` is a sibling of `east` whose id starts like it: a
 * store that matches paths by substring puts it in east's subtree by mistake.
 */
const PATHS = [
  ['hq'],
  ['hq', 'east'],
  ['hq', 'east', 'sh'],
  ['hq', 'east', 'sh', 'sh-1'],
  ['hq', 'east-2'],
  ['hq', 'west'],
  ['hq', 'west', 'xa'],
] as const;

/** Ids that sort differently by byte and by a case- or punctuation-insensitive collation. */
const CUSTOMERS: readonly [id: string, ownerId: string | null, unitId: string][] = [
  ['A-1', 'e-1', 'sh-1'],
  ['B', null, 'east'],
  ['a-1', 'e-2', 'sh'],
  ['b_2', null, 'west'],
  ['b.3', 'e-1', 'hq'],
  ['b-4', 'e-1', 'east-2'],
  ['b10', null, 'sh-1'],
  ['b9', 'e-2', 'xa'],
  ['Z9', 'e-1', 'east'],
  ['c', null, 'nowhere'],
  ['c-0', null, 'sh'],
];

const customers = CUSTOMERS.map(([id, ownerId, unitId]) => customerRecord(TENANT, id, { ownerId, unitId }));

async function seedDirectory(h: StoreHarness): Promise<void> {
  await inTx(h, async (tx) => {
    await tx.putUnits(PATHS.map((path) => unitRecord(TENANT, path)));
    await tx.putUnits([unitRecord(OTHER_TENANT, ['hq']), unitRecord(OTHER_TENANT, ['hq', 'east', 'zz'])]);
    for (const c of customers) await tx.putCustomer(c, null);
    // The same ids, and more, in another tenant.
    await tx.putCustomer(customerRecord(OTHER_TENANT, 'A-1', { ownerId: 'e-1', unitId: 'east' }), null);
    await tx.putCustomer(customerRecord(OTHER_TENANT, 'zz', { ownerId: 'e-1', unitId: 'east' }), null);
    await tx.putCustomer(customerRecord(OTHER_TENANT, 'yy', { ownerId: null, unitId: 'east' }), null);
  });
}

/** The path key of a unit as `paths` place it (`/hq/east/sh/`): what a subtree's customers are ordered by. */
const pathKeyIn = (paths: readonly (readonly string[])[], unitId: string) =>
  `/${(paths.find((p) => p.at(-1) === unitId) ?? []).join('/')}/`;

/**
 * Walks `filter` with several page sizes and expects `expected`: in id
 * order, or for a subtree in the order of each customer's unit path (as
 * `paths` place the units), then id.
 */
async function expectCustomerWalk(
  h: StoreHarness,
  filter: CustomerFilter,
  expected: readonly CustomerRecord[],
  paths: readonly (readonly string[])[] = PATHS,
) {
  const byId = new Map(expected.map((c) => [c.id, c]));
  const ids = codeUnitSort([...byId.keys()]);
  const sortKey = (id: string) => ('unitId' in filter ? pathKeyIn(paths, byId.get(id)?.unitId ?? '') : '');
  const want = ids
    .map((id, i) => ({ id, key: sortKey(id), i }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.i - y.i))
    .map((x) => byId.get(x.id));
  for (const limit of LIMITS) {
    const walked = await walkPages(h, (tx, cursor) => tx.listCustomers(TENANT, filter, { cursor, limit }), limit);
    expect(walked, `listCustomers(${JSON.stringify(filter)}) with limit ${limit}`).toEqual(want);
  }
}

const WORKFLOWS: readonly WorkflowRecord[] = [
  workflowRecord(TENANT, 'W-1', { machine: 'approval', state: 'pending', subject: { type: 'customer', id: 'c-1' } }),
  workflowRecord(TENANT, 'w-2', { machine: 'approval', state: 'done', subject: { type: 'customer', id: 'c-1' } }),
  workflowRecord(TENANT, 'w-3', { machine: 'offboarding', state: 'pending', subject: { type: 'employee', id: 'e-1' } }),
  workflowRecord(TENANT, 'w-4', { machine: 'approval', state: 'pending', subject: { type: 'customer', id: 'c-2' } }),
  workflowRecord(TENANT, 'w-5', { machine: 'approval', state: 'pending', subject: null }),
  workflowRecord(TENANT, 'w_6', { machine: 'approval', state: 'pending', subject: { type: 'employee', id: 'c-1' } }),
];

const sameSubject = (a: SubjectRef | null, b: SubjectRef) => a !== null && a.type === b.type && a.id === b.id;

/** Audit entries of varied actors, actions, subjects and times; two pairs share an instant. */
async function seedAudit(h: StoreHarness): Promise<AuditEntry[]> {
  const { log, clock } = auditLog();
  const plan: readonly [actorId: string, action: string, subject: SubjectRef | null][][] = [
    [['e-1', 'customer.read', { type: 'customer', id: 'c-1' }]],
    [['e-2', 'customer.read', { type: 'customer', id: 'c-2' }]],
    [
      ['e-1', 'customer.export', { type: 'customer', id: 'c-1' }],
      ['e-1', 'customer.read', { type: 'employee', id: 'c-1' }],
    ],
    [['hr', 'directory.sync', null]],
    [['e-2', 'customer.export', { type: 'customer', id: 'c-1' }]],
    [
      ['e-1', 'customer.read', { type: 'customer', id: 'c-2' }],
      ['e-2', 'customer.read', { type: 'customer', id: 'c-1' }],
    ],
    [['e-1', 'customer.read', { type: 'customer', id: 'c-1' }]],
    [['hr', 'customer.export', null]],
  ];
  const written: AuditEntry[] = [];
  for (const batch of plan) {
    const entries = await inTx(h, (tx) =>
      log.append(
        tx,
        TENANT,
        batch.map(([actorId, action, subject]) => ({
          actor: { type: actorId === 'hr' ? ('host' as const) : ('employee' as const), id: actorId },
          action,
          subject,
          data: {},
        })),
      ),
    );
    written.push(...entries);
    clock.advance({ seconds: 1 });
  }
  await inTx(h, (tx) =>
    log.append(tx, OTHER_TENANT, [
      {
        actor: { type: 'employee', id: 'e-1' },
        action: 'customer.read',
        subject: { type: 'customer', id: 'c-1' },
        data: {},
      },
    ]),
  );
  return written;
}

/** What `query` must return from `entries`, in order. */
function expectedAudit(entries: readonly AuditEntry[], query: Omit<AuditQuery, 'limit'>): AuditEntry[] {
  const rows = entries.filter(
    (e) =>
      (query.actorId === undefined || e.actor.id === query.actorId) &&
      (query.action === undefined || e.action === query.action) &&
      (query.subject === undefined || sameSubject(e.subject, query.subject as SubjectRef)) &&
      (query.from === undefined || e.at >= query.from) &&
      (query.to === undefined || e.at < query.to),
  );
  return query.order === 'desc' ? rows.reverse() : rows;
}

async function expectAuditWalk(h: StoreHarness, entries: readonly AuditEntry[], query: Omit<AuditQuery, 'limit'>) {
  const want = expectedAudit(entries, query);
  for (const limit of LIMITS) {
    const walked = await walkPages(h, (tx, cursor) => tx.queryAudit(TENANT, { ...query, cursor, limit }), limit);
    expect(walked, `queryAudit(${JSON.stringify(query)}) with limit ${limit}`).toEqual(want);
  }
  return want;
}

export const pagingSuite = defineSuite('paging', {
  'listCustomers({}) walks every customer of the tenant once, in id order': async (h) => {
    await seedDirectory(h);
    await expectCustomerWalk(h, {}, customers);
  },

  'listCustomers({ ownerId }) walks the customers of one owner once, in id order': async (h) => {
    await seedDirectory(h);
    await expectCustomerWalk(
      h,
      { ownerId: 'e-1' },
      customers.filter((c) => c.ownerId === 'e-1'),
    );
    await expectCustomerWalk(
      h,
      { ownerId: 'e-2' },
      customers.filter((c) => c.ownerId === 'e-2'),
    );
    await expectCustomerWalk(h, { ownerId: 'e-404' }, []);
  },

  'listCustomers({ pool: true }) walks the unowned customers once, in id order': async (h) => {
    await seedDirectory(h);
    await expectCustomerWalk(
      h,
      { pool: true },
      customers.filter((c) => c.ownerId === null),
    );
  },

  'listCustomers({ unitId }) walks the customers of the unit subtree once, by unit path then id': async (h) => {
    await seedDirectory(h);
    const inUnits = (...units: string[]) => customers.filter((c) => units.includes(c.unitId));
    await expectCustomerWalk(h, { unitId: 'east' }, inUnits('east', 'sh', 'sh-1'));
    await expectCustomerWalk(h, { unitId: 'sh-1' }, inUnits('sh-1'));
    await expectCustomerWalk(h, { unitId: 'west' }, inUnits('west', 'xa'));
    await expectCustomerWalk(h, { unitId: 'hq' }, inUnits(...PATHS.map((p) => p.at(-1) as string)));
  },

  'listCustomers({ unitId }) follows units that move, and a unit added after its customers': async (h) => {
    await seedDirectory(h);
    // `sh` (with `sh-1` below it) moves from east to west; `nowhere` joins the directory under west.
    const moved = PATHS.map((p) => (p[1] === 'east' && p[2] === 'sh' ? ['hq', 'west', ...p.slice(2)] : [...p]));
    const paths = [...moved, ['hq', 'west', 'nowhere']];
    await inTx(h, (tx) =>
      tx.putUnits([
        unitRecord(TENANT, ['hq', 'west', 'sh']),
        unitRecord(TENANT, ['hq', 'west', 'sh', 'sh-1']),
        unitRecord(TENANT, ['hq', 'west', 'nowhere']),
      ]),
    );
    const inUnits = (...units: string[]) => customers.filter((c) => units.includes(c.unitId));
    await expectCustomerWalk(h, { unitId: 'east' }, inUnits('east'), paths);
    await expectCustomerWalk(h, { unitId: 'west' }, inUnits('west', 'xa', 'sh', 'sh-1', 'nowhere'), paths);
    await expectCustomerWalk(h, { unitId: 'sh' }, inUnits('sh', 'sh-1'), paths);
    await expectCustomerWalk(h, { unitId: 'hq' }, customers, paths);
    // A customer written after the move is in its unit's new subtree.
    const late = customerRecord(TENANT, 'late', { ownerId: null, unitId: 'sh-1' });
    await inTx(h, (tx) => tx.putCustomer(late, null));
    await expectCustomerWalk(h, { unitId: 'west' }, [...inUnits('west', 'xa', 'sh', 'sh-1', 'nowhere'), late], paths);
  },

  'listUnitsUnder walks the units strictly below a unit once, in id order': async (h) => {
    await seedDirectory(h);
    const units = PATHS.map((path) => unitRecord(TENANT, path));
    const below = (unitId: string) =>
      codeUnitSort(units.filter((u) => u.id !== unitId && u.path.includes(unitId)).map((u) => u.id)).map((id) =>
        units.find((u) => u.id === id),
      );
    for (const unitId of ['hq', 'east', 'west', 'sh-1', 'nowhere']) {
      for (const limit of LIMITS) {
        const walked = await walkPages(h, (tx, cursor) => tx.listUnitsUnder(TENANT, unitId, { cursor, limit }), limit);
        expect(walked, `listUnitsUnder('${unitId}') with limit ${limit}`).toEqual(below(unitId));
      }
    }
  },

  "listEmployees walks a tenant's employees once, in id order, whatever their status": async (h) => {
    const ids = ['e-10', 'E-2', 'e-1', 'e-2', 'mgr', 'e-1.5', 'zz'];
    const employees = ids.map((id, i) =>
      employeeRecord(TENANT, id, 'hq', { status: i % 3 === 0 ? 'departed' : 'active' }),
    );
    await inTx(h, async (tx) => {
      await tx.putEmployees(employees);
      await tx.putEmployees([employeeRecord(OTHER_TENANT, 'e-3', 'hq'), employeeRecord(OTHER_TENANT, 'a', 'hq')]);
    });
    const expected = codeUnitSort(ids).map((id) => employees.find((e) => e.id === id));
    for (const limit of LIMITS) {
      const walked = await walkPages(h, (tx, cursor) => tx.listEmployees(TENANT, { cursor, limit }), limit);
      expect(walked, `listEmployees with limit ${limit}`).toEqual(expected);
    }
    expect((await inTx(h, (tx) => tx.listEmployees('nobody', { limit: 10 }))).items).toEqual([]);
  },

  'listWorkflows filters by machine, state and subject, in id order': async (h) => {
    await inTx(h, async (tx) => {
      for (const wf of WORKFLOWS) await tx.putWorkflow(wf, null);
      await tx.putWorkflow(workflowRecord(OTHER_TENANT, 'W-1'), null);
      await tx.putWorkflow(workflowRecord(OTHER_TENANT, 'w-9'), null);
    });
    const filters: WorkflowFilter[] = [
      {},
      { machine: 'approval' },
      { state: 'pending' },
      { machine: 'approval', state: 'pending' },
      { subject: { type: 'customer', id: 'c-1' } },
      { machine: 'approval', state: 'pending', subject: { type: 'customer', id: 'c-1' } },
      { subject: { type: 'employee', id: 'e-1' } },
      { machine: 'nope' },
    ];
    for (const filter of filters) {
      const matching = WORKFLOWS.filter(
        (w) =>
          (filter.machine === undefined || w.machine === filter.machine) &&
          (filter.state === undefined || w.state === filter.state) &&
          (filter.subject === undefined || sameSubject(w.subject, filter.subject)),
      );
      const want = codeUnitSort(matching.map((w) => w.id)).map((id) => matching.find((w) => w.id === id));
      for (const limit of LIMITS) {
        const walked = await walkPages(h, (tx, cursor) => tx.listWorkflows(TENANT, filter, { cursor, limit }), limit);
        expect(walked, `listWorkflows(${JSON.stringify(filter)}) with limit ${limit}`).toEqual(want);
      }
    }
  },

  'queryAudit filters by actorId, subject and action': async (h) => {
    const entries = await seedAudit(h);
    expect(await expectAuditWalk(h, entries, {})).toHaveLength(entries.length);
    expect(await expectAuditWalk(h, entries, { actorId: 'e-1' })).toHaveLength(5);
    expect(await expectAuditWalk(h, entries, { action: 'customer.export' })).toHaveLength(3);
    expect(await expectAuditWalk(h, entries, { subject: { type: 'customer', id: 'c-1' } })).toHaveLength(5);
    expect(
      await expectAuditWalk(h, entries, {
        actorId: 'e-1',
        action: 'customer.read',
        subject: { type: 'customer', id: 'c-1' },
      }),
    ).toHaveLength(2);
    await expectAuditWalk(h, entries, { actorId: 'nobody' });
  },

  'queryAudit keeps entries with from <= at < to': async (h) => {
    const entries = await seedAudit(h);
    const at = (seq: number) => (entries.find((e) => e.seq === seq) as AuditEntry).at;
    // seq 3 and 4 share one instant, as do 7 and 8.
    expect(at(3)).toBe(at(4));
    expect(await expectAuditWalk(h, entries, { from: at(3), to: at(7) })).toHaveLength(4);
    expect(await expectAuditWalk(h, entries, { from: at(7) })).toHaveLength(entries.length - 6);
    expect(await expectAuditWalk(h, entries, { to: at(3) })).toHaveLength(2);
    expect(await expectAuditWalk(h, entries, { from: at(3), to: at(3) })).toHaveLength(0);
    await expectAuditWalk(h, entries, { actorId: 'e-1', from: at(2), to: at(9), order: 'desc' });
  },

  'queryAudit pages ascending and descending by seq': async (h) => {
    const entries = await seedAudit(h);
    const asc = await expectAuditWalk(h, entries, { order: 'asc' });
    expect(asc.map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
    const desc = await expectAuditWalk(h, entries, { order: 'desc' });
    expect(desc.map((e) => e.seq)).toEqual(entries.map((e) => e.seq).reverse());
    const descFiltered = await expectAuditWalk(h, entries, { subject: { type: 'customer', id: 'c-1' }, order: 'desc' });
    expect(descFiltered.map((e) => e.seq)).toEqual([9, 8, 6, 3, 1]);
  },

  'a cursor that no page returned is a ValidationError': async (h) => {
    await seedDirectory(h);
    const page = { cursor: '!!not-a-cursor!!', limit: 2 };
    const attempts = {
      listCustomers: await errorOf(h, (tx) => tx.listCustomers(TENANT, {}, page)),
      listCustomersByOwner: await errorOf(h, (tx) => tx.listCustomers(TENANT, { ownerId: 'e-1' }, page)),
      listUnitsUnder: await errorOf(h, (tx) => tx.listUnitsUnder(TENANT, 'hq', page)),
      listEmployees: await errorOf(h, (tx) => tx.listEmployees(TENANT, page)),
      listWorkflows: await errorOf(h, (tx) => tx.listWorkflows(TENANT, {}, page)),
      listRecords: await errorOf(h, (tx) => tx.listRecords(TENANT, { kind: 'alert' }, page)),
      queryAudit: await errorOf(h, (tx) => tx.queryAudit(TENANT, page)),
    };
    for (const [method, error] of Object.entries(attempts)) {
      expect(
        isGuardError(error, 'VALIDATION_FAILED'),
        `${method}: expected a ValidationError, got ${String(error)}`,
      ).toBe(true);
    }
  },
});
