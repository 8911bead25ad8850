/**
 * The tampering suite (issue #22): random attacks by someone who can write
 * Guard's tables but holds no key, on a 10,000-entry chain stored in SQLite
 * and PostgreSQL. Every attack must be found by `audit.verify()` at the right
 * first bad entry. CI runs 100 attacks per database; `pnpm test:soak` runs
 * 10,000 (`GUARD_SOAK=1`).
 */
import {
  type AuditDraft,
  AuditLog,
  createGuard,
  hmacKeys,
  manualClock,
  sequentialIds,
  type TenantGuard,
} from '@guard/core';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soak } from '../../../scripts/soak.js';
import { kyselyStore, type SqlDialectName } from '../src/index.js';
import type { GuardDatabase } from '../src/schema/database.js';
import {
  applyTampering,
  guardTables,
  readStoredChain,
  type StoredChain,
  type TamperKind,
  tamperingArb,
  undoTampering,
} from '../test-support/audit-tampering.js';
import { testDatabase } from '../test-support/databases.js';
import { connectRaw, type SqlHarness, sqlHarness } from '../test-support/sql-harness.js';

const CHAIN_LENGTH = 10_000;
const ATTACKS = soak({ ci: 100, soak: 10_000 });
const TENANT = 'acme';

const keys = hmacKeys({ current: 'k1', keys: { k1: 'tampering-suite-secret-of-32-bytes!!' } });

/** A day of a sales team's audit trail, varied enough that no two entries look alike. */
function draft(i: number): AuditDraft {
  const employee = `e-${(i * 7) % 40}`;
  const customer = { type: 'customer' as const, id: `c-${(i * 13) % 3000}` };
  switch (i % 5) {
    case 0:
      return { actor: { type: 'employee', id: employee }, action: 'customer.read', subject: customer, data: {} };
    case 1:
      return {
        actor: { type: 'employee', id: employee },
        action: 'customer.export',
        subject: null,
        data: { rows: i % 400, watermark: true },
      };
    case 2:
      return {
        actor: { type: 'host', id: 'crm-sync' },
        action: 'customers.upsert',
        subject: null,
        data: { created: i % 9, updated: i % 17, note: '夜间同步' },
      };
    case 3:
      return {
        actor: { type: 'employee', id: 'm-1' },
        action: 'ownership.transfer',
        subject: customer,
        data: { from: employee, to: `e-${(i * 11) % 40}`, reason: '离职交接' },
      };
    default:
      return { actor: { type: 'system', id: 'worker' }, action: 'risk.scan', subject: null, data: { scanned: i } };
  }
}

interface Target {
  readonly dialect: SqlDialectName;
  readonly url?: string;
}

const postgresUrl = await testDatabase('postgres');
const targets: Target[] = [
  { dialect: 'sqlite' },
  ...(postgresUrl === null ? [] : [{ dialect: 'postgres' as const, url: postgresUrl }]),
];

describe.each(targets)(`tampering with a ${CHAIN_LENGTH.toLocaleString('en')}-entry chain on $dialect`, (target) => {
  let harness: SqlHarness;
  let raw: Kysely<unknown>;
  let db: Kysely<GuardDatabase>;
  let acme: TenantGuard;
  let chain: StoredChain;

  beforeAll(async () => {
    harness = await sqlHarness({
      dialect: target.dialect,
      url: target.url,
      open: ({ prefix, filename }) =>
        kyselyStore({
          db: connectRaw(target.dialect, target.dialect === 'sqlite' ? filename : (target.url as string)),
          dialect: target.dialect,
          tablePrefix: prefix,
          destroyOnClose: true,
        }),
    });
    const clock = manualClock('2026-11-02T09:00:00+08:00');
    const guard = createGuard({ store: harness.store, keys, clock, ids: sequentialIds() });
    await guard.tenants.upsert({ id: TENANT, name: '华东贸易', timeZone: 'Asia/Shanghai' });
    acme = guard.tenant(TENANT);
    // The rest of the chain in batches of 100, as a busy tenant's transactions write it.
    const log = new AuditLog({ clock, keys, checkpointEvery: 1000 });
    for (let written = 1; written < CHAIN_LENGTH; ) {
      const batch = Math.min(100, CHAIN_LENGTH - written);
      const drafts = Array.from({ length: batch }, (_, x) => draft(written + x));
      const appended = await harness.store.transaction((tx) => log.append(tx, TENANT, drafts));
      written = appended.at(-1)?.seq ?? written;
      clock.advance({ minutes: 3 });
    }
    raw = connectRaw(target.dialect, harness.target);
    db = guardTables(raw, harness.prefix);
    chain = await readStoredChain(db, TENANT);
  }, 600_000);

  afterAll(async () => {
    await raw?.destroy();
    await harness?.cleanup();
  });

  it('verifies untouched, with its checkpoints', async () => {
    expect(chain.entries).toHaveLength(CHAIN_LENGTH);
    // One checkpoint per 1,000 entries, signed at the head of the batch that passed each thousand.
    expect(chain.checkpoints.map((c) => Math.floor(c.seq / 1000))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await acme.audit.verify()).toMatchObject({ ok: true, entries: CHAIN_LENGTH });
  });

  it(
    `finds each of ${ATTACKS.toLocaleString('en')} random attacks at its first bad entry`,
    async () => {
      const seen = new Map<TamperKind, number>();
      await fc.assert(
        fc.asyncProperty(tamperingArb(chain), async (t) => {
          await applyTampering(db, chain, t);
          try {
            const result = await acme.audit.verify();
            expect({ attack: t.description, ok: result.ok }).toEqual({ attack: t.description, ok: false });
            if (result.ok) return;
            expect({ attack: t.description, firstBadSeq: result.firstBadSeq, entries: result.entries }).toEqual({
              attack: t.description,
              firstBadSeq: t.firstBadSeq,
              entries: t.firstBadSeq - 1,
            });
          } finally {
            await undoTampering(db, chain, t);
          }
          seen.set(t.kind, (seen.get(t.kind) ?? 0) + 1);
        }),
        { numRuns: ATTACKS },
      );
      // Every kind of attack was tried, and undoing each left the chain exactly as it was.
      expect([...seen.keys()].sort()).toEqual(
        [
          'checkpoint',
          'delete',
          'delete-renumber',
          'edit',
          'forged-append',
          'head',
          'insert',
          'reorder',
          'reorder-rehash',
          'rewrite-tail',
          'truncate',
        ].sort(),
      );
      expect(await readStoredChain(db, TENANT)).toEqual(chain);
      expect(await acme.audit.verify()).toMatchObject({ ok: true, entries: CHAIN_LENGTH });
      console.info(
        `[tampering/${target.dialect}] ${ATTACKS} attacks, all found: ${[...seen].map(([k, c]) => `${k} ${c}`).join(', ')}`,
      );
    },
    soak({ ci: 600_000, soak: 4 * 3_600_000 }),
  );
});
