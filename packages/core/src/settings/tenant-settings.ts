import type { ActorRef, Json } from '../domain/entities.js';
import { ValidationError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import type { StoreTransaction } from '../ports/store.js';
import { upsertRecord } from '../store/records.js';
import { defaultTenantSettings, type TenantSettings, tenantSettingsSchema } from './settings.js';

/** Settings live in one record of this kind per tenant. */
export const SETTINGS_KIND = 'settings';
const SETTINGS_ID = 'tenant';

/** Settings already read in a transaction, by tenant: a transaction reads and parses them once. */
const inTransaction = new WeakMap<StoreTransaction, Map<string, TenantSettings>>();

/** The tenant's settings with defaults filled in (defaults when none were saved); read once per transaction. */
export async function loadSettings(tx: StoreTransaction, tenantId: string, locale: Locale): Promise<TenantSettings> {
  const known = inTransaction.get(tx)?.get(tenantId);
  if (known) return known;
  const record = await tx.getRecord(tenantId, SETTINGS_KIND, SETTINGS_ID);
  const settings = record
    ? parseInput(tenantSettingsSchema, record.data, { what: 'stored tenant settings', locale })
    : defaultTenantSettings;
  remember(tx, tenantId, settings);
  return settings;
}

function remember(tx: StoreTransaction, tenantId: string, settings: TenantSettings): void {
  let byTenant = inTransaction.get(tx);
  if (!byTenant) {
    byTenant = new Map();
    inTransaction.set(tx, byTenant);
  }
  byTenant.set(tenantId, settings);
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
  return (await loadSettings(tx, tenantId, ctx.locale)).locale ?? ctx.locale;
}

/** Validates and saves a settings document (replacing the previous one); returns it with defaults. */
export async function saveSettings(
  tx: StoreTransaction,
  tenantId: string,
  input: unknown,
  options: { readonly locale: Locale; readonly now: string; readonly actor: ActorRef },
): Promise<TenantSettings> {
  // A Date, a Map or a class instance parses as `{}` (every default): refuse anything but a plain JSON object.
  const proto = typeof input === 'object' && input !== null ? Object.getPrototypeOf(input) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new ValidationError(
      'tenant settings',
      [{ path: [], code: 'invalid_type', message: validationMessage('settings-object') }],
      { locale: options.locale },
    );
  }
  const settings = parseInput(tenantSettingsSchema, input, { what: 'tenant settings', locale: options.locale });
  await upsertRecord(
    tx,
    {
      tenantId,
      kind: SETTINGS_KIND,
      id: SETTINGS_ID,
      ref: null,
      status: null,
      at: options.now,
      data: settings as unknown as Json,
    },
    options.now,
  );
  remember(tx, tenantId, settings);
  return settings;
}
