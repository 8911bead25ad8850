import { createHash } from 'node:crypto';
import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import type { AuditDraft } from '../audit/index.js';
import { checkConnector } from '../connectors/check.js';
import { nameSchema } from '../domain/entities.js';
import { ValidationError } from '../errors/guard-error.js';
import { customerName, deferredText } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import type { GuardContext } from '../kernel/context.js';
import { employeesWithRole } from '../kernel/roles.js';
import { CRM_TRANSFER_EFFECT, type CrmTransferPayload, crmTransferPayloadSchema } from '../ownership/ownership.js';
import type { CrmConnector, CrmMove, CrmMoveResult } from '../ports/crm.js';
import type { CustomerRecord, OutboxEffect, StoreTransaction } from '../ports/store.js';
import type { TypedRecord } from '../store/records.js';
import { type TransferState, transferStateId, transferStates } from './transfer-state.js';
import { crmUsersOf } from './users.js';

/**
 * The kind of the outbox effect that asks a CRM where its `pending` moves
 * stand (WeCom completes a transfer after 24 hours). Guard queues it after
 * every `pending` result and again while the move stays pending; a worker
 * with `crm` options delivers it.
 *
 * @example
 * ```ts
 * import { CRM_TRANSFER_CHECK_EFFECT } from '@guard/core';
 * const dead = await acme.outbox.dead();
 * const stuckChecks = dead.items.filter((e) => e.kind === CRM_TRANSFER_CHECK_EFFECT);
 * ```
 */
export const CRM_TRANSFER_CHECK_EFFECT = 'crm.transfer-check';

/**
 * The connectors Guard keeps in step with its owner changes, and how it
 * follows moves that complete later. Give it to `guard.worker({ crm })`:
 * the worker then delivers every `crm.transfer` effect to each connector
 * in batches of the connector's `maxBatch`, records each result in the
 * audit chain, raises an alert when a CRM refuses a move, and asks again
 * about pending moves until they are final.
 *
 * @example
 * ```ts
 * import type { CrmWorkerOptions } from '@guard/core';
 * declare const salesforce: import('@guard/core').CrmConnector;
 * const crm: CrmWorkerOptions = { connectors: [salesforce], checkEveryMs: 3_600_000 };
 * const perTenant: CrmWorkerOptions = { connectors: (tenantId) => connectorsOf(tenantId) };
 * const noCrm: CrmWorkerOptions = { connectors: [] }; // owner changes live in Guard alone
 * declare function connectorsOf(tenantId: string): import('@guard/core').CrmConnector[];
 * ```
 */
export interface CrmWorkerOptions {
  /**
   * The connectors of every tenant, or a function that gives a tenant's
   * connectors (each company has its own CRM account). Each must be able
   * to transfer ownership and map users (`checkConnector` with
   * `ownership-transfer`); names must differ within a tenant. With none —
   * `[]`, or a tenant the function gives none — owner changes live in Guard
   * alone and their `crm.transfer` effects complete at once: say so for a
   * product without a CRM, or each effect waits for a handler until it dies.
   */
  readonly connectors:
    | readonly CrmConnector[]
    | ((tenantId: string) => readonly CrmConnector[] | Promise<readonly CrmConnector[]>);
  /** How long to wait before asking a CRM again about a pending move (default one hour). */
  readonly checkEveryMs?: number;
  /** How long a move may stay pending before Guard gives up on it and raises an alert (default 72 hours). */
  readonly pendingTimeoutMs?: number;
}

/** What a delivery handler answers per effect (the worker's `EffectResult`). */
type Delivery = { readonly delivered: true } | { readonly delivered: false; readonly error: string };

/** A batch handler as the worker's `batchEffects` takes it. */
type BatchHandler = (
  effects: readonly OutboxEffect[],
  context: { readonly signal: AbortSignal },
) => Promise<readonly Delivery[]>;

const connectorLike = z.custom<CrmConnector>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string',
  { error: validationMessage('crm-connector') },
);

/** The zod schema of {@link CrmWorkerOptions}, for the worker's options. */
export const crmWorkerOptionsSchema = z.strictObject({
  connectors: z.union([
    z.array(connectorLike).max(32),
    z.custom<(tenantId: string) => readonly CrmConnector[] | Promise<readonly CrmConnector[]>>(
      (v) => typeof v === 'function',
      { error: validationMessage('function') },
    ),
  ]),
  checkEveryMs: z
    .int()
    .min(1000)
    .max(7 * 86_400_000)
    .optional(),
  pendingTimeoutMs: z
    .int()
    .min(60_000)
    .max(90 * 86_400_000)
    .optional(),
});

