import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, type CustomerRecord, hmacKeys, isGuardError, type Json, manualClock } from '@guard/core';
import fc from 'fast-check';
import { CamelCasePlugin, type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { kyselyStore, type SqlDialectName } from '../src/index.js';
import { testDatabase } from '../test-support/databases.js';
import {
  connectRaw,
  dropGuardTables,
  GUARD_TABLE_NAMES,
  randomPrefix,
  tablesWithPrefix,
  tempDir,
} from '../test-support/sql-harness.js';

/** A vendor's own database: Guard's tables live beside it. */
interface VendorDatabase {
  vendor_invoices: { id: string; amount_cents: number };
}

interface Target {
  readonly dialect: SqlDialectName;
  /** Makes the vendor's Kysely instance; `cleanup` drops whatever the test created. */
  readonly connect: () => { db: Kysely<VendorDatabase>; cleanup: (prefixes: readonly string[]) => Promise<void> };
}

const sqlite: Target = {
  dialect: 'sqlite',
  connect() {
    const dir = tempDir();
    const db = connectRaw<VendorDatabase>('sqlite', join(dir, 'vendor.db'));
    return {
      db,
      async cleanup() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const server = (dialect: 'postgres' | 'mysql', url: string): Target => ({
  dialect,
  connect() {
    const db = connectRaw<VendorDatabase>(dialect, url);
    return {
      db,
      async cleanup(prefixes) {
        try {
          for (const prefix of prefixes) await dropGuardTables(db as unknown as Kysely<unknown>, prefix);
        } finally {
          await db.destroy();
        }
      },
    };
  },
});

const postgresUrl = await testDatabase('postgres');
const mysqlUrl = await testDatabase('mysql');
const targets: Target[] = [
  sqlite,
  ...(postgresUrl === null ? [] : [server('postgres', postgresUrl)]),
  ...(mysqlUrl === null ? [] : [server('mysql', mysqlUrl)]),
];

const at = '2026-11-02T02:00:00.000Z';
const customer = (id: string): CustomerRecord => ({
  tenantId: 'acme',
  id,
  name: `Customer ${id}`,
  ownerId: null,
  unitId: 'hq',
  fields: { contact: { phone: '13812345678' } },
  externalRefs: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
});

/** Takes the schema back to version 4, as a database written before 0005 is. */
async function beforeEmployeeIdentities(raw: Kysely<unknown>, prefix: string): Promise<void> {
  for (const column of ['email', 'mobile', 'external_refs']) {
    await sql`alter table ${sql.table(`${prefix}employees`)} drop column ${sql.id(column)}`.execute(raw);
  }
  for (const name of ['0005-employee-crm-identities', '0006-employee-contact-sealed']) {
    await sql`delete from ${sql.table(`${prefix}migrations`)} where name = ${name}`.execute(raw);
  }
}

const guardTables = (prefix: string) => GUARD_TABLE_NAMES.map((name) => `${prefix}${name}`).sort();

describe.each(targets)('kyselyStore on $dialect', (target) => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });
  /** A vendor instance, and prefixes whose tables are dropped after the test. */
  const setup = (...prefixes: string[]) => {
    const { db, cleanup } = target.connect();
    cleanups.push(() => cleanup(prefixes));
    return db;
  };
  /** A store on a fresh prefix, migrated to the current schema, and its database as Kysely sees it. */
  const migrated = async () => {
    const prefix = randomPrefix();
    const db = setup(prefix);
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: prefix });
    await store.migrate();
    return { prefix, db, raw: db as unknown as Kysely<unknown>, store };
  };

  it('migrate() creates the schema once, then does nothing', async () => {
    const prefix = randomPrefix();
    const db = setup(prefix);
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: prefix });
    expect(await store.schemaVersion()).toBe(0);
    expect(await store.migrate()).toEqual({
      applied: [
        '0001-initial',
        '0002-audit-seals',
        '0003-audit-salts',
        '0004-customer-unit-paths',
        '0005-employee-crm-identities',
        '0006-employee-contact-sealed',
      ],
      schemaVersion: 6,
    });
    expect(await store.migrate()).toEqual({ applied: [], schemaVersion: 6 });
    expect(await store.schemaVersion()).toBe(6);
    expect(await tablesWithPrefix(db as unknown as Kysely<unknown>, prefix)).toEqual(guardTables(prefix));
    await store.close();
  });

  it("0004 gives the customers of a database written before it their unit's path: team lists see them", async () => {
    const { prefix, raw, store } = await migrated();
    const unit = (id: string, path: string[]) => ({
      tenantId: 'acme',
      id,
      name: id,
      kind: path.length === 1 ? ('hq' as const) : ('team' as const),
      parentId: path.at(-2) ?? null,
      path,
      updatedAt: at,
    });
    await store.transaction(async (tx) => {
      await tx.putUnits([unit('hq', ['hq']), unit('t-1', ['hq', 't-1']), unit('t-2', ['hq', 't-2'])]);
      await tx.insertCustomers([
        { ...customer('c-1'), unitId: 't-2' },
        { ...customer('c-2'), unitId: 't-1' },
        { ...customer('c-3'), unitId: 'gone' },
      ]);
    });
    // Back to schema 3, as a database written before 0004 is.
    const customers = sql.table(`${prefix}customers`);
    const index = sql.id(`${prefix}customers_unit_path_idx`);
    await (target.dialect === 'mysql' ? sql`drop index ${index} on ${customers}` : sql`drop index ${index}`).execute(
      raw,
    );
    await sql`alter table ${customers} drop column unit_path`.execute(raw);
    await beforeEmployeeIdentities(raw, prefix);
    await sql`delete from ${sql.table(`${prefix}migrations`)} where name = ${'0004-customer-unit-paths'}`.execute(raw);

    expect(await store.migrate()).toEqual({
      applied: ['0004-customer-unit-paths', '0005-employee-crm-identities', '0006-employee-contact-sealed'],
      schemaVersion: 6,
    });
    const team = await store.transaction((tx) => tx.listCustomers('acme', { unitId: 'hq' }, { limit: 10 }));
    expect(team.items.map((c) => c.id)).toEqual(['c-2', 'c-1']);
    await store.close();
  });

  it('0005 keeps the employees of a database written before it, with no CRM identity until a sync gives one', async () => {
    const { prefix, raw, store } = await migrated();
    await beforeEmployeeIdentities(raw, prefix);
    const old = {
      tenant_id: 'acme',
      id: 'e-1',
      name: '李雷',
      unit_id: 'hq',
      manager_id: null,
      roles: '["sales"]',
      job_rank: 2,
      hire_date: '2023-04-01',
      performance_band: null,
      status: 'active',
      updated_at: at,
    };
    await (raw as Kysely<Record<string, typeof old>>).insertInto(`${prefix}employees`).values(old).execute();

    expect(await store.migrate()).toEqual({
      applied: ['0005-employee-crm-identities', '0006-employee-contact-sealed'],
      schemaVersion: 6,
    });
    const [before] = await store.transaction((tx) => tx.getEmployees('acme', ['e-1']));
    expect(before).toMatchObject({ id: 'e-1', roles: ['sales'], email: null, mobile: null, externalRefs: {} });
    if (!before) throw new Error('e-1 is gone');
    const identified = {
      ...before,
      email: 'li.lei@acme.cn',
      mobile: '+8613812345678',
      externalRefs: { wecom: 'LiLei' },
    };
    await store.transaction((tx) => tx.putEmployees([identified]));
    expect(await store.transaction((tx) => tx.getEmployees('acme', ['e-1']))).toEqual([identified]);
    await store.close();
  });

  it('0006 keeps the contacts written before it and takes them at any length: Guard stores them encrypted', async () => {
    const { prefix, raw, store } = await migrated();
    // Back to schema 5: the columns as 0005 made them.
    const employees = sql.table(`${prefix}employees`);
    for (const [column, type] of [
      ['email', 'varchar(254)'],
      ['mobile', 'varchar(32)'],
    ] as const) {
      const name = sql.id(column);
      if (target.dialect === 'postgres') {
        await sql`alter table ${employees} alter column ${name} type ${sql.raw(type)}`.execute(raw);
      }
      if (target.dialect === 'mysql')
        await sql`alter table ${employees} modify column ${name} ${sql.raw(type)} null`.execute(raw);
    }
    const migrations = sql.table(`${prefix}migrations`);
    await sql`delete from ${migrations} where name = ${'0006-employee-contact-sealed'}`.execute(raw);
    const employee = {
      tenantId: 'acme',
      id: 'e-1',
      name: '李雷',
      unitId: 'hq',
      managerId: null,
      roles: ['sales'],
      rank: 2,
      hireDate: '2023-04-01',
      performanceBand: null,
      status: 'active' as const,
      email: 'li.lei@acme.cn',
      mobile: '+8613812345678',
      externalRefs: {},
      updatedAt: at,
    };
    await store.transaction((tx) => tx.putEmployees([employee]));

    expect(await store.migrate()).toEqual({ applied: ['0006-employee-contact-sealed'], schemaVersion: 6 });
    expect(await store.transaction((tx) => tx.getEmployees('acme', ['e-1']))).toEqual([employee]);
    // An e-mail of 254 characters, sealed, is about 400; the longest the columns held before were 254 and 32.
    const sealed = { ...employee, email: `~A256GCM.${'e'.repeat(1_500)}`, mobile: `~A256GCM.${'m'.repeat(200)}` };
    await store.transaction((tx) => tx.putEmployees([sealed]));
    expect(await store.transaction((tx) => tx.getEmployees('acme', ['e-1']))).toEqual([sealed]);
    await store.close();
  });

  it('refuses a database whose schema is newer than the code, and changes nothing', async () => {
    const { prefix, raw, store } = await migrated();
    const migrations = sql.table(`${prefix}migrations`);
    await sql`insert into ${migrations} (name, timestamp) values (${'0007-from-the-future'}, ${new Date().toISOString()})`.execute(
      raw,
    );
    const before = {
      tables: await tablesWithPrefix(raw, prefix),
      recorded: (await sql`select name, timestamp from ${migrations} order by name`.execute(raw)).rows,
    };

    const error = await store.migrate().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGuardError(error, 'STORE_FAILURE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/version 7 .*"0007-from-the-future".*newer than this code knows/);
    expect((error as Error).message).toMatch(/Nothing was changed/);
    expect({
      tables: await tablesWithPrefix(raw, prefix),
      recorded: (await sql`select name, timestamp from ${migrations} order by name`.execute(raw)).rows,
    }).toEqual(before);
    expect(await store.schemaVersion()).toBe(7);
    await store.close();
  });

  it("keeps to its table prefix: the vendor's tables stay untouched, two prefixes are two stores", async () => {
    const [a, b] = [randomPrefix(), randomPrefix()];
    const db = setup(a, b);
    const vendorTable = `vendor_invoices_${randomPrefix()}`;
    cleanups.push(async () => {
      await db.schema.dropTable(vendorTable).ifExists().execute();
    });
    await db.schema
      .createTable(vendorTable)
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('amount_cents', 'integer')
      .execute();
    await sql`insert into ${sql.table(vendorTable)} (id, amount_cents) values ('inv-1', 1200)`.execute(db);

    const storeA = kyselyStore({ db, dialect: target.dialect, tablePrefix: a });
    const storeB = kyselyStore({ db, dialect: target.dialect, tablePrefix: b });
    await storeA.migrate();
    await storeB.migrate();
    await storeA.transaction((tx) => tx.putCustomer(customer('c-1'), null));

    expect(await storeA.transaction((tx) => tx.getCustomer('acme', 'c-1'))).toEqual(customer('c-1'));
    expect(await storeB.transaction((tx) => tx.getCustomer('acme', 'c-1'))).toBeNull();
    const raw = db as unknown as Kysely<unknown>;
    expect(await tablesWithPrefix(raw, a)).toEqual(guardTables(a));
    expect(await tablesWithPrefix(raw, b)).toEqual(guardTables(b));
    expect((await sql`select id, amount_cents from ${sql.table(vendorTable)}`.execute(db)).rows).toEqual([
      { id: 'inv-1', amount_cents: 1200 },
    ]);
    await storeA.close();
    await storeB.close();
    // The vendor's instance is the vendor's: closing the stores left it open.
    expect((await sql`select count(*) as n from ${sql.table(vendorTable)}`.execute(db)).rows).toHaveLength(1);
  });

  it("queries without the instance's plugins (a vendor's CamelCasePlugin does not rename Guard's columns)", async () => {
    const prefix = randomPrefix();
    const db = setup(prefix).withPlugin(new CamelCasePlugin());
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: prefix });
    await store.migrate();
    await store.transaction((tx) => tx.putCustomer(customer('c-1'), null));
    expect(await store.transaction((tx) => tx.listCustomers('acme', {}, { limit: 10 }))).toEqual({
      items: [customer('c-1')],
      nextCursor: null,
    });
  });

  it('says to run migrate() when the tables are missing', async () => {
    const db = setup();
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: randomPrefix() });
    const error = await store
      .transaction((tx) => tx.getCustomer('acme', 'c-1'))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isGuardError(error, 'STORE_FAILURE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/run `await store\.migrate\(\)`/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('never commits a transaction in which a database error was caught and the work went on', async () => {
    const prefix = randomPrefix();
    const db = setup(prefix);
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: prefix });
    await store.migrate();
    // A statement fails (the table is gone), the work swallows the error and writes on.
    await db.schema.dropTable(`${prefix}workflows`).execute();
    const error = await store
      .transaction(async (tx) => {
        await tx.putCustomer(customer('c-1'), null);
        await tx.getWorkflow('acme', 'wf-1').catch(() => null);
        return 'done';
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isGuardError(error, 'STORE_FAILURE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/nothing was committed/);
    expect(await store.transaction((tx) => tx.getCustomer('acme', 'c-1'))).toBeNull();
    await store.close();
  });

  it('returns audit data exactly as written: numbers, text, nesting', async () => {
    const prefix = randomPrefix();
    const db = setup(prefix);
    const store = kyselyStore({ db, dialect: target.dialect, tablePrefix: prefix });
    await store.migrate();
    const log = new AuditLog({
      clock: manualClock('2026-11-02T02:00:00.000Z'),
      keys: hmacKeys({ current: 'k1', keys: { k1: 'guard-store-kysely-test-secret-0001' } }),
      checkpointEvery: 0,
    });
    // Postgres cannot store NUL in text or jsonb (see the README); everything else must round-trip.
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.integer(),
      fc.constantFrom(0.1, 1e21, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, -1.5e-300),
    );
    const leaf = fc.oneof(text, number, fc.boolean(), fc.constant(null));
    const key = text.filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
    const value: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('json'), { maxLength: 3 }),
        fc.dictionary(key, tie('json'), { maxKeys: 3 }),
      ),
    })).json;
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 4 }), async (data) => {
        const [entry] = await store.transaction((tx) =>
          log.append(tx, 'acme', [
            { actor: { type: 'system', id: 'test' }, action: 'test.write', subject: null, data },
          ]),
        );
        seq += 1;
        const [read] = await store.transaction((tx) => tx.readAudit('acme', seq - 1, 1));
        expect(read).toEqual(entry);
        expect(read?.data).toEqual(data);
      }),
      { numRuns: target.dialect === 'sqlite' ? 300 : 100 },
    );
    expect(await log.verify(store, 'acme')).toMatchObject({ ok: true, entries: seq });
    await store.close();
  }, 60_000);
});

