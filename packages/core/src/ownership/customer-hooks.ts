import * as z from 'zod';
import { sha256Hex } from '../audit/hash.js';
import { linkInserted, relink } from '../crm/links.js';
import type { Locale } from '../i18n/locale.js';
import type { IdGenerator } from '../ports/ids.js';
import type { CustomerRecord, NewTimer, StoredRecord, StoreTransaction } from '../ports/store.js';
import type { TenantSettings } from '../settings/settings.js';
import { loadSettings } from '../settings/tenant-settings.js';
import { timerKind } from '../workflows/runtime/timer-kind.js';

/** Likely-duplicate keys: one record per (key, customer), `ref` = the key. */
export const DUPLICATE_KEY_KIND = 'customer-key';

/** Digits only, without a leading +86 / 0086 country code. */
export function normalisePhone(value: string): string | null {
  let digits = value.replace(/\D+/g, '');
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return digits.length >= 7 ? digits : null;
}

const COMPANY_SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '有限公司',
  '集团',
  '公司',
  'co ltd',
  'co., ltd.',
  'limited',
  'ltd',
  'inc',
  'llc',
  'gmbh',
  'corp',
  'corporation',
  'company',
];

/** Lower case, no punctuation or spaces, without legal-form suffixes (有限公司, Ltd…). */
export function normaliseCompanyName(value: string): string | null {
  let name = value.normalize('NFKC').toLowerCase().trim();
  let changed = true;
  while (changed) {
    changed = false;
    for (const suffix of COMPANY_SUFFIXES) {
      if (name.endsWith(suffix) && name.length > suffix.length) {
        name = name
          .slice(0, -suffix.length)
          .trim()
          .replace(/[,.\s]+$/u, '');
        changed = true;
      }
    }
  }
  name = name.replace(/[\s\p{P}\p{S}]+/gu, '');
  return name.length >= 2 ? name : null;
}

/** A bounded, index-friendly form of a duplicate key (names can be long). */
const keyRef = (key: string) => `dk-${sha256Hex(key).slice(0, 40)}`;
/** The id of the (key, customer) record; ids are at most 128 characters. */
const keyRecordId = (key: string, customerId: string) => `dk-${sha256Hex(`${key}\u0000${customerId}`).slice(0, 48)}`;

/** The duplicate keys of a customer: its normalised name and every phone-like field. */
export function duplicateKeys(customer: Pick<CustomerRecord, 'name' | 'fields'>): string[] {
  const keys = new Set<string>();
  const name = normaliseCompanyName(customer.name);
  if (name) keys.add(`name:${name}`);
  for (const cls of Object.values(customer.fields)) {
    for (const [field, value] of Object.entries(cls)) {
      if (typeof value === 'string' && /phone|mobile|tel/i.test(field)) {
        const phone = normalisePhone(value);
        if (phone) keys.add(`phone:${phone}`);
      }
    }
  }
  return [...keys].sort();
}

/** Other customers sharing a duplicate key with this one (at most 20). */
export async function likelyDuplicates(
  tx: StoreTransaction,
  tenantId: string,
  customer: CustomerRecord,
): Promise<string[]> {
  const found = new Set<string>();
  for (const key of duplicateKeys(customer)) {
    const page = await tx.listRecords(tenantId, { kind: DUPLICATE_KEY_KIND, ref: keyRef(key) }, { limit: 21 });
    for (const r of page.items) {
      const id = (r.data as { customerId: string }).customerId;
      if (id !== customer.id) found.add(id);
    }
  }
  return [...found].sort().slice(0, 20);
}

/** The follow-up timer of a customer; one per customer, moved by every follow-up or owner change. */
export const followUpTimerKey = (customerId: string) => `follow-up:${customerId}`;

/** The follow-up timer: its event names the customer, the owner whose clock it is, and the stage due. */
export const followUpTimer = timerKind(
  'follow-up.due',
  z.strictObject({
    type: z.literal('follow-up.due'),
    customerId: z.string(),
    ownerId: z.string(),
    /** The last follow-up (or the assignment) the clock runs from. */
    since: z.string(),
    stage: z.enum(['remind', 'alert-manager', 'return-to-pool']),
  }),
);

/** The event of a follow-up timer. */
export type FollowUpDue = ReturnType<typeof followUpTimer.read>;

/** Schedules (or moves) the customer's follow-up timer: the first stage is due `remindAfterDays` after `since`. */
export async function scheduleFollowUp(
  tx: StoreTransaction,
  deps: { readonly ids: IdGenerator; readonly locale: Locale },
  tenantId: string,
  customerId: string,
  ownerId: string | null,
  since: string,
  now: string,
): Promise<void> {
  if (ownerId === null) {
    await tx.cancelTimer(tenantId, followUpTimerKey(customerId));
    return;
  }
  const settings = await loadSettings(tx, tenantId);
  await tx.scheduleTimer(firstFollowUp(settings, deps, tenantId, customerId, ownerId, since, now));
}

