import { type InsertQueryBuilder, sql } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';

/**
 * The insert variants of the dialects with `INSERT … ON CONFLICT`
 * (PostgreSQL and its compatible engines, SQLite). `insertOrLockExisting`
 * is a plain `ON CONFLICT DO NOTHING` there: on Postgres a concurrent
 * insert of the same key waits for the first one to commit, then the
 * caller's locking read locks the row; SQLite's transactions are serial,
 * so there is nothing to lock.
 *
 * @example
 * ```ts
 * import { onConflictInserts } from '../on-conflict.js';
 * const adapter = { ...onConflictInserts }; // and the rest of a DialectAdapter
 * ```
 */
export const onConflictInserts: Pick<DialectAdapter, 'insertIgnoringDuplicates' | 'insertOrLockExisting' | 'upsert'> = {
  insertIgnoringDuplicates<DB, TB extends keyof DB, O>(query: InsertQueryBuilder<DB, TB, O>) {
    return query.modifyEnd(sql`on conflict do nothing`);
  },
  insertOrLockExisting<DB, TB extends keyof DB, O>(query: InsertQueryBuilder<DB, TB, O>) {
    return query.modifyEnd(sql`on conflict do nothing`);
  },
  upsert<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
    conflict: readonly string[],
    update: readonly string[],
  ) {
    const columns = sql.join(conflict.map((c) => sql.ref(c)));
    const set = sql.join(update.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`));
    return query.modifyEnd(sql`on conflict (${columns}) do update set ${set}`);
  },
};