const checkPayloadSchema = z.strictObject({ connector: nameSchema, customerId: z.string(), version: z.int().min(1) });

/** Guard's own actor for what it records about CRM transfers. */
const CRM_ACTOR = { type: 'system', id: 'crm' } as const;

/** An effect of a batch with its payload parsed; `index` is its place in the batch. */
interface ParsedEffect<P> {
  readonly index: number;
  readonly effect: OutboxEffect;
  readonly payload: P;
}

/** One `crm.transfer` effect of a batch, parsed. */
type Item = ParsedEffect<CrmTransferPayload>;

/** What to do for one item in one CRM, and the state that results. */
interface Plan {
  readonly item: Item;
  /** The stored state before this batch (`null`: none), for the version check of the write. */
  stored: TypedRecord<TransferState> | null;
  next: TransferState;
  /** `send`: transfer; `ask`: a move may already be under way, ask first; `write`: only record `next`; `none`: nothing. */
  action: 'send' | 'ask' | 'write' | 'none';
  /** The customer's id in the CRM. */
  externalId: string | null;
}

/** The connectors of a tenant, checked; throws what a resolver throws. */
type ConnectorsOf = (tenantId: string) => Promise<readonly CrmConnector[]>;

/** Settings the handlers share. */
interface Settings {
  readonly connectorsOf: ConnectorsOf;
  readonly checkEveryMs: number;
  readonly pendingTimeoutMs: number;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Groups values by a key, keeping their order. */
function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}

/**
 * Checks that each connector can transfer ownership and that their names
 * differ; `ConnectorIncompleteError` naming what a connector lacks.
 */
function checked(ctx: GuardContext, connectors: readonly CrmConnector[]): readonly CrmConnector[] {
  const names = new Set<string>();
  connectors.forEach((connector, i) => {
    checkConnector(connector, ['ownership-transfer'], { locale: ctx.locale });
    if (names.has(connector.name)) {
      const issue = {
        path: ['crm', 'connectors', i, 'name'],
        message: validationMessage('not-unique'),
        code: 'custom',
      };
      throw new ValidationError('worker options', [issue], { locale: ctx.locale });
    }
    names.add(connector.name);
  });
  return connectors;
}

/**
 * The batch handlers of `crm.transfer` and `crm.transfer-check`, for the
 * worker's `batchEffects`. A list of connectors is checked now; a function's
 * answer each time it is asked.
 */
export function crmTransferHandlers(
  ctx: GuardContext,
  options: z.output<typeof crmWorkerOptionsSchema>,
): Readonly<Record<string, BatchHandler>> {
  const { connectors } = options;
  const connectorsOf: ConnectorsOf =
    typeof connectors === 'function'
      ? async (tenantId) => checked(ctx, await connectors(tenantId))
      : (
          (list) => async () =>
            list
        )(checked(ctx, connectors));
  const settings: Settings = {
    connectorsOf,
    checkEveryMs: options.checkEveryMs ?? 3_600_000,
    pendingTimeoutMs: options.pendingTimeoutMs ?? 72 * 3_600_000,
  };
  return {
    [CRM_TRANSFER_EFFECT]: (effects, { signal }) => deliverTransfers(ctx, settings, effects, signal),
    [CRM_TRANSFER_CHECK_EFFECT]: (effects, { signal }) => checkPending(ctx, settings, effects, signal),
  };
}

/**
 * The effects whose payload parses, by tenant, with the tenant's
 * connectors. An effect whose payload does not parse, or whose tenant's
 * connectors cannot be had, gets its error in `errors` and is left out.
 */
async function* perTenant<P>(
  settings: Settings,
  effects: readonly OutboxEffect[],
  schema: z.ZodType<P>,
  errors: (string | null)[],
): AsyncGenerator<{ tenantId: string; connectors: readonly CrmConnector[]; items: ParsedEffect<P>[] }> {
  const items: ParsedEffect<P>[] = [];
  effects.forEach((effect, index) => {
    const parsed = schema.safeParse(effect.payload);
    if (parsed.success) items.push({ index, effect, payload: parsed.data });
    else errors[index] = `not a ${effect.kind} payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`;
  });
  for (const [tenantId, group] of groupBy(items, (i) => i.effect.tenantId)) {
    let connectors: readonly CrmConnector[];
    try {
      connectors = await settings.connectorsOf(tenantId);
    } catch (error) {
      for (const item of group) errors[item.index] = errorText(error);
      continue;
    }
    yield { tenantId, connectors, items: group };
  }
}

