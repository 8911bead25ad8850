import * as z from 'zod';
import { type AgreementsApi, agreementsApi, agreementsModule } from '../agreements/agreements.js';
import { type TrainingApi, trainingApi } from '../agreements/training.js';
import { type AlertsApi, alertsApi } from '../alerts/alerts.js';
import { type ApprovalsApi, approvalsApi, approvalsModule } from '../approvals/approvals.js';
import { AuditLog, type AuditVerifyOptions, type VerifyResult } from '../audit/index.js';
import { type CrmApi, crmApi } from '../crm/crm-api.js';
import {
  type CustomerView,
  type ListCustomersParams,
  listCustomers,
  type MAX_CUSTOMER_BATCH,
  type ReadCustomerParams,
  readCustomer,
  type UpsertCustomerOptions,
  type UpsertCustomersOptions,
  type UpsertCustomersResult,
  upsertCustomer,
  upsertCustomers,
} from '../customers/customers.js';
import type { Decision } from '../domain/decision.js';
import {
  type ActorRef,
  type AuditEntry,
  actorRefSchema,
  type CustomerInput,
  idSchema,
  type TenantInput,
  tenantSchema,
} from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import { type Action, actionSchema } from '../domain/vocabulary.js';
import { DataKeys, protectedStore } from '../encryption/index.js';
import { NotFoundError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { type EvidenceApi, evidenceApi } from '../evidence/evidence.js';
import type { Locale } from '../i18n/locale.js';
import { type InputName, validationMessage } from '../i18n/messages.js';
import { type GuardContext, HOST_ACTOR, inUnitOfWork, withTenant } from '../kernel/context.js';
import { type Decided, decideOn } from '../kernel/decide.js';
import {
  type DirectorySyncInput,
  type DirectorySyncResult,
  requireEmployee,
  syncDirectory,
} from '../kernel/directory.js';
import { inTenantLocale } from '../kernel/tenant-locale.js';
import { type OffboardingApi, offboardingApi, offboardingModule } from '../offboarding/offboarding.js';
import { type OrdersApi, ordersApi } from '../orders/orders.js';
import { type OwnershipApi, ownershipApi, ownershipModule, transferDecided } from '../ownership/ownership.js';
import { type CompiledPolicy, compilePolicy, defaultPolicy, type MaskKind } from '../policy/index.js';
import { type Clock, systemClock } from '../ports/clock.js';
import { type IdGenerator, randomIds } from '../ports/ids.js';
import type { KeyProvider } from '../ports/keys.js';
import type {
  AuditCheckpoint,
  AuditQuery,
  CustomerRecord,
  EmployeeRecord,
  Page,
  Store,
  TenantRecord,
} from '../ports/store.js';
import { type PrivacyApi, privacyApi, retentionModule, syncRetentionTimer } from '../privacy/index.js';
import { type CustomerRequestsApi, customerRequestsApi, deleteDecided, exportDecided } from '../requests/requests.js';
import { customSignalsInUse, type RiskApi, riskApi, riskModule, type SignalsApi, signalsApi } from '../risk/service.js';
import type { TenantSettings } from '../settings/settings.js';
import {
  loadSavedSettings,
  loadSettings,
  type SavedSettings,
  saveSettings,
  tenantLocale,
} from '../settings/tenant-settings.js';
import { type OutboxApi, outboxApi } from '../worker/dead-effects.js';
import { createWorker, type Worker, type WorkerOptions } from '../worker/worker.js';
import { workflowRegistry } from '../workflows/runtime/index.js';

/**
 * Options of {@link createGuard}.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys, memoryStore, type GuardOptions } from '@guard/core';
 * const options: GuardOptions = {
 *   store: memoryStore(),
 *   keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY! } }),
 *   locale: 'zh-CN',
 * };
 * const guard = createGuard(options);
 * ```
 */
export interface GuardOptions {
  /** Where Guard keeps its state: `memoryStore()` or a SQL store. */
  readonly store: Store;
  /** Signing keys for audit checkpoints, e.g. `hmacKeys(…)`. */
  readonly keys: KeyProvider;
  /** The access policy as JSON (validated) or already compiled. Default: {@link defaultPolicy}. */
  readonly policy?: unknown;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: random UUID-based ids. */
  readonly ids?: IdGenerator;
  /** Language of errors and notices. Default `en`. */
  readonly locale?: Locale;
  readonly audit?: {
    /** Sign a checkpoint every N entries per tenant (0 disables automatic checkpoints). Default 1000. */
    readonly checkpointEvery?: number;
  };
  /** How to mask fields by name, on top of the defaults (`phone` → `1******5678`…). */
  readonly masks?: Readonly<Record<string, MaskKind>>;
}

const hasFunctions = (names: readonly string[]) => (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const optionsSchema = z.strictObject({
  store: z.custom<Store>(hasFunctions(['transaction', 'close']), {
    error: validationMessage('store-option'),
  }),
  keys: z.custom<KeyProvider>(hasFunctions(['currentKey', 'keyById']), {
    error: validationMessage('keys-option'),
  }),
  policy: z.unknown().optional(),
  clock: z.custom<Clock>(hasFunctions(['now']), { error: validationMessage('clock-option') }).optional(),
  ids: z.custom<IdGenerator>(hasFunctions(['next']), { error: validationMessage('ids-option') }).optional(),
  locale: z.enum(['en', 'zh-CN']).optional(),
  audit: z.strictObject({ checkpointEvery: z.int().min(0).max(1_000_000).optional() }).optional(),
  masks: z.record(z.string(), z.enum(['phone', 'email', 'name', 'id-number', 'default'])).optional(),
});

const employeePageSchema = z.strictObject({
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

const decideSchema = z.strictObject({
  actor: idSchema,
  customerId: idSchema,
  action: actionSchema,
  exportSize: z.int().min(0).optional(),
});

/**
 * A Guard instance: tenant administration plus a tenant-scoped API.
 *
 * @example
 * ```ts
 * const guard = createGuard({ store, keys });
 * await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
 * const acme = guard.tenant('acme');
 * ```
 */
export interface Guard {
  /** The compiled access policy; `guard.policy.decide(…)` is pure and synchronous. */
  readonly policy: CompiledPolicy;
  readonly locale: Locale;
  readonly tenants: {
    /** Creates or updates a tenant. */
    upsert(input: TenantInput, options?: { actor?: ActorRef }): Promise<TenantRecord>;
    /** The tenant, or `NotFoundError`. */
    get(tenantId: string): Promise<TenantRecord>;
  };
  /** The API of one tenant. Nothing it returns ever belongs to another tenant. */
  tenant(tenantId: string): TenantGuard;
  /** A worker that fires durable timers and delivers outbox effects; see {@link Worker}. */
  worker(options?: WorkerOptions): Worker;
  /** Closes the store. */
  close(): Promise<void>;
}

/**
 * Everything Guard does for one tenant.
 *
 * @example
 * ```ts
 * const acme = guard.tenant('acme');
 * await acme.directory.sync({ units, employees });
 * await acme.customers.upsert(customer);
 * const view = await acme.customers.read({ actor: 'e-7', customerId: customer.id });
 * const check = await acme.audit.verify();
 * ```
 */
export interface TenantGuard {
  readonly id: string;
  readonly directory: {
    /** Inserts or replaces units and employees; see {@link DirectorySyncInput}. */
    sync(input: DirectorySyncInput, options?: { actor?: ActorRef }): Promise<DirectorySyncResult>;
    /** One employee, or `NotFoundError`. */
    employee(id: string): Promise<EmployeeRecord>;
    /** The tenant's employees, every status, ordered by id; `limit` 1–200, default 50. */
    employees(page?: { cursor?: string; limit?: number }): Promise<Page<EmployeeRecord>>;
  };
  readonly customers: CustomerRequestsApi & {
    /** Inserts or replaces a customer (host/CRM sync); audited. */
    upsert(input: CustomerInput, options?: UpsertCustomerOptions): Promise<CustomerRecord>;
    /**
     * Inserts or replaces up to {@link MAX_CUSTOMER_BATCH} customers in one
     * transaction (a CRM sync, a first import): all of them or, when one is
     * invalid, none (`ValidationError`, each problem at its index).
     * Customers equal to the stored ones are left as they are. Audited as
     * one `customers.upsert` entry (the counts, every unit move, the
     * batch's SHA-256) and a `customer.owner-change` entry per owner change.
     */
    upsert(input: readonly CustomerInput[], options?: UpsertCustomersOptions): Promise<UpsertCustomersResult>;
    /** A guarded read: decided, masked and audited. Denied → `ForbiddenError` (audited too). */
    read(params: ReadCustomerParams): Promise<CustomerView>;
    /** A guarded page of customers in a scope; see {@link ListCustomersParams}. */
    list(params: ListCustomersParams): Promise<Page<CustomerView>>;
    /**
     * The decision for an action without performing it (e.g. to enable a
     * button). Not audited: audit the action when it happens.
     */
    decide(params: { actor: string; customerId: string; action: Action; exportSize?: number }): Promise<Decision>;
  };
  /**
   * Per-tenant rules as validated JSON: language, access policy, follow-up,
   * claims, anomaly thresholds, approval chains. Versioned: every update
   * adds one to the version and is audited (`settings.update`, with the
   * version and the whole document), so the audit trail is its history.
   */
  readonly settings: {
    /** The settings with defaults filled in. */
    get(): Promise<TenantSettings>;
    /** The settings with their version (0 while none was saved) and when they were last updated. */
    current(): Promise<SavedSettings>;
    /**
     * Replaces the settings with `input` (missing fields take their
     * defaults); audited. With `expectedVersion`, settings changed in the
     * meantime are a `ConflictError` and nothing is saved.
     */
    update(input: unknown, options?: { actor?: ActorRef; expectedVersion?: number }): Promise<TenantSettings>;
  };
  readonly approvals: ApprovalsApi;
  readonly ownership: OwnershipApi;
  readonly alerts: AlertsApi;
  readonly offboarding: OffboardingApi;
  readonly agreements: AgreementsApi;
  readonly training: TrainingApi;
  readonly evidence: EvidenceApi;
  /** Host-reported risk signals (leave, résumé updates, competitor contacts, logins, follow-ups, orders). */
  readonly signals: SignalsApi;
  /** Orders synced from the host's CRM or ERP; they feed risk facts, handover checklists and evidence packs. */
  readonly orders: OrdersApi;
  /** Outbox effects that could not be delivered after every retry (each one also raised an alert). */
  readonly outbox: OutboxApi;
  /** Where each customer's ownership stands in the connected CRMs a worker with `crm` options keeps in step. */
  readonly crm: CrmApi;
  /** Risk scores, scans that raise alerts, and the tenant's rule packs. */
  readonly risk: RiskApi;
  /** Personal data at rest: rotation of the keys that wrap each subject's data key. */
  readonly privacy: PrivacyApi;
  readonly audit: {
    /**
     * Verifies the tenant's whole chain: every entry's hash, link and seal,
     * the stored head and its seal, and every stored and `trusted`
     * checkpoint. Names the first entry that was added, changed, removed or
     * reordered by someone without the key; a tail cut off shows against the
     * sealed head, or (if the head was also put back) against a checkpoint
     * kept outside the database. With `seals: false` — a verifier that holds
     * only the checkpoints' public key — links and checkpoint signatures
     * alone (see {@link AuditVerifyOptions.seals}).
     */
    verify(options?: Pick<AuditVerifyOptions, 'trusted' | 'seals'>): Promise<VerifyResult>;
    /** Entries by actor, subject, action and time range, paged. */
    query(query: AuditQuery): Promise<Page<AuditEntry>>;
    /**
     * Signs a checkpoint at the current head now; `null` while the log is
     * empty. Refuses (`AuditIntegrityError`) when the chain since the last
     * checkpoint does not verify: a checkpoint never vouches for a forgery.
     */
    checkpoint(): Promise<AuditCheckpoint | null>;
  };
}

/**
 * Creates a Guard. Options are validated: a bad option is a
 * `ValidationError` naming it, and the policy is compiled once here.
 *
 * @example
 * ```ts
 * import { createGuard, hmacKeys, memoryStore } from '@guard/core';
 *
 * const guard = createGuard({
 *   store: memoryStore(),
 *   keys: hmacKeys({ current: 'k1', keys: { k1: process.env.GUARD_AUDIT_KEY! } }),
 *   locale: 'zh-CN',
 * });
 * await guard.tenants.upsert({ id: 'acme', name: 'ACME 贸易', timeZone: 'Asia/Shanghai' });
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const locale = options?.locale === 'zh-CN' ? 'zh-CN' : 'en';
  const parsed = parseInput(optionsSchema, options, { what: 'createGuard options', locale, json: false });
  const policy = isCompiled(parsed.policy) ? parsed.policy : compilePolicy(parsed.policy ?? defaultPolicy, { locale });
  const clock = parsed.clock ?? systemClock;
  const dataKeys = new DataKeys({ keys: parsed.keys, locale });
  const ctx: GuardContext = {
    // Customers' personal data is encrypted with per-customer data keys before it reaches the host's store.
    store: protectedStore(parsed.store, dataKeys, locale),
    dataKeys,
    policy,
    clock,
    ids: parsed.ids ?? randomIds(),
    locale,
    masks: parsed.masks ?? {},
    audit: new AuditLog({ clock, keys: parsed.keys, checkpointEvery: parsed.audit?.checkpointEvery ?? 1000, locale }),
    workflows: workflowRegistry<GuardContext>(
      approvalsModule({
        'ownership-transfer': transferDecided,
        'customer-export': exportDecided,
        'customer-delete': deleteDecided,
      }),
      ownershipModule(),
      offboardingModule(),
      agreementsModule(),
      riskModule(),
      retentionModule(),
    ),
  };

  const tenants: Guard['tenants'] = {
    async upsert(input, opts = {}) {
      const tenant = parseInput(tenantSchema, input, { what: 'tenant', locale });
      const actor = actorFrom(opts, 'tenant options', locale);
      return ctx.store.transaction(async (tx) => {
        const current = await tx.getTenant(tenant.id);
        const now = clock.now().toISOString();
        const record: TenantRecord = { ...tenant, createdAt: current?.createdAt ?? now, updatedAt: now };
        await tx.putTenant(record);
        await ctx.audit.append(tx, tenant.id, [
          {
            actor,
            action: current ? 'tenant.update' : 'tenant.create',
            subject: { type: 'tenant', id: tenant.id },
            data: { name: tenant.name, timeZone: tenant.timeZone },
          },
        ]);
        return record;
      });
    },
    async get(tenantId) {
      const id = parseInput(idSchema, tenantId, { what: 'tenant id', locale });
      const tenant = await ctx.store.transaction((tx) => tx.getTenant(id));
      if (!tenant) throw new NotFoundError({ entity: 'tenant', id }, { locale });
      return tenant;
    },
  };

  return {
    policy,
    locale,
    tenants,
    tenant: (tenantId) => {
      const id = parseInput(idSchema, tenantId, { what: 'tenant id', locale });
      return inTenantLocale(tenantGuard(ctx, id), () => ctx.store.transaction((tx) => tenantLocale(ctx, tx, id)));
    },
    worker: (workerOptions) => createWorker(ctx, workerOptions),
    close: () => ctx.store.close(),
  };
}

function isCompiled(policy: unknown): policy is CompiledPolicy {
  return (
    typeof policy === 'object' &&
    policy !== null &&
    typeof (policy as CompiledPolicy).decide === 'function' &&
    Array.isArray((policy as CompiledPolicy).fieldClasses)
  );
}

const settingsOptionsSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  expectedVersion: z.int().min(0).optional(),
});

/** Options that only name who acts: `{ actor? }`, validated (a `null` or a stray key is a `ValidationError`). */
const actorOptionsSchema = z.strictObject({ actor: actorRefSchema.optional() });

/** The acting party from validated `{ actor? }` options; the host when none is named. */
function actorFrom(options: unknown, what: InputName, locale: Locale): ActorRef {
  return parseInput(actorOptionsSchema, options, { what, locale }).actor ?? HOST_ACTOR;
}

function tenantGuard(ctx: GuardContext, tenantId: string): TenantGuard {
  const { locale } = ctx;
  const signals = signalsApi(ctx, tenantId);
  const orders = ordersApi(ctx, tenantId);
  return {
    id: tenantId,
    directory: {
      sync: async (input, options = {}) =>
        syncDirectory(ctx, tenantId, input, actorFrom(options, 'directory sync options', locale)),
      employee: (id) =>
        withTenant(ctx, tenantId, async (tx) => ({
          result: await requireEmployee(ctx, tx, tenantId, parseInput(idSchema, id, { what: 'employee id', locale })),
          audit: [],
        })),
      employees: (page = {}) => {
        const { cursor, limit } = parseInput(employeePageSchema, page, { what: 'employee page', locale });
        return withTenant(ctx, tenantId, async (tx) => ({
          result: await tx.listEmployees(tenantId, { limit, ...(cursor === undefined ? {} : { cursor }) }),
          audit: [],
        }));
      },
    },
    customers: {
      ...customerRequestsApi(ctx, tenantId),
      upsert: ((input: CustomerInput | readonly CustomerInput[], options = {}) =>
        Array.isArray(input)
          ? upsertCustomers(ctx, tenantId, input, options)
          : upsertCustomer(ctx, tenantId, input as CustomerInput, options)) as TenantGuard['customers']['upsert'],
      read: (params) => readCustomer(ctx, tenantId, params),
      list: (params) => listCustomers(ctx, tenantId, params),
      decide: async (params) => {
        const { actor, customerId, action, exportSize } = parseInput(decideSchema, params, {
          what: 'decision request',
          locale,
        });
        return withTenant(ctx, tenantId, async (tx, tenant) => {
          const employee = await requireEmployee(ctx, tx, tenantId, actor);
          const customer = await tx.getCustomer(tenantId, customerId);
          if (!customer) throw new NotFoundError({ entity: 'customer', id: customerId, tenantId }, { locale });
          const at = { tx, tenant, now: ctx.clock.now().toISOString() };
          const [decided] = await decideOn(
            ctx,
            at,
            employee,
            [customer],
            action,
            exportSize === undefined ? {} : { exportSize },
          );
          return { result: (decided as Decided).decision, audit: [] };
        });
      },
    },
    settings: {
      // Copies: the settings Guard reads are shared between transactions and frozen.
      get: () => inUnitOfWork(ctx, tenantId, async (uow) => structuredClone(await loadSettings(uow.tx, tenantId))),
      current: () =>
        inUnitOfWork(ctx, tenantId, async (uow) => structuredClone(await loadSavedSettings(uow.tx, tenantId))),
      update: async (input, options = {}) => {
        const { actor = HOST_ACTOR, expectedVersion } = parseInput(settingsOptionsSchema, options, {
          what: 'settings options',
          locale,
        });
        return inUnitOfWork(ctx, tenantId, async (uow) => {
          const checkPacks = await customSignalsInUse(uow, locale);
          const saved = await saveSettings(uow.tx, tenantId, input, { locale, now: uow.now, actor, expectedVersion });
          checkPacks(saved.settings.risk.customSignals);
          await syncRetentionTimer(ctx, uow.tx, tenantId, saved.settings, uow.now);
          uow.session.record({
            actor,
            action: 'settings.update',
            subject: { type: 'tenant', id: tenantId },
            data: { version: saved.version, settings: toJson(saved.settings) },
          });
          return saved.settings;
        });
      },
    },
    approvals: approvalsApi(ctx, tenantId),
    ownership: ownershipApi(ctx, tenantId),
    alerts: alertsApi(ctx, tenantId),
    offboarding: offboardingApi(ctx, tenantId),
    agreements: agreementsApi(ctx, tenantId),
    training: trainingApi(ctx, tenantId),
    evidence: evidenceApi(ctx, tenantId),
    signals,
    orders,
    risk: riskApi(ctx, tenantId),
    privacy: privacyApi(ctx, tenantId),
    outbox: outboxApi(ctx, tenantId),
    crm: crmApi(ctx, tenantId, {
      upsertCustomers: (batch, options) => upsertCustomers(ctx, tenantId, batch, options),
      upsertOrders: (batch, options) => orders.upsert([...batch], options),
      recordSignals: (batch, options) => signals.record([...batch], options),
    }),
    audit: {
      verify: async (options = {}) => {
        await guardTenantExists(ctx, tenantId);
        // Passed on whole: a malformed option (`trusted: null`, a stray key) is a ValidationError, never ignored.
        return ctx.audit.verify(ctx.store, tenantId, options);
      },
      query: (query) =>
        withTenant(ctx, tenantId, async (tx) => ({ result: await ctx.audit.query(tx, tenantId, query), audit: [] })),
      checkpoint: () =>
        withTenant(ctx, tenantId, async (tx) => ({ result: await ctx.audit.checkpoint(tx, tenantId), audit: [] })),
    },
  };
}

async function guardTenantExists(ctx: GuardContext, tenantId: string): Promise<void> {
  await withTenant(ctx, tenantId, async () => ({ result: undefined, audit: [] }));
}
