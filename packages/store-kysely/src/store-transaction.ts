import {
  type AuditEntry,
  type AuditHead,
  type ClaimRequest,
  ConflictError,
  type CustomerRecord,
  checkStorableText,
  checkVersions,
  type EntityName,
  GENESIS_HASH,
  isGuardError,
  type NewTimer,
  type OutboxEffect,
  type Page,
  type PageRequest,
  type StoredRecord,
  StoreError,
  type StoreTransaction,
  type TimerRecord,
  type WorkBacklog,
} from '@guard/core';
import { type Insertable, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { batches } from './batches.js';
import type { DialectAdapter } from './dialects/dialect-adapter.js';
import { afterId, afterNumber, afterPair, rowsToFetch, toPage } from './paging.js';
import {
  auditRow,
  checkpointRow,
  customerRow,
  employeeRow,
  jsonText,
  recordRow,
  tenantRow,
  toAuditEntry,
  toCheckpoint,
  toCustomer,
  toEffect,
  toEmployee,
  toNumber,
  toRecord,
  toTenant,
  toTimer,
  toUnit,
  toWorkflow,
  unitRow,
  workflowRow,
} from './rows.js';
import type { CustomersTable, GuardDatabase, RecordsTable, WorkflowsTable } from './schema/database.js';
import type { StatementCache } from './statements.js';
import { type ErrorContext, toStoreError } from './store-errors.js';
import { prefixThrough, subtreeRange } from './unit-path.js';

/** The state of one open transaction. */
export interface Session {
  /** Bound to the transaction's connection, table names prefixed. */
  readonly db: Kysely<GuardDatabase>;
  readonly errors: ErrorContext;
  /** The store's compiled statements, shared by its transactions. */
  readonly statements: StatementCache;
  /** False once the transaction has ended. */
  open: boolean;
  /**
   * The first database error inside the transaction. Once there is one the
   * transaction never commits: Postgres has aborted it already, and MySQL
   * may have rolled part of it back.
   */
  failure: { readonly error: unknown } | null;
}

/** Returns rows in the order of `ids`, as many times as each id is asked for, like a lookup per id. */
function inOrderOf<R extends { id: string }>(ids: readonly string[], rows: readonly R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

const plusMs = (instant: string, ms: number): string => new Date(Date.parse(instant) + ms).toISOString();

/** An instant as entries store it, for comparing strings; `null` when it is not a date. */
function normalizeInstant(instant: string): string | null {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function groupByTenant(rows: readonly { tenant_id: string; id: string }[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [tenantId, list] of byTenant(rows, (r) => r.tenant_id))
    groups.set(
      tenantId,
      list.map((r) => r.id),
    );
  return groups;
}

/** `items` grouped by their tenant, in first-seen order. */
function byTenant<T>(items: readonly T[], tenantOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(tenantOf(item));
    if (list) list.push(item);
    else groups.set(tenantOf(item), [item]);
  }
  return groups;
}

const count = (n: bigint | undefined): number => Number(n ?? 0n);

/** Every column of a row but its key columns, in the row's order: what an update of it sets. */
function withoutKey<R extends object>(row: R, key: readonly string[]): Partial<R> {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !key.includes(column))) as Partial<R>;
}

/** `column = value` for every column of a key, as one condition. */
function keyCondition(key: Readonly<Record<string, string>>) {
  return sql<boolean>`${sql.join(
    Object.entries(key).map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
    sql` and `,
  )}`;
}

/** The tables whose rows carry a version checked on every write, with their rows. */
interface VersionedRows {
  customers: Insertable<CustomersTable>;
  workflows: Insertable<WorkflowsTable>;
  records: Insertable<RecordsTable>;
}
type VersionedTable = keyof VersionedRows;

/**
 * The entity records' conflicts name. `EntityName` has no word for a record
 * of any kind yet: until the message catalogue has one, the message names it
 * by its `kind/id` alone (as the memory store does).
 */
const RECORD_ENTITY: EntityName = 'record';

/**
 * What a versioned write needs to know of each table: the entity its
 * conflicts name and the columns of its primary key, `tenant_id` first. A
 * conflict names the row by the other key columns, joined with `/`.
 */
const VERSIONED: { readonly [T in VersionedTable]: { readonly entity: EntityName; readonly key: readonly string[] } } =
  {
    customers: { entity: 'customer', key: ['tenant_id', 'id'] },
    workflows: { entity: 'workflow', key: ['tenant_id', 'id'] },
    records: { entity: RECORD_ENTITY, key: ['tenant_id', 'kind', 'id'] },
  };

/** The key of a row of a versioned table, column by column. */
function keyOf(table: VersionedTable, row: object): Record<string, string> {
  const values = row as Readonly<Record<string, unknown>>;
  return Object.fromEntries(VERSIONED[table].key.map((column) => [column, String(values[column])]));
}

/** The row of a newly scheduled timer: no lease, no attempts. */
function timerRow(timer: NewTimer) {
  return {
    tenant_id: timer.tenantId,
    id: timer.id,
    timer_key: timer.key,
    workflow_id: timer.workflowId,
    event: jsonText(timer.event),
    due_at: timer.dueAt,
    created_at: timer.createdAt,
    attempts: 0,
    lease_owner: null,
    lease_until: null,
  };
}

/** The tables whose rows workers claim, with a lease. */
type LeasedTable = 'outbox' | 'timers';

/** What a claim needs of a selected row. */
interface LeasedRow {
  readonly tenant_id: string;
  readonly id: string;
  readonly attempts: number | string | bigint;
}

/**
 * The {@link StoreTransaction} of one SQL transaction. Every statement runs
 * on the session's connection; a driver error becomes a `StoreError` (and
 * dooms the transaction), Guard errors pass through.
 */
