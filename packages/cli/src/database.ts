import { resolve } from 'node:path';
import { isGuardError, type Store } from '@guard/core';
import { CliError, exitCodes, usage } from './io.js';

/** A store the operator commands can migrate and read: any of Guard's SQL stores. */
export interface OperatorStore extends Store {
  migrate(): Promise<{ readonly applied: readonly unknown[]; readonly schemaVersion: number }>;
  schemaVersion(): Promise<number>;
}

/** Where Guard's database is, as the operator gave it, and how to show it without secrets. */
export interface DatabaseTarget {
  readonly kind: 'sqlite' | 'postgres' | 'mysql';
  /** The file (SQLite) or the URL. */
  readonly location: string;
  /** For messages: the URL without its password. */
  readonly shown: string;
}

/** The SQLite file used when neither `--db` nor `GUARD_DATABASE_URL` says otherwise. */
export const DEFAULT_SQLITE_FILE = 'guard.db';

/**
 * `--db`, else `GUARD_DATABASE_URL`, else `guard.db` in the working folder:
 * `postgres://…` / `postgresql://…`, `mysql://…` / `mariadb://…`, or a
 * SQLite file (a path, or `sqlite:<path>`).
 */
export function databaseTarget(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): DatabaseTarget {
  const given = option ?? env.GUARD_DATABASE_URL ?? DEFAULT_SQLITE_FILE;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(given)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql')
    return { kind: 'postgres', location: given, shown: redact(given) };
  if (scheme === 'mysql' || scheme === 'mariadb') {
    return { kind: 'mysql', location: given.replace(/^mariadb:/i, 'mysql:'), shown: redact(given) };
  }
  if (scheme !== undefined) {
    throw usage(
      `--db ${redact(given)}: unknown database; use postgres://…, mysql://… (MariaDB too) or a SQLite file such as ${DEFAULT_SQLITE_FILE}`,
    );
  }
  const file = given.startsWith('sqlite:') ? given.slice('sqlite:'.length) : given;
  if (file === '') throw usage('--db sqlite: needs a file, e.g. sqlite:guard.db');
  return { kind: 'sqlite', location: file === ':memory:' ? file : resolve(cwd, file), shown: file };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

const PACKAGES = {
  sqlite: '@guard/store-sqlite',
  postgres: '@guard/store-postgres',
  mysql: '@guard/store-mysql',
} as const;

/** Loads the store package a target needs; a missing one is a usage error that says what to install. */
async function load<T>(target: DatabaseTarget, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw usage(
        `${target.shown}: a ${target.kind} database needs ${PACKAGES[target.kind]}; install it next to @guard/cli (npm install ${PACKAGES[target.kind]})`,
      );
    }
    throw error;
  }
}

/**
 * Opens the store of a target (nothing is read or written yet). The store
 * packages are optional peer dependencies, loaded only when asked for.
 */
export async function openStore(target: DatabaseTarget, tablePrefix: string | undefined): Promise<OperatorStore> {
  const prefix = tablePrefix === undefined ? {} : { tablePrefix };
  switch (target.kind) {
    case 'sqlite': {
      const { sqliteStore } = await load(target, () => import('@guard/store-sqlite'));
      try {
        return sqliteStore({ filename: target.location, ...prefix });
      } catch (error) {
        throw unavailable(target, error);
      }
    }
    case 'postgres': {
      const { postgresStore } = await load(target, () => import('@guard/store-postgres'));
      return postgresStore({ connectionString: target.location, max: 2, ...prefix });
    }
    case 'mysql': {
      const { mysqlStore } = await load(target, () => import('@guard/store-mysql'));
      return mysqlStore({ uri: target.location, connectionLimit: 2, ...prefix });
    }
  }
}

/** The database could not be opened or reached: exit 69, with the store's reason. */
export function unavailable(target: DatabaseTarget, error: unknown): CliError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CliError(exitCodes.unavailable, `${target.shown}: cannot use the database: ${reason}`);
}

/** Runs `work` on the target's store and closes it; a store failure is {@link unavailable}. */
export async function withStore<T>(
  target: DatabaseTarget,
  tablePrefix: string | undefined,
  work: (store: OperatorStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(target, tablePrefix);
  try {
    return await work(store);
  } catch (error) {
    // The store's own failures, and the driver's system errors (ECONNREFUSED, ENOTFOUND, EACCES…) on first contact.
    const system = !isGuardError(error) && typeof (error as { code?: unknown }).code === 'string';
    if (isGuardError(error, 'STORE_FAILURE') || system) throw unavailable(target, error);
    throw error;
  } finally {
    await store.close().catch(() => undefined);
  }
}
