import * as z from 'zod';
import { ALERT_KIND, raiseAlert } from '../alerts/alerts.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { sha256Hex } from '../audit/hash.js';
import type { ActorRef } from '../domain/entities.js';
import { actorRefSchema, idSchema } from '../domain/entities.js';
import { toJson } from '../domain/json.js';
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { customerName, deferredText, employeeName, inLocales } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import type { Locale } from '../i18n/locale.js';
import { type GuardContext, HOST_ACTOR, inTheFuture, inUnitOfWork, type UnitOfWork } from '../kernel/context.js';
import { existingIds } from '../kernel/directory.js';
import { employeesWithRole } from '../kernel/roles.js';
import { restartFollowUpClock } from '../ownership/customer-hooks.js';
import type { Page, StoredRecord, StoreTransaction } from '../ports/store.js';
import { loadSettings } from '../settings/tenant-settings.js';
import { pagedItems } from '../store/pages.js';
import { recordKind } from '../store/records.js';
import { OFFBOARDING_MACHINE_ID, offboardingMachine } from '../workflows/offboarding/index.js';
import type { OffboardingContext } from '../workflows/offboarding/types.js';
import type { WorkflowModule } from '../workflows/runtime/index.js';
import { timerKind, WorkflowSession } from '../workflows/runtime/index.js';
import { type CustomSignal, customKindOfFact, isCustomSignalKind } from './custom-signals.js';
import { defaultRulePacks } from './defaults.js';
import { type RiskScore, riskEvaluator } from './evaluate.js';
import {
  customerFacts,
  customFactDefinitions,
  customSignalFacts,
  dailyEmployeeFacts,
  type EmployeeRiskState,
  employeeFacts,
  type Facts,
} from './facts.js';
import { appendSignals, readLedger, SIGNAL_SUBJECT_KIND } from './ledger-store.js';
import { packFacts, parseRulePack, type RulePack } from './pack.js';
import {
  type RiskSubjectRef,
  type RiskSubjectType,
  type SignalInput,
  type SignalLedger,
  signalInputSchema,
} from './signals.js';

/**
 * Tenant-installed packs: `id` = the pack id, `data` = the pack, `version` =
 * the installation version. They replace a default pack with the same id.
 * A removed pack stays as a record with status `removed` (so versions keep
 * counting up), and is not in force.
 */
export const RISK_PACK_KIND = 'risk-pack';
const REMOVED = 'removed';
/** Alert state per pack and subject: whether the score is above the threshold, and the alert raised. */
export const RISK_ALERT_STATE_KIND = 'risk-alert';
const SCAN_TIMER = 'risk.scan';
const SCAN_PAGE = 200;

const subjectSchema = z.strictObject({ type: z.enum(['employee', 'customer']), id: idSchema });
const signalsSchema = z.array(signalInputSchema).min(1).max(10_000);

/**
 * What {@link SignalsApi.record} did.
 *
 * @example
 * ```ts
 * const r = await acme.signals.record(batch);
 * console.log(`${r.recorded} new, ${r.duplicates} already recorded`);
 * ```
 */
export interface RecordSignalsResult {
  readonly recorded: number;
  readonly duplicates: number;
}

/**
 * Signals a host reports: what only the host knows (leave, résumé updates,
 * job-site visits, competitor contacts, logins, follow-ups, orders). Guard
 * records data access (views, exports, deletes, after-hours access) and
 * owners leaving by itself.
 *
 * @example
 * ```ts
 * await acme.signals.record([
 *   { kind: 'leave', employeeId: 'e-7', at: '2026-11-02T09:00:00+08:00', value: 2, id: 'leave-881' },
 *   { kind: 'order', employeeId: 'e-7', customerId: 'c-1001', at: '2026-11-03T10:00:00+08:00', value: 12000, id: 'o-9' },
 * ]);
 * ```
 */
export interface SignalsApi {
  /**
   * Validates and records one signal or a batch (up to 10,000) in one
   * transaction; signals with a known `id` are skipped. A bad signal — a
   * malformed one, one in the future, or one naming an employee or customer
   * the tenant does not have — is a `ValidationError` whose paths start with
   * the signal's index, and nothing of the batch is written. Each call is
   * audited once (action `signals.record`): the counts by kind, how many were
   * new, and the SHA-256 of the batch as validated, so the host can prove
   * which batch it sent. A `follow-up` by the customer's owner restarts the
   * customer's follow-up clock, as `ownership.recordFollowUp` does (the
   * latest one counts; anyone else's, or one older than the clock's start,
   * leaves it), so calls a CRM sync reports keep the reminders quiet.
   */
  record(
    signals: SignalInput | readonly SignalInput[],
    options?: { readonly actor?: ActorRef },
  ): Promise<RecordSignalsResult>;
}

