import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  type AccessSubject,
  applyFieldLevels,
  type CustomerInput,
  type CustomerView,
  compilePolicy,
  createGuard,
  defaultPolicy,
  type EmployeeInput,
  type FieldValue,
  hmacKeys,
  manualClock,
  memoryStore,
  type Store,
} from '@guard/core';
import pg from 'pg';
import { onPostgres, onSqlite, plainSqlite } from './databases.js';
import { BENCH_SECRET, type Fields, gcm, plainDecrypter } from './plain-crypto.js';
import { prng } from './random.js';
import { type Figure, measure, rate } from './stats.js';

/** How much work one run does. */
export interface ReadBenchSize {
  readonly customers: number;
  /** Guarded reads per timed run. */
  readonly reads: number;
  /** Decisions per timed run of the CPU-only comparison. */
  readonly decisions: number;
  readonly runs: number;
}

/** One row of the read table: Guard's reads per second and the plain driver's, doing the same work. */
export interface ReadBenchRow {
  readonly store: 'memory' | 'SQLite' | 'Postgres';
  readonly guard: Figure;
  readonly baseline: Figure;
  readonly baselineLabel: string;
}

/** What the read section measured. */
export interface ReadBenchResult {
  /** Employees of the tenant. */
  readonly staff: number;
  readonly rows: readonly ReadBenchRow[];
  /** Decision plus masks for a whole customer, per second: Guard's compiled policy and a hand closure. */
  readonly decide: { readonly guard: Figure; readonly closure: Figure };
}

const keys = hmacKeys({ current: 'bench', keys: { bench: BENCH_SECRET } });
/** Monday 09:00 in Shanghai: every read of a run falls inside working hours. */
const START = '2026-11-02T01:00:00.000Z';
const TEAMS = 5;
const REPS_PER_TEAM = 20;
const REPS = TEAMS * REPS_PER_TEAM;

const units = [
  { id: 'hq', name: 'HQ', kind: 'hq' as const, parentId: null },
  { id: 'b-0', name: 'Branch 0', kind: 'branch' as const, parentId: 'hq' },
  ...Array.from({ length: TEAMS }, (_, t) => ({
    id: `t-${t}`,
    name: `Team ${t}`,
    kind: 'team' as const,
    parentId: 'b-0',
  })),
];
const employees: EmployeeInput[] = [
  ...Array.from({ length: TEAMS }, (_, t) => ({
    id: `m-${t}`,
    name: `Manager ${t}`,
    unitId: `t-${t}`,
    roles: ['manager'],
    hireDate: '2018-01-01',
  })),
  { id: 'hr', name: 'HR admin', unitId: 'hq', roles: ['hr-admin'], hireDate: '2019-01-01' },
  ...Array.from({ length: REPS }, (_, i) => ({
    id: `e-${i}`,
    name: `Rep ${i}`,
    unitId: `t-${Math.floor(i / REPS_PER_TEAM)}`,
    managerId: `m-${Math.floor(i / REPS_PER_TEAM)}`,
    roles: ['sales'],
    hireDate: '2022-01-01',
    // As a directory sync gives them: Guard stores them encrypted and opens them only when read.
    email: `rep${i}@example.cn`,
    mobile: `+86139${String(10_000_000 + i).slice(-8)}`,
  })),
];

/** Customer `i` belongs to rep `i % REPS`, in the rep's team. */
function customer(i: number): CustomerInput {
  const owner = i % REPS;
  return {
    id: `c-${i}`,
    name: `Customer ${i}`,
    ownerId: `e-${owner}`,
    unitId: `t-${Math.floor(owner / REPS_PER_TEAM)}`,
    fields: {
      public: { industry: ['retail', 'logistics', 'finance'][i % 3] as string, city: '上海' },
      contact: { phone: `138${String(10_000_000 + i).slice(-8)}`, email: `buyer${i}@example.com` },
      commercial: { creditLimit: 50_000 + (i % 97) * 1000 },
    },
  };
}

/**
 * The reads of a run: reps open their own customers (half) and teammates'
 * (public fields only), managers their team's, the HR admin anyone's
 * (contacts masked) — each actor far below the tenant's bulk-view limit at
 * one read per simulated second.
 */
