import { isGuardError, StoreError } from '@guard/core';
import type { DatabaseErrorInfo, DialectAdapter } from './dialects/dialect-adapter.js';

/** Where an error happened, for the message. */
export interface ErrorContext {
  readonly adapter: DialectAdapter;
  /** The store's name (`sqlite`, `postgres`, `mysql`). */
  readonly store: string;
  /** The table prefix, to name missing tables. */
  readonly prefix: string;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describe).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** What to do about an error of this kind. */
function advice(info: DatabaseErrorInfo, context: ErrorContext): string {
  switch (info.kind) {
    case 'unreachable':
      return context.adapter.dialect === 'sqlite'
        ? 'cannot open the database file: does its directory exist, and may this process read and write it?'
        : 'cannot reach the database server: is it running, and are the host and port in the connection URL right?';
    case 'refused':
      return context.adapter.dialect === 'sqlite'
        ? 'the database file is read-only or not permitted: check its permissions'
        : 'the server refused the connection: check the user, password and database name in the connection URL, and that the database exists';
    case 'missing-table':
      return `Guard's tables (prefix "${context.prefix}") do not exist: run \`await store.migrate()\` once before using the store, and check that tablePrefix is the one you migrated with`;
    case 'busy':
      return context.adapter.dialect === 'sqlite'
        ? 'another process held the database file locked for longer than busy_timeout: retry, and keep transactions short'
        : 'a lock was not granted in time (another transaction held it): retry, and look for long-running transactions';
    case 'retry':
      return 'the database aborted the transaction because it collided with a concurrent one (deadlock or serialization failure): run the transaction again';
    case 'bad-value':
      return context.adapter.dialect === 'postgres'
        ? 'PostgreSQL cannot store this value (text and jsonb cannot hold the NUL character \\u0000): remove it from the input'
        : 'the database cannot store this value as given (too long or not valid text)';
    case 'unique-violation':
      return 'a row with the same key already exists';
    case 'other':
      return 'see the cause for the database error';
  }
}

/**
 * Wraps a driver error in a `StoreError` whose detail says what failed and
 * what to do, keeping the driver error as `cause`. Guard errors pass through
 * unchanged.
 */
export function toStoreError(error: unknown, operation: string, context: ErrorContext): Error {
  if (isGuardError(error)) return error;
  const info = context.adapter.classify(error);
  const code = info.code === undefined ? '' : `${info.code}: `;
  const detail = `${code}${describe(error)} — ${advice(info, context)}`;
  return new StoreError({ store: context.store, operation, detail }, { cause: error });
}