/**
 * Options of {@link RiskApi.installPack} and {@link RiskApi.removePack}.
 *
 * @example
 * ```ts
 * const installed = (await acme.risk.installedPacks()).find((p) => p.pack.id === tuned.id);
 * await acme.risk.installPack(tuned, { actor: { type: 'host', id: 'risk-console' }, expectedVersion: installed?.version ?? 0 });
 * ```
 */
export interface PackChangeOptions {
  readonly actor?: ActorRef | undefined;
  /** The installed pack's version the change is based on (0: none installed, or removed); see {@link InstalledPack.version}. */
  readonly expectedVersion?: number | undefined;
}

/**
 * A pack a tenant installed: the pack, its installation version (1 for the
 * first install of the id, one more per install or removal since), and when
 * it was installed.
 *
 * @example
 * ```ts
 * for (const p of await acme.risk.installedPacks()) console.log(p.pack.id, p.pack.version, `#${p.version}`, p.installedAt);
 * ```
 */
export interface InstalledPack {
  readonly pack: RulePack;
  readonly version: number;
  readonly installedAt: string;
}

/**
 * What one {@link RiskApi.scan} page did.
 *
 * @example
 * ```ts
 * let cursor: string | undefined;
 * do { const r = await acme.risk.scan({ subject: 'employee', cursor }); cursor = r.nextCursor ?? undefined; } while (cursor);
 * ```
 */
export interface RiskScanResult {
  readonly scored: number;
  /** Alerts raised by this page (a subject already alerted is not alerted again). */
  readonly alertsRaised: number;
  readonly nextCursor: string | null;
}

/**
 * Risk scoring for a tenant: the active rule packs, facts and scores of one
 * subject, scans that raise alerts, and installing tuned packs.
 *
 * @example
 * ```ts
 * const [exfil] = await acme.risk.score({ type: 'employee', id: 'e-7' }, { pack: 'employee-data-exfiltration' });
 * console.log(exfil.score, exfil.band, exfil.fired.map((f) => f.explanation['zh-CN']));
 * ```
 */
export interface RiskApi {
  /** The packs in force: the defaults, with tenant-installed packs replacing those with the same id. */
  packs(): Promise<RulePack[]>;
  /**
   * Validates a pack (JSON) and installs it for the tenant, replacing the
   * default or the installed pack with the same id; audited
   * (`risk.pack-install`, with the version it replaced). Each install or
   * removal of an id adds one to its installation version; with
   * `expectedVersion` (0: none installed yet), a change made meanwhile is a
   * `ConflictError` and nothing is saved. Returns the pack.
   */
  installPack(pack: unknown, options?: PackChangeOptions): Promise<RulePack>;
  /**
   * Removes the tenant's installed pack with this id, so the default with the
   * same id (if any) is in force again; audited (`risk.pack-remove`).
   * Returns the pack now in force for the id, or `null`. A pack that is not
   * installed is a `NotFoundError`.
   */
  removePack(id: string, options?: PackChangeOptions): Promise<RulePack | null>;
  /** The packs the tenant installed, with their installation version and when they were installed. */
  installedPacks(): Promise<InstalledPack[]>;
  /** The built-in facts of a subject now. */
  facts(subject: RiskSubjectRef): Promise<Facts>;
  /** Scores a subject with every pack for its type (or one pack); reads only, raises nothing. */
  score(subject: RiskSubjectRef, options?: { pack?: string }): Promise<RiskScore[]>;
  /**
   * Scores one page of subjects of a type that have signals, and raises an
   * alert for each that crosses a pack's alert threshold — once: while the
   * score stays above it, no new alert.
   */
  scan(input: { subject: RiskSubjectType; cursor?: string | undefined; limit?: number }): Promise<RiskScanResult>;
  /**
   * Has the worker scan every subject every `everyHours` (default 24),
   * starting at `startAt` (default now). Durable: the schedule survives
   * restarts; calling it again moves it.
   */
  schedule(options?: { everyHours?: number; startAt?: string }): Promise<void>;
  /**
   * A subject's score history, oldest first: a point whenever a scan's score
   * with a pack changed (or the pack's version did), for charts. Narrow it to
   * one `pack` and to `from` (inclusive) – `to` (exclusive); pages of
   * `limit` (default 200, at most 1,000).
   */
  history(
    subject: RiskSubjectRef,
    options?: {
      pack?: string | undefined;
      from?: string | undefined;
      to?: string | undefined;
      cursor?: string | undefined;
      limit?: number | undefined;
    },
  ): Promise<Page<RiskScorePoint>>;
}

/** Per pack and subject: whether the last score was above the alert threshold, and the alert it raised. */
const alertStates = recordKind(
  RISK_ALERT_STATE_KIND,
  z.object({
    above: z.boolean(),
    alertId: z.string().nullable(),
    /** The last score recorded in the history, and the pack version that gave it (absent before history was kept). */
    score: z.number().optional(),
    version: z.string().optional(),
  }),
);

