import {
  AuditLog,
  type AuditTransaction,
  type ClaimRequest,
  type CustomerRecord,
  type EmployeeRecord,
  hmacKeys,
  type ManualClock,
  manualClock,
  type NewOutboxEffect,
  type NewTimer,
  type OrgUnitKind,
  type OrgUnitRecord,
  type Page,
  type StoredRecord,
  type StoreTransaction,
  type TenantRecord,
  type WorkflowRecord,
} from '@guard/core';
import { expect } from 'vitest';
import type { StoreHarness } from './harness.js';

/** The fixed instant every test's clock starts at. */
export const BASE_TIME = '2026-11-02T02:00:00.000Z';
const BASE_MS = Date.parse(BASE_TIME);

/** {@link BASE_TIME} moved by `ms`, in `Date#toISOString()` form. */
export const instant = (ms = 0): string => new Date(BASE_MS + ms).toISOString();

/** The two tenants most tests write to; they share every other id. */
export const TENANT = 'acme';
export const OTHER_TENANT = 'globex';

/** A test-only audit key. Never use a literal secret outside tests. */
const testKeys = hmacKeys({ current: 'k1', keys: { k1: 'guard-testkit-conformance-secret-0001' } });

/** A tenant record. */
export const tenantRecord = (id: string, overrides: Partial<TenantRecord> = {}): TenantRecord => ({
  id,
  name: `Tenant ${id}`,
  timeZone: 'Asia/Shanghai',
  createdAt: instant(),
  updatedAt: instant(),
  ...overrides,
});

const KINDS: readonly OrgUnitKind[] = ['hq', 'region', 'branch', 'team'];

/** A unit at `path` (root first); its id is the path's last element. */
export const unitRecord = (
  tenantId: string,
  path: readonly string[],
  overrides: Partial<OrgUnitRecord> = {},
): OrgUnitRecord => ({
  tenantId,
  id: path.at(-1) as string,
  name: `Unit ${path.at(-1) as string}`,
  kind: KINDS[Math.min(path.length - 1, KINDS.length - 1)] as OrgUnitKind,
  parentId: path.at(-2) ?? null,
  path: [...path],
  updatedAt: instant(),
  ...overrides,
});

/** An employee. */
export const employeeRecord = (
  tenantId: string,
  id: string,
  unitId: string,
  overrides: Partial<EmployeeRecord> = {},
): EmployeeRecord => ({
  tenantId,
  id,
  name: `Employee ${id}`,
  unitId,
  managerId: null,
  roles: ['sales'],
  rank: 1,
  hireDate: '2023-04-01',
  performanceBand: null,
  status: 'active',
  email: null,
  mobile: null,
  externalRefs: {},
  updatedAt: instant(),
  ...overrides,
});

/** A customer at version 1, unowned, in unit `hq`. */
export const customerRecord = (
  tenantId: string,
  id: string,
  overrides: Partial<CustomerRecord> = {},
): CustomerRecord => ({
  tenantId,
  id,
  name: `Customer ${id}`,
  ownerId: null,
  unitId: 'hq',
  fields: {},
  externalRefs: {},
  version: 1,
  createdAt: instant(),
  updatedAt: instant(),
  ...overrides,
});

/** A workflow at version 1 in state `pending`. */
export const workflowRecord = (
  tenantId: string,
  id: string,
  overrides: Partial<WorkflowRecord> = {},
): WorkflowRecord => ({
  tenantId,
  id,
  machine: 'approval',
  machineVersion: 1,
  state: 'pending',
  snapshot: { value: 'pending', context: { level: 1 } },
  subject: null,
  version: 1,
  createdAt: instant(),
  updatedAt: instant(),
  ...overrides,
});

/** A record of `kind` at version 1, with no ref or status, at {@link BASE_TIME}. */
export const storedRecord = (
  tenantId: string,
  kind: string,
  id: string,
  overrides: Partial<StoredRecord> = {},
): StoredRecord => ({
  tenantId,
  kind,
  id,
  ref: null,
  status: null,
  at: instant(),
  data: { note: `${kind} ${id}` },
  version: 1,
  createdAt: instant(),
  updatedAt: instant(),
  ...overrides,
});

/** An outbox effect, available at {@link BASE_TIME}. */
export const newEffect = (
  tenantId: string,
  id: string,
  idempotencyKey: string,
  overrides: Partial<NewOutboxEffect> = {},
): NewOutboxEffect => ({
  id,
  tenantId,
  idempotencyKey,
  kind: 'notify',
  payload: { to: 'e-2', template: 'claim-review' },
  availableAt: instant(),
  createdAt: instant(),
  ...overrides,
});

/** A timer, due at {@link BASE_TIME}. */
export const newTimer = (tenantId: string, id: string, key: string, overrides: Partial<NewTimer> = {}): NewTimer => ({
  id,
  tenantId,
  key,
  workflowId: 'wf-1',
  event: { type: 'TIMEOUT' },
  dueAt: instant(),
  createdAt: instant(),
  ...overrides,
});

/**
 * How far a store's clock may be from this process's clock (a database on
 * loopback shares the machine's clock; the margin covers rounding and slow CI).
 */
export const CLOCK_SKEW_MS = 5_000;

