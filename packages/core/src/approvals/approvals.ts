import * as z from 'zod';
import type { ActorRef, Json, SubjectRef } from '../domain/entities.js';
import { idSchema, subjectRefSchema } from '../domain/entities.js';
import { NotFoundError, ValidationError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import type { DeferredText } from '../i18n/deferred-text.js';
import { type InputName, validationMessage } from '../i18n/messages.js';
import { type GuardContext, inUnitOfWork, type UnitOfWork } from '../kernel/context.js';
import { requireActingEmployee, requireEmployee } from '../kernel/directory.js';
import { readableNow } from '../kernel/names.js';
import { employeesWithRole } from '../kernel/roles.js';
import type { EmployeeRecord, Page, StoreTransaction, WorkflowRecord } from '../ports/store.js';
import { loadSettings, tenantLocale } from '../settings/tenant-settings.js';
import {
  APPROVAL_MACHINE_ID,
  APPROVAL_MACHINE_VERSION,
  type ApprovalContext,
  type ApprovalKind,
  type ApprovalLevel,
  type ApproverSpec,
  approvalKindSchema,
  approvalLevelSchema,
  approvalMachine,
  type RequestableApprovalKind,
  requestableApprovalKindSchema,
} from '../workflows/approval/index.js';
import { APPROVAL_KIND_OWNER } from '../workflows/approval/types.js';
import {
  defineWorkflow,
  type WorkflowCommandHandler,
  type WorkflowModule,
  WorkflowSession,
} from '../workflows/runtime/index.js';
import { chainFor } from './chains.js';

/**
 * An approval request as the host shows it in an inbox or a detail page.
 *
 * @example
 * ```ts
 * const view = await acme.approvals.get(approvalId);
 * if (view.state === 'pending') console.log('waiting for', view.approvers.flat());
 * ```
 */
export interface ApprovalView {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly title: string;
  readonly requester: string;
  readonly subject: SubjectRef | null;
  readonly payload: Readonly<Record<string, Json>>;
  /** `resolving` only inside a transaction; callers see `pending`, `changesRequested` or a final state. */
  readonly state: string;
  /** Index of the current level, and how many levels there are. */
  readonly level: number;
  readonly levels: number;
  readonly round: number;
  /** Who may decide now: one group per approver spec of the current level. */
  readonly approvers: readonly (readonly string[])[];
  readonly satisfied: readonly boolean[];
  readonly escalatedTo: readonly string[];
  readonly decisions: ApprovalContext['decisions'];
  readonly outcome: ApprovalContext['outcome'];
  readonly reason: string | null;
  readonly parentId: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Approval views of workflow records, their titles rendered now: a title
 * Guard wrote is a catalog text, shown in the tenant's language with the
 * current names of the people and customers it mentions.
 */
export async function approvalViews(
  ctx: Pick<GuardContext, 'locale'>,
  tx: StoreTransaction,
  tenantId: string,
  records: readonly WorkflowRecord[],
): Promise<ApprovalView[]> {
  const contexts = records.map((r) => WorkflowSession.contextFor(r, approvalMachine));
  const locale = await tenantLocale(ctx, tx, tenantId);
  const titles = await readableNow(
    tx,
    tenantId,
    locale,
    contexts.map((c) => c.title),
  );
  return records.map((record, i) => {
    const c = contexts[i] as ApprovalContext;
    return {
      id: record.id,
      kind: c.kind,
      title: String(titles[i]),
      requester: c.requester,
      subject: c.subject,
      payload: c.payload,
      state: record.state,
      level: c.level,
      levels: c.levels.length,
      round: c.round,
      approvers: c.groups,
      satisfied: c.satisfied,
      escalatedTo: c.escalatedTo,
      decisions: c.decisions,
      outcome: c.outcome,
      reason: c.reason,
      parentId: c.parentId,
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  });
}

/** One approval's view (see {@link approvalViews}). */
async function approvalView(
  ctx: Pick<GuardContext, 'locale'>,
  tx: StoreTransaction,
  tenantId: string,
  record: WorkflowRecord,
): Promise<ApprovalView> {
  return (await approvalViews(ctx, tx, tenantId, [record]))[0] as ApprovalView;
}

const requestSchema = z.strictObject({
  actor: idSchema,
  kind: approvalKindSchema,
  title: z.string().min(1).max(200),
  subject: subjectRefSchema.nullable().default(null),
  payload: z.record(z.string(), z.json()).default({}),
  levels: z.array(approvalLevelSchema).min(1).max(10).optional(),
});
const decideSchema = z.strictObject({
  actor: idSchema,
  approvalId: idSchema,
  comment: z.string().max(2000).optional(),
});
const reasonSchema = z.strictObject({ actor: idSchema, approvalId: idSchema, reason: z.string().min(1).max(2000) });
const resubmitSchema = z.strictObject({
  actor: idSchema,
  approvalId: idSchema,
  payload: z.record(z.string(), z.json()).optional(),
});
const withdrawSchema = z.strictObject({ actor: idSchema, approvalId: idSchema });
const delegateSchema = z
  .strictObject({
    actor: idSchema,
    to: idSchema,
    from: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }),
  })
  .refine((d) => Date.parse(d.until) > Date.parse(d.from), {
    error: validationMessage('until-after-from'),
    path: ['until'],
  })
  .refine((d) => d.to !== d.actor, { error: validationMessage('no-self-delegation'), path: ['to'] });
const inboxSchema = z.strictObject({
  actor: idSchema,
  cursor: z.string().max(1024).optional(),
  limit: z.int().min(1).max(200).default(50),
});

/**
 * Parameters of {@link ApprovalsApi.request}.
 *
 * @example
 * ```ts
 * import type { ApprovalRequestInput } from '@guard/core';
 * const input: ApprovalRequestInput = {
 *   actor: 'e-7', kind: 'large-discount', title: '25% off for ACME', payload: { percent: 25 },
 *   subject: { type: 'customer', id: 'c-1001' },
 * };
 * ```
 */
export interface ApprovalRequestInput {
  /** The requester's employee id. */
  readonly actor: string;
  /**
   * `large-discount` or `special-terms`: kinds whose outcome the host acts
   * on. Kinds that change something in Guard (exports, deletes, transfers,
   * claims, offboarding sign-offs) are started by their own APIs.
   */
  readonly kind: RequestableApprovalKind;
  readonly title: string;
  /** What the request is about, if anything. */
  readonly subject?: SubjectRef | null;
  /** Kind-specific details (amount, percentage, terms…), as JSON. */
  readonly payload?: Readonly<Record<string, Json>>;
  /** Overrides the tenant's chain for this kind. */
  readonly levels?: readonly ApprovalLevel[];
}

/**
 * The approval API of a tenant: generic, multi-level approvals whose
 * approvers are resolved when each level starts (the requester's manager,
 * the manager's manager, everyone with a role, a named person). Nobody
 * approves their own request; every step is audited.
 *
 * @example
 * ```ts
 * const acme = guard.tenant('acme');
 * const req = await acme.approvals.request({ actor: 'e-7', kind: 'special-terms', title: 'Net 90 payment terms' });
 * await acme.approvals.approve({ actor: 'mgr', approvalId: req.id });
 * ```
 */
export interface ApprovalsApi {
  /**
   * Starts an approval of a kind the host acts on (`large-discount`,
   * `special-terms`). `levels` overrides the tenant's chain for the kind.
   * Any other kind is a `ValidationError` naming the API that starts it:
   * its outcome changes Guard, so the owning feature asks the policy and
   * takes the chain from the tenant settings.
   */
  request(input: ApprovalRequestInput): Promise<ApprovalView>;
  /** Approves as `actor`, or on behalf of an approver who delegated to `actor`. */
  approve(input: { actor: string; approvalId: string; comment?: string }): Promise<ApprovalView>;
  /** Rejects with a reason; the request is closed. */
  reject(input: { actor: string; approvalId: string; reason: string }): Promise<ApprovalView>;
  /** Sends the request back to the requester for changes. */
  sendBack(input: { actor: string; approvalId: string; reason: string }): Promise<ApprovalView>;
  /** The requester resubmits after changes (optionally with a new payload); it starts again at level 1. */
  resubmit(input: { actor: string; approvalId: string; payload?: Record<string, Json> }): Promise<ApprovalView>;
  /** The requester withdraws the request. */
  withdraw(input: { actor: string; approvalId: string }): Promise<ApprovalView>;
  /** One approval, or `NotFoundError`. */
  get(approvalId: string): Promise<ApprovalView>;
  /** Pending approvals `actor` may decide now (directly or as a delegate). */
  inbox(input: { actor: string; cursor?: string; limit?: number }): Promise<Page<ApprovalView>>;
  /** While `actor` is away (`from`–`until`), `to` may decide their approvals. */
  delegate(input: { actor: string; to: string; from: string; until: string }): Promise<void>;
}

const DELEGATION_KIND = 'delegation';

/** Ids of the approvers who delegated to `delegate` and whose delegation covers `at`. */
async function delegatorsOf(
  tx: StoreTransaction,
  tenantId: string,
  delegate: string,
  at: string,
): Promise<Set<string>> {
  const page = await tx.listRecords(tenantId, { kind: DELEGATION_KIND, ref: delegate, to: at }, { limit: 200 });
  const result = new Set<string>();
  for (const r of page.items) {
    const d = r.data as { from: string; until: string; delegator: string };
    if (Date.parse(d.from) <= Date.parse(at) && Date.parse(at) < Date.parse(d.until)) result.add(d.delegator);
  }
  return result;
}

/** The person whose approval `actor` gives: themself, or someone who delegated to them. */
async function approverFor(
  uow: UnitOfWork,
  tenantId: string,
  context: ApprovalContext,
  actor: string,
): Promise<string> {
  const waiting = waitingFor(context);
  if (waiting.includes(actor)) return actor;
  const delegators = await delegatorsOf(uow.tx, tenantId, actor, uow.now);
  return waiting.find((person) => delegators.has(person)) ?? actor;
}

/** Who may still decide the current level: escalation targets and members of unsatisfied groups who have not decided yet. */
function waitingFor(context: ApprovalContext): string[] {
  const decided = new Set(
    context.decisions.filter((d) => d.round === context.round && d.level === context.level).map((d) => d.approver),
  );
  const open = new Set([...context.escalatedTo, ...context.groups.flatMap((g, i) => (context.satisfied[i] ? [] : g))]);
  return [...open].filter((person) => !decided.has(person));
}

/** Active employees among `ids`, without the requester. */
async function eligible(tx: StoreTransaction, tenantId: string, ids: readonly string[], requester: string) {
  const unique = [...new Set(ids)].filter((id) => id !== requester);
  if (unique.length === 0) return [];
  const found = await tx.getEmployees(tenantId, unique);
  const ok = new Set(found.filter((e) => e.status === 'active' || e.status === 'resigning').map((e) => e.id));
  return unique.filter((id) => ok.has(id)).sort();
}

async function managerOf(tx: StoreTransaction, tenantId: string, id: string | null): Promise<EmployeeRecord | null> {
  if (id === null) return null;
  const [employee] = await tx.getEmployees(tenantId, [id]);
  if (!employee?.managerId) return null;
  const [manager] = await tx.getEmployees(tenantId, [employee.managerId]);
  return manager ?? null;
}

async function resolveSpec(tx: StoreTransaction, tenantId: string, spec: ApproverSpec, requester: string) {
  switch (spec.type) {
    case 'manager': {
      const m = await managerOf(tx, tenantId, requester);
      return eligible(tx, tenantId, m ? [m.id] : [], requester);
    }
    case 'skip-manager': {
      const m = await managerOf(tx, tenantId, requester);
      const mm = await managerOf(tx, tenantId, m?.id ?? null);
      return eligible(tx, tenantId, mm ? [mm.id] : [], requester);
    }
    case 'role':
      return eligible(tx, tenantId, await employeesWithRole(tx, tenantId, spec.role), requester);
    case 'employee':
      return eligible(tx, tenantId, [spec.id], requester);
  }
}

const resolveCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, approvalMachine);
  const level = Number(payload.level);
  const spec = context.levels[level] as ApprovalLevel;
  const groups: string[][] = [];
  for (const approver of spec.approvers) groups.push(await resolveSpec(c.tx, c.tenantId, approver, context.requester));
  return [{ type: 'APPROVERS', level, groups }];
};