/** Score history: a point per pack and subject whenever a scan's score (or the pack version) changes. */
export const RISK_SCORE_KIND = 'risk-score';
const scorePointSchema = z.object({
  pack: z.object({ id: z.string(), version: z.string() }),
  score: z.number(),
  band: z.enum(['normal', 'watch', 'alert']),
  rules: z.array(z.string()),
});
const scorePoints = recordKind(RISK_SCORE_KIND, scorePointSchema);

/**
 * One point of a subject's score history: the score a scan gave with one
 * pack, recorded when it differs from the pack's previous point (so a
 * chart draws it as a step until the next point).
 *
 * @example
 * ```ts
 * const { items } = await acme.risk.history({ type: 'employee', id: 'e-7' }, { pack: 'employee-data-exfiltration' });
 * for (const p of items) console.log(p.at, p.score, p.band, p.rules.join(', '));
 * ```
 */
export interface RiskScorePoint {
  readonly at: string;
  readonly pack: { readonly id: string; readonly version: string };
  readonly score: number;
  readonly band: RiskScore['band'];
  /** The rules that fired, highest points first. */
  readonly rules: readonly string[];
}

/** The tenant's declared signal kinds (settings `risk.customSignals`). */
async function customSignalsOf(tx: StoreTransaction, tenantId: string): Promise<readonly CustomSignal[]> {
  return (await loadSettings(tx, tenantId)).risk.customSignals;
}

/** The tenant's installed packs (removed ones left out), parsed against its declared signal kinds. */
async function installedPackRecords(
  tx: StoreTransaction,
  tenantId: string,
  locale: GuardContext['locale'],
): Promise<{ pack: RulePack; record: StoredRecord }[]> {
  const customSignals = await customSignalsOf(tx, tenantId);
  const out: { pack: RulePack; record: StoredRecord }[] = [];
  for await (const record of pagedItems((page) => tx.listRecords(tenantId, { kind: RISK_PACK_KIND }, page))) {
    if (record.status !== REMOVED) out.push({ pack: parseRulePack(record.data, { locale, customSignals }), record });
  }
  return out;
}

async function tenantPacks(
  tx: StoreTransaction,
  tenantId: string,
  locale: GuardContext['locale'],
): Promise<RulePack[]> {
  const byId = new Map<string, RulePack>(Object.values(defaultRulePacks).map((p) => [p.id, p]));
  for (const { pack } of await installedPackRecords(tx, tenantId, locale)) byId.set(pack.id, pack);
  return [...byId.values()];
}

async function employeeState(
  tx: StoreTransaction,
  tenantId: string,
  employeeId: string,
): Promise<EmployeeRiskState | null> {
  const [employee] = await tx.getEmployees(tenantId, [employeeId]);
  if (!employee) return null;
  let chosen: OffboardingContext | null = null;
  for await (const record of pagedItems((page) =>
    tx.listWorkflows(
      tenantId,
      { machine: OFFBOARDING_MACHINE_ID, subject: { type: 'employee', id: employeeId } },
      page,
    ),
  )) {
    if (record.state === 'cancelled') continue;
    const context = WorkflowSession.contextFor(record, offboardingMachine);
    if (chosen === null || context.resignationDate > chosen.resignationDate) chosen = context;
  }
  let customersOwned = 0;
  for await (const _ of pagedItems((page) => tx.listCustomers(tenantId, { ownerId: employeeId }, page), 1000)) {
    customersOwned++;
  }
  return {
    status: employee.status,
    customersOwned,
    resignationDate: chosen?.resignationDate ?? null,
    lastWorkingDay: chosen?.lastWorkingDay ?? null,
    openHandoverItems: chosen ? chosen.items.filter((i) => i.status !== 'accepted').length : null,
  };
}

async function factsOf(
  tx: StoreTransaction,
  tenantId: string,
  subject: RiskSubjectRef,
  asOf: Date,
): Promise<Facts | null> {
  const customSignals = await customSignalsOf(tx, tenantId);
  const withCustom = (facts: Facts, ledger: SignalLedger): Facts =>
    customSignals.length === 0 ? facts : { ...facts, ...customSignalFacts(ledger, customSignals, subject.type, asOf) };
  if (subject.type === 'employee') {
    const state = await employeeState(tx, tenantId, subject.id);
    if (!state) return null;
    const ledger = await readLedger(tx, tenantId, subject, asOf);
    return withCustom(employeeFacts(ledger, state, asOf), ledger);
  }
  const customer = await tx.getCustomer(tenantId, subject.id);
  if (!customer) return null;
  const ledger = await readLedger(tx, tenantId, subject, asOf);
  return withCustom(customerFacts(ledger, asOf), ledger);
}