/** Delivers `crm.transfer` effects: per tenant, per connector, in batches of the connector's size. */
async function deliverTransfers(
  ctx: GuardContext,
  settings: Settings,
  effects: readonly OutboxEffect[],
  signal: AbortSignal,
): Promise<Delivery[]> {
  const errors: (string | null)[] = effects.map(() => null);
  for await (const { tenantId, connectors, items: group } of perTenant(
    settings,
    effects,
    crmTransferPayloadSchema,
    errors,
  )) {
    for (const connector of connectors) {
      const failed = await transferTo(ctx, settings, tenantId, connector, group, signal);
      for (const [index, message] of failed) {
        errors[index] =
          errors[index] === null ? `${connector.name}: ${message}` : `${errors[index]}; ${connector.name}: ${message}`;
      }
    }
  }
  return errors.map((error) => (error === null ? { delivered: true } : { delivered: false, error }));
}

/**
 * Carries `items` (one tenant's owner changes) to one connector. Returns
 * the items to retry with why.
 */
async function transferTo(
  ctx: GuardContext,
  settings: Settings,
  tenantId: string,
  connector: CrmConnector,
  items: readonly Item[],
  signal: AbortSignal,
): Promise<Map<number, string>> {
  const name = connector.name;
  const customerIds = [...new Set(items.map((i) => i.payload.customerId))];
  const read = await ctx.store.transaction(async (tx) => {
    const customers = new Map((await tx.getCustomers(tenantId, customerIds)).map((c) => [c.id, c]));
    const states = new Map<string, TypedRecord<TransferState>>();
    for (const id of customerIds) {
      const state = await transferStates.get(tx, tenantId, transferStateId(name, id));
      if (state) states.set(id, state);
    }
    return { customers, states };
  });

  const now = ctx.clock.now().toISOString();
  const plans = planTransfers(name, items, read.customers, read.states, now, connector.transferStatus !== undefined);
  const moving = plans.filter((p) => p.action === 'send' || p.action === 'ask');

  if (moving.length > 0) {
    const users = await crmUsers(ctx, tenantId, connector, moving, signal).catch((error: unknown) => error);
    for (const plan of moving) {
      if (!(users instanceof Map)) {
        retry(plan, errorText(users));
        continue;
      }
      const fromUserId = plan.next.crmOwner === null ? null : users.get(plan.next.crmOwner);
      const toUserId = plan.next.to === null ? null : users.get(plan.next.to);
      if (fromUserId === undefined || toUserId === undefined) {
        const who = fromUserId === undefined ? plan.next.crmOwner : plan.next.to;
        fail(plan, 'NO_CRM_USER', `employee ${who} has no user in ${name}`);
        continue;
      }
      // A move being asked about keeps the users it was sent with.
      if (plan.action === 'send' || plan.next.move === null) {
        plan.next = { ...plan.next, move: { customerExternalId: plan.externalId as string, fromUserId, toUserId } };
      }
    }
    await writeAhead(
      ctx,
      tenantId,
      plans.filter((p) => p.action === 'send' && p.next.status === 'sending'),
    );
    await ask(connector, tenantId, plans, signal);
    await send(connector, tenantId, plans, signal);
  }
  await settleTransfers(ctx, settings, tenantId, plans, now);

  const failed = new Map<number, string>();
  for (const plan of plans) {
    if (plan.next.status === 'retrying' && plan.action !== 'none') {
      failed.set(plan.item.index, plan.next.message ?? 'the CRM call failed');
    }
  }
  return failed;
}

/**
 * Decides, per customer in version order, what each owner change needs in
 * the CRM. The owner the CRM is moved *from* is the one Guard last put
 * there, so that a change that overtook an earlier one (retried later)
 * still finds the CRM as the earlier one left it.
 */
