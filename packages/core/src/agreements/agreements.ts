import * as z from 'zod';
import { raiseAlert } from '../alerts/alerts.js';
import { sha256Hex } from '../audit/hash.js';
import { type ActorRef, actorRefSchema, idSchema } from '../domain/entities.js';
import { ConflictError, NotFoundError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { deferredText, employeeName } from '../i18n/deferred-text.js';
import { validationMessage } from '../i18n/keys.js';
import { type GuardContext, HOST_ACTOR, inUnitOfWork, type UnitOfWork } from '../kernel/context.js';
import { requireEmployee } from '../kernel/directory.js';
import { employeesWithRole } from '../kernel/roles.js';
import type { StoredRecord, StoreTransaction, WorkflowRecord } from '../ports/store.js';
import { allRecords, allWorkflows } from '../store/pages.js';
import { recordKind } from '../store/records.js';
import {
  AGREEMENT_MACHINE_ID,
  AGREEMENT_MACHINE_VERSION,
  type AgreementKind,
  agreementMachine,
  SIGNATURE_CHANNELS,
  type SignatureChannel,
  type SignatureRecord,
  signatureInputSchema,
} from '../workflows/agreement/index.js';
import {
  defineWorkflow,
  type WorkflowCommandHandler,
  type WorkflowModule,
  WorkflowSession,
} from '../workflows/runtime/index.js';

/** Agreement templates are records of this kind; id `<templateId>@<version>`, `ref` = template id. */
export const AGREEMENT_TEMPLATE_KIND = 'agreement-template';
/** Signatures are records of this kind; id = agreement id, `ref` = employee id, `status` = `signed`. */
export const SIGNATURE_KIND = 'signature';

const AGREEMENT_KINDS = [
  'confidentiality',
  'non-compete',
  'customer-ownership',
] as const satisfies readonly AgreementKind[];

/**
 * One version of an agreement template: the exact text employees sign, and
 * its SHA-256 (`contentHash`). Versions are immutable once published.
 *
 * @example
 * ```ts
 * const nda = await acme.agreements.publishTemplate({
 *   templateId: 'nda', kind: 'confidentiality', title: '保密协议', version: 1, text: '甲方与乙方……',
 * });
 * nda.contentHash; // sha256 of the text, 64 hex digits
 * ```
 */
export interface AgreementTemplate {
  readonly templateId: string;
  readonly version: number;
  readonly kind: AgreementKind;
  readonly title: string;
  readonly text: string;
  /** SHA-256 of `text` (UTF-8), lowercase hex. */
  readonly contentHash: string;
  readonly publishedAt: string;
  readonly publishedBy: ActorRef;
}

/**
 * An agreement assigned to one employee, as the host shows it.
 *
 * @example
 * ```ts
 * const [agreement] = await acme.agreements.forEmployee('e-7');
 * if (agreement.state === 'pending') console.log(`${agreement.title}: ${agreement.reminders} reminders sent`);
 * ```
 */
export interface AgreementView {
  readonly id: string;
  readonly employeeId: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly kind: AgreementKind;
  readonly title: string;
  readonly contentHash: string;
  /** `pending`, `signed` or `revoked`. */
  readonly state: string;
  readonly reminders: number;
  readonly maxReminders: number;
  /** True once every reminder was sent and the `agreement-unsigned` alert raised. */
  readonly overdue: boolean;
  readonly signature: SignatureRecord | null;
  readonly revokedReason: string | null;
  readonly assignedAt: string;
  readonly updatedAt: string;
}

/**
 * A signature as kept for evidence, years after the workflow ended: the
 * signature itself plus which template version, kind and title it was for.
 *
 * @example
 * ```ts
 * import type { SignatureEvidence } from '@guard/core';
 * const line = (s: SignatureEvidence) => `${s.title} v${s.templateVersion} signed ${s.signature.signedAt} via ${s.signature.channel}`;
 * ```
 */
export type SignatureEvidence = {
  readonly agreementId: string;
  readonly employeeId: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly kind: AgreementKind;
  readonly title: string;
  readonly signature: SignatureRecord;
};

const templateIdSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._:-]{0,99}$/, {
  error: validationMessage('template-id'),
});
const kindSchema = z.enum(AGREEMENT_KINDS);
const optionalActor = actorRefSchema.optional();