/**
 * Reads the tenant's installed packs (under the settings still in force) and
 * returns a check for new settings: it refuses `risk.customSignals` that no
 * longer give an installed pack a fact it reads (a kind removed, or a
 * subject dropped), since that pack would stop parsing and scoring with it
 * would stop. Call it before saving and run the check after, in the same
 * transaction, so a refused update saves nothing.
 */
export async function customSignalsInUse(
  uow: UnitOfWork,
  locale: Locale,
): Promise<(customSignals: readonly CustomSignal[]) => void> {
  const packs = (await installedPackRecords(uow.tx, uow.tenant.id, locale)).map(({ pack }) => pack);
  return (customSignals) => {
    const issues: ValidationIssue[] = [];
    for (const pack of packs) {
      const known = customFactDefinitions(customSignals, pack.subject);
      for (const fact of packFacts(pack)) {
        const kind = customKindOfFact(fact);
        if (kind !== null && !Object.hasOwn(known, fact)) {
          issues.push({
            path: ['risk', 'customSignals'],
            code: 'custom',
            message: validationMessage('custom-signal-in-use', { kind, pack: pack.id, fact }),
          });
        }
      }
    }
    if (issues.length > 0) throw new ValidationError('tenant settings', issues, { locale });
  };
}

/** Raises an alert when a score crosses its pack's threshold; remembers being above it so a run does not repeat it. */
async function settleAlert(
  ctx: GuardContext,
  uow: UnitOfWork,
  subject: RiskSubjectRef,
  pack: RulePack,
  result: RiskScore,
): Promise<boolean> {
  const tenantId = uow.tenant.id;
  const id = `${pack.id}:${subject.type}:${subject.id}`;
  const current = await alertStates.get(uow.tx, tenantId, id);
  const state = current?.data ?? { above: false, alertId: null };
  const above = result.band === 'alert';
  const changed = state.score !== result.score || state.version !== pack.version;
  if (changed) {
    await scorePoints.insert(
      uow.tx,
      {
        tenantId,
        id: `${id}:${uow.now}`,
        ref: `${subject.type}:${subject.id}`,
        status: pack.id,
        at: uow.now,
        data: {
          pack: { id: pack.id, version: pack.version },
          score: result.score,
          band: result.band,
          rules: result.fired.map((f) => f.rule),
        },
      },
      uow.now,
    );
  }
  if (above === state.above && !changed) return false;
  let alertId = state.alertId;
  let raised = false;
  // Crossing the threshold raises an alert (or updates the one still open). While the score stays above it, a new
  // score updates the open alert — its score, rules and count — and notifies nobody again; once resolved, nothing.
  const crossing = above && !state.above;
  if (crossing || (above && changed)) {
    const open = alertId ? await uow.tx.getRecord(tenantId, ALERT_KIND, alertId) : null;
    const isOpen = open !== null && open.status !== 'resolved';
    if (crossing || isOpen) {
      const { employeeId, notify } = await alertTargets(uow.tx, tenantId, subject);
      alertId = await raiseAlert(
        ctx,
        { tx: uow.tx, now: uow.now, tenantId, record: (d) => uow.session.record(d) },
        {
          kind: 'risk-threshold',
          severity: pack.severity ?? 'high',
          employeeId,
          summary: deferredText('summaries', 'riskThreshold', {
            pack: inLocales(pack.title),
            subject: subject.type,
            subjectId: subject.id,
            subjectName: subject.type === 'employee' ? employeeName(subject.id) : customerName(subject.id),
            score: result.score,
            threshold: pack.thresholds.alert,
            reasons: result.fired.slice(0, 3).map((f) => inLocales(f.explanation)),
          }),
          evidence: {
            pack: { id: pack.id, version: pack.version },
            subject: { type: subject.type, id: subject.id },
            score: result.score,
            fired: result.fired.map((f) => ({ rule: f.rule, points: f.points, facts: toJson(f.facts) })),
            modifiers: [...result.modifiers],
          },
          notify,
          actor: { type: 'system', id: 'risk-scoring' },
          dedupeKey: `risk-threshold:${pack.id}:${subject.type}:${subject.id}`,
        },
      );
      raised = !isOpen;
    }
  }
  const ref = `${subject.type}:${subject.id}`;
  const status = above ? 'above' : 'below';
  await alertStates.upsert(
    uow.tx,
    { tenantId, id, ref, status, at: uow.now, data: { above, alertId, score: result.score, version: pack.version } },
    uow.now,
    current,
  );
  return raised;
}