describe('kyselyStore', () => {
  it('rejects a table prefix that is not a plain identifier, and an unknown dialect', () => {
    const { db, cleanup } = sqlite.connect();
    try {
      for (const tablePrefix of ['guard-', 'g uard_', '1guard_', 'x'.repeat(25), 'guard_"; drop table x; --']) {
        expect(() => kyselyStore({ db, dialect: 'sqlite', tablePrefix }), tablePrefix).toThrow(
          expect.objectContaining({ code: 'VALIDATION_FAILED' }),
        );
      }
      expect(() => kyselyStore({ db, dialect: 'oracle' as SqlDialectName })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
      expect(kyselyStore({ db, dialect: 'sqlite', tablePrefix: '' }).name).toBe('sqlite');
    } finally {
      void cleanup([]);
    }
  });

  it('refuses work after close(), and a transaction used after it ended', async () => {
    const { db, cleanup } = sqlite.connect();
    try {
      const store = kyselyStore({ db, dialect: 'sqlite' });
      await store.migrate();
      let leaked: Parameters<Parameters<typeof store.transaction>[0]>[0] | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked?.getCustomer('acme', 'c-1')).rejects.toMatchObject({ code: 'STORE_FAILURE' });
      await store.close();
      await expect(store.transaction((tx) => tx.getCustomer('acme', 'c-1'))).rejects.toMatchObject({
        code: 'STORE_FAILURE',
      });
      await expect(store.migrate()).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    } finally {
      await cleanup([]);
    }
  });
});