const publishSchema = z.strictObject({
  actor: optionalActor,
  templateId: templateIdSchema,
  kind: kindSchema,
  title: z.string().trim().min(1).max(200),
  version: z.int().min(1).max(1_000_000),
  text: z.string().min(1).max(500_000),
});
const assignSchema = z.strictObject({
  actor: optionalActor,
  employeeId: idSchema,
  templateId: templateIdSchema,
  version: z.int().min(1).max(1_000_000).optional(),
  remindEveryHours: z
    .number()
    .positive()
    .max(24 * 365)
    .optional(),
  maxReminders: z.int().min(0).max(1000).optional(),
});
const onboardingSchema = z.strictObject({
  actor: optionalActor,
  employeeId: idSchema,
  kinds: z.array(kindSchema).min(1).max(AGREEMENT_KINDS.length).optional(),
  remindEveryHours: z
    .number()
    .positive()
    .max(24 * 365)
    .optional(),
  maxReminders: z.int().min(0).max(1000).optional(),
});
const signSchema = z.strictObject({ actor: idSchema, agreementId: idSchema, ...signatureInputSchema.shape });
const revokeSchema = z.strictObject({
  actor: optionalActor,
  agreementId: idSchema,
  reason: z.string().trim().min(1).max(2000),
});

/**
 * Parameters of {@link AgreementsApi.publishTemplate}.
 *
 * @example
 * ```ts
 * import type { PublishTemplateInput } from '@guard/core';
 * const input: PublishTemplateInput = {
 *   templateId: 'customer-clause', kind: 'customer-ownership', title: '客户资源归属条款', version: 2, text: '……',
 * };
 * ```
 */
export type PublishTemplateInput = z.input<typeof publishSchema>;

/**
 * Parameters of {@link AgreementsApi.assign}. `version` defaults to the
 * template's latest; the reminder cadence to the machine's defaults (every
 * 72 hours, 10 reminders).
 *
 * @example
 * ```ts
 * import type { AssignAgreementInput } from '@guard/core';
 * const input: AssignAgreementInput = { employeeId: 'e-7', templateId: 'nda', remindEveryHours: 24, maxReminders: 5 };
 * ```
 */
export type AssignAgreementInput = z.input<typeof assignSchema>;

/**
 * Parameters of {@link AgreementsApi.sign}: the signing employee, the
 * agreement, and what the host saw — the hash of the text it displayed, the
 * channel and, optionally, the client's IP address and user agent.
 *
 * @example
 * ```ts
 * import type { SignAgreementInput } from '@guard/core';
 * const input: SignAgreementInput = {
 *   actor: 'e-7', agreementId: 'agr-1', contentHash: template.contentHash, channel: 'web',
 *   ip: req.ip, userAgent: req.headers['user-agent'],
 * };
 * ```
 */
export type SignAgreementInput = z.input<typeof signSchema>;

/**
 * Onboarding agreements (保密协议, 竞业限制协议, 客户资源归属条款) for a
 * tenant: versioned, immutable templates; assignments that remind the
 * employee until they sign and alert their manager and HR when every
 * reminder went unanswered; signatures kept as evidence (who, which text
 * by hash, when, channel, IP, user agent). Everything is audited.
 *
 * @example
 * ```ts
 * const acme = guard.tenant('acme');
 * const nda = await acme.agreements.publishTemplate({ templateId: 'nda', kind: 'confidentiality', title: '保密协议', version: 1, text });
 * const agreement = await acme.agreements.assign({ employeeId: 'e-7', templateId: 'nda' });
 * await acme.agreements.sign({ actor: 'e-7', agreementId: agreement.id, contentHash: nda.contentHash, channel: 'web' });
 * ```
 */
