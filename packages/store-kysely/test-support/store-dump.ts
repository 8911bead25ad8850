import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type MemoryStore, memoryStore, type Store } from '@guard/core';
import { type Kysely, sql } from 'kysely';
import { kyselyStore, type SqlDialectName } from '../src/index.js';
import { GUARD_TABLES } from '../src/schema/database.js';
import { testDatabase } from './databases.js';
import { connectRaw, type SqlHarness, sqlHarness } from './sql-harness.js';

/** Everything a store holds, as one string: every row of every table, in a stable order. */
export type Dump = () => Promise<string>;

const stable = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint'
      ? `${v}n`
      : v instanceof Map
        ? [...v.entries()]
        : v instanceof Date
          ? v.toISOString()
          : Buffer.isBuffer(v)
            ? v.toString('hex')
            : v,
  );

/** The dump of a memory store. */
export function memoryDump(store: MemoryStore): Dump {
  return async () => stable([...store.raw.entries()]);
}

/** The dump of every Guard table with `prefix`, read with plain SQL. */
export function sqlDump(db: Kysely<unknown>, prefix: string): Dump {
  return async () => {
    const tables: [string, string[]][] = [];
    for (const name of GUARD_TABLES) {
      const { rows } = await sql`select * from ${sql.table(`${prefix}${name}`)}`.execute(db);
      tables.push([name, rows.map(stable).sort()]);
    }
    return stable(tables);
  };
}

/** A store under test, fresh for each `open()`. */
export interface DumpTarget {
  readonly name: string;
  /**
   * A fresh store, a dump of everything it holds, and (SQLite) the bytes of
   * every file of the database: the main file, its journal and its WAL.
   */
  open(): Promise<{ store: Store; dump: Dump; files: () => Buffer[]; close: () => Promise<void> }>;
}

/** The memory store as a {@link DumpTarget}. */
export const memoryTarget: DumpTarget = {
  name: 'memory',
  async open() {
    const store = memoryStore();
    return { store, dump: memoryDump(store), files: () => [], close: () => store.close() };
  },
};

/** A SQL store in a fresh set of tables (SQLite: a fresh file) as a {@link DumpTarget}. */
export const sqlTarget = (dialect: SqlDialectName, url?: string): DumpTarget => ({
  name: dialect,
  async open() {
    const harness: SqlHarness = await sqlHarness({
      dialect,
      url,
      open: ({ prefix, filename }) =>
        kyselyStore({
          db: connectRaw(dialect, dialect === 'sqlite' ? filename : (url as string)),
          dialect,
          tablePrefix: prefix,
          destroyOnClose: true,
        }),
    });
    const raw = connectRaw(dialect, harness.target);
    const files = () => {
      if (dialect !== 'sqlite') return [];
      const dir = dirname(harness.target);
      return readdirSync(dir).map((name) => readFileSync(join(dir, name)));
    };
    return {
      store: harness.store,
      dump: sqlDump(raw, harness.prefix),
      files,
      close: async () => {
        await raw.destroy();
        await harness.cleanup();
      },
    };
  },
});

/** The memory store, SQLite, and PostgreSQL and MariaDB when their test databases are configured. */
export async function everyStore(): Promise<DumpTarget[]> {
  const postgresUrl = await testDatabase('postgres');
  const mysqlUrl = await testDatabase('mysql');
  return [
    memoryTarget,
    sqlTarget('sqlite'),
    ...(postgresUrl === null ? [] : [sqlTarget('postgres', postgresUrl)]),
    ...(mysqlUrl === null ? [] : [sqlTarget('mysql', mysqlUrl)]),
  ];
}