/** Escalation goes to the managers of the level's approvers, or to HR when they have none. */
const escalateCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, approvalMachine);
  const people = context.groups.flat();
  const managers: string[] = [];
  for (const id of people) {
    const m = await managerOf(c.tx, c.tenantId, id);
    if (m) managers.push(m.id);
  }
  if (managers.length === 0) {
    const requesterManager = await managerOf(c.tx, c.tenantId, context.requester);
    if (requesterManager) managers.push(requesterManager.id);
  }
  let approvers = await eligible(c.tx, c.tenantId, managers, context.requester);
  if (approvers.length === 0) {
    approvers = await eligible(
      c.tx,
      c.tenantId,
      await employeesWithRole(c.tx, c.tenantId, 'hr-admin'),
      context.requester,
    );
  }
  return [{ type: 'ESCALATED', level: Number(payload.level), round: Number(payload.round), approvers }];
};

/**
 * What to do when an approval of a kind ends; registered by the modules that
 * request approvals without a parent workflow (exports, deletes, discounts).
 */
export type ApprovalOutcomeHandler = (
  approval: ApprovalView,
  c: Parameters<WorkflowCommandHandler<GuardContext>>[1],
) => Promise<void>;

/** The approval machine, its commands, and a hook per kind for when an approval ends. */
export function approvalsModule(
  onDone: Partial<Record<ApprovalKind, ApprovalOutcomeHandler>>,
): WorkflowModule<GuardContext> {
  return {
    definitions: [defineWorkflow({ machine: approvalMachine, version: APPROVAL_MACHINE_VERSION })],
    commands: {
      'approval.resolve': resolveCommand,
      'approval.escalate': escalateCommand,
      'approval.done': async (_payload, c) => {
        const view = await approvalView(c.env, c.tx, c.tenantId, c.workflow);
        await onDone[view.kind]?.(view, c);
        return [];
      },
    },
  };
}

