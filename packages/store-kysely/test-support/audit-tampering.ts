/**
 * The tampering suite's attacker: someone who can write Guard's tables with
 * plain SQL but holds no key. They can compute hashes (the algorithm is
 * public) and copy any seal or signature they can read; they cannot make a
 * new seal or signature. Each tampering is one attack on a stored chain,
 * written to the database behind the store's back, with the position
 * `verify()` must name; {@link undoTampering} puts the rows back exactly, so
 * one chain serves thousands of attacks.
 */
import type { AuditCheckpoint, AuditEntry } from '@guard/core';
import { entryHash, GENESIS_HASH } from '@guard/core';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { auditRow, checkpointRow, toAuditEntry, toCheckpoint } from '../src/rows.js';
import type { GuardDatabase } from '../src/schema/database.js';
import { TablePrefixPlugin } from '../src/schema/table-prefix-plugin.js';

/** The stored head row. */
export interface HeadRow {
  readonly seq: number;
  readonly hash: string;
  readonly seal: string | null;
}

/** A chain as stored: entries by position (`entries[i].seq === i + 1`), the head row and the stored checkpoints. */
export interface StoredChain {
  readonly tenantId: string;
  readonly entries: readonly AuditEntry[];
  readonly head: HeadRow;
  readonly checkpoints: readonly AuditCheckpoint[];
}

/** What the attacker did, in words a failure message can show. */
export type TamperKind =
  | 'edit'
  | 'rewrite-tail'
  | 'delete'
  | 'delete-renumber'
  | 'insert'
  | 'reorder'
  | 'reorder-rehash'
  | 'forged-append'
  | 'truncate'
  | 'head'
  | 'checkpoint';

/**
 * One attack: the stored entries at positions `from`–`to` (inclusive; none
 * when `to < from`) are replaced by `rows`, the head row by `head` (unless
 * `null`), a stored checkpoint by `checkpoint` (unless `null`).
 */
export interface Tampering {
  readonly kind: TamperKind;
  readonly description: string;
  readonly from: number;
  readonly to: number;
  readonly rows: readonly AuditEntry[];
  readonly head: HeadRow | null;
  readonly checkpoint: AuditCheckpoint | null;
  /** The position `verify()` must report as the first bad entry. */
  readonly firstBadSeq: number;
}

/** Guard's tables under `prefix`, through a connection of the test's own. */
export function guardTables(db: Kysely<unknown>, prefix: string): Kysely<GuardDatabase> {
  return (db as unknown as Kysely<GuardDatabase>).withPlugin(new TablePrefixPlugin(prefix));
}

/** Reads the tenant's whole stored chain, head and checkpoints. */
export async function readStoredChain(db: Kysely<GuardDatabase>, tenantId: string): Promise<StoredChain> {
  const rows = await db
    .selectFrom('audit_entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .execute();
  const head = await db
    .selectFrom('audit_heads')
    .select(['seq', 'hash', 'seal'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const checkpoints = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .execute();
  return {
    tenantId,
    // `pg` parses `jsonb` on a connection of its own; the store's rows hold the text.
    entries: rows.map((r) =>
      toAuditEntry({ ...r, data: typeof r.data === 'string' ? r.data : JSON.stringify(r.data) }),
    ),
    head: { seq: Number(head.seq), hash: head.hash, seal: head.seal },
    checkpoints: checkpoints.map(toCheckpoint),
  };
}

/** Writes `rows` in place of positions `from`–`to`, in one transaction. */
async function replaceRange(
  db: Kysely<GuardDatabase>,
  tenantId: string,
  remove: { from: number; to: number },
  rows: readonly AuditEntry[],
): Promise<void> {
  if (remove.to >= remove.from) {
    await db
      .deleteFrom('audit_entries')
      .where('tenant_id', '=', tenantId)
      .where('seq', '>=', remove.from)
      .where('seq', '<=', remove.to)
      .execute();
  }
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('audit_entries')
      .values(rows.slice(i, i + 200).map(auditRow))
      .execute();
  }
}

async function putHead(db: Kysely<GuardDatabase>, tenantId: string, head: HeadRow): Promise<void> {
  await db
    .updateTable('audit_heads')
    .set({ seq: head.seq, hash: head.hash, seal: head.seal })
    .where('tenant_id', '=', tenantId)
    .execute();
}

async function putCheckpointRow(db: Kysely<GuardDatabase>, checkpoint: AuditCheckpoint): Promise<void> {
  const row = checkpointRow(checkpoint);
  await db
    .updateTable('audit_checkpoints')
    .set({ hash: row.hash, at: row.at, key_id: row.key_id, algorithm: row.algorithm, signature: row.signature })
    .where('tenant_id', '=', checkpoint.tenantId)
    .where('seq', '=', checkpoint.seq)
    .execute();
}

/** Writes the attack to the database, in one transaction. */
export async function applyTampering(db: Kysely<GuardDatabase>, chain: StoredChain, t: Tampering): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await replaceRange(tx, chain.tenantId, t, t.rows);
    if (t.head !== null) await putHead(tx, chain.tenantId, t.head);
    if (t.checkpoint !== null) await putCheckpointRow(tx, t.checkpoint);
  });
}

