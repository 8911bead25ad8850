import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createGuard, hmacKeys, isGuardError, manualClock } from '@guard/core';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../store-kysely/test-support/sql-harness.js';
import { sqliteStore } from '../src/index.js';

const keys = hmacKeys({ current: 'k1', keys: { k1: 'guard-store-sqlite-test-secret-0001' } });

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
const freshFile = () => {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir, 'guard.db');
};

/** What a host does on every start: open the file, migrate, build Guard. */
async function start(filename: string) {
  const store = sqliteStore({ filename });
  const migration = await store.migrate();
  const guard = createGuard({
    store,
    keys,
    clock: manualClock('2026-11-02T02:00:00.000Z'),
    audit: { checkpointEvery: 2 },
  });
  return { store, migration, acme: guard.tenant('acme'), guard };
}

describe('sqliteStore', () => {
  it('re-opens a file as the demo does: migrated once, data and audit chain kept, the chain goes on', async () => {
    const filename = freshFile();
    const first = await start(filename);
    expect(first.migration).toEqual({
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
    await first.guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    await first.acme.directory.sync({
      units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
      employees: [{ id: 'e-1', name: 'Wang', unitId: 'hq', roles: ['sales'], hireDate: '2024-01-01' }],
    });
    await first.acme.customers.upsert({
      id: 'c-1',
      name: 'Huadong Machinery',
      ownerId: 'e-1',
      unitId: 'hq',
      fields: { contact: { phone: '13812345678' } },
    });
    await first.acme.customers.read({ actor: 'e-1', customerId: 'c-1' });
    const before = await first.acme.audit.verify();
    expect(before.ok).toBe(true);
    await first.store.close();

    const second = await start(filename);
    expect(second.migration).toEqual({ applied: [], schemaVersion: 6 });
    const view = await second.acme.customers.read({ actor: 'e-1', customerId: 'c-1' });
    expect(view.fields.contact?.phone).toBe('13812345678');
    const after = await second.acme.audit.verify();
    expect(after).toMatchObject({ ok: true });
    expect(after.entries).toBeGreaterThan(before.entries);
    await second.store.close();

    // Someone edits an entry in the file behind Guard's back: the chain says where.
    const db = new BetterSqlite3(filename);
    db.prepare(`update guard_audit_entries set data = '{"forged":true}' where seq = 2`).run();
    db.close();
    const third = await start(filename);
    expect(await third.acme.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
    await third.store.close();
  });

  it('opens the file in WAL mode with foreign keys on', async () => {
    const filename = freshFile();
    const store = sqliteStore({ filename });
    await store.migrate();
    const db = new BetterSqlite3(filename);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    await store.close();
  });

  it('takes a page cache size in MiB, and refuses one that is not from 1 to 65536 before opening anything', async () => {
    const filename = freshFile();
    for (const cacheSizeMiB of [0, -64, 65_537, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sqliteStore({ filename, cacheSizeMiB }), String(cacheSizeMiB)).toThrow(
        /cacheSizeMiB must be a number of MiB from 1 to 65536/,
      );
    }
    expect(existsSync(filename)).toBe(false);
    const store = sqliteStore({ filename, cacheSizeMiB: 1 });
    expect(await store.migrate()).toMatchObject({ schemaVersion: 6 });
    await store.close();
  });

  it('is a StoreError, with a hint, when the file cannot be opened', () => {
    const dir = tempDir();
    dirs.push(dir);
    const filename = join(dir, 'no-such-directory', 'guard.db');
    let error: unknown;
    try {
      sqliteStore({ filename });
    } catch (e) {
      error = e;
    }
    expect(isGuardError(error, 'STORE_FAILURE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/does its directory exist/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(existsSync(filename)).toBe(false);
  });

  it('leaves a database of yours open, with its settings, when the store closes', async () => {
    const filename = freshFile();
    const database = new BetterSqlite3(filename);
    const store = sqliteStore({ database, tablePrefix: 'app_guard_' });
    await store.migrate();
    await store.close();
    expect(database.open).toBe(true);
    expect(database.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(database.prepare('select count(*) as n from app_guard_customers').get()).toEqual({ n: 0 });
    database.close();
  });
});