async function alertTargets(tx: StoreTransaction, tenantId: string, subject: RiskSubjectRef) {
  let employeeId: string | null = null;
  if (subject.type === 'employee') employeeId = subject.id;
  else employeeId = (await tx.getCustomer(tenantId, subject.id))?.ownerId ?? null;
  const notify: string[] = [];
  if (employeeId) {
    const [employee] = await tx.getEmployees(tenantId, [employeeId]);
    // The owner hears about their customer; an employee is never told about their own score.
    if (subject.type === 'customer' && employee?.status === 'active') notify.push(employeeId);
    if (employee?.managerId) notify.push(employee.managerId);
  }
  for (const hr of await employeesWithRole(tx, tenantId, 'hr-admin')) {
    if (hr !== employeeId && !notify.includes(hr)) notify.push(hr);
  }
  return { employeeId, notify };
}

async function scanPage(
  ctx: GuardContext,
  uow: UnitOfWork,
  subjectType: RiskSubjectType,
  cursor: string | undefined,
  limit: number,
): Promise<RiskScanResult> {
  const tenantId = uow.tenant.id;
  const packs = (await tenantPacks(uow.tx, tenantId, ctx.locale)).filter((p) => p.subject === subjectType);
  const page = await uow.tx.listRecords(
    tenantId,
    { kind: SIGNAL_SUBJECT_KIND, ref: subjectType },
    cursor === undefined ? { limit } : { cursor, limit },
  );
  const asOf = new Date(uow.now);
  let scored = 0;
  let alertsRaised = 0;
  for (const record of page.items) {
    const subject: RiskSubjectRef = { type: subjectType, id: record.id.slice(subjectType.length + 1) };
    const facts = await factsOf(uow.tx, tenantId, subject, asOf);
    if (!facts) continue;
    scored++;
    for (const pack of packs) {
      const result = await riskEvaluator(pack).score(facts);
      if (await settleAlert(ctx, uow, subject, pack, result)) alertsRaised++;
    }
  }
  return { scored, alertsRaised, nextCursor: page.nextCursor };
}

/** One page of a scheduled scan: which subjects, where the page starts, and the round it belongs to. */
const scanTimerEventSchema = z.strictObject({
  type: z.literal(SCAN_TIMER),
  subject: subjectSchema.shape.type,
  cursor: z.string().nullable(),
  everyHours: z.number().positive(),
  /** When this round of the scan started; the next round is due `everyHours` after it. */
  roundStartedAt: z.string(),
  /** Subjects scored and alerts raised by the round's earlier pages (absent in timers scheduled before they were counted). */
  scored: z.int().min(0).optional(),
  alertsRaised: z.int().min(0).optional(),
});
type ScanTimerEvent = z.output<typeof scanTimerEventSchema>;
const scanTimer = timerKind(SCAN_TIMER, scanTimerEventSchema);

async function scheduleScan(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  event: ScanTimerEvent,
  dueAt: string,
  now: string,
) {
  await tx.scheduleTimer({
    id: ctx.ids.next('tm'),
    tenantId,
    key: `risk-scan:${event.subject}`,
    workflowId: null,
    event: scanTimer.event(event),
    dueAt,
    createdAt: now,
  });
}

/** The risk module's durable timer: one page of a scheduled scan per firing, then the next page or the next round. */
export function riskModule(): WorkflowModule<GuardContext> {
  const scan = scanTimer.handler<GuardContext>(async (event, c) => {
    const tenant = await c.tx.getTenant(c.tenantId);
    if (!tenant) return;
    const uow: UnitOfWork = { tx: c.tx, tenant, session: c.session, now: c.at };
    const result = await scanPage(c.env, uow, event.subject, event.cursor ?? undefined, SCAN_PAGE);
    const scored = (event.scored ?? 0) + result.scored;
    const alertsRaised = (event.alertsRaised ?? 0) + result.alertsRaised;
    c.progress({
      kind: 'risk-scan',
      tenantId: c.tenantId,
      subject: event.subject,
      roundStartedAt: event.roundStartedAt,
      pageScored: result.scored,
      scored,
      alertsRaised,
      done: result.nextCursor === null,
    });
    if (result.nextCursor !== null) {
      const rest = { ...event, cursor: result.nextCursor, scored, alertsRaised };
      await scheduleScan(c.env, c.tx, c.tenantId, rest, c.at, c.at);
    } else {
      const next = new Date(Date.parse(event.roundStartedAt) + event.everyHours * 3_600_000);
      const dueAt = next.getTime() > Date.parse(c.at) ? next.toISOString() : c.at;
      const round = { ...event, cursor: null, roundStartedAt: dueAt, scored: 0, alertsRaised: 0 };
      await scheduleScan(c.env, c.tx, c.tenantId, round, dueAt, c.at);
    }
  });
  return { timers: scan };
}

/** The pack whose score of a departing owner each handed-over customer keeps (`formerOwnerRisk`). */
const DEPARTURE_RISK_PACK = 'employee-data-exfiltration';
/** Days before a departure whose daily scores count towards `formerOwnerRisk`. */
const DEPARTURE_RISK_DAYS = 90;

