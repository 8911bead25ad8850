import type { DataSubject } from '../encryption/data-keys.js';
import type { StoreTransaction } from '../ports/store.js';
import { recordIdOf } from '../store/records.js';

/** The record kind that marks a subject as erased (`privacy.erase`), so that a sync does not write them back. */
const ERASED_KIND = 'erased';

const markerId = (subject: DataSubject) => recordIdOf(`${subject.type}:${subject.id}`);

/** Marks `subject` as erased at `now` (kept as it is when marked before). */
export async function markErased(tx: StoreTransaction, tenantId: string, subject: DataSubject, now: string) {
  await tx.insertRecords([
    {
      tenantId,
      kind: ERASED_KIND,
      id: markerId(subject),
      ref: subject.id,
      status: subject.type,
      at: now,
      data: { erasedAt: now },
      version: 1,
      createdAt: now,
      updatedAt: now,
    },
  ]);
}

/** Whether `subject` was erased. */
export async function isErased(tx: StoreTransaction, tenantId: string, subject: DataSubject): Promise<boolean> {
  return (await tx.getRecord(tenantId, ERASED_KIND, markerId(subject))) !== null;
}
