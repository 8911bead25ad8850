import type { DialectAdapter } from './dialects/dialect-adapter.js';

/** An upper bound of a value's size in a statement (UTF-8 takes at most 3 bytes per UTF-16 unit). */
function sizeOf(row: object): number {
  let size = 0;
  for (const value of Object.values(row)) size += typeof value === 'string' ? value.length * 3 : 8;
  return size;
}

/**
 * Splits rows for multi-row statements so that none exceeds the dialect's
 * limits on bound parameters and statement size. Every row yields
 * `columns` parameters (for id lists: 1).
 */
export function batches<T>(rows: readonly T[], adapter: DialectAdapter, columns: number): T[][] {
  const maxRows = Math.max(1, Math.floor(adapter.maxParameters / Math.max(1, columns)));
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = typeof row === 'object' && row !== null ? sizeOf(row) : String(row).length * 3;
    if (current.length > 0 && (current.length >= maxRows || bytes + size > adapter.maxStatementBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