/**
 * The highest score the tenant's data-exfiltration pack gave the employee at
 * the end of each of their last 90 days (0 when the tenant has no such pack
 * or the employee is unknown): recorded as the `value` of `owner-left` for
 * every customer handed over, so the diversion pack can tell a risky
 * departure from an ordinary one.
 */
export async function departureRisk(ctx: GuardContext, uow: UnitOfWork, employeeId: string): Promise<number> {
  const tenantId = uow.tenant.id;
  const pack = (await tenantPacks(uow.tx, tenantId, ctx.locale)).find((p) => p.id === DEPARTURE_RISK_PACK);
  const state = await employeeState(uow.tx, tenantId, employeeId);
  if (pack?.subject !== 'employee' || !state) return 0;
  const asOf = new Date(uow.now);
  const ledger = await readLedger(uow.tx, tenantId, { type: 'employee', id: employeeId }, asOf);
  const days = dailyEmployeeFacts(ledger, state, asOf, DEPARTURE_RISK_DAYS, await customSignalsOf(uow.tx, tenantId));
  const scores = await riskEvaluator(pack).scoreMany(days);
  return scores.reduce((max, s) => Math.max(max, s.score), 0);
}

/**
 * Records signals from Guard's own checks (views, exports, deletes,
 * after-hours access, owners leaving) in the caller's transaction.
 */
export async function recordOwnSignals(uow: UnitOfWork, signals: readonly SignalInput[]): Promise<void> {
  if (signals.length > 0) await appendSignals(uow.tx, uow.tenant.id, uow.now, signals);
}

/** The signals API of a tenant. */
export function signalsApi(ctx: GuardContext, tenantId: string): SignalsApi {
  return {
    record: async (input, options = {}) => {
      const { locale } = ctx;
      const list = parseInput(signalsSchema, Array.isArray(input) ? input : [input], { what: 'signals', locale });
      const { actor } = parseInput(recordOptionsSchema, options, { what: 'signals options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const issues = await signalProblems(uow, list);
        if (issues.length > 0) throw new ValidationError('signals', issues, { locale });
        const recorded = await appendSignals(uow.tx, tenantId, uow.now, list);
        // A follow-up the host or a CRM reports counts like one entered in Guard: it restarts the owner's clock.
        await followUpsReported(ctx, uow, list);
        const kinds: Record<string, number> = {};
        for (const s of list) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
        uow.session.record({
          actor: actor ?? HOST_ACTOR,
          action: 'signals.record',
          subject: { type: 'tenant', id: tenantId },
          data: {
            signals: list.length,
            recorded,
            duplicates: list.length - recorded,
            kinds,
            batchDigest: sha256Hex(canonicalJson(toJson(list))),
          },
        });
        return { recorded, duplicates: list.length - recorded };
      });
    },
  };
}

/** Restarts the follow-up clock of each customer with a reported follow-up by its owner (the latest one counts). */
async function followUpsReported(ctx: GuardContext, uow: UnitOfWork, list: readonly SignalInput[]): Promise<void> {
  // Per customer, each reporter's latest follow-up (a batch may hold 10,000: one pass, no scan per customer).
  const latest = new Map<string, Map<string, number>>();
  for (const s of list) {
    if (s.kind !== 'follow-up' || s.employeeId === undefined || s.customerId === undefined) continue;
    const byEmployee = latest.get(s.customerId) ?? new Map<string, number>();
    byEmployee.set(s.employeeId, Math.max(byEmployee.get(s.employeeId) ?? Number.NEGATIVE_INFINITY, Date.parse(s.at)));
    latest.set(s.customerId, byEmployee);
  }
  if (latest.size === 0) return;
  for (const customer of await uow.tx.getCustomers(uow.tenant.id, [...latest.keys()])) {
    const at = customer.ownerId === null ? undefined : latest.get(customer.id)?.get(customer.ownerId);
    if (at === undefined || customer.ownerId === null) continue;
    const iso = new Date(at).toISOString();
    await restartFollowUpClock(uow.tx, ctx, uow.tenant.id, customer, customer.ownerId, iso, uow.now);
  }
}

const recordOptionsSchema = z.strictObject({ actor: actorRefSchema.optional() });
const historyOptionsSchema = z.strictObject({
  pack: z.string().min(1).max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().min(1).max(2000).optional(),
  limit: z.int().min(1).max(1000).optional(),
});

/**
 * What is wrong with validated signals that only the store can tell: an
 * employee or customer the tenant does not have, a time in the future, an
 * `x-` kind the tenant did not declare or ids that do not match its declared
 * subjects. Paths start with the signal's index.
 */