function reads(count: number, customers: number, seed: number): { actor: string; customerId: string }[] {
  const r = prng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  const ofTeam = (team: number) => {
    // A customer of the team: its owner is one of the team's reps.
    const rep = team * REPS_PER_TEAM + pick(REPS_PER_TEAM);
    const rounds = Math.ceil((customers - rep) / REPS);
    return `c-${rep + REPS * pick(rounds)}`;
  };
  return Array.from({ length: count }, () => {
    const roll = r();
    if (roll < 0.01) return { actor: 'hr', customerId: `c-${pick(customers)}` };
    if (roll < 0.11) {
      const team = pick(TEAMS);
      return { actor: `m-${team}`, customerId: ofTeam(team) };
    }
    const rep = pick(REPS);
    if (roll < 0.55) {
      const rounds = Math.ceil((customers - rep) / REPS);
      return { actor: `e-${rep}`, customerId: `c-${rep + REPS * pick(rounds)}` };
    }
    return { actor: `e-${rep}`, customerId: ofTeam(Math.floor(rep / REPS_PER_TEAM)) };
  });
}

// ---------------------------------------------------------------------------
// The hand-written peer: the same policy as a closure, the same masks by hand.

interface PlainEmployee {
  readonly id: string;
  readonly unitId: string;
  readonly roles: readonly string[];
  readonly status: string;
}
interface PlainCustomer {
  readonly id: string;
  readonly ownerId: string | null;
  readonly unitId: string;
  readonly fields: Record<string, Record<string, FieldValue>>;
}

type Levels = Readonly<Record<string, 'show' | 'mask'>>;
const ALL: Levels = { public: 'show', contact: 'show', commercial: 'show' };
const CONTACT_MASKED: Levels = { public: 'show', contact: 'mask', commercial: 'show' };
const PUBLIC: Levels = { public: 'show' };

/** The default policy's read rules, by hand: `null` = denied. */
function closureDecide(e: PlainEmployee, c: PlainCustomer, unitPath: readonly string[]): Levels | null {
  if (e.status === 'frozen' || e.status === 'departed') return null;
  const resigning = e.status === 'resigning';
  let levels: Levels | null = null;
  for (const role of e.roles) {
    if (role === 'sales') {
      if (c.ownerId === e.id) return ALL;
      if (!resigning && (c.ownerId === null || unitPath.includes(e.unitId))) levels ??= PUBLIC;
    } else if (role === 'manager' && !resigning && unitPath.includes(e.unitId)) return ALL;
    else if (role === 'hr-admin' && !resigning) levels = CONTACT_MASKED;
  }
  return levels;
}

/** The masks of this data by hand: an 11-digit phone, an e-mail at example.com. */
function handMask(fields: PlainCustomer['fields'], levels: Levels): Record<string, Record<string, FieldValue>> {
  const out: Record<string, Record<string, FieldValue>> = {};
  for (const cls in fields) {
    const level = levels[cls];
    if (level === 'show') out[cls] = fields[cls] as Record<string, FieldValue>;
    else if (level === 'mask') {
      const { phone, email } = fields[cls] as { phone: string; email: string };
      out[cls] = { phone: `${phone[0]}******${phone.slice(-4)}`, email: `${email[0]}***@e***.com` };
    }
  }
  return out;
}

/** The audit entry the peer appends: actor, customer, what was shown, chained by SHA-256. */
function plainEntry(actor: string, customerId: string, levels: Levels, seq: number, prev: string, at: string) {
  const data = JSON.stringify({ shown: Object.keys(levels), via: 'read' });
  const hash = createHash('sha256')
    .update(`${prev}|${seq}|${at}|${actor}|customer.read|${customerId}|${data}`)
    .digest('hex');
  return { data, hash };
}

/** The plain-driver peer: one guarded read, doing the same work as `customers.read`. */
interface Peer {
  readonly label: string;
  read(actor: string, customerId: string, at: string): Promise<Record<string, Record<string, FieldValue>>>;
  close(): Promise<void>;
}