export interface AgreementsApi {
  /**
   * Publishes a template version. Publishing the same version again with
   * the same text returns it unchanged; with a different text (or kind or
   * title) it is a `ConflictError`: versions are immutable. All versions of
   * a template must share its kind.
   */
  publishTemplate(input: PublishTemplateInput): Promise<AgreementTemplate>;
  /** The latest version of every template, ordered by template id. */
  templates(): Promise<readonly AgreementTemplate[]>;
  /** One template version (default: the latest), or `NotFoundError`. */
  template(templateId: string, version?: number): Promise<AgreementTemplate>;
  /** Assigns a template version to an employee, who is notified and reminded until they sign. */
  assign(input: AssignAgreementInput): Promise<AgreementView>;
  /**
   * For a new hire: assigns the latest template of each kind (by default
   * every kind that has a template; a named kind without one is a
   * `NotFoundError`). A template version the employee already has pending
   * or signed is not assigned again. Returns the new assignments.
   */
  assignOnboarding(input: {
    actor?: ActorRef;
    employeeId: string;
    kinds?: AgreementKind[];
    remindEveryHours?: number;
    maxReminders?: number;
  }): Promise<readonly AgreementView[]>;
  /**
   * The employee signs. Refused with `WorkflowRejectedError` when the hash is
   * not the assigned text's, the actor is not the assignee, or the agreement
   * is no longer pending.
   */
  sign(input: SignAgreementInput): Promise<AgreementView>;
  /**
   * Withdraws a pending agreement. A host action: the machine refuses an
   * `employee` actor, so pass the host's own actor (default `host`) after
   * checking the person's rights yourself.
   */
  revoke(input: { actor?: ActorRef; agreementId: string; reason: string }): Promise<AgreementView>;
  /** One agreement, or `NotFoundError`. */
  get(agreementId: string): Promise<AgreementView>;
  /** Every agreement assigned to the employee, ordered by id. */
  forEmployee(employeeId: string): Promise<readonly AgreementView[]>;
}

/**
 * The agreement's view from its workflow record.
 *
 * @example
 * ```ts
 * const view = agreementView(await session.get('agr-1'));
 * ```
 */
export function agreementView(record: WorkflowRecord): AgreementView {
  const c = WorkflowSession.contextFor(record, agreementMachine);
  return {
    id: record.id,
    employeeId: c.employeeId,
    templateId: c.templateId,
    templateVersion: c.templateVersion,
    kind: c.kind,
    title: c.title,
    contentHash: c.contentHash,
    state: record.state,
    reminders: c.reminders,
    maxReminders: c.maxReminders,
    overdue: c.overdue,
    signature: c.signature,
    revokedReason: c.revokedReason,
    assignedAt: c.at,
    updatedAt: record.updatedAt,
  };
}

/** Published templates, one record per template version, parsed on every read and write. */
export const agreementTemplates = recordKind(
  AGREEMENT_TEMPLATE_KIND,
  z.object({
    templateId: z.string(),
    version: z.int().min(1),
    kind: z.enum(['confidentiality', 'non-compete', 'customer-ownership']),
    title: z.string(),
    text: z.string(),
    contentHash: z.string(),
    publishedAt: z.string(),
    publishedBy: actorRefSchema,
  }),
);

function templateOf(record: StoredRecord): AgreementTemplate {
  return agreementTemplates.read(record).data;
}

/**
 * Every agreement workflow of an employee, ordered by id.
 *
 * @example
 * ```ts
 * const records = await agreementRecordsOf(tx, 'acme', 'e-7');
 * ```
 */
export async function agreementRecordsOf(
  tx: StoreTransaction,
  tenantId: string,
  employeeId: string,
): Promise<WorkflowRecord[]> {
  return allWorkflows(tx, tenantId, { machine: AGREEMENT_MACHINE_ID, subject: { type: 'employee', id: employeeId } });
}