/** Puts back exactly what {@link applyTampering} changed, in one transaction. */
export async function undoTampering(db: Kysely<GuardDatabase>, chain: StoredChain, t: Tampering): Promise<void> {
  const written = t.rows.map((r) => r.seq);
  const from = Math.min(t.from, ...written);
  const to = Math.max(t.to, ...written);
  await db.transaction().execute(async (tx) => {
    await replaceRange(tx, chain.tenantId, { from, to }, chain.entries.slice(from - 1, to));
    if (t.head !== null) await putHead(tx, chain.tenantId, chain.head);
    if (t.checkpoint !== null) {
      const original = chain.checkpoints.find((c) => c.seq === t.checkpoint?.seq);
      if (original === undefined) throw new Error(`no stored checkpoint at #${t.checkpoint.seq}`);
      await putCheckpointRow(tx, original);
    }
  });
}

// ── the attacks ─────────────────────────────────────────────────────────────

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

/** The entry with every hash from `at` on recomputed, continuing `prev` (positions as they stand). */
function rehash(entries: readonly AuditEntry[], prevHash: string): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = prevHash;
  for (const e of entries) {
    const hash = entryHash(prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

/** A head moved to the new last entry, keeping the old head's seal (the attacker cannot make one). */
function movedHead(chain: StoredChain, last: AuditEntry | undefined): HeadRow {
  return last === undefined
    ? { seq: 0, hash: GENESIS_HASH, seal: chain.head.seal }
    : { seq: last.seq, hash: last.hash, seal: chain.head.seal };
}

const hashBefore = (chain: StoredChain, seq: number): string =>
  seq <= 1 ? GENESIS_HASH : (chain.entries[seq - 2] as AuditEntry).hash;

/** A plausible entry the attacker makes up, at `seq` after `prevHash`, with a seal copied from a real one. */
function forged(chain: StoredChain, seq: number, prevHash: string, copySealOf: AuditEntry): AuditEntry {
  const body = {
    tenantId: chain.tenantId,
    seq,
    at: copySealOf.at,
    actor: { type: 'employee' as const, id: 'e-forger' },
    action: 'customer.transfer',
    subject: { type: 'customer' as const, id: 'c-forged' },
    data: { reason: 'approved by manager', 'note-备注': '离职交接' },
    salt: copySealOf.salt,
  };
  return { ...body, prevHash, hash: entryHash(prevHash, body), seal: copySealOf.seal };
}

/** One field of an entry changed (in place, hashes untouched): always a real change. */
function editedField(e: AuditEntry, field: number, other: AuditEntry, randomHex: string) {
  const fields: [string, () => AuditEntry][] = [
    ['data', () => ({ ...e, data: { ...e.data, rows: (typeof e.data.rows === 'number' ? e.data.rows : 0) + 1 } })],
    ['action', () => ({ ...e, action: e.action === 'customer.read' ? 'customer.view' : 'customer.read' })],
    ['actor', () => ({ ...e, actor: { ...e.actor, id: `${e.actor.id}x` } })],
    ['subject', () => ({ ...e, subject: e.subject === null ? { type: 'customer', id: 'c-1' } : null })],
    ['at', () => ({ ...e, at: new Date(Date.parse(e.at) + 1).toISOString() })],
    ['salt', () => ({ ...e, salt: e.salt === randomHex.slice(0, 32) ? randomHex.slice(32) : randomHex.slice(0, 32) })],
    ['prevHash', () => ({ ...e, prevHash: e.prevHash === randomHex ? other.hash : randomHex })],
    ['hash', () => ({ ...e, hash: e.hash === randomHex ? other.hash : randomHex })],
    ['seal', () => ({ ...e, seal: other.seal })],
  ];
  const [name, make] = fields[field % fields.length] as [string, () => AuditEntry];
  return { name, entry: make() };
}

/**
 * Random attacks on `chain`. Attacks that renumber or rehash the entries
 * after the one they change (a careful attacker keeps the links intact) pick
 * it among the last `tailWindow` entries, so each costs a bounded rewrite;
 * every other attack hits anywhere in the chain.
 */
export function tamperingArb(chain: StoredChain, tailWindow = 300): fc.Arbitrary<Tampering> {
  const n = chain.entries.length;
  if (n < 3) throw new Error('tamperingArb needs a chain of 3 entries or more');
  const entry = (seq: number) => chain.entries[seq - 1] as AuditEntry;
  const anywhere = fc.integer({ min: 1, max: n });
  const inTail = fc.integer({ min: Math.max(1, n - tailWindow + 1), max: n });
  const rest = (from: number) => chain.entries.slice(from - 1);
  const moveHead = fc.boolean();

  const edit = fc.tuple(anywhere, fc.nat(), anywhere, hex64).map(([k, field, o, hex]): Tampering => {
    const other = o === k ? entry(k === n ? 1 : k + 1) : entry(o);
    const { name, entry: row } = editedField(entry(k), field, other, `${hex}${hex}`.slice(0, 64));
    return {
      kind: 'edit',
      description: `${name} of #${k} changed`,
      from: k,
      to: k,
      rows: [row],
      head: null,
      checkpoint: null,
      firstBadSeq: k,
    };
  });

  const rewriteTail = inTail.map((k): Tampering => {
    const [first, ...after] = rest(k) as [AuditEntry, ...AuditEntry[]];
    const rows = rehash([{ ...first, data: { ...first.data, rewritten: true } }, ...after], hashBefore(chain, k));
    return {
      kind: 'rewrite-tail',
      description: `#${k} changed and every hash from it recomputed, head moved along`,
      from: k,
      to: n,
      rows,
      head: movedHead(chain, rows.at(-1)),
      checkpoint: null,
      firstBadSeq: k,
    };
  });

  const del = anywhere.map(
    (k): Tampering => ({
      kind: 'delete',
      description: `#${k} deleted`,
      from: k,
      to: k,
      rows: [],
      head: null,
      checkpoint: null,
      firstBadSeq: k,
    }),
  );

  const deleteRenumber = inTail.map((k): Tampering => {
    const rows = rehash(
      rest(k + 1).map((e) => ({ ...e, seq: e.seq - 1 })),
      hashBefore(chain, k),
    );
    return {
      kind: 'delete-renumber',
      description: `#${k} deleted, later entries renumbered and rehashed, head moved`,
      from: k,
      to: n,
      rows,
      head: movedHead(chain, rows.at(-1) ?? chain.entries[k - 2]),
      checkpoint: null,
      firstBadSeq: k,
    };
  });

  const insert = fc.tuple(inTail, anywhere).map(([k, s]): Tampering => {
    const fake = forged(chain, k, hashBefore(chain, k), entry(s));
    const rows = [
      fake,
      ...rehash(
        rest(k).map((e) => ({ ...e, seq: e.seq + 1 })),
        fake.hash,
      ),
    ];
    return {
      kind: 'insert',
      description: `a forged entry inserted at #${k}, later entries renumbered and rehashed, head moved`,
      from: k,
      to: n,
      rows,
      head: movedHead(chain, rows.at(-1)),
      checkpoint: null,
      firstBadSeq: k,
    };
  });

  /** Entries i..j in another order (a rotation by one, or a swap of the ends); each keeps its position's seq. */
  const reordered = (i: number, j: number, swap: boolean) => {
    const block = chain.entries.slice(i - 1, j);
    const order = swap ? [block.at(-1), ...block.slice(1, -1), block[0]] : [...block.slice(1), block[0]];
    return (order as AuditEntry[]).map((e, x) => ({ ...e, seq: i + x }));
  };
  const reorder = fc
    .tuple(fc.integer({ min: 1, max: n - 1 }), fc.integer({ min: 1, max: 50 }), fc.boolean())
    .map(([i, span, swap]): Tampering => {
      const j = Math.min(n, i + span);
      return {
        kind: 'reorder',
        description: `#${i}–#${j} reordered (${swap ? 'ends swapped' : 'rotated'})`,
        from: i,
        to: j,
        rows: reordered(i, j, swap),
        head: null,
        checkpoint: null,
        firstBadSeq: i,
      };
    });
  const reorderRehash = fc.tuple(inTail, fc.integer({ min: 1, max: 50 }), fc.boolean()).map(([k, span, swap]) => {
    const i = Math.min(k, n - 1);
    const j = Math.min(n, i + span);
    const rows = rehash([...reordered(i, j, swap), ...chain.entries.slice(j)], hashBefore(chain, i));
    return {
      kind: 'reorder-rehash' as const,
      description: `#${i}–#${j} reordered, every hash from #${i} recomputed, head moved`,
      from: i,
      to: n,
      rows,
      head: movedHead(chain, rows.at(-1)),
      checkpoint: null,
      firstBadSeq: i,
    };
  });

  const forgedAppend = fc.tuple(fc.integer({ min: 1, max: 5 }), anywhere, moveHead).map(([m, s, move]): Tampering => {
    const rows: AuditEntry[] = [];
    let prev = chain.head.hash;
    for (let x = 1; x <= m; x++) {
      const fake = forged(chain, n + x, prev, entry(s));
      rows.push(fake);
      prev = fake.hash;
    }
    return {
      kind: 'forged-append',
      description: `${m} forged entries appended with correct hashes${move ? ', head moved along' : ''}`,
      from: n + 1,
      to: n,
      rows,
      head: move ? movedHead(chain, rows.at(-1)) : null,
      checkpoint: null,
      firstBadSeq: n + 1,
    };
  });

  const truncate = fc
    .tuple(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: n })), fc.constantFrom(0, 1, 2))
    .map(([m, headMode]): Tampering => {
      const last = chain.entries[n - m - 1];
      const head =
        headMode === 0 ? null : headMode === 1 ? movedHead(chain, last) : { ...movedHead(chain, last), seal: null };
      return {
        kind: 'truncate',
        description: `the last ${m} entries cut off${['', ', head moved back', ', head moved back without a seal'][headMode]}`,
        from: n - m + 1,
        to: n,
        rows: [],
        head,
        checkpoint: null,
        firstBadSeq: n - m + 1,
      };
    });

  const head = fc
    .tuple(fc.constantFrom('seal', 'hash', 'forward', 'back'), hex64, fc.integer({ min: 1, max: 5 }))
    .map(([what, hex, by]): Tampering => {
      const h = chain.head;
      const changed: Record<typeof what, HeadRow> = {
        seal: { ...h, seal: entry(1).seal },
        hash: { ...h, hash: hex },
        forward: { ...h, seq: h.seq + by },
        back: { ...h, seq: h.seq - by },
      };
      return {
        kind: 'head',
        description: `the head's ${what === 'forward' || what === 'back' ? `seq moved ${what} by ${by}` : what} changed`,
        from: n + 1,
        to: n,
        rows: [],
        head: changed[what],
        checkpoint: null,
        // Moved back, the head no longer covers the entries after it.
        firstBadSeq: what === 'back' ? h.seq - by + 1 : n + 1,
      };
    });

  const checkpoint =
    chain.checkpoints.length === 0
      ? null
      : fc.tuple(fc.constantFrom(...chain.checkpoints), fc.boolean(), hex64).map(([cp, hashToo, hex]): Tampering => {
          const at = entry(cp.seq);
          return {
            kind: 'checkpoint',
            description: `the checkpoint at #${cp.seq} re-pointed${hashToo ? ' to a made-up hash' : ' to the previous entry'}`,
            from: n + 1,
            to: n,
            rows: [],
            head: null,
            checkpoint: { ...cp, hash: hashToo ? hex : at.prevHash },
            firstBadSeq: cp.seq,
          };
        });

  return fc.oneof(
    edit,
    rewriteTail,
    del,
    deleteRenumber,
    insert,
    reorder,
    reorderRehash,
    forgedAppend,
    truncate,
    head,
    ...(checkpoint === null ? [] : [checkpoint]),
  );
}
