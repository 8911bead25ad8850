import type { StoredRecord, StoreTransaction } from '../ports/store.js';

/** What a writer chooses of a record; its version and timestamps are {@link upsertRecord}'s business. */
export type RecordDraft = Pick<StoredRecord, 'tenantId' | 'kind' | 'id' | 'ref' | 'status' | 'at' | 'data'>;

/**
 * Writes a record whether or not it exists: one version above the stored
 * one (1 for a new record), `createdAt` kept, `updatedAt` now, with the
 * store's version check in the same write, so a concurrent writer gets a
 * `ConflictError` instead of a lost update. Pass `current` when it was just
 * read, to save reading it again. Returns what was written.
 */
export async function upsertRecord(
  tx: StoreTransaction,
  draft: RecordDraft,
  now: string,
  current?: StoredRecord | null,
): Promise<StoredRecord> {
  const stored = current === undefined ? await tx.getRecord(draft.tenantId, draft.kind, draft.id) : current;
  const record: StoredRecord = {
    ...draft,
    version: (stored?.version ?? 0) + 1,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
  };
  await tx.putRecord(record, stored?.version ?? null);
  return record;
}