function memoryPeer(customers: readonly CustomerInput[]): Peer {
  // Held as Guard holds them: every class but public sealed under the customer's own key.
  const byId = new Map(
    customers.map((c) => {
      const { public: shown, ...secret } = (c.fields ?? {}) as Fields;
      const key = randomBytes(32);
      const sealed = gcm.seal(key, c.id, Buffer.from(JSON.stringify(secret), 'utf8'));
      return [c.id, { ...c, fields: shown === undefined ? {} : { public: shown }, key, sealed }] as const;
    }),
  );
  const staff = new Map(employees.map((e) => [e.id, { ...e, status: 'active' }]));
  const paths = new Map<string, string[]>([['hq', ['hq']]]);
  for (const u of units) if (u.parentId) paths.set(u.id, [...(paths.get(u.parentId) ?? []), u.id]);
  const log: { seq: number; hash: string; data: string }[] = [];
  let head = { seq: 0, hash: '0'.repeat(64) };
  return {
    label: 'Maps + closure + hand masks + SHA-256 chain',
    async read(actor, customerId, at) {
      const e = staff.get(actor) as PlainEmployee;
      const stored = byId.get(customerId) as typeof byId extends Map<string, infer V> ? V : never;
      const secret = JSON.parse(gcm.open(stored.key, customerId, stored.sealed).toString('utf8')) as Fields;
      const c = { ...stored, fields: { ...stored.fields, ...secret } } as PlainCustomer;
      const levels = closureDecide(e, c, paths.get(c.unitId) ?? []);
      if (!levels) throw new Error('denied');
      const view = handMask(c.fields, levels);
      const { data, hash } = plainEntry(actor, customerId, levels, head.seq + 1, head.hash, at);
      log.push({ seq: head.seq + 1, hash, data });
      head = { seq: head.seq + 1, hash };
      return view;
    },
    async close() {},
  };
}

function sqlitePeer(file: string, prefix: string): Peer {
  const db = plainSqlite(file);
  db.exec(`create table if not exists plain_audit (tenant_id text, seq integer, at text, actor_id text, action text,
    subject_id text, data text, prev_hash text, hash text, primary key (tenant_id, seq));
    create table if not exists plain_heads (tenant_id text primary key, seq integer, hash text)`);
  const employee = db.prepare(
    `select id, unit_id, roles, status from ${prefix}employees where tenant_id = ? and id = ?`,
  );
  const customerRow = db.prepare(
    `select id, owner_id, unit_id, fields from ${prefix}customers where tenant_id = ? and id = ?`,
  );
  const unit = db.prepare(`select path from ${prefix}units where tenant_id = ? and id = ?`);
  const dataKey = db.prepare(`select data from ${prefix}records where tenant_id = ? and kind = 'data-key' and id = ?`);
  const decrypt = plainDecrypter();
  const head = db.prepare('select seq, hash from plain_heads where tenant_id = ?');
  const insert = db.prepare('insert into plain_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const move = db.prepare(
    'insert into plain_heads values (?, ?, ?) on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash',
  );
  const read = db.transaction((actor: string, customerId: string, at: string) => {
    const er = employee.get('acme', actor) as { id: string; unit_id: string; roles: string; status: string };
    const cr = customerRow.get('acme', customerId) as { id: string; owner_id: string; unit_id: string; fields: string };
    const ur = unit.get('acme', cr.unit_id) as { path: string };
    const e = { id: er.id, unitId: er.unit_id, roles: JSON.parse(er.roles), status: er.status };
    const kr = dataKey.get('acme', `customer:${customerId}`) as { data: string } | undefined;
    const fields = decrypt(customerId, JSON.parse(cr.fields), kr === undefined ? undefined : JSON.parse(kr.data));
    const c = { id: cr.id, ownerId: cr.owner_id, unitId: cr.unit_id, fields };
    const levels = closureDecide(e, c, JSON.parse(ur.path));
    if (!levels) throw new Error('denied');
    const view = handMask(c.fields, levels);
    const h = (head.get('acme') as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: '0'.repeat(64) };
    const { data, hash } = plainEntry(actor, customerId, levels, h.seq + 1, h.hash, at);
    insert.run('acme', h.seq + 1, at, actor, 'customer.read', customerId, data, h.hash, hash);
    move.run('acme', h.seq + 1, hash);
    return view;
  });
  return {
    label: 'better-sqlite3 prepared statements, one transaction',
    async read(actor, customerId, at) {
      return read.immediate(actor, customerId, at);
    },
    async close() {
      db.close();
    },
  };
}