function planTransfers(
  connector: string,
  items: readonly Item[],
  customers: ReadonlyMap<string, CustomerRecord>,
  states: ReadonlyMap<string, TypedRecord<TransferState>>,
  now: string,
  canAsk: boolean,
): Plan[] {
  const plans: Plan[] = [];
  const byCustomer = groupBy(items, (i) => i.payload.customerId);
  for (const [customerId, group] of byCustomer) {
    const stored = states.get(customerId) ?? null;
    let current: TransferState | null = stored?.data ?? null;
    const customer = customers.get(customerId);
    const externalId = customer?.externalRefs[connector] ?? null;
    for (const item of [...group].sort((a, b) => a.payload.version - b.payload.version)) {
      const p = item.payload;
      const plan: Plan = {
        item,
        stored,
        next: current as TransferState,
        action: 'none',
        externalId,
      };
      plans.push(plan);
      const unfinished = current !== null && (current.status === 'sending' || current.status === 'retrying');
      if (current !== null && (current.version > p.version || (current.version === p.version && !unfinished))) {
        continue; // delivered before, or carried by a later change
      }
      const again = current !== null && current.version === p.version;
      const base: TransferState = {
        connector,
        customerId,
        version: p.version,
        from: p.from,
        to: p.to,
        reason: p.reason,
        crmOwner: current === null ? p.from : current.crmOwner,
        status: 'superseded',
        move: again ? (current?.move ?? null) : null,
        code: null,
        message: null,
        checks: 0,
        since: again ? (current?.since ?? now) : now,
        effectKey: item.effect.idempotencyKey,
      };
      if (!customer || customer.ownerId !== p.to) {
        plan.next = { ...base, move: null };
        plan.action = 'write';
      } else if (externalId === null) {
        plan.next = { ...base, status: 'skipped', move: null, code: 'NOT_LINKED' };
        plan.action = 'write';
      } else if (base.crmOwner === p.to) {
        plan.next = { ...base, status: 'done' };
        plan.action = 'write';
      } else {
        plan.next = { ...base, status: 'sending' };
        plan.action = again && canAsk ? 'ask' : 'send';
      }
      current = plan.next;
    }
  }
  return plans;
}

