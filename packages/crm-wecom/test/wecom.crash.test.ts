import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard, hmacKeys, type TenantGuard } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_KEYS, type WecomHarness, wecomHarness } from './harness.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const script = fileURLToPath(new URL('./wecom.crash.worker.ts', import.meta.url));

/** A worker process: resolves `ready` once it runs; `stop()` kills it with SIGKILL, as a crash would. */
function startWorker(args: readonly string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@guard/source', '--import', 'tsx', script, ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited (${String(code)}) before it was ready:\n${err}`)));
  });
  return {
    ready,
    stderr: () => err,
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until `done()` holds, checking every few milliseconds. */
async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function doneCount(acme: TenantGuard): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await acme.crm.transfers({ status: 'done', limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    n += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return n;
}

describe('a worker killed while it transfers customers in WeCom', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('is restarted, and every customer is transferred exactly once', { timeout: 180_000 }, async () => {
    const n = 300;
    const h: WecomHarness = await wecomHarness();
    cleanups.push(() => h.cleanup());
    const dir = mkdtempSync(join(tmpdir(), 'guard-wecom-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const filename = join(dir, 'guard.db');
    const store = sqliteStore({ filename, busyTimeoutMs: 20_000 });
    cleanups.push(() => store.close());
    await store.migrate();
    const guard = createGuard({ store, keys: hmacKeys(CRASH_KEYS) });
    await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
    const acme = guard.tenant('acme');
    const person = (id: string, roles: string[], mobile: string, extra: object = {}) => ({
      id,
      name: id,
      unitId: 'hq',
      roles,
      hireDate: '2022-01-01',
      mobile,
      ...extra,
    });
    await acme.directory.sync({
      units: [{ id: 'hq', name: 'HQ', kind: 'hq', parentId: null }],
      employees: [
        person('hr', ['hr-admin'], '13800000001'),
        person('fin', ['finance'], '13800000002'),
        person('mgr', ['manager'], '13800000003'),
        person('rep', ['sales'], '13800000004', { managerId: 'mgr' }),
        person('mate', ['sales'], '13800000005', { managerId: 'mgr' }),
      ],
    });
    await h.seed({
      users: [
        { userId: 'wangwei', mobile: '13800000004', name: '王伟' },
        { userId: 'lina', mobile: '13800000005', name: '李娜' },
      ],
      customers: Array.from({ length: n }, (_, i) => ({
        externalId: `wm-${i}`,
        name: `客户 ${i}`,
        ownerUserId: 'wangwei',
      })),
    });
    await acme.customers.upsert(
      Array.from({ length: n }, (_, i) => ({
        id: `c-${i}`,
        name: `客户 ${i}`,
        ownerId: 'rep',
        unitId: 'hq',
        externalRefs: { wecom: `wm-${i}` },
      })),
    );
    const view = await acme.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'relocation',
    });
    await acme.offboarding.submitItems({
      actor: 'rep',
      caseId: view.id,
      items: view.items.map((item) => ({
        itemId: item.id,
        ...(item.kind === 'customer' ? { successorId: 'mate' } : {}),
        ...(item.kind === 'confirmation' ? { fileRef: `files/${item.ref}.pdf` } : {}),
      })),
    });
    await acme.offboarding.submitHandover({ actor: 'rep', caseId: view.id });
    await acme.offboarding.acceptItems({ actor: 'mgr', caseId: view.id, itemIds: view.items.map((i) => i.id) });
    for (const actor of ['mgr', 'hr']) await acme.offboarding.signOff({ actor, caseId: view.id });
    await acme.offboarding.signOff({ actor: 'fin', caseId: view.id, receivablesConfirmed: true });

    const args = [filename, h.corp.url, h.corp.corpId, h.corp.corpSecret];
    // Killed right after WeCom took a batch, three times: twice while WeCom's answer is on its way (the worker
    // has sent the batch and not heard back), once a few milliseconds later, wherever the worker is by then.
    let caughtSending = 0;
    for (const slow of [true, false, true]) {
      const before = h.corp.transfers.length;
      if (slow) h.corp.inject({ kind: 'slow', delayMs: 3000, on: 'transfer', times: 2 });
      const worker = startWorker(args);
      cleanups.push(() => worker.stop());
      await worker.ready;
      await until(() => h.corp.transfers.length > before || h.corp.transfers.length >= n, 'WeCom takes a batch');
      if (!slow) await new Promise((resolve) => setTimeout(resolve, 10));
      await worker.stop();
      caughtSending += (await acme.crm.transfers({ status: 'sending' })).items.length;
    }
    expect(caughtSending, 'a worker was killed between sending a batch and recording it').toBeGreaterThan(0);
    // The last worker finishes the job: every customer asked for, then WeCom's 24 hours pass.
    const last = startWorker(args);
    cleanups.push(() => last.stop());
    await last.ready;
    await until(
      async () => h.corp.transfers.length >= n && (await acme.crm.transfers({ status: 'sending' })).items.length === 0,
      'every transfer is asked for',
    );
    await until(
      async () => (await acme.crm.transfers({ status: 'retrying' })).items.length === 0,
      'no call is left to retry',
    );
    h.corp.advance(86_400);
    await until(async () => (await doneCount(acme)) === n, `all ${n} transfers are done`).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${last.stderr()}`);
    });
    await last.stop();

    const started = h.corp.transfers.map((t) => t.externalUserId);
    expect(started.length, 'no customer transferred twice').toBe(n);
    expect(new Set(started).size).toBe(n);
    expect(h.corp.transfers.every((t) => t.status === 1 && t.takeover === 'lina')).toBe(true);
    for (let i = 0; i < n; i += 37) expect(await h.ownerOf(`wm-${i}`)).toBe('lina');
    expect((await acme.audit.verify()).ok).toBe(true);
  });
});