export function createStoreTransaction(s: Session): StoreTransaction {
  const { db, statements } = s;
  const a: DialectAdapter = s.errors.adapter;

  const run = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    if (!s.open) {
      throw new StoreError({ store: s.errors.store, operation, detail: 'the transaction was used after it ended' });
    }
    try {
      return await work();
    } catch (error) {
      if (isGuardError(error)) throw error;
      s.failure ??= { error };
      throw toStoreError(error, operation, s.errors);
    }
  };

  const unitColumns = [
    'units.tenant_id',
    'units.id',
    'units.name',
    'units.kind',
    'units.parent_id',
    a.jsonText('units.path', 'path'),
    'units.updated_at',
  ] as const;
  const employeeColumns = [
    'employees.tenant_id',
    'employees.id',
    'employees.name',
    'employees.unit_id',
    'employees.manager_id',
    a.jsonText('employees.roles', 'roles'),
    'employees.job_rank',
    'employees.hire_date',
    'employees.performance_band',
    'employees.status',
    'employees.email',
    'employees.mobile',
    a.jsonText('employees.external_refs', 'external_refs'),
    'employees.updated_at',
  ] as const;
  const customerColumns = [
    'customers.tenant_id',
    'customers.id',
    'customers.name',
    'customers.owner_id',
    'customers.unit_id',
    a.jsonText('customers.fields', 'fields'),
    a.jsonText('customers.external_refs', 'external_refs'),
    'customers.version',
    'customers.created_at',
    'customers.updated_at',
  ] as const;
  const workflowColumns = [
    'workflows.tenant_id',
    'workflows.id',
    'workflows.machine',
    'workflows.machine_version',
    'workflows.state',
    a.jsonText('workflows.snapshot', 'snapshot'),
    'workflows.subject_type',
    'workflows.subject_id',
    'workflows.version',
    'workflows.created_at',
    'workflows.updated_at',
  ] as const;
  const recordColumns = [
    'records.tenant_id',
    'records.kind',
    'records.id',
    'records.ref',
    'records.status',
    'records.at',
    a.jsonText('records.data', 'data'),
    'records.version',
    'records.created_at',
    'records.updated_at',
  ] as const;
  const auditColumns = [
    'audit_entries.tenant_id',
    'audit_entries.seq',
    'audit_entries.at',
    'audit_entries.actor_type',
    'audit_entries.actor_id',
    'audit_entries.action',
    'audit_entries.subject_type',
    'audit_entries.subject_id',
    a.jsonText('audit_entries.data', 'data'),
    'audit_entries.salt',
    'audit_entries.prev_hash',
    'audit_entries.hash',
    'audit_entries.seal',
  ] as const;
  const effectColumns = [
    'outbox.tenant_id',
    'outbox.id',
    'outbox.idempotency_key',
    'outbox.kind',
    a.jsonText('outbox.payload', 'payload'),
    'outbox.available_at',
    'outbox.created_at',
    'outbox.status',
    'outbox.attempts',
    'outbox.last_error',
    'outbox.lease_owner',
    'outbox.lease_until',
  ] as const;
  const timerColumns = [
    'timers.tenant_id',
    'timers.id',
    'timers.timer_key',
    'timers.workflow_id',
    a.jsonText('timers.event', 'event'),
    'timers.due_at',
    'timers.created_at',
    'timers.attempts',
    'timers.lease_owner',
    'timers.lease_until',
  ] as const;

  /**
   * The path-key ranges of the subtree of `unitId`: every unit whose path
   * contains it. Normally the unit's own path gives the one range (an index
   * range scan). A unit that is not stored but appears in other units' paths
   * (a directory synced in part) is found in those paths by reading the
   * tenant's unit paths — never its customers.
   */
  const subtreeOf = async (tenantId: string, unitId: string): Promise<{ from: string; to: string }[]> => {
    const own = await db
      .selectFrom('units')
      .select('path_key')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', unitId)
      .executeTakeFirst();
    if (own !== undefined) return [subtreeRange(own.path_key)];
    const paths = await db.selectFrom('units').select('path_key').where('tenant_id', '=', tenantId).execute();
    const prefixes = new Set(paths.flatMap((r) => prefixThrough(r.path_key, unitId) ?? []));
    return [...prefixes].map(subtreeRange);
  };

  /**
   * The path key of each of these units of a tenant that is stored, by id —
   * what a customer row carries as `unit_path`.
   */
  const unitPathKeys = async (tenantId: string, unitIds: readonly string[]): Promise<Map<string, string>> => {
    const rows = await byIds(unitIds, async (chunk) => {
      const result = await statements.run(db, `unitPathKeys:${chunk.length}`, [tenantId, ...chunk], (t, ...list) =>
        db.selectFrom('units').select(['id', 'path_key']).where('tenant_id', '=', t).where('id', 'in', list),
      );
      return [...result.rows];
    });
    return new Map(rows.map((r) => [r.id, r.path_key]));
  };

  /** Customer rows, each with its unit's path key (`null` for a unit not in the directory). */
  const customerRows = async (records: readonly CustomerRecord[]) => {
    const rows: Insertable<CustomersTable>[] = [];
    for (const [tenantId, list] of byTenant(records, (r) => r.tenantId)) {
      const paths = await unitPathKeys(tenantId, [...new Set(list.map((r) => r.unitId))]);
      for (const r of list) rows.push(customerRow(r, paths.get(r.unitId) ?? null));
    }
    return rows;
  };

  /**
   * A page of the customers of a unit's subtree, in `(unit path, id)`
   * order: each range of the subtree is one range of the
   * `(tenant_id, unit_path, id)` index, and a page resumes inside it — the
   * rest of the cursor's unit, then the units after it — so a page reads
   * about as many index entries as it returns, whatever the tenant holds.
   */
  const teamPage = async (tenantId: string, unitId: string, page: PageRequest): Promise<Page<CustomerRecord>> => {
    const after = afterPair(page);
    const want = rowsToFetch(page);
    const ranges = (await subtreeOf(tenantId, unitId)).sort((x, y) => (x.from < y.from ? -1 : 1));
    const base = () =>
      db
        .selectFrom('customers')
        .select([...customerColumns, 'customers.unit_path'])
        .where('customers.tenant_id', '=', tenantId);
    const rows: Awaited<ReturnType<ReturnType<typeof base>['execute']>> = [];
    for (const range of ranges) {
      if (rows.length >= want) break;
      if (after !== undefined && after[0] >= range.to) continue;
      const from = after !== undefined && after[0] >= range.from ? after[0] : null;
      if (from !== null && after !== undefined) {
        rows.push(
          ...(await base()
            .where('customers.unit_path', '=', from)
            .where('customers.id', '>', after[1])
            .orderBy('customers.id')
            .limit(want - rows.length)
            .execute()),
        );
        if (rows.length >= want) break;
      }
      rows.push(
        ...(await base()
          .where('customers.unit_path', from === null ? '>=' : '>', from ?? range.from)
          .where('customers.unit_path', '<', range.to)
          .orderBy('customers.unit_path')
          .orderBy('customers.id')
          .limit(want - rows.length)
          .execute()),
      );
    }
    const result = toPage(rows, page, (c) => [c.unit_path as string, c.id]);
    return { items: result.items.map(toCustomer), nextCursor: result.nextCursor };
  };

  /** The stored version of the row of a versioned table with this key; `null` when there is none. */
  const storedVersion = async (
    table: VersionedTable,
    key: Readonly<Record<string, string>>,
  ): Promise<number | null> => {
    const row = await db.selectFrom(table).select('version').where(keyCondition(key)).executeTakeFirst();
    return row ? toNumber(row.version) : null;
  };

  /**
   * Inserts `rows` (of one shape) as one statement, compiled once per table,
   * row count and columns; with `ignoreDuplicates`, rows whose key exists
   * are skipped. Split the rows with {@link batches} first.
   */
  const insertRows = <T extends 'customers' | 'workflows' | 'records' | 'audit_entries' | 'timers'>(
    table: T,
    rows: readonly Insertable<GuardDatabase[T]>[],
    ignoreDuplicates: boolean,
  ) => {
    const columns = Object.keys(rows[0] ?? {});
    const values = rows.flatMap((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
    const key = `insert:${table}:${ignoreDuplicates}:${rows.length}:${columns.join(',')}`;
    return statements.run(db, key, values, (...slots) => {
      const objects = rows.map((_, r) => Object.fromEntries(columns.map((c, i) => [c, slots[r * columns.length + i]])));
      const query = db.insertInto(table).values(objects as Insertable<GuardDatabase[T]>[]);
      return ignoreDuplicates ? a.insertIgnoringDuplicates(query) : query;
    });
  };

  /** Updates a row of a versioned table where its version is `expectedVersion` (a cached statement per table and columns). */
  const updateVersioned = (
    table: VersionedTable,
    row: VersionedRows[VersionedTable],
    key: Readonly<Record<string, string>>,
    expectedVersion: number,
  ) => {
    const set = withoutKey(row, VERSIONED[table].key);
    const columns = Object.keys(set);
    const keyColumns = Object.keys(key);
    const values = [...Object.values(set), ...Object.values(key), expectedVersion];
    return statements.run(db, `updateVersioned:${table}:${columns.join(',')}`, values, (...slots) =>
      db
        .updateTable(table)
        .set(Object.fromEntries(columns.map((c, i) => [c, slots[i]])) as typeof set)
        .where(keyCondition(Object.fromEntries(keyColumns.map((c, i) => [c, slots[columns.length + i] as string]))))
        .where('version', '=', slots[values.length - 1] as number),
    );
  };

  /**
   * A versioned write of a customer, workflow or record (`row` is its row
   * in `table`): its version must be `expectedVersion + 1`. A new row
   * (`expectedVersion` null) is inserted unless one with its key exists; an
   * existing one is updated where its stored version is `expectedVersion` —
   * the check and the write are one statement. When nothing was written,
   * throws the ConflictError the memory store throws, with the same
   * parameters.
   */
  const putVersioned = async <T extends VersionedTable>(
    versioned: T,
    row: VersionedRows[T],
    expectedVersion: number | null,
  ): Promise<void> => {
    const table: VersionedTable = versioned;
    const written: VersionedRows[VersionedTable] = row;
    const key = keyOf(table, row);
    const given = written.version;
    checkVersions(VERSIONED[table].entity, key.id ?? '', given, expectedVersion);
    if (given === (expectedVersion ?? 0) + 1) {
      // The version check and the write are one statement.
      const changed = count(
        (expectedVersion === null
          ? await insertRows(table, [written], true)
          : await updateVersioned(table, written, key, expectedVersion)
        ).numAffectedRows,
      );
      if (changed === 1) return;
    }
    const { entity, key: columns } = VERSIONED[table];
    const id = columns
      .slice(1)
      .map((column) => key[column])
      .join('/');
    const actual = await storedVersion(table, key);
    throw actual !== expectedVersion
      ? new ConflictError({ entity, id, expected: expectedVersion, actual })
      : new ConflictError({ entity, id, expected: (expectedVersion ?? 0) + 1, actual: given });
  };

  /** Reads rows by id in batches, and returns them like {@link inOrderOf}. */
  const byIds = async <R extends { id: string }>(
    ids: readonly string[],
    read: (chunk: string[]) => Promise<R[]>,
  ): Promise<R[]> => {
    const rows: R[] = [];
    for (const chunk of batches(unique(ids), a, 1)) rows.push(...(await read(chunk)));
    return inOrderOf(ids, rows);
  };

  /**
   * Claims due rows of `outbox` or `timers` (see `ClaimRequest`): one
   * locking read of the rows due at `now` and not leased (or whose lease
   * expired) — oldest `due` first, then id, skipping rows other transactions
   * hold where the dialect can — then one update per tenant that leases them
   * to the worker and counts an attempt. `query` selects the table's rows
   * (and any filter of its own); returns the rows as leased.
   */
  /** The database server's time, ISO 8601 in UTC: leases are judged on it. */
  const databaseNow = async (): Promise<string> => {
    const now = (await sql<{ now: string }>`select ${a.currentTime} as now`.execute(db)).rows[0]?.now;
    if (now === undefined) throw new Error('the database did not tell its time');
    return now;
  };

  const claim = async <T extends LeasedTable, R extends LeasedRow, V>(
    table: T,
    due: 'available_at' | 'due_at',
    query: SelectQueryBuilder<GuardDatabase, T, R>,
    request: ClaimRequest,
    toRecord: (row: R) => V,
  ): Promise<(V & { attempts: number; leaseOwner: string; leaseUntil: string })[]> => {
    if (!(request.limit >= 1)) return [];
    // Due by the caller's instant; leased by the database's clock, the one clock every worker shares.
    const storeNow = await databaseNow();
    const leaseUntil = plusMs(storeNow, request.leaseMs);
    const leaseUntilRef = sql.ref('lease_until');
    const rows = await query
      .where(sql<boolean>`${sql.ref(due)} <= ${request.now}`)
      .where(sql<boolean>`(${leaseUntilRef} is null or ${leaseUntilRef} < ${storeNow})`)
      .orderBy(sql.ref(due))
      .orderBy(sql.ref('id'))
      .orderBy(sql.ref('tenant_id'))
      .limit(Math.floor(request.limit))
      .$if(a.rowLocks, (q) => q.forUpdate())
      .$if(a.skipLocked, (q) => q.skipLocked())
      .execute();
    const leased: LeasedTable = table;
    for (const [tenantId, ids] of groupByTenant(rows)) {
      for (const chunk of batches(ids, a, 1)) {
        await db
          .updateTable(leased)
          .set({
            lease_owner: request.workerId,
            lease_until: leaseUntil,
            attempts: sql<number>`${sql.ref('attempts')} + 1`,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', chunk)
          .execute();
      }
    }
    return rows.map((row) => ({
      ...toRecord(row),
      attempts: toNumber(row.attempts) + 1,
      leaseOwner: request.workerId,
      leaseUntil,
    }));
  };

  return {
    getTenant: (tenantId) =>
      run('getTenant', async () => {
        const row = await statements.first(db, 'getTenant', [tenantId], (id) =>
          db.selectFrom('tenants').selectAll().where('id', '=', id),
        );
        return row ? toTenant(row) : null;
      }),

    putTenant: (record) =>
      run('putTenant', async () => {
        checkStorableText('tenant', record.id, record);
        await a
          .upsert(
            db.insertInto('tenants').values(tenantRow(record)),
            ['id'],
            ['name', 'time_zone', 'created_at', 'updated_at'],
          )
          .execute();
      }),

    getUnits: (tenantId, ids) =>
      run('getUnits', async () => {
        const rows = await byIds(ids, async (chunk) => {
          const result = await statements.run(db, `getUnits:${chunk.length}`, [tenantId, ...chunk], (tenant, ...list) =>
            db.selectFrom('units').select(unitColumns).where('tenant_id', '=', tenant).where('id', 'in', list),
          );
          return [...result.rows];
        });
        return rows.map(toUnit);
      }),

    listUnitsUnder: (tenantId, unitId, page) =>
      run('listUnitsUnder', async () => {
        const after = afterId(page);
        const ranges = await subtreeOf(tenantId, unitId);
        if (ranges.length === 0) return { items: [], nextCursor: null };
        const rows = await db
          .selectFrom('units')
          .select(unitColumns)
          .where('tenant_id', '=', tenantId)
          .where((eb) => eb.or(ranges.map((r) => eb.and([eb('path_key', '>=', r.from), eb('path_key', '<', r.to)]))))
          .where('id', '<>', unitId)
          .$if(after !== undefined, (q) => q.where('id', '>', after as string))
          .orderBy('id')
          .limit(rowsToFetch(page))
          .execute();
        const result = toPage(rows, page, (u) => u.id);
        return { items: result.items.map(toUnit), nextCursor: result.nextCursor };
      }),

    putUnits: (records) =>
      run('putUnits', async () => {
        for (const r of records) checkStorableText('unit', r.id, r);
        const rows = records.map(unitRow);
        // Units that are new or whose path changed: their customers' unit_path follows.
        const moved = new Map<string, string[]>();
        for (const [tenantId, list] of byTenant(rows, (u) => u.tenant_id)) {
          const before = await unitPathKeys(
            tenantId,
            list.map((u) => u.id),
          );
          const changed = list.filter((u) => before.get(u.id) !== u.path_key).map((u) => u.id);
          if (changed.length > 0) moved.set(tenantId, changed);
        }
        for (const chunk of batches(rows, a, 8)) {
          await a
            .upsert(
              db.insertInto('units').values(chunk),
              ['tenant_id', 'id'],
              ['name', 'kind', 'parent_id', 'path', 'path_key', 'updated_at'],
            )
            .execute();
        }
        for (const [tenantId, ids] of moved) {
          for (const chunk of batches(ids, a, 1)) {
            await db
              .updateTable('customers')
              .set({
                unit_path: (eb) =>
                  eb
                    .selectFrom('units')
                    .select('units.path_key')
                    .whereRef('units.tenant_id', '=', 'customers.tenant_id')
                    .whereRef('units.id', '=', 'customers.unit_id'),
              })
              .where('customers.tenant_id', '=', tenantId)
              .where('customers.unit_id', 'in', chunk)
              .execute();
          }
        }
      }),

    getEmployees: (tenantId, ids) =>
      run('getEmployees', async () => {
        const rows = await byIds(ids, async (chunk) => {
          const result = await statements.run(
            db,
            `getEmployees:${chunk.length}`,
            [tenantId, ...chunk],
            (tenant, ...list) =>
              db
                .selectFrom('employees')
                .select(employeeColumns)
                .where('tenant_id', '=', tenant)
                .where('id', 'in', list),
          );
          return [...result.rows];
        });
        return rows.map(toEmployee);
      }),

    listEmployees: (tenantId, page) =>
      run('listEmployees', async () => {
        const after = afterId(page);
        const rows = await db
          .selectFrom('employees')
          .select(employeeColumns)
          .where('tenant_id', '=', tenantId)
          .$if(after !== undefined, (q) => q.where('id', '>', after as string))
          .orderBy('id')
          .limit(rowsToFetch(page))
          .execute();
        const result = toPage(rows, page, (e) => e.id);
        return { items: result.items.map(toEmployee), nextCursor: result.nextCursor };
      }),

    putEmployees: (records) =>
      run('putEmployees', async () => {
        for (const r of records) checkStorableText('employee', r.id, r);
        for (const chunk of batches(records.map(employeeRow), a, 14)) {
          await a
            .upsert(
              db.insertInto('employees').values(chunk),
              ['tenant_id', 'id'],
              [
                'name',
                'unit_id',
                'manager_id',
                'roles',
                'job_rank',
                'hire_date',
                'performance_band',
                'status',
                'email',
                'mobile',
                'external_refs',
                'updated_at',
              ],
            )
            .execute();
        }
      }),

    getCustomer: (tenantId, id) =>
      run('getCustomer', async () => {
        const row = await statements.first(db, 'getCustomer', [tenantId, id], (tenant, customer) =>
          db.selectFrom('customers').select(customerColumns).where('tenant_id', '=', tenant).where('id', '=', customer),
        );
        return row ? toCustomer(row) : null;
      }),

    getCustomers: (tenantId, ids) =>
      run('getCustomers', async () => {
        const rows = await byIds(ids, async (chunk) => {
          const result = await statements.run(
            db,
            `getCustomers:${chunk.length}`,
            [tenantId, ...chunk],
            (tenant, ...list) =>
              db
                .selectFrom('customers')
                .select(customerColumns)
                .where('tenant_id', '=', tenant)
                .where('id', 'in', list),
          );
          return [...result.rows];
        });
        return rows.map(toCustomer);
      }),

    putCustomer: (record, expectedVersion) =>
      run('putCustomer', async () => {
        checkStorableText('customer', record.id, record);
        const paths = await unitPathKeys(record.tenantId, [record.unitId]);
        return putVersioned('customers', customerRow(record, paths.get(record.unitId) ?? null), expectedVersion);
      }),

    insertCustomers: (records) =>
      run('insertCustomers', async () => {
        const ids = new Set<string>();
        for (const r of records) {
          checkStorableText('customer', r.id, r);
          checkVersions('customer', r.id, r.version, null);
          const key = `${r.tenantId}\u0000${r.id}`;
          if (r.version !== 1 || ids.has(key)) {
            throw new ConflictError({ entity: 'customer', id: r.id, expected: r.version !== 1 ? 1 : null, actual: 1 });
          }
          ids.add(key);
        }
        // Ids taken before: a precise conflict, before anything is written (as the memory store does).
        for (const [tenantId, tenantIds] of groupByTenant(records.map((r) => ({ tenant_id: r.tenantId, id: r.id })))) {
          const [taken] = await byIds(tenantIds, async (list) => {
            const found = await statements.run(db, `takenCustomers:${list.length}`, [tenantId, ...list], (t, ...l) =>
              db.selectFrom('customers').select(['id', 'version']).where('tenant_id', '=', t).where('id', 'in', l),
            );
            return [...found.rows];
          });
          if (taken) {
            throw new ConflictError({
              entity: 'customer',
              id: taken.id,
              expected: null,
              actual: toNumber(taken.version),
            });
          }
        }
        for (const chunk of batches(await customerRows(records), a, 11)) {
          try {
            await insertRows('customers', chunk, false);
          } catch (error) {
            if (a.classify(error).kind !== 'unique-violation') throw error;
            // Inserted by another transaction since the check: this one cannot commit.
            s.failure ??= { error };
            throw new ConflictError(
              { entity: 'customer', id: chunk[0]?.id ?? '', expected: null, actual: null },
              { cause: error },
            );
          }
        }
      }),

    listCustomers: (tenantId, filter, page) =>
      run('listCustomers', async () => {
        if ('unitId' in filter) return teamPage(tenantId, filter.unitId, page);
        const after = afterId(page);
        let query = db.selectFrom('customers').select(customerColumns).where('customers.tenant_id', '=', tenantId);
        if ('ownerId' in filter) query = query.where('customers.owner_id', '=', filter.ownerId);
        else if ('pool' in filter) query = query.where('customers.owner_id', 'is', null);
        const rows = await query
          .$if(after !== undefined, (q) => q.where('customers.id', '>', after as string))
          .orderBy('customers.id')
          .limit(rowsToFetch(page))
          .execute();
        const result = toPage(rows, page, (c) => c.id);
        return { items: result.items.map(toCustomer), nextCursor: result.nextCursor };
      }),

    setCustomerOwner: (tenantId, customerId, change) =>
      run('setCustomerOwner', async (): Promise<CustomerRecord | null> => {
        // The condition on the current owner is the selector and the guard, in one statement.
        const result = await db
          .updateTable('customers')
          .set({
            owner_id: change.to,
            version: sql<number>`${sql.ref('version')} + 1`,
            updated_at: change.at,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', customerId)
          .$if(change.from === null, (q) => q.where('owner_id', 'is', null))
          .$if(change.from !== null, (q) => q.where('owner_id', '=', change.from as string))
          .executeTakeFirst();
        if (count(result.numUpdatedRows) !== 1) return null;
        const row = await db
          .selectFrom('customers')
          .select(customerColumns)
          .where('tenant_id', '=', tenantId)
          .where('id', '=', customerId)
          .executeTakeFirst();
        return row ? toCustomer(row) : null;
      }),

    getWorkflow: (tenantId, id) =>
      run('getWorkflow', async () => {
        const row = await db
          .selectFrom('workflows')
          .select(workflowColumns)
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toWorkflow(row) : null;
      }),

    putWorkflow: (record, expectedVersion) =>
      run('putWorkflow', () => {
        checkStorableText('workflow', record.id, record);
        return putVersioned('workflows', workflowRow(record), expectedVersion);
      }),

    listWorkflows: (tenantId, filter, page) =>
      run('listWorkflows', async () => {
        const after = afterId(page);
        const { machine, state, subject } = filter;
        const rows = await db
          .selectFrom('workflows')
          .select(workflowColumns)
          .where('tenant_id', '=', tenantId)
          .$if(machine !== undefined, (q) => q.where('machine', '=', machine as string))
          .$if(state !== undefined, (q) => q.where('state', '=', state as string))
          .$if(subject !== undefined, (q) =>
            q.where('subject_type', '=', subject?.type ?? '').where('subject_id', '=', subject?.id ?? ''),
          )
          .$if(after !== undefined, (q) => q.where('id', '>', after as string))
          .orderBy('id')
          .limit(rowsToFetch(page))
          .execute();
        const result = toPage(rows, page, (w) => w.id);
        return { items: result.items.map(toWorkflow), nextCursor: result.nextCursor };
      }),

    getRecord: (tenantId, kind, id) =>
      run('getRecord', async () => {
        const row = await statements.first(db, 'getRecord', [tenantId, kind, id], (tenant, k, record) =>
          db
            .selectFrom('records')
            .select(recordColumns)
            .where('tenant_id', '=', tenant)
            .where('kind', '=', k)
            .where('id', '=', record),
        );
        return row ? toRecord(row) : null;
      }),

    putRecord: (record, expectedVersion) =>
      run('putRecord', () => {
        checkStorableText('record', record.id, record);
        return putVersioned('records', recordRow(record), expectedVersion);
      }),

    insertRecords: (records) =>
      run('insertRecords', async () => {
        for (const r of records) {
          checkStorableText('record', r.id, r);
          checkVersions(RECORD_ENTITY, r.id, r.version, null);
          if (r.version !== 1) {
            throw new ConflictError({ entity: RECORD_ENTITY, id: `${r.kind}/${r.id}`, expected: 1, actual: r.version });
          }
        }
        let inserted = 0;
        for (const chunk of batches(records.map(recordRow), a, 10)) {
          inserted += count((await insertRows('records', chunk, true)).numAffectedRows);
        }
        return inserted;
      }),

    listRecords: (tenantId, filter, page) =>
      run('listRecords', async (): Promise<Page<StoredRecord>> => {
        const after = afterPair(page);
        const desc = filter.order === 'desc';
        const from = filter.from === undefined ? undefined : normalizeInstant(filter.from);
        const to = filter.to === undefined ? undefined : normalizeInstant(filter.to);
        // An instant that is not a date matches nothing, as in the memory store.
        if (from === null || to === null) return { items: [], nextCursor: null };
        const { kind, ref, status } = filter;
        const rows = await db
          .selectFrom('records')
          .select(recordColumns)
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', kind)
          .$if(ref !== undefined, (q) => q.where('ref', '=', ref as string))
          .$if(status !== undefined, (q) => q.where('status', '=', status as string))
          .$if(from !== undefined, (q) => q.where('at', '>=', from as string))
          .$if(to !== undefined, (q) => q.where('at', '<', to as string))
          // Keyset on (at, id): a range on `at`, then the tie on `at` broken by id.
          .$if(after !== undefined, (q) => {
            const [at, id] = after as readonly [string, string];
            return q
              .where('at', desc ? '<=' : '>=', at)
              .where((eb) => eb.or([eb('at', desc ? '<' : '>', at), eb('id', desc ? '<' : '>', id)]));
          })
          .orderBy('at', desc ? 'desc' : 'asc')
          .orderBy('id', desc ? 'desc' : 'asc')
          .limit(rowsToFetch(page))
          .execute();
        return toPage(rows.map(toRecord), page, (r) => [r.at, r.id]);
      }),

    deleteRecord: (tenantId, kind, id) =>
      run('deleteRecord', async () => {
        const result = await db
          .deleteFrom('records')
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', kind)
          .where('id', '=', id)
          .executeTakeFirst();
        return count(result.numDeletedRows) > 0;
      }),

    enqueueEffects: (effects) =>
      run('enqueueEffects', async () => {
        const rows = effects.map((e) => ({
          tenant_id: e.tenantId,
          id: e.id,
          idempotency_key: e.idempotencyKey,
          kind: e.kind,
          payload: jsonText(e.payload),
          available_at: e.availableAt,
          created_at: e.createdAt,
          status: 'pending',
          attempts: 0,
          last_error: null,
          lease_owner: null,
          lease_until: null,
        }));
        let added = 0;
        for (const chunk of batches(rows, a, 12)) {
          const result = await a.insertIgnoringDuplicates(db.insertInto('outbox').values(chunk)).executeTakeFirst();
          added += count(result.numInsertedOrUpdatedRows);
        }
        return added;
      }),

    claimEffects: (request) =>
      run('claimEffects', (): Promise<OutboxEffect[]> => {
        const pending = db.selectFrom('outbox').select(effectColumns).where('status', '=', 'pending');
        return claim('outbox', 'available_at', pending, request, toEffect);
      }),

    settleEffect: (id, workerId, outcome) =>
      run('settleEffect', async () => {
        const cleared = { lease_owner: null, lease_until: null };
        const set =
          outcome.status === 'done'
            ? { ...cleared, status: 'done' }
            : outcome.status === 'pending'
              ? { ...cleared, status: 'pending', available_at: outcome.availableAt, last_error: outcome.error }
              : { ...cleared, status: 'dead', last_error: outcome.error };
        const result = await db
          .updateTable('outbox')
          .set(set)
          .where('id', '=', id)
          .where('lease_owner', '=', workerId)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return count(result.numUpdatedRows) > 0;
      }),

    extendEffectLease: (id, workerId, leaseMs) =>
      run('extendEffectLease', async () => {
        const leaseUntil = plusMs(await databaseNow(), leaseMs);
        const result = await db
          .updateTable('outbox')
          .set({ lease_until: leaseUntil })
          .where('id', '=', id)
          .where('lease_owner', '=', workerId)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return count(result.numUpdatedRows) > 0 ? leaseUntil : null;
      }),

    getEffect: (tenantId, idempotencyKey) =>
      run('getEffect', async () => {
        const row = await db
          .selectFrom('outbox')
          .select(effectColumns)
          .where('tenant_id', '=', tenantId)
          .where('idempotency_key', '=', idempotencyKey)
          .executeTakeFirst();
        return row ? toEffect(row) : null;
      }),

    scheduleTimer: (timer) =>
      run('scheduleTimer', async () => {
        const row = timerRow(timer);
        await a
          .upsert(
            db.insertInto('timers').values(row),
            ['tenant_id', 'timer_key'],
            ['id', 'workflow_id', 'event', 'due_at', 'created_at', 'attempts', 'lease_owner', 'lease_until'],
          )
          .execute();
      }),

    scheduleTimers: (timers) =>
      run('scheduleTimers', async () => {
        // As one scheduleTimer after another: the last timer with a key wins.
        const byKey = new Map(timers.map((t) => [`${t.tenantId}\u0000${t.key}`, t]));
        const rows = [...byKey.values()].map(timerRow);
        for (const chunk of batches(rows, a, 10)) {
          await a
            .upsert(
              db.insertInto('timers').values(chunk),
              ['tenant_id', 'timer_key'],
              ['id', 'workflow_id', 'event', 'due_at', 'created_at', 'attempts', 'lease_owner', 'lease_until'],
            )
            .execute();
        }
      }),

    cancelTimer: (tenantId, key) =>
      run('cancelTimer', async () => {
        const result = await db
          .deleteFrom('timers')
          .where('tenant_id', '=', tenantId)
          .where('timer_key', '=', key)
          .executeTakeFirst();
        return count(result.numDeletedRows) > 0;
      }),

    claimTimers: (request) =>
      run(
        'claimTimers',
        (): Promise<TimerRecord[]> =>
          claim('timers', 'due_at', db.selectFrom('timers').select(timerColumns), request, toTimer),
      ),

    completeTimer: (id, workerId) =>
      run('completeTimer', async () => {
        const result = await db
          .deleteFrom('timers')
          .where('id', '=', id)
          .where('lease_owner', '=', workerId)
          .executeTakeFirst();
        return count(result.numDeletedRows) > 0;
      }),

    getTimer: (tenantId, key) =>
      run('getTimer', async () => {
        const row = await db
          .selectFrom('timers')
          .select(timerColumns)
          .where('tenant_id', '=', tenantId)
          .where('timer_key', '=', key)
          .executeTakeFirst();
        return row ? toTimer(row) : null;
      }),

    backlog: (tenantId, now) =>
      run('backlog', async (): Promise<WorkBacklog> => {
        const storeNow = await databaseNow();
        const leased = sql<boolean>`${sql.ref('lease_until')} is not null and ${sql.ref('lease_until')} >= ${storeNow}`;
        const countWhere = (condition: ReturnType<typeof sql<boolean>>) =>
          sql<number | string | null>`sum(case when ${condition} then 1 else 0 end)`;
        // One read of the tenant's pending and dead effects (the `done` ones are never counted).
        const pending = sql<boolean>`${sql.ref('status')} = 'pending'`;
        const effects = await db
          .selectFrom('outbox')
          .select([
            countWhere(pending).as('pending'),
            countWhere(sql<boolean>`${pending} and ${sql.ref('available_at')} <= ${now}`).as('due'),
            countWhere(sql<boolean>`${pending} and ${leased}`).as('leased'),
            countWhere(
              sql<boolean>`${pending} and ${sql.ref('attempts')} > 0 and (${sql.ref('lease_until')} is null or ${sql.ref('lease_until')} < ${storeNow})`,
            ).as('retrying'),
            sql<string | null>`min(case when ${pending} then ${sql.ref('available_at')} end)`.as('next_at'),
            countWhere(sql<boolean>`${sql.ref('status')} = 'dead'`).as('dead'),
          ])
          .where('tenant_id', '=', tenantId)
          .where('status', 'in', ['pending', 'dead'])
          .executeTakeFirstOrThrow();
        const timers = await db
          .selectFrom('timers')
          .select([
            sql<number | string>`count(*)`.as('pending'),
            countWhere(sql<boolean>`${sql.ref('due_at')} <= ${now}`).as('due'),
            countWhere(leased).as('leased'),
            sql<string | null>`min(${sql.ref('due_at')})`.as('next_at'),
          ])
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow();
        // `sum` over no rows is null; counts come back as strings on some drivers.
        const n = (value: number | string | null) => (value === null ? 0 : toNumber(value));
        return {
          effects: {
            pending: n(effects.pending),
            due: n(effects.due),
            leased: n(effects.leased),
            retrying: n(effects.retrying),
            nextAt: effects.next_at,
            dead: n(effects.dead),
          },
          timers: { pending: n(timers.pending), due: n(timers.due), leased: n(timers.leased), nextAt: timers.next_at },
        };
      }),

    lockAuditHead: (tenantId) =>
      run('lockAuditHead', async (): Promise<AuditHead | null> => {
        const read = () =>
          statements.first(db, 'lockAuditHead', [tenantId], (tenant) =>
            db
              .selectFrom('audit_heads')
              .select(['seq', 'hash', 'seal'])
              .where('tenant_id', '=', tenant)
              .$if(a.rowLocks, (q) => q.forUpdate()),
          );
        let row = await read();
        if (row === undefined && a.rowLocks) {
          // A row to lock: the head of an empty chain (seq 0), which reads as `null`.
          await a
            .insertOrLockExisting(
              db.insertInto('audit_heads').values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH }),
              'tenant_id',
            )
            .execute();
          row = await read();
        }
        if (row === undefined) return null;
        const seq = toNumber(row.seq);
        return seq === 0 ? null : { seq, hash: row.hash, seal: row.seal ?? null };
      }),

    appendAudit: (entries, headSeal = null) =>
      run('appendAudit', async () => {
        const first = entries[0];
        const last = entries.at(-1);
        if (first === undefined || last === undefined) return;
        const tenantId = first.tenantId;
        entries.forEach((entry, i) => {
          if (entry.tenantId !== tenantId || entry.seq !== first.seq + i) {
            throw new ConflictError({
              entity: 'audit entry',
              id: `${entry.tenantId}#${entry.seq}`,
              expected: first.seq + i,
              actual: entry.seq,
            });
          }
        });
        // Move the head first, guarded by where it must be now: a taken seq writes nothing.
        const moved = await statements.run(
          db,
          'moveAuditHead',
          [last.seq, last.hash, headSeal, tenantId, first.seq - 1] as [number, string, string | null, string, number],
          (seq, hash, seal, tenant, from) =>
            db
              .updateTable('audit_heads')
              .set({ seq, hash, seal })
              .where('tenant_id', '=', tenant)
              .where('seq', '=', from),
        );
        let ok = count(moved.numAffectedRows) === 1;
        if (!ok && first.seq === 1) {
          // The head was never locked (so it has no row): the chain starts here.
          const created = await a
            .insertIgnoringDuplicates(
              db
                .insertInto('audit_heads')
                .values({ tenant_id: tenantId, seq: last.seq, hash: last.hash, seal: headSeal }),
            )
            .executeTakeFirst();
          ok = count(created.numInsertedOrUpdatedRows) === 1;
        }
        if (!ok) {
          const head = await db
            .selectFrom('audit_heads')
            .select('seq')
            .where('tenant_id', '=', tenantId)
            .executeTakeFirst();
          throw new ConflictError({
            entity: 'audit entry',
            id: `${tenantId}#${first.seq}`,
            expected: (head ? toNumber(head.seq) : 0) + 1,
            actual: first.seq,
          });
        }
        for (const chunk of batches(entries.map(auditRow), a, 12)) {
          try {
            await insertRows('audit_entries', chunk, false);
          } catch (error) {
            if (a.classify(error).kind !== 'unique-violation') throw error;
            // Rows above the head: the table was written behind the store's back. The
            // transaction is doomed (it will not commit), so the head moved above is undone.
            s.failure ??= { error };
            throw new ConflictError(
              { entity: 'audit entry', id: `${tenantId}#${chunk[0]?.seq ?? first.seq}`, expected: null, actual: null },
              { cause: error },
            );
          }
        }
      }),

    readAudit: (tenantId, afterSeq, limit) =>
      run('readAudit', async (): Promise<AuditEntry[]> => {
        if (!(limit >= 1)) return [];
        const rows = await db
          .selectFrom('audit_entries')
          .select(auditColumns)
          .where('tenant_id', '=', tenantId)
          .where('seq', '>', afterSeq)
          .orderBy('seq')
          .limit(Math.floor(limit))
          .execute();
        return rows.map(toAuditEntry);
      }),

    queryAudit: (tenantId, query) =>
      run('queryAudit', async (): Promise<Page<AuditEntry>> => {
        const desc = query.order === 'desc';
        const after = afterNumber(query);
        const from = query.from === undefined ? undefined : normalizeInstant(query.from);
        const to = query.to === undefined ? undefined : normalizeInstant(query.to);
        // An instant that is not a date matches nothing, as in the memory store.
        if (from === null || to === null) return { items: [], nextCursor: null };
        const { actorId, action, subject } = query;
        const rows = await db
          .selectFrom('audit_entries')
          .select(auditColumns)
          .where('tenant_id', '=', tenantId)
          .$if(actorId !== undefined, (q) => q.where('actor_id', '=', actorId as string))
          .$if(action !== undefined, (q) => q.where('action', '=', action as string))
          .$if(subject !== undefined, (q) =>
            q.where('subject_type', '=', subject?.type ?? '').where('subject_id', '=', subject?.id ?? ''),
          )
          .$if(from !== undefined, (q) => q.where('at', '>=', from as string))
          .$if(to !== undefined, (q) => q.where('at', '<', to as string))
          // Keyset on seq; a descending page's cursor holds the negated seq (as the memory store's does).
          .$if(after !== undefined, (q) =>
            q.where('seq', desc ? '<' : '>', desc ? -(after as number) : (after as number)),
          )
          .orderBy('seq', desc ? 'desc' : 'asc')
          .limit(rowsToFetch(query))
          .execute();
        const result = toPage(rows.map(toAuditEntry), query, (e) => (desc ? -e.seq : e.seq));
        return result;
      }),

    putCheckpoint: (checkpoint) =>
      run('putCheckpoint', async () => {
        await a
          .upsert(
            db.insertInto('audit_checkpoints').values(checkpointRow(checkpoint)),
            ['tenant_id', 'seq'],
            ['hash', 'at', 'key_id', 'algorithm', 'signature'],
          )
          .execute();
      }),

    latestCheckpoint: (tenantId) =>
      run('latestCheckpoint', async () => {
        const row = await db
          .selectFrom('audit_checkpoints')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row ? toCheckpoint(row) : null;
      }),

    readCheckpoints: (tenantId, afterSeq, limit) =>
      run('readCheckpoints', async () => {
        if (!(limit >= 1)) return [];
        const rows = await db
          .selectFrom('audit_checkpoints')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('seq', '>', afterSeq)
          .orderBy('seq')
          .limit(Math.floor(limit))
          .execute();
        return rows.map(toCheckpoint);
      }),
  };
}
