import * as z from 'zod';
import { ALERT_KIND, enqueueNotification } from '../alerts/alerts.js';
import { type ActorRef, actorRefSchema, idSchema, isoDateTimeSchema } from '../domain/entities.js';
import { ConflictError, NotFoundError } from '../errors/guard-error.js';
import { parseInput } from '../errors/validate.js';
import { type GuardContext, HOST_ACTOR, inUnitOfWork } from '../kernel/context.js';
import { requireEmployee } from '../kernel/directory.js';
import { allRecords } from '../store/pages.js';
import { recordKind, type TypedRecord } from '../store/records.js';
import { type AgreementKind, agreementMachine } from '../workflows/agreement/index.js';
import { WorkflowSession } from '../workflows/runtime/index.js';
import { agreementRecordsOf } from './agreements.js';

/** Training assignments are records of this kind; `ref` = employee id, `status` = `assigned` | `completed`, `at` = due. */
export const TRAINING_KIND = 'training';

/**
 * A training course assigned to an employee, and its result once completed.
 *
 * @example
 * ```ts
 * const t = await acme.training.assign({ employeeId: 'e-7', courseId: 'pipl-101', title: '个人信息保护', dueAt: '2026-12-01T00:00:00Z' });
 * t.status; // 'assigned'
 * ```
 */
export interface TrainingAssignment {
  readonly id: string;
  readonly employeeId: string;
  readonly courseId: string;
  readonly title: string;
  readonly dueAt: string;
  readonly status: 'assigned' | 'completed';
  readonly assignedAt: string;
  readonly assignedBy: ActorRef;
  readonly completedAt: string | null;
  /** 0–100, once completed. */
  readonly score: number | null;
  readonly passed: boolean | null;
}

/**
 * An employee's compliance at a glance, for performance reviews: agreements
 * signed and pending by kind, trainings completed (with scores) and
 * overdue, and the alerts raised about them by kind and status.
 *
 * @example
 * ```ts
 * const c = await acme.training.compliance('e-7');
 * if (c.agreements.pending > 0 || c.trainings.overdue.length > 0) flagForReview('e-7');
 * ```
 */
export interface ComplianceSummary {
  readonly employeeId: string;
  /** When it was computed; "overdue" is relative to it. */
  readonly at: string;
  readonly agreements: {
    readonly signed: number;
    readonly pending: number;
    /** Pending ones whose reminders all went unanswered. */
    readonly overdue: number;
    readonly revoked: number;
    readonly byKind: Readonly<Record<AgreementKind, { readonly signed: number; readonly pending: number }>>;
  };
  readonly trainings: {
    readonly completed: readonly {
      readonly id: string;
      readonly courseId: string;
      readonly title: string;
      readonly score: number;
      readonly passed: boolean;
      readonly completedAt: string;
    }[];
    readonly overdue: readonly {
      readonly id: string;
      readonly courseId: string;
      readonly title: string;
      readonly dueAt: string;
    }[];
    /** Assigned, not completed, not yet due. */
    readonly open: number;
    /** Mean score of completed trainings, or `null` when there are none. */
    readonly averageScore: number | null;
  };
  readonly violations: {
    readonly total: number;
    readonly byKind: Readonly<
      Record<string, { readonly open: number; readonly acknowledged: number; readonly resolved: number }>
    >;
  };
}

/**
 * Training assignments and the compliance summary of an employee.
 *
 * @example
 * ```ts
 * const t = await acme.training.assign({ employeeId: 'e-7', courseId: 'nda-basics', title: 'NDA basics', dueAt: '2026-12-01T00:00:00Z' });
 * await acme.training.complete({ assignmentId: t.id, score: 92, passed: true });
 * const summary = await acme.training.compliance('e-7');
 * ```
 */
export interface TrainingApi {
  /** Assigns a course; the employee is notified (`training.assigned`). Audited. */
  assign(input: {
    actor?: ActorRef;
    employeeId: string;
    courseId: string;
    title: string;
    dueAt: string;
  }): Promise<TrainingAssignment>;
  /** Records the result; completing twice is a `ConflictError`. Audited. */
  complete(input: {
    actor?: ActorRef;
    assignmentId: string;
    score: number;
    passed: boolean;
  }): Promise<TrainingAssignment>;
  /** The employee's assignments, by due date. */
  forEmployee(employeeId: string): Promise<readonly TrainingAssignment[]>;
  /** The compliance summary of one employee; see {@link ComplianceSummary}. */
  compliance(employeeId: string): Promise<ComplianceSummary>;
}

const assignSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  employeeId: idSchema,
  courseId: idSchema,
  title: z.string().trim().min(1).max(200),
  dueAt: isoDateTimeSchema,
});
const completeSchema = z.strictObject({
  actor: actorRefSchema.optional(),
  assignmentId: idSchema,
  score: z.number().min(0).max(100),
  passed: z.boolean(),
});

const trainingDataSchema = z.object({
  employeeId: z.string(),
  courseId: z.string(),
  title: z.string(),
  dueAt: z.string(),
  assignedAt: z.string(),
  assignedBy: actorRefSchema,
  completedAt: z.string().nullable(),
  score: z.number().nullable(),
  passed: z.boolean().nullable(),
});
type TrainingData = z.output<typeof trainingDataSchema>;

/** Training assignments, one record each, parsed on every read and write. */
const trainings = recordKind(TRAINING_KIND, trainingDataSchema);

function assignmentOf(record: TypedRecord<TrainingData>): TrainingAssignment {
  return { id: record.id, status: record.status === 'completed' ? 'completed' : 'assigned', ...record.data };
}