/** The latest version of each template. */
function latestPerTemplate(records: readonly StoredRecord[]): AgreementTemplate[] {
  const latest = new Map<string, AgreementTemplate>();
  for (const r of records) {
    const t = templateOf(r);
    const current = latest.get(t.templateId);
    if (!current || t.version > current.version) latest.set(t.templateId, t);
  }
  return [...latest.values()].sort((a, b) => (a.templateId < b.templateId ? -1 : a.templateId > b.templateId ? 1 : 0));
}

async function findTemplate(
  ctx: GuardContext,
  tx: StoreTransaction,
  tenantId: string,
  templateId: string,
  version: number | undefined,
): Promise<AgreementTemplate> {
  if (version !== undefined) {
    const record = await tx.getRecord(tenantId, AGREEMENT_TEMPLATE_KIND, `${templateId}@${version}`);
    if (!record) {
      throw new NotFoundError(
        { entity: 'agreement', id: `${templateId}@${version}`, tenantId },
        { locale: ctx.locale },
      );
    }
    return templateOf(record);
  }
  const [latest] = latestPerTemplate(
    (await allRecords(tx, tenantId, { kind: AGREEMENT_TEMPLATE_KIND, ref: templateId })).items,
  );
  if (!latest) throw new NotFoundError({ entity: 'agreement', id: templateId, tenantId }, { locale: ctx.locale });
  return latest;
}

async function startAgreement(
  ctx: GuardContext,
  uow: UnitOfWork,
  input: {
    employeeId: string;
    template: AgreementTemplate;
    actor: ActorRef;
    remindEveryHours: number | undefined;
    maxReminders: number | undefined;
  },
): Promise<WorkflowRecord> {
  const id = ctx.ids.next('agr');
  const { template } = input;
  return uow.session.start(
    AGREEMENT_MACHINE_ID,
    {
      id,
      employeeId: input.employeeId,
      templateId: template.templateId,
      templateVersion: template.version,
      kind: template.kind,
      title: template.title,
      contentHash: template.contentHash,
      ...(input.remindEveryHours === undefined ? {} : { remindEveryHours: input.remindEveryHours }),
      ...(input.maxReminders === undefined ? {} : { maxReminders: input.maxReminders }),
      at: uow.now,
    },
    { actor: input.actor, subject: { type: 'employee', id: input.employeeId }, at: uow.now },
  );
}

