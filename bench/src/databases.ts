import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KyselyStore, postgresStore } from '@guard/store-postgres';
import { sqliteStore } from '@guard/store-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/**
 * Runs `work` on a migrated SQLite store in a fresh directory (its file is
 * `dir/guard.db`; a baseline may put its own file beside it), then closes
 * the store and removes the directory.
 */
export async function onSqlite<T>(work: (store: KyselyStore, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'guard-bench-'));
  try {
    const store = sqliteStore({ filename: join(dir, 'guard.db') });
    try {
      await store.migrate();
      return await work(store, dir);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `work` on a migrated Postgres store whose tables (and the baseline's,
 * which must share the prefix) are named `bench_<name>_<pid>_…`, then closes
 * the store and drops every table with that prefix.
 */
export async function onPostgres<T>(
  url: string,
  name: string,
  work: (store: KyselyStore, prefix: string) => Promise<T>,
): Promise<T> {
  const prefix = `bench_${name}_${process.pid}_`;
  const store = postgresStore({ connectionString: url, tablePrefix: prefix });
  try {
    await store.migrate();
    return await work(store, prefix);
  } finally {
    await store.close();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ tablename: string }>(
        'select tablename from pg_tables where schemaname = current_schema() and starts_with(tablename, $1)',
        [prefix],
      );
      for (const { tablename } of rows) await pool.query(`drop table if exists "${tablename}"`);
    } finally {
      await pool.end();
    }
  }
}

/**
 * A plain better-sqlite3 connection for a baseline, set up as Guard's store
 * sets up its own: WAL, a 5 s busy timeout and a 64 MiB page cache — so
 * that a ratio compares the work done, not the settings.
 */
export function plainSqlite(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('cache_size = -65536');
  return db;
}
