import * as z from 'zod';
import type { CustomerRecord, StoredRecord, StoreTransaction } from '../ports/store.js';
import { recordIdOf, recordKind } from '../store/records.js';

/**
 * The index from a customer's id in a connected CRM to the Guard customer:
 * one record per `externalRefs` entry, kept in step with every customer
 * write, so that a CRM sync finds the customer a CRM record belongs to.
 */
const links = recordKind(
  'crm-link',
  z.strictObject({ connector: z.string(), externalId: z.string(), customerId: z.string() }),
);

const linkId = (connector: string, externalId: string) => recordIdOf(`${connector}:${externalId}`);

function linkRecord(tenantId: string, connector: string, externalId: string, customerId: string, now: string) {
  return {
    tenantId,
    kind: links.kind,
    id: linkId(connector, externalId),
    ref: customerId,
    status: null,
    at: now,
    data: { connector, externalId, customerId },
    version: 1,
    createdAt: now,
    updatedAt: now,
  } satisfies StoredRecord;
}

/** Links of customers that were just inserted, in bulk (a CRM id another customer holds keeps its link). */
export async function linkInserted(tx: StoreTransaction, inserted: readonly CustomerRecord[], now: string) {
  const records = inserted.flatMap((c) =>
    Object.entries(c.externalRefs).map(([connector, externalId]) =>
      linkRecord(c.tenantId, connector, externalId, c.id, now),
    ),
  );
  if (records.length > 0) await tx.insertRecords(records);
}

/** Moves the links of a customer whose `externalRefs` changed: the customer that was written last holds a CRM id. */
export async function relink(tx: StoreTransaction, before: CustomerRecord | null, after: CustomerRecord, now: string) {
  const old = before?.externalRefs ?? {};
  const next = after.externalRefs;
  for (const [connector, externalId] of Object.entries(old)) {
    if (next[connector] === externalId) continue;
    const link = await links.get(tx, after.tenantId, linkId(connector, externalId));
    if (link?.data.customerId === after.id) await tx.deleteRecord(after.tenantId, links.kind, link.id);
  }
  for (const [connector, externalId] of Object.entries(next)) {
    if (old[connector] === externalId) continue;
    const data = { connector, externalId, customerId: after.id };
    await links.upsert(
      tx,
      { tenantId: after.tenantId, id: linkId(connector, externalId), ref: after.id, status: null, at: now, data },
      now,
    );
  }
}

/** The Guard customers of CRM ids of one connector, where linked. */
export async function linkedCustomers(
  tx: StoreTransaction,
  tenantId: string,
  connector: string,
  externalIds: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const externalId of new Set(externalIds)) {
    const link = await links.get(tx, tenantId, linkId(connector, externalId));
    if (link) found.set(externalId, link.data.customerId);
  }
  return found;
}