/**
 * The tenant-scoped training API; see {@link TrainingApi}.
 *
 * @example
 * ```ts
 * const training = trainingApi(ctx, 'acme');
 * const mine = await training.forEmployee('e-7');
 * ```
 */
export function trainingApi(ctx: GuardContext, tenantId: string): TrainingApi {
  const { locale } = ctx;
  return {
    assign: async (input) => {
      const p = parseInput(assignSchema, input, { what: 'training assignment', locale });
      const actor = p.actor ?? HOST_ACTOR;
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, p.employeeId);
        const id = ctx.ids.next('tr');
        const dueAt = new Date(p.dueAt).toISOString();
        const data: TrainingData = {
          employeeId: p.employeeId,
          courseId: p.courseId,
          title: p.title,
          dueAt,
          assignedAt: uow.now,
          assignedBy: actor,
          completedAt: null,
          score: null,
          passed: null,
        };
        const record = await trainings.insert(
          uow.tx,
          { tenantId, id, ref: p.employeeId, status: 'assigned', at: dueAt, data },
          uow.now,
        );
        await enqueueNotification(ctx, uow.tx, tenantId, {
          key: `training:${id}`,
          to: [p.employeeId],
          template: 'training.assigned',
          data: { assignmentId: id, courseId: p.courseId, title: p.title, dueAt },
          now: uow.now,
        });
        uow.session.record({
          actor,
          action: 'training.assign',
          subject: { type: 'employee', id: p.employeeId },
          data: { assignmentId: id, courseId: p.courseId, title: p.title, dueAt },
        });
        return assignmentOf(record);
      });
    },
    complete: async (input) => {
      const p = parseInput(completeSchema, input, { what: 'training result', locale });
      const actor = p.actor ?? HOST_ACTOR;
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        const record = await trainings.get(uow.tx, tenantId, p.assignmentId);
        // There is no entity name for training assignments yet; they belong to the agreements module.
        if (!record) throw new NotFoundError({ entity: 'training', id: p.assignmentId, tenantId }, { locale });
        if (record.status === 'completed') {
          throw new ConflictError(
            { entity: 'training', id: p.assignmentId, expected: record.version - 1, actual: record.version },
            { locale },
          );
        }
        const data: TrainingData = { ...record.data, completedAt: uow.now, score: p.score, passed: p.passed };
        const updated = await trainings.update(uow.tx, record, { status: 'completed', data }, uow.now);
        uow.session.record({
          actor,
          action: 'training.complete',
          subject: { type: 'employee', id: data.employeeId },
          data: { assignmentId: record.id, courseId: data.courseId, score: p.score, passed: p.passed },
        });
        return assignmentOf(updated);
      });
    },
    forEmployee: async (employeeId) => {
      const id = parseInput(idSchema, employeeId, { what: 'employee id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, id);
        const records = await allRecords(uow.tx, tenantId, { kind: TRAINING_KIND, ref: id });
        return records.items.map((r) => assignmentOf(trainings.read(r)));
      });
    },
    compliance: async (employeeId) => {
      const id = parseInput(idSchema, employeeId, { what: 'employee id', locale });
      return inUnitOfWork(ctx, tenantId, async (uow) => {
        await requireEmployee(ctx, uow.tx, tenantId, id);
        const byKind: Record<AgreementKind, { signed: number; pending: number }> = {
          confidentiality: { signed: 0, pending: 0 },
          'non-compete': { signed: 0, pending: 0 },
          'customer-ownership': { signed: 0, pending: 0 },
        };
        let signed = 0;
        let pending = 0;
        let overdue = 0;
        let revoked = 0;
        for (const record of await agreementRecordsOf(uow.tx, tenantId, id)) {
          const c = WorkflowSession.contextFor(record, agreementMachine);
          if (record.state === 'signed') {
            signed++;
            byKind[c.kind].signed++;
          } else if (record.state === 'pending') {
            pending++;
            byKind[c.kind].pending++;
            if (c.overdue) overdue++;
          } else if (record.state === 'revoked') revoked++;
        }
        const assigned = (await allRecords(uow.tx, tenantId, { kind: TRAINING_KIND, ref: id })).items.map((r) =>
          assignmentOf(trainings.read(r)),
        );
        const completed = assigned
          .filter((t) => t.status === 'completed')
          .map((t) => ({
            id: t.id,
            courseId: t.courseId,
            title: t.title,
            score: t.score ?? 0,
            passed: t.passed ?? false,
            completedAt: t.completedAt ?? t.dueAt,
          }));
        const late = assigned
          .filter((t) => t.status === 'assigned' && t.dueAt < uow.now)
          .map((t) => ({ id: t.id, courseId: t.courseId, title: t.title, dueAt: t.dueAt }));
        const open = assigned.filter((t) => t.status === 'assigned' && t.dueAt >= uow.now).length;
        const violationsByKind: Record<string, { open: number; acknowledged: number; resolved: number }> = {};
        const alerts = (await allRecords(uow.tx, tenantId, { kind: ALERT_KIND, ref: id })).items;
        for (const alert of alerts) {
          const kind = (alert.data as { kind: string }).kind;
          const counts = violationsByKind[kind] ?? { open: 0, acknowledged: 0, resolved: 0 };
          violationsByKind[kind] = counts;
          if (alert.status === 'open' || alert.status === 'acknowledged' || alert.status === 'resolved') {
            counts[alert.status]++;
          }
        }
        return {
          employeeId: id,
          at: uow.now,
          agreements: { signed, pending, overdue, revoked, byKind },
          trainings: {
            completed,
            overdue: late,
            open,
            averageScore:
              completed.length === 0 ? null : completed.reduce((sum, t) => sum + t.score, 0) / completed.length,
          },
          violations: { total: alerts.length, byKind: violationsByKind },
        };
      });
    },
  };
}