/** The CRM user of each employee the moves name: `externalRefs` first, then the connector's `mapUsers`. */
async function crmUsers(
  ctx: GuardContext,
  tenantId: string,
  connector: CrmConnector,
  plans: readonly Plan[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const ids = [...new Set(plans.flatMap((p) => [p.next.crmOwner, p.next.to]))].filter(
    (id): id is string => id !== null,
  );
  const employees = await ctx.store.transaction((tx) => tx.getEmployees(tenantId, ids));
  return crmUsersOf(tenantId, connector, employees, signal);
}

const retry = (plan: Plan, message: string) => {
  plan.next = { ...plan.next, status: 'retrying', code: null, message };
};

const fail = (plan: Plan, code: string, message: string) => {
  plan.next = { ...plan.next, status: 'failed', code, message };
  plan.action = 'write';
};

/** Applies a connector's answer about a move to its plan. */
function apply(plan: Plan, result: CrmMoveResult | undefined) {
  if (result === undefined) retry(plan, 'the connector gave no result for this move');
  else if (result.status !== 'failed') {
    plan.next =
      result.status === 'done'
        ? { ...plan.next, status: 'done', crmOwner: plan.next.to }
        : { ...plan.next, status: 'pending' };
  } else if (result.retryable)
    plan.next = { ...plan.next, status: 'retrying', code: result.code, message: result.message };
  else fail(plan, result.code, result.message);
}

const moveOf = (plan: Plan): CrmMove => plan.next.move as CrmMove;

/** Writes `sending` before the CRM call, so that a worker killed during it asks before sending again. */
async function writeAhead(ctx: GuardContext, tenantId: string, plans: readonly Plan[]) {
  if (plans.length === 0) return;
  const now = ctx.clock.now().toISOString();
  await ctx.store.transaction(async (tx) => {
    for (const plan of latestPerCustomer(plans)) {
      plan.stored = await writeState(tx, tenantId, plan, now);
    }
  });
}

/** For moves that may already be under way: asks the CRM where they stand; those it has no record of are sent. */
async function ask(connector: CrmConnector, tenantId: string, plans: readonly Plan[], signal: AbortSignal) {
  const asking = plans.filter((p) => p.action === 'ask' && p.next.status === 'sending' && p.next.move !== null);
  if (asking.length === 0 || !connector.transferStatus) return;
  let results: readonly CrmMoveResult[];
  try {
    signal.throwIfAborted();
    results = await connector.transferStatus(tenantId, asking.map(moveOf));
  } catch (error) {
    for (const plan of asking) retry(plan, errorText(error));
    return;
  }
  asking.forEach((plan, i) => {
    const result = results[i];
    if (result?.status === 'failed' && result.code === 'NOT_TRANSFERRED') plan.action = 'send';
    else apply(plan, result);
  });
}

/** Sends the moves in batches of the connector's `maxBatch`, each with a key of its effects. */
async function send(connector: CrmConnector, tenantId: string, plans: readonly Plan[], signal: AbortSignal) {
  const sending = plans.filter((p) => p.action === 'send' && p.next.status === 'sending' && p.next.move !== null);
  const size = connector.capabilities.transfer?.maxBatch ?? 1;
  for (let i = 0; i < sending.length; i += size) {
    const chunk = sending.slice(i, i + size);
    const digest = createHash('sha256');
    for (const plan of chunk) digest.update(`${plan.item.effect.idempotencyKey}\n`);
    try {
      signal.throwIfAborted();
      const results = await (connector.transferOwnership as NonNullable<CrmConnector['transferOwnership']>)({
        tenantId,
        idempotencyKey: `guard:${connector.name}:${digest.digest('hex').slice(0, 32)}`,
        moves: chunk.map(moveOf),
        signal,
      });
      for (const [n, plan] of chunk.entries()) apply(plan, results[n]);
    } catch (error) {
      for (const plan of chunk) retry(plan, errorText(error));
    }
  }
}

/** The last plan of each customer: the one whose state is stored. */
function latestPerCustomer(plans: readonly Plan[]): Plan[] {
  const latest = new Map<string, Plan>();
  for (const plan of plans) if (plan.action !== 'none') latest.set(plan.next.customerId, plan);
  return [...latest.values()];
}

async function writeState(
  tx: StoreTransaction,
  tenantId: string,
  plan: Plan,
  now: string,
): Promise<TypedRecord<TransferState>> {
  const draft = {
    tenantId,
    id: transferStateId(plan.next.connector, plan.next.customerId),
    ref: plan.next.customerId,
    status: plan.next.status,
    at: now,
    data: plan.next,
  };
  return plan.stored === null
    ? transferStates.insert(tx, draft, now)
    : transferStates.update(tx, plan.stored, { ref: draft.ref, status: draft.status, at: now, data: draft.data }, now);
}

/** The audit entry of a transfer's outcome. */
function auditOf(state: TransferState): AuditDraft {
  return {
    actor: CRM_ACTOR,
    action: 'crm.transfer',
    subject: { type: 'customer', id: state.customerId },
    data: {
      connector: state.connector,
      version: state.version,
      from: state.from,
      to: state.to,
      reason: state.reason,
      status: state.status,
      code: state.code,
      ...(state.move === null ? {} : state.move),
    },
  };
}

/**
 * Records what became of each plan in one transaction: the states, an
 * audit entry per outcome, an alert per refusal, a check per pending move.
 */
async function settleTransfers(
  ctx: GuardContext,
  settings: Settings,
  tenantId: string,
  plans: readonly Plan[],
  now: string,
) {
  const writes = plans.filter((p) => p.action !== 'none');
  if (writes.length === 0) return;
  await ctx.store.transaction(async (tx) => {
    const audit: AuditDraft[] = [];
    for (const plan of latestPerCustomer(writes)) await writeState(tx, tenantId, plan, now);
    for (const plan of writes) {
      const state = plan.next;
      if (state.status === 'retrying' || state.status === 'sending') continue;
      audit.push(auditOf(state));
      if (state.status === 'failed') await alertRefusal(ctx, tx, tenantId, plan, now, audit);
      if (state.status === 'pending') await scheduleCheck(ctx, tx, tenantId, state, settings.checkEveryMs, now);
    }
    if (audit.length > 0) await ctx.audit.append(tx, tenantId, audit);
  });
}

/** Queues the next question about a pending move. */
async function scheduleCheck(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  state: TransferState,
  afterMs: number,
  now: string,
) {
  await tx.enqueueEffects([
    {
      id: ctx.ids.next('fx'),
      tenantId,
      idempotencyKey: `crm-check:${state.connector}:${state.customerId}:v${state.version}:${state.checks + 1}`,
      kind: CRM_TRANSFER_CHECK_EFFECT,
      payload: { connector: state.connector, customerId: state.customerId, version: state.version },
      availableAt: new Date(Date.parse(now) + afterMs).toISOString(),
      createdAt: now,
    },
  ]);
}

/** Raises the alert of a refused move, told to HR; one open alert per customer and CRM. */
async function alertRefusal(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  plan: Pick<Plan, 'next'>,
  now: string,
  audit: AuditDraft[],
) {
  const state = plan.next;
  const code = state.code ?? 'UNKNOWN';
  await raiseAlert(
    ctx,
    { tx, now, tenantId, record: (d) => audit.push(d) },
    {
      kind: 'crm-transfer-failed',
      severity: 'high',
      employeeId: state.from ?? state.to,
      summary: deferredText('summaries', 'crmTransferFailed', {
        connector: state.connector,
        customerId: state.customerId,
        customerName: customerName(state.customerId),
        to: state.to,
        code,
      }),
      evidence: {
        connector: state.connector,
        customerId: state.customerId,
        version: state.version,
        from: state.from,
        to: state.to,
        code,
        message: state.message,
        ...(state.move === null ? {} : state.move),
      },
      notify: await employeesWithRole(tx, tenantId, 'hr-admin'),
      actor: CRM_ACTOR,
      dedupeKey: `crm-transfer-failed:${state.connector}:${state.customerId}`,
    },
  );
}

/** Delivers `crm.transfer-check` effects: asks each CRM where its pending moves stand. */
async function checkPending(
  ctx: GuardContext,
  settings: Settings,
  effects: readonly OutboxEffect[],
  signal: AbortSignal,
): Promise<Delivery[]> {
  const errors: (string | null)[] = effects.map(() => null);
  for await (const { tenantId, connectors, items: group } of perTenant(settings, effects, checkPayloadSchema, errors)) {
    const byName = new Map(connectors.map((c) => [c.name, c]));
    for (const [name, batch] of groupBy(group, (c) => c.payload.connector)) {
      const connector = byName.get(name);
      if (!connector?.transferStatus) {
        for (const c of batch) errors[c.index] = `no connector named ${name} that can check transfers is configured`;
        continue;
      }
      const states = await ctx.store.transaction(async (tx) => {
        const found: { index: number; record: TypedRecord<TransferState> }[] = [];
        for (const c of batch) {
          const record = await transferStates.get(tx, tenantId, transferStateId(name, c.payload.customerId));
          // A check of a version that is no longer pending has nothing to ask.
          const d = record?.data;
          if (record && d?.status === 'pending' && d.version === c.payload.version && d.move !== null) {
            found.push({ index: c.index, record });
          }
        }
        return found;
      });
      if (states.length === 0) continue;
      let results: readonly CrmMoveResult[];
      try {
        signal.throwIfAborted();
        results = await connector.transferStatus(
          tenantId,
          states.map((s) => s.record.data.move as CrmMove),
        );
      } catch (error) {
        for (const s of states) errors[s.index] = `${name}: ${errorText(error)}`;
        continue;
      }
      await settleChecks(ctx, settings, tenantId, states, results);
    }
  }
  return errors.map((error) => (error === null ? { delivered: true } : { delivered: false, error }));
}

/** Records the answers about pending moves: done, failed (with an alert), or asked again later. */
async function settleChecks(
  ctx: GuardContext,
  settings: Settings,
  tenantId: string,
  states: readonly { record: TypedRecord<TransferState> }[],
  results: readonly CrmMoveResult[],
) {
  const now = ctx.clock.now().toISOString();
  await ctx.store.transaction(async (tx) => {
    const audit: AuditDraft[] = [];
    for (const [i, { record }] of states.entries()) {
      const result = results[i];
      const state = record.data;
      let next: TransferState;
      if (result?.status === 'done') next = { ...state, status: 'done', crmOwner: state.to, checks: state.checks + 1 };
      else if (result?.status === 'failed' && !result.retryable) {
        next = { ...state, status: 'failed', code: result.code, message: result.message, checks: state.checks + 1 };
      } else if (Date.parse(now) - Date.parse(state.since) >= settings.pendingTimeoutMs) {
        next = {
          ...state,
          status: 'failed',
          code: 'TIMED_OUT',
          message: `still pending after ${Math.round(settings.pendingTimeoutMs / 3_600_000)} hours`,
          checks: state.checks + 1,
        };
      } else {
        next = { ...state, checks: state.checks + 1 };
        await transferStates.update(tx, record, { data: next }, now);
        await scheduleCheck(ctx, tx, tenantId, next, settings.checkEveryMs, now);
        continue;
      }
      await transferStates.update(tx, record, { status: next.status, at: now, data: next }, now);
      audit.push(auditOf(next));
      if (next.status === 'failed') {
        await alertRefusal(ctx, tx, tenantId, { next }, now, audit);
      }
    }
    if (audit.length > 0) await ctx.audit.append(tx, tenantId, audit);
  });
}