async function signalProblems(uow: UnitOfWork, list: readonly SignalInput[]): Promise<ValidationIssue[]> {
  const { tx, tenant } = uow;
  const employees = await existingIds(
    tx,
    tenant.id,
    'employee',
    list.flatMap((s) => (s.employeeId === undefined ? [] : [s.employeeId])),
  );
  const customers = await existingIds(
    tx,
    tenant.id,
    'customer',
    list.flatMap((s) => (s.customerId === undefined ? [] : [s.customerId])),
  );
  const declared = new Map((await customSignalsOf(tx, tenant.id)).map((d) => [d.kind, d]));
  const issues: ValidationIssue[] = [];
  list.forEach((s, i) => {
    if (isCustomSignalKind(s.kind)) issues.push(...customSignalProblems(s, i, declared.get(s.kind)));
    if (s.employeeId !== undefined && !employees.has(s.employeeId)) {
      issues.push({
        path: [i, 'employeeId'],
        code: 'custom',
        message: validationMessage('unknown-employee', { id: s.employeeId }),
      });
    }
    if (s.customerId !== undefined && !customers.has(s.customerId)) {
      issues.push({
        path: [i, 'customerId'],
        code: 'custom',
        message: validationMessage('unknown-customer', { id: s.customerId }),
      });
    }
    if (inTheFuture(s.at, uow.now)) {
      issues.push({ path: [i, 'at'], code: 'custom', message: validationMessage('signal-in-future') });
    }
  });
  return issues;
}

/** A custom-kind signal checked against its declaration: declared, and naming exactly the declared subjects. */
function customSignalProblems(s: SignalInput, i: number, declaration: CustomSignal | undefined): ValidationIssue[] {
  if (!declaration) {
    return [
      { path: [i, 'kind'], code: 'custom', message: validationMessage('undeclared-signal-kind', { kind: s.kind }) },
    ];
  }
  const issues: ValidationIssue[] = [];
  const fields = [
    ['employeeId', 'employee', 'signal-needs-employee'],
    ['customerId', 'customer', 'signal-needs-customer'],
  ] as const;
  for (const [field, subject, needs] of fields) {
    const counts = declaration.subjects.includes(subject);
    if (counts && s[field] === undefined) {
      issues.push({ path: [i, field], code: 'custom', message: validationMessage(needs, { kind: s.kind }) });
    } else if (!counts && s[field] !== undefined) {
      issues.push({
        path: [i, field],
        code: 'custom',
        message: validationMessage('signal-subject-not-declared', { kind: s.kind, field }),
      });
    }
  }
  return issues;
}

const packIdSchema = z.string().min(1).max(100);
const scoreOptionsSchema = z.strictObject({ pack: packIdSchema.optional() });
const packChangeSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  expectedVersion: z.int().min(0).optional(),
});

/**
 * The tenant's record of a pack id (installed or removed), checked against
 * `expectedVersion`: the installed pack's version, or 0 when none is
 * installed (never, or removed since).
 */
async function currentInstall(uow: UnitOfWork, packId: string, expectedVersion: number | undefined, locale: Locale) {
  const current = await uow.tx.getRecord(uow.tenant.id, RISK_PACK_KIND, packId);
  const actual = current && current.status !== REMOVED ? current.version : 0;
  if (expectedVersion !== undefined && expectedVersion !== actual) {
    throw new ConflictError({ entity: 'rule pack', id: packId, expected: expectedVersion, actual }, { locale });
  }
  return current;
}

/** Writes the next installation version of a pack id; returns it. */
async function putPack(
  uow: UnitOfWork,
  pack: RulePack,
  status: 'installed' | typeof REMOVED,
  current: StoredRecord | null,
): Promise<number> {
  const version = (current?.version ?? 0) + 1;
  await uow.tx.putRecord(
    {
      tenantId: uow.tenant.id,
      kind: RISK_PACK_KIND,
      id: pack.id,
      ref: pack.subject,
      status,
      at: uow.now,
      data: toJson(pack),
      version,
      createdAt: current?.createdAt ?? uow.now,
      updatedAt: uow.now,
    },
    current?.version ?? null,
  );
  return version;
}

