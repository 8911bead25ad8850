import { createGuard, ed25519Keys, hmacKeys, keysByPurpose, memoryStore } from '@guard/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../src/index.js';
import { ed25519Pem, workspace } from './helpers.js';

const hmac = { current: 'k1', keys: { k1: 'evidence-cli-test-secret-of-32-bytes!' } };

/** An evidence pack of a rep who handled a customer, its checkpoint signed with `checkpointKeys`. */
async function exportPack(checkpointKeys: Parameters<typeof keysByPurpose>[0]['audit-checkpoint']) {
  const guard = createGuard({
    store: memoryStore(),
    keys: keysByPurpose({ 'audit-seal': hmacKeys(hmac), 'audit-checkpoint': checkpointKeys }),
  });
  await guard.tenants.upsert({ id: 'acme', name: '华东贸易', timeZone: 'Asia/Shanghai' });
  const t = guard.tenant('acme');
  await t.directory.sync({
    units: [{ id: 'hq', name: '总部', kind: 'hq', parentId: null }],
    employees: [{ id: 'rep', name: '孙丽', unitId: 'hq', roles: ['sales'], hireDate: '2022-01-01' }],
  });
  await t.customers.upsert({ id: 'c-1', name: '华东机械', ownerId: 'rep', unitId: 'hq' });
  await t.customers.read({ actor: 'rep', customerId: 'c-1' });
  return JSON.parse(JSON.stringify(await t.evidence.pack({ employeeId: 'rep' })));
}

describe('guard evidence verify', () => {
  const ws = workspace({ 'keys.json': hmac });
  const signing = ed25519Pem();

  beforeAll(async () => {
    ws.write('audit.pub.pem', signing.publicKey);
    ws.write('other.pub.pem', ed25519Pem().publicKey);
    ws.write('rep.json', await exportPack(ed25519Keys({ current: 'c1', keys: { c1: signing } })));
    ws.write('rep-hmac.json', await exportPack(hmacKeys(hmac)));
  });

  it('verifies a pack offline with the public key alone', async () => {
    const r = await ws.run(['evidence', 'verify', 'rep.json', '--public-key', 'audit.pub.pem']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(exitCodes.ok);
    expect(r.stdout).toMatch(
      /^✔ rep\.json: the evidence pack of rep \(tenant acme\) verifies — the checkpoint's signature, \d+ audit entries linked up to checkpoint #\d+, every section against its manifest\n$/,
    );
  });

  it('verifies a pack signed with HMAC keys, from --keys or GUARD_AUDIT_KEYS', async () => {
    expect((await ws.run(['evidence', 'verify', 'rep-hmac.json', '--keys', 'keys.json'])).code).toBe(exitCodes.ok);
    const env = { GUARD_AUDIT_KEYS: JSON.stringify(hmac) };
    expect((await ws.run(['evidence', 'verify', 'rep-hmac.json'], { env })).code).toBe(exitCodes.ok);
  });

  it('exits 3 naming what broke: a changed section, another key, a stripped run — in Chinese too', async () => {
    const pack = JSON.parse(await (await import('node:fs/promises')).readFile(`${ws.dir}/rep.json`, 'utf8'));
    ws.write('edited.json', { ...pack, customers: [] });
    const edited = await ws.run(['evidence', 'verify', 'edited.json', '--public-key', 'audit.pub.pem']);
    expect(edited.code).toBe(exitCodes.broken);
    expect(edited.stdout).toBe(
      '✖ edited.json: the evidence pack does not verify — a section was changed after the pack was exported. Keep the file as it is and ask for a new export\n',
    );
    const other = await ws.run(['evidence', 'verify', 'rep.json', '--public-key', 'other.pub.pem']);
    expect(other.code).toBe(exitCodes.broken);
    expect(other.stdout).toContain('the checkpoint’s signature does not match');
    ws.write('stripped.json', { ...pack, audit: { ...pack.audit, entries: [] } });
    const zh = await ws.run([
      'evidence',
      'verify',
      'stripped.json',
      '--public-key',
      'audit.pub.pem',
      '--locale',
      'zh-CN',
    ]);
    expect(zh.code).toBe(exitCodes.broken);
    expect(zh.stdout).toBe(
      '✖ stripped.json：证据包校验未通过 —— 审计记录未延续到已签名的检查点。请保留该文件原样，并重新导出\n',
    );
  });

  it('says what is missing or wrong in the command', async () => {
    const noKey = await ws.run(['evidence', 'verify', 'rep.json']);
    expect(noKey.code).toBe(exitCodes.usage);
    expect(noKey.stderr).toContain('--public-key <pem> when checkpoints are signed with Ed25519');
    const both = await ws.run([
      'evidence',
      'verify',
      'rep.json',
      '--public-key',
      'audit.pub.pem',
      '--keys',
      'keys.json',
    ]);
    expect(both.code).toBe(exitCodes.usage);
    const notAKey = await ws.run(['evidence', 'verify', 'rep.json', '--public-key', 'keys.json']);
    expect(notAKey.code).toBe(exitCodes.usage);
    expect(notAKey.stderr).toContain('keys.json: not an Ed25519 public key in PEM');
    ws.write('broken.json', '{"tenantId": ');
    const broken = await ws.run(['evidence', 'verify', 'broken.json', '--public-key', 'audit.pub.pem']);
    expect(broken.code).toBe(exitCodes.invalid);
    expect(broken.stderr).toMatch(/^broken\.json:1:\d+: not valid JSON/);
    const missing = await ws.run(['evidence', 'verify', 'nope.json', '--public-key', 'audit.pub.pem']);
    expect(missing.code).toBe(exitCodes.usage);
    expect((await ws.run(['evidence', 'check'])).stderr).toContain('the command is guard evidence verify');
  });
});