const signatureSchema = z.object({
  signerId: z.string(),
  contentHash: z.string(),
  signedAt: z.string(),
  channel: z.enum(SIGNATURE_CHANNELS),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

/** Signatures kept as evidence, one record per agreement, parsed on every read and write. */
export const signatureRecords = recordKind(
  SIGNATURE_KIND,
  z.object({
    agreementId: z.string(),
    employeeId: z.string(),
    templateId: z.string(),
    templateVersion: z.int().min(1),
    kind: z.enum(['confidentiality', 'non-compete', 'customer-ownership']),
    title: z.string(),
    signature: signatureSchema,
  }),
);

/** `agreement.signed`: keeps the signature as a record of its own, for evidence long after the workflow. */
const signedCommand: WorkflowCommandHandler<GuardContext> = async (payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, agreementMachine);
  const signature = signatureSchema.parse(payload.signature);
  const evidence: SignatureEvidence = {
    agreementId: c.workflow.id,
    employeeId: context.employeeId,
    templateId: context.templateId,
    templateVersion: context.templateVersion,
    kind: context.kind,
    title: context.title,
    signature,
  };
  await signatureRecords.insert(
    c.tx,
    {
      tenantId: c.tenantId,
      id: c.workflow.id,
      ref: context.employeeId,
      status: 'signed',
      at: signature.signedAt,
      data: evidence,
    },
    c.at,
  );
  return [];
};

/** `agreement.overdue`: every reminder went unanswered; alert the employee's manager and HR. */
const overdueCommand: WorkflowCommandHandler<GuardContext> = async (_payload, c) => {
  const context = WorkflowSession.contextFor(c.workflow, agreementMachine);
  const [employee] = await c.tx.getEmployees(c.tenantId, [context.employeeId]);
  const hr = await employeesWithRole(c.tx, c.tenantId, 'hr-admin');
  const notify = [...new Set([...(employee?.managerId ? [employee.managerId] : []), ...hr])].filter(
    (id) => id !== context.employeeId,
  );
  await raiseAlert(
    c.env,
    { tx: c.tx, now: c.at, tenantId: c.tenantId, record: (d) => c.session.record(d) },
    {
      kind: 'agreement-unsigned',
      severity: 'medium',
      employeeId: context.employeeId,
      summary: deferredText('summaries', 'agreementUnsigned', {
        employeeId: context.employeeId,
        employeeName: employeeName(context.employeeId),
        title: context.title,
        templateId: context.templateId,
        version: context.templateVersion,
        reminders: context.reminders,
      }),
      evidence: {
        agreementId: c.workflow.id,
        templateId: context.templateId,
        templateVersion: context.templateVersion,
        kind: context.kind,
        assignedAt: context.at,
        reminders: context.reminders,
      },
      notify,
      actor: c.actor,
      dedupeKey: `agreement-unsigned:${c.workflow.id}`,
    },
  );
  return [];
};

/**
 * The agreement machine and the handlers of its commands, for the
 * workflow registry.
 *
 * @example
 * ```ts
 * const registry = workflowRegistry<GuardContext>(agreementsModule());
 * ```
 */
export function agreementsModule(): WorkflowModule<GuardContext> {
  return {
    definitions: [defineWorkflow({ machine: agreementMachine, version: AGREEMENT_MACHINE_VERSION })],
    commands: { 'agreement.signed': signedCommand, 'agreement.overdue': overdueCommand },
  };
}

/**
 * The tenant-scoped agreements API; see {@link AgreementsApi}.
 *
 * @example
 * ```ts
 * const agreements = agreementsApi(ctx, 'acme');
 * await agreements.assignOnboarding({ employeeId: 'e-new' });
 * ```
 */
export function agreementsApi(ctx: GuardContext, tenantId: string): AgreementsApi {
  const { locale } = ctx;
  const requireAgreement = async (uow: UnitOfWork, id: string) => {
    const record = await uow.session.find(id);
    if (!record || record.machine !== AGREEMENT_MACHINE_ID) {
      throw new NotFoundError({ entity: 'agreement', id, tenantId }, { locale });
    }
    return record;
  };
  return {
    publishTemplate: async (input) => {
      const p = parseInput(publishSchema, input, { what: 'agreement template', locale });
      const actor = p.actor ?? HOST_ACTOR;
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const id = `${p.templateId}@${p.version}`;
        const contentHash = sha256Hex(p.text);
        const existing = await uow.tx.getRecord(tenantId, AGREEMENT_TEMPLATE_KIND, id);
        if (existing) {
          const t = templateOf(existing);
          if (t.contentHash === contentHash && t.kind === p.kind && t.title === p.title) return t;
          throw new ConflictError({ entity: 'agreement', id, expected: null, actual: existing.version }, { locale });
        }
        const others = (await allRecords(uow.tx, tenantId, { kind: AGREEMENT_TEMPLATE_KIND, ref: p.templateId })).items;
        const otherKind = others.map(templateOf).find((t) => t.kind !== p.kind);
        if (otherKind) {
          throw new ConflictError(
            { entity: 'agreement', id: `${p.templateId}@${otherKind.version}`, expected: null, actual: 1 },
            { locale },
          );
        }
        const template: AgreementTemplate = {
          templateId: p.templateId,
          version: p.version,
          kind: p.kind,
          title: p.title,
          text: p.text,
          contentHash,
          publishedAt: uow.now,
          publishedBy: actor,
        };
        await agreementTemplates.insert(
          uow.tx,
          { tenantId, id, ref: p.templateId, status: null, at: uow.now, data: template },
          uow.now,
        );
        uow.session.record({
          actor,
          action: 'agreement.template-publish',
          subject: null,
          data: { templateId: p.templateId, version: p.version, kind: p.kind, title: p.title, contentHash },
        });
        return template;
      });
    },
    templates: () =>
      inUnitOfWork(ctx, tenantId, async (uow) =>
        latestPerTemplate((await allRecords(uow.tx, tenantId, { kind: AGREEMENT_TEMPLATE_KIND })).items),
      ),
    template: async (templateId, version) => {
      const id = parseInput(templateIdSchema, templateId, { what: 'template id', locale });
      const v = parseInput(z.int().min(1).optional(), version, { what: 'template version', locale });
      return inUnitOfWork(ctx, tenantId, (uow) => findTemplate(ctx, uow.tx, tenantId, id, v));
    },
    assign: async (input) => {
      const p = parseInput(assignSchema, input, { what: 'agreement assignment', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, p.employeeId);
        const template = await findTemplate(ctx, uow.tx, tenantId, p.templateId, p.version);
        const record = await startAgreement(ctx, uow, {
          employeeId: p.employeeId,
          template,
          actor: p.actor ?? HOST_ACTOR,
          remindEveryHours: p.remindEveryHours,
          maxReminders: p.maxReminders,
        });
        return agreementView(record);
      });
    },
    assignOnboarding: async (input) => {
      const p = parseInput(onboardingSchema, input, { what: 'onboarding agreements', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, p.employeeId);
        const latest = latestPerTemplate((await allRecords(uow.tx, tenantId, { kind: AGREEMENT_TEMPLATE_KIND })).items);
        const newestOfKind = new Map<AgreementKind, AgreementTemplate>();
        for (const t of latest) {
          const current = newestOfKind.get(t.kind);
          if (!current || t.publishedAt > current.publishedAt) newestOfKind.set(t.kind, t);
        }
        const kinds = p.kinds ? [...new Set(p.kinds)] : AGREEMENT_KINDS.filter((k) => newestOfKind.has(k));
        const held = new Set(
          (await agreementRecordsOf(uow.tx, tenantId, p.employeeId))
            .filter((r) => r.state !== 'revoked')
            .map((r) => {
              const c = WorkflowSession.contextFor(r, agreementMachine);
              return `${c.templateId}@${c.templateVersion}`;
            }),
        );
        const assigned: AgreementView[] = [];
        for (const kind of kinds) {
          const template = newestOfKind.get(kind);
          if (!template) throw new NotFoundError({ entity: 'agreement', id: kind, tenantId }, { locale });
          if (held.has(`${template.templateId}@${template.version}`)) continue;
          const record = await startAgreement(ctx, uow, {
            employeeId: p.employeeId,
            template,
            actor: p.actor ?? HOST_ACTOR,
            remindEveryHours: p.remindEveryHours,
            maxReminders: p.maxReminders,
          });
          assigned.push(agreementView(record));
        }
        return assigned;
      });
    },
    sign: async (input) => {
      const p = parseInput(signSchema, input, { what: 'agreement signature', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, p.actor);
        const record = await requireAgreement(uow, p.agreementId);
        const channel: SignatureChannel = p.channel;
        const updated = await uow.session.send(
          record.id,
          { type: 'SIGN', contentHash: p.contentHash, channel, ip: p.ip, userAgent: p.userAgent },
          { actor: { type: 'employee', id: p.actor }, at: uow.now },
        );
        return agreementView(updated);
      });
    },
    revoke: async (input) => {
      const p = parseInput(revokeSchema, input, { what: 'agreement revocation', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const record = await requireAgreement(uow, p.agreementId);
        const updated = await uow.session.send(
          record.id,
          { type: 'REVOKE', reason: p.reason },
          { actor: p.actor ?? HOST_ACTOR, at: uow.now },
        );
        return agreementView(updated);
      });
    },
    get: async (agreementId) => {
      const id = parseInput(idSchema, agreementId, { what: 'agreement id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => agreementView(await requireAgreement(uow, id)));
    },
    forEmployee: async (employeeId) => {
      const id = parseInput(idSchema, employeeId, { what: 'employee id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, id);
        return (await agreementRecordsOf(uow.tx, tenantId, id)).map(agreementView);
      });
    },
  };
}