/**
 * Starts an approval inside a unit of work (used by claims, exports,
 * offboarding…). Levels come from the tenant's settings unless given.
 */
export async function startApproval(
  ctx: GuardContext,
  uow: UnitOfWork,
  input: {
    readonly requester: string;
    readonly kind: ApprovalKind;
    /** The title as given (a host's request), or a catalog text rendered when the approval is read. */
    readonly title: string | DeferredText;
    readonly subject: SubjectRef | null;
    readonly payload: Readonly<Record<string, Json>>;
    readonly levels?: readonly ApprovalLevel[] | undefined;
    readonly parentId?: string | null;
    readonly actor: ActorRef;
  },
): Promise<WorkflowRecord> {
  const settings = await loadSettings(uow.tx, uow.tenant.id);
  const levels = input.levels ?? chainFor(settings, input.kind);
  const id = ctx.ids.next('ap');
  return uow.session.start(
    APPROVAL_MACHINE_ID,
    {
      id,
      kind: input.kind,
      requester: input.requester,
      subject: input.subject,
      title: input.title,
      payload: input.payload,
      levels,
      parentId: input.parentId ?? null,
      at: uow.now,
    },
    { actor: input.actor, subject: input.subject, at: uow.now },
  );
}

async function requireApproval(uow: UnitOfWork, approvalId: string, locale: GuardContext['locale']) {
  const record = await uow.session.find(approvalId);
  if (!record || record.machine !== APPROVAL_MACHINE_ID) {
    throw new NotFoundError({ entity: 'workflow', id: approvalId, tenantId: uow.tenant.id }, { locale });
  }
  return record;
}