/** The risk API of a tenant. */
export function riskApi(ctx: GuardContext, tenantId: string): RiskApi {
  const { locale } = ctx;
  const subjectOf = (subject: RiskSubjectRef) => parseInput(subjectSchema, subject, { what: 'risk subject', locale });
  const requireFacts = async (uow: UnitOfWork, subject: RiskSubjectRef) => {
    const facts = await factsOf(uow.tx, tenantId, subject, new Date(uow.now));
    if (!facts) throw new NotFoundError({ entity: subject.type, id: subject.id }, { locale });
    return facts;
  };
  return {
    packs: () => inUnitOfWork(ctx, tenantId, (uow) => tenantPacks(uow.tx, tenantId, locale)),
    installPack: async (input, options = {}) => {
      const o = parseInput(packChangeSchema, options, { what: 'rule pack options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const customSignals = await customSignalsOf(uow.tx, tenantId);
        const pack = parseRulePack(input, { locale, customSignals });
        const current = await currentInstall(uow, pack.id, o.expectedVersion, locale);
        const version = await putPack(uow, pack, 'installed', current);
        uow.session.record({
          actor: o.actor ?? HOST_ACTOR,
          action: 'risk.pack-install',
          subject: { type: 'tenant', id: tenantId },
          data: {
            pack: pack.id,
            version: pack.version,
            previous:
              current && current.status !== REMOVED
                ? parseRulePack(current.data, { locale, customSignals }).version
                : null,
            key: riskEvaluator(pack).key,
            installation: version,
          },
        });
        return pack;
      });
    },
    removePack: async (id, options = {}) => {
      const packId = parseInput(packIdSchema, id, { what: 'rule pack', locale });
      const o = parseInput(packChangeSchema, options, { what: 'rule pack options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const current = await currentInstall(uow, packId, o.expectedVersion, locale);
        if (!current || current.status === REMOVED) {
          throw new NotFoundError({ entity: 'rule pack', id: packId }, { locale });
        }
        const removed = parseRulePack(current.data, { locale, customSignals: await customSignalsOf(uow.tx, tenantId) });
        const version = await putPack(uow, removed, REMOVED, current);
        uow.session.record({
          actor: o.actor ?? HOST_ACTOR,
          action: 'risk.pack-remove',
          subject: { type: 'tenant', id: tenantId },
          data: { pack: packId, version: removed.version, installation: version },
        });
        return Object.values(defaultRulePacks).find((p) => p.id === packId) ?? null;
      });
    },
    installedPacks: () =>
      inUnitOfWork(ctx, tenantId, async (uow) =>
        (await installedPackRecords(uow.tx, tenantId, locale)).map(
          ({ pack, record }): InstalledPack => ({ pack, version: record.version, installedAt: record.updatedAt }),
        ),
      ),
    facts: async (subject) => {
      const s = subjectOf(subject);
      return inUnitOfWork(ctx, tenantId, (uow) => requireFacts(uow, s));
    },
    score: async (subject, options = {}) => {
      const s = subjectOf(subject);
      const { pack } = parseInput(scoreOptionsSchema, options, { what: 'risk score options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const facts = await requireFacts(uow, s);
        const packs = (await tenantPacks(uow.tx, tenantId, locale)).filter(
          (p) => p.subject === s.type && (pack === undefined || p.id === pack),
        );
        if (pack !== undefined && packs.length === 0) {
          throw new NotFoundError({ entity: 'rule pack', id: pack }, { locale });
        }
        return Promise.all(packs.map((p) => riskEvaluator(p).score(facts)));
      });
    },
    scan: async (input) => {
      const p = parseInput(
        z.strictObject({
          subject: z.enum(['employee', 'customer']),
          cursor: z.string().min(1).max(2000).optional(),
          limit: z.int().min(1).max(1000).optional(),
        }),
        input,
        { what: 'risk scan', locale },
      );
      return inUnitOfWork(ctx, tenantId, (uow) => scanPage(ctx, uow, p.subject, p.cursor, p.limit ?? SCAN_PAGE));
    },
    history: async (subject, options = {}) => {
      const s = subjectOf(subject);
      const o = parseInput(historyOptionsSchema, options, { what: 'risk history options', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const page = await scorePoints.list(
          uow.tx,
          tenantId,
          {
            ref: `${s.type}:${s.id}`,
            ...(o.pack === undefined ? {} : { status: o.pack }),
            ...(o.from === undefined ? {} : { from: o.from }),
            ...(o.to === undefined ? {} : { to: o.to }),
          },
          { limit: o.limit ?? 200, ...(o.cursor === undefined ? {} : { cursor: o.cursor }) },
        );
        return {
          items: page.items.map((r) => ({ at: r.at, ...r.data })),
          nextCursor: page.nextCursor,
        };
      });
    },
    schedule: async (options = {}) => {
      const p = parseInput(
        z.strictObject({
          everyHours: z
            .number()
            .min(1)
            .max(24 * 31)
            .optional(),
          startAt: z.iso.datetime({ offset: true }).optional(),
        }),
        options,
        { what: 'risk schedule', locale },
      );
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const startAt = p.startAt ? new Date(p.startAt).toISOString() : uow.now;
        for (const subject of ['employee', 'customer'] as const) {
          const event: ScanTimerEvent = {
            type: SCAN_TIMER,
            subject,
            cursor: null,
            everyHours: p.everyHours ?? 24,
            roundStartedAt: startAt,
          };
          await scheduleScan(ctx, uow.tx, tenantId, event, startAt, uow.now);
        }
        uow.session.record({
          actor: HOST_ACTOR,
          action: 'risk.schedule',
          subject: { type: 'tenant', id: tenantId },
          data: { everyHours: p.everyHours ?? 24, startAt },
        });
      });
    },
  };
}