function postgresPeer(url: string, prefix: string): Peer {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const audit = `${prefix}plain_audit`;
  const heads = `${prefix}plain_heads`;
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= pool.query(`create table if not exists ${audit} (tenant_id varchar(128), seq bigint, at char(24),
      actor_id varchar(128), action varchar(128), subject_id varchar(128), data jsonb, prev_hash char(64), hash char(64),
      primary key (tenant_id, seq));
      create table if not exists ${heads} (tenant_id varchar(128) primary key, seq bigint, hash char(64))`));
  const q = (client: pg.PoolClient, name: string, text: string, values: unknown[]) =>
    client.query({ name, text, values });
  const decrypt = plainDecrypter();
  return {
    label: 'pg named prepared statements, one transaction',
    async read(actor, customerId, at) {
      await init();
      const client = await pool.connect();
      try {
        await client.query('begin');
        const [er] = (
          await q(
            client,
            'e',
            `select id, unit_id, roles, status from ${prefix}employees where tenant_id = $1 and id = $2`,
            ['acme', actor],
          )
        ).rows;
        const [cr] = (
          await q(
            client,
            'c',
            `select id, owner_id, unit_id, fields from ${prefix}customers where tenant_id = $1 and id = $2`,
            ['acme', customerId],
          )
        ).rows;
        const [ur] = (
          await q(client, 'u', `select path from ${prefix}units where tenant_id = $1 and id = $2`, ['acme', cr.unit_id])
        ).rows;
        const [kr] = (
          await q(
            client,
            'k',
            `select data from ${prefix}records where tenant_id = $1 and kind = 'data-key' and id = $2`,
            ['acme', `customer:${customerId}`],
          )
        ).rows;
        const e = { id: er.id, unitId: er.unit_id, roles: er.roles, status: er.status };
        const c = {
          id: cr.id,
          ownerId: cr.owner_id,
          unitId: cr.unit_id,
          fields: decrypt(customerId, cr.fields, kr?.data),
        };
        const levels = closureDecide(e, c, ur.path);
        if (!levels) throw new Error('denied');
        const view = handMask(c.fields, levels);
        const [h0] = (await q(client, 'h', `select seq, hash from ${heads} where tenant_id = $1 for update`, ['acme']))
          .rows;
        const h = h0 ? { seq: Number(h0.seq), hash: h0.hash as string } : { seq: 0, hash: '0'.repeat(64) };
        const { data, hash } = plainEntry(actor, customerId, levels, h.seq + 1, h.hash, at);
        await q(client, 'i', `insert into ${audit} values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
          'acme',
          h.seq + 1,
          at,
          actor,
          'customer.read',
          customerId,
          data,
          h.hash,
          hash,
        ]);
        await q(
          client,
          'm',
          `insert into ${heads} values ($1, $2, $3) on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash`,
          ['acme', h.seq + 1, hash],
        );
        await client.query('commit');
        return view;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------

/** Seeds the tenant through the public API and times Guard's reads against the peer's. */
async function benchStore(
  name: ReadBenchRow['store'],
  store: Store & { migrate?: () => Promise<unknown> },
  peerOf: (customers: readonly CustomerInput[]) => Peer,
  size: ReadBenchSize,
  log: (line: string) => void,
): Promise<ReadBenchRow> {
  const clock = manualClock(START);
  const guard = createGuard({ store, keys, clock });
  await store.migrate?.();
  await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({ units, employees });
  // As a real tenant: its own settings (language, access policy), saved once and read by every call.
  await t.settings.update({ locale: 'zh-CN', policy: structuredClone(defaultPolicy) });
  const customers = Array.from({ length: size.customers }, (_, i) => customer(i));
  await t.customers.upsert(customers);
  const peer = peerOf(customers);
  try {
    // The peer must see what Guard shows: same decision, same masks.
    for (const { actor, customerId } of reads(200, size.customers, 7)) {
      clock.advance({ seconds: 1 });
      const view: CustomerView = await t.customers.read({ actor, customerId });
      const plain = await peer.read(actor, customerId, clock.now().toISOString());
      if (!isDeepStrictEqual(view.fields, plain))
        throw new Error(
          `bench: Guard and the peer disagree on ${actor} reading ${customerId}: ${JSON.stringify(view.fields)} vs ${JSON.stringify(plain)}`,
        );
    }
    const guardFigure = await measure(size.runs, (run) => {
      const list = reads(size.reads, size.customers, 100 + run);
      return rate(list.length, async () => {
        for (const { actor, customerId } of list) {
          clock.advance({ seconds: 1 });
          await t.customers.read({ actor, customerId });
        }
      });
    });
    const peerFigure = await measure(size.runs, (run) => {
      const list = reads(size.reads, size.customers, 100 + run);
      return rate(list.length, async () => {
        for (const { actor, customerId } of list) {
          clock.advance({ seconds: 1 });
          await peer.read(actor, customerId, clock.now().toISOString());
        }
      });
    });
    log(
      `  ${name}: Guard ${guardFigure.median.toFixed(0)} reads/s, peer ${peerFigure.median.toFixed(0)} reads/s (${(peerFigure.median / guardFigure.median).toFixed(1)}× faster)`,
    );
    return { store: name, guard: guardFigure, baseline: peerFigure, baselineLabel: peer.label };
  } finally {
    await peer.close();
  }
}

/** Decision plus masks for a whole customer: Guard's compiled default policy against the closure. */
async function benchDecide(size: ReadBenchSize): Promise<ReadBenchResult['decide']> {
  const policy = compilePolicy(defaultPolicy);
  const customers = Array.from({ length: 1000 }, (_, i) => customer(i));
  const paths = new Map<string, string[]>(units.map((u) => [u.id, u.parentId ? ['hq', 'b-0', u.id] : ['hq']]));
  paths.set('b-0', ['hq', 'b-0']);
  const subjects = new Map<string, AccessSubject>(
    employees.map((e) => [
      e.id,
      {
        id: e.id,
        status: 'active',
        unitId: e.unitId,
        roles: e.roles,
        rank: 0,
        hireDate: e.hireDate,
        performanceBand: null,
      } as AccessSubject,
    ]),
  );
  const list = reads(size.decisions, customers.length, 99).map(({ actor, customerId }) => {
    const c = customers[Number(customerId.slice(2))] as CustomerInput;
    return {
      subject: subjects.get(actor) as AccessSubject,
      customer: c,
      resource: { id: c.id, ownerId: c.ownerId ?? null, unitId: c.unitId, unitPath: paths.get(c.unitId) ?? [] },
    };
  });
  const context = { now: new Date(START), timeZone: 'Asia/Shanghai' };
  for (const { subject, customer: c, resource } of list.slice(0, 1000)) {
    const d = policy.decide(subject, 'read', resource, context);
    const guardView = d.allow ? applyFieldLevels(c.fields ?? {}, d.fields).fields : null;
    const levels = closureDecide(subject, c as PlainCustomer, resource.unitPath);
    const handView = levels ? handMask(c.fields as PlainCustomer['fields'], levels) : null;
    if (!isDeepStrictEqual(guardView, handView))
      throw new Error(`bench: the compiled policy and the closure disagree on ${subject.id} reading ${c.id}`);
  }
  let sink = 0;
  const guard = await measure(size.runs, () =>
    rate(list.length, async () => {
      for (const { subject, customer: c, resource } of list) {
        const d = policy.decide(subject, 'read', resource, context);
        if (d.allow) sink += Object.keys(applyFieldLevels(c.fields ?? {}, d.fields).fields).length;
      }
    }),
  );
  const closure = await measure(size.runs, () =>
    rate(list.length, async () => {
      for (const { subject, customer: c, resource } of list) {
        const levels = closureDecide(subject, c as PlainCustomer, resource.unitPath);
        if (levels) sink += Object.keys(handMask(c.fields as PlainCustomer['fields'], levels)).length;
      }
    }),
  );
  if (sink === 0) throw new Error('bench: no decision allowed anything');
  return { guard, closure };
}

/**
 * Guarded reads (`customers.read`: the employee, the customer and its unit,
 * the decision, the masks, the anomaly counters and the audit entry, in one
 * transaction) on the memory store, SQLite and Postgres, each next to a
 * plain implementation of the same work on the same rows.
 */
export async function readBench(
  size: ReadBenchSize,
  postgresUrl: string | undefined,
  log: (line: string) => void,
): Promise<ReadBenchResult> {
  const rows: ReadBenchRow[] = [];
  rows.push(await benchStore('memory', memoryStore(), memoryPeer, size, log));
  rows.push(
    await onSqlite((store, dir) =>
      benchStore('SQLite', store, () => sqlitePeer(join(dir, 'guard.db'), 'guard_'), size, log),
    ),
  );
  if (postgresUrl) {
    rows.push(
      await onPostgres(postgresUrl, 'reads', (store, prefix) =>
        benchStore('Postgres', store, () => postgresPeer(postgresUrl, prefix), size, log),
      ),
    );
  }
  return { staff: employees.length, rows, decide: await benchDecide(size) };
}
