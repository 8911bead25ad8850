import { join } from 'node:path';
import { createGuard, hmacKeys } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/index.js';
import { workspace } from './helpers.js';

const keys = { current: 'k1', keys: { k1: 'operator-test-secret-operator-test-secret' } };

describe('guard migrate', () => {
  const ws = workspace();

  it('creates the tables of a new SQLite file, then finds nothing to do', async () => {
    const first = await ws.run(['migrate', '--db', 'ops.db']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ops\.db: applied \d+ migrations?; schema version (\d+)\n$/);
    const again = await ws.run(['migrate'], { env: { GUARD_DATABASE_URL: 'sqlite:ops.db' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ops\.db: already up to date \(schema version \d+\)\n$/);
    const zh = await ws.run(['migrate', '--db', 'ops.db', '--locale', 'zh-CN']);
    expect(zh.stdout).toMatch(/^ops\.db：已是最新（数据库结构版本 \d+）\n$/);
  });

  it('says what is wrong with a database it cannot use, without the password', async () => {
    const folder = await ws.run(['migrate', '--db', 'no-such-folder/guard.db']);
    expect(folder.code).toBe(exitCodes.unavailable);
    expect(folder.stderr).toContain('no-such-folder/guard.db: cannot use the database');
    const pg = await ws.run(['migrate', '--db', 'postgres://guard:s3cret@127.0.0.1:1/none']);
    expect(pg.code).toBe(exitCodes.unavailable);
    expect(pg.stderr).toContain('postgres://guard:***@127.0.0.1:1/none: cannot use the database');
    expect(pg.stderr).not.toContain('s3cret');
    const scheme = await ws.run(['migrate', '--db', 'oracle://x@y/z']);
    expect(scheme.code).toBe(exitCodes.usage);
    expect(scheme.stderr).toContain('unknown database; use postgres://…, mysql://…');
  });
});

describe('guard audit verify', () => {
  const ws = workspace({ 'keys.json': keys });

  /** A tenant with a few audited changes in `file`, written through the public API. */
  async function seed(file: string) {
    const store = sqliteStore({ filename: join(ws.dir, file) });
    await store.migrate();
    const guard = createGuard({ store, keys: hmacKeys(keys) });
    await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    const t = guard.tenant('acme');
    await t.directory.sync({
      units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
      employees: [{ id: 'hr', name: 'HR', unitId: 'hq', roles: ['hr-admin'], hireDate: '2020-01-01' }],
    });
    await t.settings.update({ claims: { dailyQuota: 5 } });
    await store.close();
  }

  it('verifies an intact chain with every seal and signature', async () => {
    await seed('intact.db');
    const r = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'intact.db', '--keys', 'keys.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^✔ acme: the audit chain verifies — \d+ entries, every seal and checkpoint signature checked; head #\d+ [0-9a-f]{16}…\n$/,
    );
    const env = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'intact.db'], {
      env: { GUARD_AUDIT_KEYS: JSON.stringify(keys) },
    });
    expect(env.code).toBe(0);
  });

  it('exits 3 and says where an entry edited in the database breaks the chain', async () => {
    await seed('edited.db');
    const db = new BetterSqlite3(join(ws.dir, 'edited.db'));
    db.prepare("update guard_audit_entries set action = action || '!' where seq = 2").run();
    db.close();
    const r = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'edited.db', '--keys', 'keys.json']);
    expect(r.code).toBe(exitCodes.broken);
    expect(r.stdout).toMatch(
      /^✖ acme: the audit chain is broken at #2 \((hash|seal)-mismatch\); #1–#1 verify \(1 entries\)/,
    );
  });

  it('refuses wrong keys, missing keys and an unknown tenant with what to do', async () => {
    await seed('keys.db');
    const wrong = { current: 'k2', keys: { k2: 'another-secret-another-secret-another!' } };
    ws.write('wrong.json', wrong);
    const sealed = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'keys.db', '--keys', 'wrong.json']);
    expect(sealed.code).toBe(exitCodes.broken);
    expect(sealed.stdout).toContain(
      'broken at #1 (seal-mismatch: the entry was changed, or these are not the keys it was sealed with); no entry before it',
    );
    const none = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'keys.db']);
    expect(none.code).toBe(exitCodes.usage);
    expect(none.stderr).toContain('give the audit keys with --keys <keys.json> or GUARD_AUDIT_KEYS');
    ws.write('short.json', { current: 'k1', keys: { k1: 'short' } });
    const short = await ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'keys.db', '--keys', 'short.json']);
    expect(short.code).toBe(exitCodes.usage);
    expect(short.stderr).toContain('short.json: keys.k1: a key must be at least 32 characters');
    const tenant = await ws.run(['audit', 'verify', '--tenant', 'ghost', '--db', 'keys.db', '--keys', 'keys.json']);
    expect(tenant.code).toBe(exitCodes.invalid);
    expect(tenant.stderr).toContain('no tenant "ghost"');
    const sub = await ws.run(['audit', 'check']);
    expect(sub.code).toBe(exitCodes.usage);
    expect(sub.stderr).toContain('the command is guard audit verify');
  });
});
