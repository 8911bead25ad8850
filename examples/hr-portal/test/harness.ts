import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, type Guard, hmacKeys, manualClock } from '@guard/core';
import { sqliteStore } from '@guard/store-sqlite';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { buildPortal } from '../src/app.js';
import { openHostDb } from '../src/host-db.js';
import { seedPortal, TENANT } from '../src/seed.js';
import { seedRiskHistory } from '../src/seed-risk.js';

/** "Now" in every portal test. */
export const NOW = '2026-11-30T10:00:00+08:00';

/** A portal on a fresh SQLite file (the host's tables and Guard's), seeded; with `risk`, 60 days of signals and scans too. */
export async function startPortal(options: { risk?: boolean } = {}): Promise<{
  app: FastifyInstance;
  guard: Guard;
  close: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'hr-portal-'));
  const db = openHostDb(join(dir, 'portal.db'));
  const store = sqliteStore({ database: db, tablePrefix: 'guard_' });
  await store.migrate();
  const clock = manualClock(NOW);
  const keys = hmacKeys({ current: 'k1', keys: { k1: 'test-secret-test-secret-test-secret!' } });
  const guard = createGuard({
    store,
    keys,
    clock,
    locale: 'zh-CN',
  });
  await seedPortal(guard, db);
  if (options.risk) await seedRiskHistory(guard, clock, new Date(NOW));
  const app = await buildPortal({
    db,
    guard: guard.tenant(TENANT.id),
    sessionSecret: 'a-test-session-secret-of-32-chars!!',
    filesDir: join(dir, 'files'),
    keys,
  });
  return {
    app,
    guard,
    async close() {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a test reads of a response. */
export interface PortalResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
}

export interface PortalClient {
  get(url: string): Promise<PortalResponse>;
  post(url: string, form: Record<string, string>, options?: { csrf?: boolean }): Promise<PortalResponse>;
  /** A multipart form, files included (name → [filename, content]). */
  upload(url: string, form: Record<string, string>, files: Record<string, [string, string]>): Promise<PortalResponse>;
  login(username: string, password?: string): Promise<PortalResponse>;
}

/** A browser-like client over `app.inject`: keeps cookies, reads the CSRF token from each page. */
export function client(app: FastifyInstance): PortalClient {
  const cookies = new Map<string, string>();
  let csrf = '';
  const remember = (setCookie: string | string[] | undefined) => {
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair] = line.split(';');
      const at = (pair as string).indexOf('=');
      cookies.set((pair as string).slice(0, at), (pair as string).slice(at + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    async get(url: string) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader() } });
      remember(res.headers['set-cookie']);
      const token = /name="_csrf" value="([^"]*)"/.exec(res.body)?.[1];
      if (token) csrf = token;
      return res;
    },
    async post(url: string, form: Record<string, string>, options: { csrf?: boolean } = {}) {
      const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: csrf }), ...form }).toString();
      const res = await app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      });
      remember(res.headers['set-cookie']);
      return res;
    },
    async upload(url: string, form: Record<string, string>, files: Record<string, [string, string]>) {
      const data = new FormData();
      data.set('_csrf', csrf);
      for (const [k, v] of Object.entries(form)) data.set(k, v);
      for (const [k, [filename, content]] of Object.entries(files)) data.set(k, new Blob([content]), filename);
      const encoded = new Request('http://portal.test/', { method: 'POST', body: data });
      const res = await app.inject({
        method: 'POST',
        url,
        payload: Buffer.from(await encoded.arrayBuffer()),
        headers: { cookie: cookieHeader(), 'content-type': encoded.headers.get('content-type') ?? '' },
      });
      remember(res.headers['set-cookie']);
      return res;
    },
    async login(username: string, password = 'guard-demo') {
      await this.get('/login');
      return this.post('/login', { username, password });
    },
  };
}

/** The text of a page, tags dropped, for matching what a reader sees. */
export const textOf = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** What a test file uses of its portal: the app, Guard, and clients logged in as someone. */
export interface PortalFixture {
  readonly app: FastifyInstance;
  readonly guard: Guard;
  /** A client logged in as `username` (password `guard-demo`). */
  as(username: string): Promise<PortalClient>;
}

/**
 * A portal for the tests of a file: started before them and closed after
 * (`fresh`: one per test instead).
 */
export function usePortal(options: { risk?: boolean; fresh?: boolean } = {}): PortalFixture {
  let portal: Awaited<ReturnType<typeof startPortal>> | undefined;
  const started = () => {
    if (!portal) throw new Error('the portal starts before the tests');
    return portal;
  };
  (options.fresh ? beforeEach : beforeAll)(async () => {
    portal = await startPortal(options);
  }, 120_000);
  (options.fresh ? afterEach : afterAll)(() => portal?.close());
  return {
    get app() {
      return started().app;
    },
    get guard() {
      return started().guard;
    },
    async as(username) {
      const c = client(started().app);
      await c.login(username);
      return c;
    },
  };
}
