import type {
  Page,
  PageRequest,
  RecordFilter,
  StoredRecord,
  StoreTransaction,
  WorkflowFilter,
  WorkflowRecord,
} from '../ports/store.js';

/** Fetches one page of a keyset-paged listing (any of the store's `list…`/`query…` methods). */
export type PageFetch<T> = (page: PageRequest) => Promise<Page<T>>;

/** Every item of a paged listing, in order, one page of `pageSize` at a time. */
export async function* pagedItems<T>(fetch: PageFetch<T>, pageSize = 500): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor === undefined ? { limit: pageSize } : { cursor, limit: pageSize });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * The items of a paged listing, reading no more than `max` of them (default:
 * all); `truncated` says whether the listing held more.
 */
export async function readPages<T>(
  fetch: PageFetch<T>,
  options: { readonly pageSize?: number; readonly max?: number } = {},
): Promise<{ items: T[]; truncated: boolean }> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const pageSize = Math.min(options.pageSize ?? 500, Number.isFinite(max) ? Math.max(1, max + 1) : 500);
  const items: T[] = [];
  for await (const item of pagedItems(fetch, pageSize)) {
    if (items.length === max) return { items, truncated: true };
    items.push(item);
  }
  return { items, truncated: false };
}

/** Every record matching `filter` (at most `max`). */
export async function allRecords(
  tx: Pick<StoreTransaction, 'listRecords'>,
  tenantId: string,
  filter: RecordFilter,
  max?: number,
): Promise<{ items: StoredRecord[]; truncated: boolean }> {
  return readPages((page) => tx.listRecords(tenantId, filter, page), max === undefined ? {} : { max });
}

/** Every workflow matching `filter`. */
export async function allWorkflows(
  tx: Pick<StoreTransaction, 'listWorkflows'>,
  tenantId: string,
  filter: WorkflowFilter,
): Promise<WorkflowRecord[]> {
  return (await readPages((page) => tx.listWorkflows(tenantId, filter, page))).items;
}