/**
 * Runs a claim and checks that every lease it returns ends `leaseMs` after
 * the store's now (≈ this process's now): leases are judged on the store's
 * clock, whatever `now` the worker claims at. Returns the claimed rows.
 */
export async function claimedOnStoreClock<T extends { readonly leaseUntil: string | null }>(
  leaseMs: number,
  run: () => Promise<T[]>,
): Promise<T[]> {
  const before = Date.now();
  const rows = await run();
  const after = Date.now();
  for (const row of rows) {
    const until = Date.parse(row.leaseUntil ?? '');
    expect(until, `leaseUntil ${row.leaseUntil}`).toBeGreaterThanOrEqual(before + leaseMs - CLOCK_SKEW_MS);
    expect(until, `leaseUntil ${row.leaseUntil}`).toBeLessThanOrEqual(after + leaseMs + CLOCK_SKEW_MS);
  }
  return rows;
}

/** Waits (in real time) until a lease ending at `leaseUntil` on the store's clock has ended. */
export async function leaseEnded(leaseUntil: string | null): Promise<void> {
  const wait = Date.parse(leaseUntil ?? '') - Date.now() + 150;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** A claim at `now` (default {@link BASE_TIME}) with a one-minute lease. */
export const claim = (workerId: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  now: instant(),
  limit: 100,
  workerId,
  leaseMs: 60_000,
  ...overrides,
});

/** An audit log on a manual clock starting at {@link BASE_TIME}, with real hashes and signatures. */
export function auditLog(checkpointEvery = 0): { readonly log: AuditLog; readonly clock: ManualClock } {
  const clock = manualClock(BASE_TIME);
  return { log: new AuditLog({ clock, keys: testKeys, checkpointEvery, locale: 'en' }), clock };
}

/** Appends `count` entries of one action by one actor through `log`. */
export function appendEntries(
  log: AuditLog,
  tx: AuditTransaction,
  tenantId: string,
  count: number,
  draft: { actorId?: string; action?: string; subjectId?: string | null } = {},
) {
  const subjectId = draft.subjectId === undefined ? 'c-1' : draft.subjectId;
  return log.append(
    tx,
    tenantId,
    Array.from({ length: count }, (_, i) => ({
      actor: { type: 'employee' as const, id: draft.actorId ?? 'e-1' },
      action: draft.action ?? 'customer.read',
      subject: subjectId === null ? null : { type: 'customer' as const, id: subjectId },
      data: { n: i },
    })),
  );
}

/** Runs `work` in a transaction of the harness's store. */
export const inTx = <T>(h: StoreHarness, work: (tx: StoreTransaction) => Promise<T>): Promise<T> =>
  h.store.transaction(work);

/**
 * Reads every page, each in its own transaction, checking that no page is
 * longer than `limit` and that no page but a lone first one is empty (the
 * last page with rows says `nextCursor: null`).
 */
export async function walkPages<T>(
  h: StoreHarness,
  fetch: (tx: StoreTransaction, cursor: string | undefined) => Promise<Page<T>>,
  limit: number,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 1000) throw new Error('walkPages: more than 1000 pages; is nextCursor ever null?');
    const page = await inTx(h, (tx) => fetch(tx, cursor));
    if (page.items.length > limit) {
      throw new Error(`a page has ${page.items.length} items, more than its limit of ${limit}`);
    }
    if (page.items.length === 0 && pages > 0) {
      throw new Error(
        'an empty page after a page whose nextCursor was not null: the last full page should end with null',
      );
    }
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
}

/** Resolves when `promise` does, or rejects after `ms` with `message`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise and the function that resolves it. */
export function signal(): { readonly promise: Promise<void>; readonly fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

/** Sorts strings by UTF-16 code units (for ASCII ids: byte order), as `Array#sort` does. */
export const codeUnitSort = (ids: readonly string[]): string[] => [...ids].sort();

/** Runs `work` in a transaction and returns the error it throws, or `null`; catches inside the transaction. */
export async function errorOf(h: StoreHarness, work: (tx: StoreTransaction) => Promise<unknown>): Promise<unknown> {
  return inTx(h, async (tx) => {
    try {
      await work(tx);
      return null;
    } catch (error) {
      return error;
    }
  });
}

/** `rows` sorted by a string or number key (code-unit order for strings). */
export function sortBy<T>(rows: readonly T[], key: (row: T) => string | number): T[] {
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Everything the raw reader sees of the given tenants, in a stable order, to compare before and after. */
export async function rawSnapshot(h: StoreHarness, tenantIds: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const tenantId of tenantIds) {
    out[tenantId] = {
      customers: sortBy(await h.raw.customers(tenantId), (r) => r.id),
      audit: sortBy(await h.raw.auditEntries(tenantId), (r) => r.seq),
      head: await h.raw.auditHead(tenantId),
      workflows: sortBy(await h.raw.workflows(tenantId), (r) => r.id),
      effects: sortBy(await h.raw.effects(tenantId), (r) => r.id),
      timers: sortBy(await h.raw.timers(tenantId), (r) => r.id),
      records: sortBy(await h.raw.records(tenantId), (r) => `${r.kind}\u0000${r.id}`),
    };
  }
  return out;
}
