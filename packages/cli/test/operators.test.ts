import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ed25519Keys, hmacKeys, keysByPurpose } from '@guard/core';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/index.js';
import { ed25519Pem, seedTenant, workspace } from './helpers.js';

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
  const seed = (file: string) =>
    seedTenant(join(ws.dir, file), hmacKeys(keys), async (t) => {
      await t.settings.update({ claims: { dailyQuota: 5 } });
    });

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
    // A tenant id Guard refuses is the user's mistake, not a bug (once exit 70, "internal error").
    const malformed = await ws.run(['audit', 'verify', '--tenant=-1', '--db', 'keys.db', '--keys', 'keys.json']);
    expect(malformed.code).toBe(exitCodes.usage);
    expect(malformed.stderr).toMatch(/^Invalid tenant id: 1 problem — \(root\): must be 1–128 characters/);
    expect(malformed.stderr).not.toContain('internal error');
    const sub = await ws.run(['audit', 'check']);
    expect(sub.code).toBe(exitCodes.usage);
    expect(sub.stderr).toContain('the command is guard audit verify');
  });
});

describe('guard audit verify --public-key', () => {
  const ws = workspace();

  it('checks links and checkpoint signatures with the Ed25519 public key alone, saying the seals were not checked', async () => {
    const c1 = ed25519Pem();
    const signing = keysByPurpose({
      'audit-seal': hmacKeys(keys),
      'audit-checkpoint': ed25519Keys({ current: 'c1', keys: { c1 } }),
    });
    await seedTenant(join(ws.dir, 'signed.db'), signing, async (t) => {
      await t.audit.checkpoint();
    });
    ws.write('audit.pub.pem', c1.publicKey);
    ws.write('other.pub.pem', ed25519Pem().publicKey);
    const verify = (...options: string[]) =>
      ws.run(['audit', 'verify', '--tenant', 'acme', '--db', 'signed.db', ...options]);

    const r = await verify('--public-key', 'audit.pub.pem');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(exitCodes.ok);
    expect(r.stdout).toMatch(
      /^✔ acme: the audit chain's links and checkpoint signatures verify — 2 entries; seals not checked \(public key only\)/,
    );
    const other = await verify('--public-key', 'other.pub.pem');
    expect(other.code).toBe(exitCodes.broken);
    expect(other.stdout).toContain('(checkpoint-signature)');
    expect((await verify('--public-key', 'audit.pub.pem', '--keys', 'x.json')).code).toBe(exitCodes.usage);
  });
});

describe('guard worker', () => {
  const ws = workspace({ 'keys.json': keys });
  const secret = 'webhook-test-secret-webhook-test-secret';

  /** A webhook on loopback that records each delivery and answers `status`. */
  async function webhook(status: () => number) {
    const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        res.statusCode = status();
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/guard`, received, close: () => new Promise((r) => server.close(r)) };
  }

  /** A tenant whose rep released a customer to the pool: a crm.transfer effect is due. */
  const seedRelease = (file: string) =>
    seedTenant(join(ws.dir, file), hmacKeys(keys), async (t) => {
      await t.customers.upsert({ id: 'c-1', name: 'Customer 1', ownerId: 'rep', unitId: 'hq' });
      await t.ownership.release({ actor: 'rep', customerId: 'c-1', reason: 'moved away' });
    });

  const env = { GUARD_WEBHOOK_SECRET: secret, GUARD_AUDIT_KEYS: JSON.stringify(keys) };

  it('relays due effects to the webhook, signed, once', async () => {
    await seedRelease('worker.db');
    const hook = await webhook(() => 204);
    try {
      const r = await ws.run(['worker', '--once', '--db', 'worker.db', '--deliver', hook.url], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/ effects: [1-9]\d* delivered, 0 to retry, 0 dead\n$/);
      const transfers = hook.received.map((d) => JSON.parse(d.body)).filter((b) => b.effect?.kind === 'crm.transfer');
      expect(transfers).toEqual([
        {
          type: 'effect',
          effect: expect.objectContaining({
            tenantId: 'acme',
            kind: 'crm.transfer',
            payload: expect.objectContaining({ customerId: 'c-1', from: 'rep', to: null, reason: 'release' }),
          }),
        },
      ]);
      for (const d of hook.received) {
        const expected = createHmac('sha256', secret).update(d.body).digest('hex');
        expect(d.headers['x-guard-signature']).toBe(`sha256=${expected}`);
        expect(d.headers['idempotency-key']).toEqual(expect.any(String));
      }
      const count = hook.received.length;
      const again = await ws.run(['worker', '--once', '--db', 'worker.db', '--deliver', hook.url], { env });
      expect(again.stdout).toMatch(/ effects: 0 delivered, 0 to retry, 0 dead\n$/);
      expect(hook.received).toHaveLength(count);
    } finally {
      await hook.close();
    }
  });

  it('keeps an effect the webhook refused, to retry it', async () => {
    await seedRelease('refused.db');
    let status = 503;
    const hook = await webhook(() => status);
    try {
      const refused = await ws.run(['worker', '--once', '--db', 'refused.db', '--deliver', hook.url], { env });
      expect(refused.code).toBe(0);
      expect(refused.stdout).toMatch(/ effects: 0 delivered, [1-9]\d* to retry, 0 dead\n$/);
      status = 200;
      // The retry is due 30 s later by the worker's clock: nothing is delivered before that.
      const early = await ws.run(['worker', '--once', '--db', 'refused.db', '--deliver', hook.url], { env });
      expect(early.stdout).toMatch(/ effects: 0 delivered, 0 to retry, 0 dead\n$/);
    } finally {
      await hook.close();
    }
  });

  it('needs a webhook, its secret, the keys and migrated tables, and says so', async () => {
    const cases: [string[], Record<string, string>, number, string][] = [
      [['--once'], env, exitCodes.usage, 'guard worker: missing --deliver <url>'],
      [['--once', '--deliver', 'ftp://x'], env, exitCodes.usage, '--deliver must be an http(s) URL'],
      [
        ['--once', '--deliver', 'http://127.0.0.1:9/'],
        { GUARD_AUDIT_KEYS: env.GUARD_AUDIT_KEYS },
        exitCodes.usage,
        'set GUARD_WEBHOOK_SECRET',
      ],
      [
        ['--once', '--deliver', 'http://127.0.0.1:9/'],
        { GUARD_WEBHOOK_SECRET: secret },
        exitCodes.usage,
        'give the audit keys',
      ],
      [
        ['--once', '--deliver', 'http://127.0.0.1:9/', '--every', '0'],
        env,
        exitCodes.usage,
        '--every must be a whole number of seconds from 1 to 3600',
      ],
      [
        ['--once', '--deliver', 'http://127.0.0.1:9/', '--db', 'empty.db'],
        env,
        exitCodes.usage,
        'run guard migrate first',
      ],
    ];
    for (const [args, environment, code, message] of cases) {
      const r = await ws.run(['worker', ...args], { env: environment });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toContain(message);
    }
  });
});