/**
 * A follow-up by `employeeId` at `at` restarts the customer's follow-up
 * clock when that employee owns the customer and the follow-up is later than
 * the clock's start; anyone else's follow-up, or an older one, leaves it.
 */
export async function restartFollowUpClock(
  tx: StoreTransaction,
  deps: { readonly ids: IdGenerator; readonly locale: Locale },
  tenantId: string,
  customer: Pick<CustomerRecord, 'id' | 'ownerId'>,
  employeeId: string,
  at: string,
  now: string,
): Promise<boolean> {
  if (customer.ownerId !== employeeId) return false;
  const timer = await tx.getTimer(tenantId, followUpTimerKey(customer.id));
  const since = timer ? followUpTimer.read(timer.event).since : undefined;
  if (since !== undefined && Date.parse(at) <= Date.parse(since)) return false;
  await scheduleFollowUp(tx, deps, tenantId, customer.id, customer.ownerId, at, now);
  return true;
}

/** The follow-up timer of an owned customer's fresh clock: its first stage is due `remindAfterDays` after `since`. */
function firstFollowUp(
  settings: TenantSettings,
  deps: { readonly ids: IdGenerator },
  tenantId: string,
  customerId: string,
  ownerId: string,
  since: string,
  now: string,
): NewTimer {
  const due = new Date(Date.parse(since) + settings.followUp.remindAfterDays * 86_400_000).toISOString();
  const event: FollowUpDue = { type: 'follow-up.due', customerId, ownerId, since, stage: 'remind' };
  return {
    id: deps.ids.next('tm'),
    tenantId,
    key: followUpTimerKey(customerId),
    workflowId: null,
    event: followUpTimer.event(event),
    dueAt: due,
    createdAt: now,
  };
}

/** The duplicate-index record of one key of a customer. */
function keyRecord(tenantId: string, key: string, customerId: string, now: string): StoredRecord {
  return {
    tenantId,
    kind: DUPLICATE_KEY_KIND,
    id: keyRecordId(key, customerId),
    ref: keyRef(key),
    status: null,
    at: now,
    data: { customerId },
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * {@link afterCustomerWrite} for customers that were just inserted, in
 * bulk: every duplicate key of every customer in one go, and the follow-up
 * clock of every owned one.
 */
export async function afterCustomersInserted(
  tx: StoreTransaction,
  deps: { readonly ids: IdGenerator; readonly locale: Locale },
  inserted: readonly CustomerRecord[],
  now: string,
): Promise<void> {
  const tenantId = inserted[0]?.tenantId;
  if (tenantId === undefined) return;
  await tx.insertRecords(inserted.flatMap((c) => duplicateKeys(c).map((key) => keyRecord(tenantId, key, c.id, now))));
  await linkInserted(tx, inserted, now);
  const settings = await loadSettings(tx, tenantId);
  await tx.scheduleTimers(
    inserted.flatMap((c) =>
      c.ownerId === null ? [] : [firstFollowUp(settings, deps, tenantId, c.id, c.ownerId, now, now)],
    ),
  );
}

/**
 * Keeps the duplicate index and the follow-up timer in step with a customer
 * write: new keys are added and stale ones removed; a new owner starts a
 * fresh follow-up clock; a customer returned to the pool has none.
 */
export async function afterCustomerWrite(
  tx: StoreTransaction,
  deps: { readonly ids: IdGenerator; readonly locale: Locale },
  before: CustomerRecord | null,
  after: CustomerRecord,
  now: string,
): Promise<void> {
  const tenantId = after.tenantId;
  const old = new Set(before ? duplicateKeys(before) : []);
  const next = new Set(duplicateKeys(after));
  for (const key of old) {
    if (!next.has(key)) await tx.deleteRecord(tenantId, DUPLICATE_KEY_KIND, keyRecordId(key, after.id));
  }
  for (const key of next) {
    if (old.has(key)) continue;
    const record = keyRecord(tenantId, key, after.id, now);
    if (await tx.getRecord(tenantId, DUPLICATE_KEY_KIND, record.id)) continue;
    await tx.putRecord(record, null);
  }
  await relink(tx, before, after, now);
  if ((before?.ownerId ?? null) !== after.ownerId) {
    await scheduleFollowUp(tx, deps, tenantId, after.id, after.ownerId, now, now);
  }
}
