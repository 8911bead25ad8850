import type { ActorRef } from '../domain/entities.js';
import { ConflictError, ValidationError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import { deepFreeze } from '../policy/freeze.js';
import { type CompiledPolicy, compilePolicy } from '../policy/index.js';
import type { StoredRecord, StoreTransaction } from '../ports/store.js';
import { recordKind } from '../store/records.js';
import { defaultTenantSettings, type TenantSettings, tenantSettingsSchema } from './settings.js';

/** Settings live in one record of this kind per tenant. */
export const SETTINGS_KIND = 'settings';
const SETTINGS_ID = 'tenant';

/** The one settings record of a tenant, parsed on every read and write. */
const settingsRecords = recordKind(SETTINGS_KIND, tenantSettingsSchema);

/**
 * A tenant's settings as saved: the document with defaults filled in, its
 * version (0 while none was saved; each update adds one) and when it was
 * last updated.
 *
 * @example
 * ```ts
 * const { version, settings } = await acme.settings.current();
 * await acme.settings.update({ ...settings, locale: 'zh-CN' }, { expectedVersion: version });
 * ```
 */
export interface SavedSettings {
  readonly version: number;
  readonly updatedAt: string | null;
  readonly settings: TenantSettings;
}

const NONE_SAVED: SavedSettings = Object.freeze({ version: 0, updatedAt: null, settings: defaultTenantSettings });

/** Settings already read in a transaction, by tenant: a transaction reads and parses them once. */
const inTransaction = new WeakMap<StoreTransaction, Map<string, SavedSettings>>();

/** Settings parsed in an earlier transaction, with what identifies the stored record they came from. */
interface ParsedSettings {
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly saved: SavedSettings;
}

/** Per store, by tenant: the settings parsed last. See {@link shareParsedSettings}. */
const parsedByStore = new WeakMap<object, Map<string, ParsedSettings>>();
/** The store each transaction registered with {@link shareParsedSettings} belongs to. */
const storeOf = new WeakMap<StoreTransaction, object>();

/**
 * Lets {@link loadSavedSettings} in `tx` reuse settings parsed in earlier
 * transactions of `store`. The record is still read in every transaction —
 * another process may have saved new settings — but parsing it (zod, the
 * costliest part of a guarded read before) happens once per stored version:
 * a record with the same version, creation and update times as one parsed
 * before is the same record. Only records read from the store are shared,
 * never ones saved in a transaction (which could still roll back).
 */
export function shareParsedSettings(tx: StoreTransaction, store: object): void {
  storeOf.set(tx, store);
}

/** The tenant's saved settings (defaults, version 0, when none were saved); read once per transaction. */
export async function loadSavedSettings(tx: StoreTransaction, tenantId: string): Promise<SavedSettings> {
  const known = inTransaction.get(tx)?.get(tenantId);
  if (known) return known;
  const record = await tx.getRecord(tenantId, SETTINGS_KIND, SETTINGS_ID);
  const saved = record ? parsedOnce(tx, record) : NONE_SAVED;
  remember(tx, tenantId, saved);
  return saved;
}

/** The settings of a stored record, parsed once per store and stored version. */
function parsedOnce(tx: StoreTransaction, record: StoredRecord): SavedSettings {
  const store = storeOf.get(tx);
  let byTenant = store === undefined ? undefined : parsedByStore.get(store);
  const known = byTenant?.get(record.tenantId);
  if (
    known !== undefined &&
    known.version === record.version &&
    known.createdAt === record.createdAt &&
    known.updatedAt === record.updatedAt
  ) {
    return known.saved;
  }
  const { data } = settingsRecords.read(record);
  // Frozen: every later transaction gets this very object (the public API hands out copies).
  const saved: SavedSettings = deepFreeze({ version: record.version, updatedAt: record.updatedAt, settings: data });
  if (store !== undefined) {
    if (byTenant === undefined) {
      byTenant = new Map();
      parsedByStore.set(store, byTenant);
    }
    byTenant.set(record.tenantId, {
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      saved,
    });
  }
  return saved;
}

/** The tenant's settings with defaults filled in (defaults when none were saved); read once per transaction. */
export async function loadSettings(tx: StoreTransaction, tenantId: string): Promise<TenantSettings> {
  return (await loadSavedSettings(tx, tenantId)).settings;
}

function remember(tx: StoreTransaction, tenantId: string, saved: SavedSettings): void {
  let byTenant = inTransaction.get(tx);
  if (!byTenant) {
    byTenant = new Map();
    inTransaction.set(tx, byTenant);
  }
  byTenant.set(tenantId, saved);
}

/**
 * The language of a tenant: its `locale` setting, or the Guard's locale
 * when the tenant has none.
 */
export async function tenantLocale(
  ctx: { readonly locale: Locale },
  tx: StoreTransaction,
  tenantId: string,
): Promise<Locale> {
  return (await loadSettings(tx, tenantId)).locale ?? ctx.locale;
}

/** Policies compiled from tenant settings, per Guard and tenant, with the settings version they came from. */
const compiled = new WeakMap<object, Map<string, { readonly version: number; readonly policy: CompiledPolicy }>>();

/**
 * The access policy of a tenant: the `policy` of its settings, compiled once
 * per settings version, or the Guard's policy when the tenant has none.
 */
export async function tenantPolicy(
  ctx: { readonly policy: CompiledPolicy; readonly locale: Locale },
  tx: StoreTransaction,
  tenantId: string,
): Promise<CompiledPolicy> {
  const { settings, version } = await loadSavedSettings(tx, tenantId);
  if (settings.policy === null) return ctx.policy;
  let byTenant = compiled.get(ctx);
  if (!byTenant) {
    byTenant = new Map();
    compiled.set(ctx, byTenant);
  }
  const known = byTenant.get(tenantId);
  if (known?.version === version) return known.policy;
  const policy = compilePolicy(settings.policy, { locale: ctx.locale });
  byTenant.set(tenantId, { version, policy });
  return policy;
}

/**
 * Validates and saves a settings document (replacing the previous one);
 * returns it with defaults and its new version. With `expectedVersion`, a
 * document changed in the meantime is a `ConflictError` and nothing is saved.
 */
export async function saveSettings(
  tx: StoreTransaction,
  tenantId: string,
  input: unknown,
  options: {
    readonly locale: Locale;
    readonly now: string;
    readonly actor: ActorRef;
    readonly expectedVersion?: number | undefined;
  },
): Promise<SavedSettings> {
  // A Date, a Map or a class instance parses as `{}` (every default): refuse anything but a plain JSON object.
  const proto = typeof input === 'object' && input !== null ? Object.getPrototypeOf(input) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new ValidationError(
      'tenant settings',
      [{ path: [], code: 'invalid_type', message: validationMessage('settings-object') }],
      { locale: options.locale },
    );
  }
  // Through JSON: an optional key given as `undefined` (`fields: undefined` in a rule) is left out, as it
  // would be in a settings file, so every store keeps and the audit entry records the same document.
  const settings: TenantSettings = JSON.parse(
    JSON.stringify(parseInput(tenantSettingsSchema, input, { what: 'tenant settings', locale: options.locale })),
  );
  const current = await tx.getRecord(tenantId, SETTINGS_KIND, SETTINGS_ID);
  if (options.expectedVersion !== undefined && options.expectedVersion !== (current?.version ?? 0)) {
    throw new ConflictError(
      { entity: 'settings', id: tenantId, expected: options.expectedVersion, actual: current?.version ?? 0 },
      { locale: options.locale },
    );
  }
  const record = await settingsRecords.upsert(
    tx,
    { tenantId, id: SETTINGS_ID, ref: null, status: null, at: options.now, data: settings },
    options.now,
    current,
  );
  const saved: SavedSettings = { version: record.version, updatedAt: record.updatedAt, settings };
  remember(tx, tenantId, saved);
  return saved;
}