/** The tenant-scoped approvals API. */
export function approvalsApi(ctx: GuardContext, tenantId: string): ApprovalsApi {
  const { locale } = ctx;
  const employee = (id: string): ActorRef => ({ type: 'employee', id });
  const act = async (
    what: InputName,
    schema: z.ZodType<{ actor: string; approvalId: string }>,
    input: unknown,
    event: (uow: UnitOfWork, parsed: never, context: ApprovalContext) => Promise<Record<string, Json>>,
  ) => {
    const parsed = parseInput(schema, input, { what, locale });
    return inUnitOfWork(ctx, tenantId, async (uow) => {
      await requireActingEmployee(ctx, uow.tx, tenantId, parsed.actor, 'update');
      const record = await requireApproval(uow, parsed.approvalId, locale);
      const context = WorkflowSession.contextFor(record, approvalMachine);
      const e = await event(uow, parsed as never, context);
      const updated = await uow.session.send(record.id, e as { type: string }, {
        actor: employee(parsed.actor),
        at: uow.now,
      });
      return approvalView(ctx, uow.tx, tenantId, updated);
    });
  };
  return {
    request: async (input) => {
      const parsed = parseInput(requestSchema, input, { what: 'approval request', locale });
      if (!requestableApprovalKindSchema.safeParse(parsed.kind).success) {
        const owner = APPROVAL_KIND_OWNER[parsed.kind as keyof typeof APPROVAL_KIND_OWNER];
        throw new ValidationError(
          'approval request',
          [
            {
              path: ['kind'],
              code: 'custom',
              message: validationMessage('kind-not-requestable', { kind: parsed.kind, owner }),
            },
          ],
          { locale },
        );
      }
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireActingEmployee(ctx, uow.tx, tenantId, parsed.actor, 'update');
        const record = await startApproval(ctx, uow, {
          requester: parsed.actor,
          kind: parsed.kind,
          title: parsed.title,
          subject: parsed.subject,
          payload: parsed.payload as Record<string, Json>,
          levels: parsed.levels,
          actor: employee(parsed.actor),
        });
        return approvalView(ctx, uow.tx, tenantId, record);
      });
    },
    approve: (input) =>
      act('approval decision', decideSchema, input, async (uow, p: z.output<typeof decideSchema>, context) => ({
        type: 'APPROVE',
        approver: await approverFor(uow, tenantId, context, p.actor),
        comment: p.comment ?? null,
      })),
    reject: (input) =>
      act('approval rejection', reasonSchema, input, async (uow, p: z.output<typeof reasonSchema>, context) => ({
        type: 'REJECT',
        approver: await approverFor(uow, tenantId, context, p.actor),
        reason: p.reason,
      })),
    sendBack: (input) =>
      act('approval send-back', reasonSchema, input, async (uow, p: z.output<typeof reasonSchema>, context) => ({
        type: 'SEND_BACK',
        approver: await approverFor(uow, tenantId, context, p.actor),
        reason: p.reason,
      })),
    resubmit: (input) =>
      act(
        'approval resubmission',
        resubmitSchema,
        input,
        async (_uow, p: z.output<typeof resubmitSchema>): Promise<Record<string, Json>> =>
          p.payload === undefined ? { type: 'RESUBMIT' } : { type: 'RESUBMIT', payload: p.payload as Json },
      ),
    withdraw: (input) => act('approval withdrawal', withdrawSchema, input, async () => ({ type: 'WITHDRAW' })),
    get: async (approvalId) => {
      const id = parseInput(idSchema, approvalId, { what: 'approval id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) =>
        approvalView(ctx, uow.tx, tenantId, await requireApproval(uow, id, locale)),
      );
    },
    inbox: async (input) => {
      const { actor, cursor, limit } = parseInput(inboxSchema, input, { what: 'approval inbox', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const page = await uow.tx.listWorkflows(
          tenantId,
          { machine: APPROVAL_MACHINE_ID, state: 'pending' },
          { limit, ...(cursor === undefined ? {} : { cursor }) },
        );
        const delegators = await delegatorsOf(uow.tx, tenantId, actor, uow.now);
        const mayDecide = (record: WorkflowRecord) =>
          waitingFor(WorkflowSession.contextFor(record, approvalMachine)).some((p) => p === actor || delegators.has(p));
        return {
          items: await approvalViews(ctx, uow.tx, tenantId, page.items.filter(mayDecide)),
          nextCursor: page.nextCursor,
        };
      });
    },
    delegate: async (input) => {
      const d = parseInput(delegateSchema, input, { what: 'delegation', locale });
      await inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireActingEmployee(ctx, uow.tx, tenantId, d.actor, 'update');
        await requireEmployee(ctx, uow.tx, tenantId, d.to);
        const from = new Date(d.from).toISOString();
        const until = new Date(d.until).toISOString();
        await uow.tx.putRecord(
          {
            tenantId,
            kind: DELEGATION_KIND,
            id: ctx.ids.next('dl'),
            ref: d.to,
            status: null,
            at: from,
            data: { delegator: d.actor, from, until },
            version: 1,
            createdAt: uow.now,
            updatedAt: uow.now,
          },
          null,
        );
        uow.session.record({
          actor: employee(d.actor),
          action: 'approval.delegate',
          subject: { type: 'employee', id: d.actor },
          data: { to: d.to, from, until },
        });
      });
    },
  };
}
