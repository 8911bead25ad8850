/** @jsxRuntime automatic @jsxImportSource preact */
import { createHash } from 'node:crypto';
import { type KeyProvider, verifyEvidencePack } from '@guard/core';
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { texts } from '../i18n.js';
import { AuditPage } from '../views/audit.js';
import { MinePage } from '../views/mine.js';
import { OperationsPage, type WorkerRun } from '../views/operations.js';

/** The quiz's right answer: customer data is handed over, never taken or deleted. */
const RIGHT_ANSWER = 'handover';

/** One's own agreements and training; HR's audit page, evidence packs and the operations page. */
export function peopleRoutes(
  app: FastifyInstance,
  ctx: PortalContext,
  keys: KeyProvider,
  lastRun: () => WorkerRun | null,
): void {
  const { guard } = ctx;
  const form = { onRequest: ctx.signedIn, preHandler: app.csrfProtection };

  app.get('/me', { onRequest: ctx.signedIn }, async (request, reply) => {
    const me = ctx.me(request).employeeId;
    const agreements = await Promise.all(
      (await guard.agreements.forEmployee(me)).map(async (agreement) => ({
        agreement,
        template: await guard.agreements.template(agreement.templateId, agreement.templateVersion),
      })),
    );
    const training = await guard.training.forEmployee(me);
    return ctx.html(reply, <MinePage {...ctx.common(request, reply)} agreements={agreements} training={training} />);
  });

  app.post<{ Params: { id: string } }>('/me/agreements/:id/sign', form, async (request, reply) => {
    const me = ctx.me(request).employeeId;
    const agreement = await guard.agreements.get(request.params.id);
    const template = await guard.agreements.template(agreement.templateId, agreement.templateVersion);
    // The hash of the text the page showed: Guard refuses it if it is not the assigned text's.
    await guard.agreements.sign({
      actor: me,
      agreementId: agreement.id,
      contentHash: createHash('sha256').update(template.text).digest('hex'),
      channel: 'web',
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    return ctx.done(request, reply, '/me', { kind: 'ok', text: texts(ctx.localeOf(request)).signed });
  });

  app.post<{ Params: { id: string }; Body: { answer?: string } }>(
    '/me/training/:id/complete',
    form,
    async (request, reply) => {
      const me = ctx.me(request).employeeId;
      const t = texts(ctx.localeOf(request));
      // Only one's own assignment: the portal checks, then records the result as the host.
      const own = (await guard.training.forEmployee(me)).find((a) => a.id === request.params.id);
      if (!own) return ctx.done(request, reply, '/me', { kind: 'error', text: t.noTraining });
      const passed = request.body.answer === RIGHT_ANSWER;
      await guard.training.complete({ assignmentId: own.id, score: passed ? 100 : 0, passed });
      return ctx.done(request, reply, '/me', {
        kind: passed ? 'ok' : 'error',
        text: passed ? t.trainingPassed : t.trainingFailed,
      });
    },
  );

  const hrOnly = ctx.onlyRoles(['hr-admin'], (t) => ({ title: t.audit, message: t.onlyHr }));

  app.get('/audit', { onRequest: hrOnly }, async (request, reply) => {
    const verified = await guard.audit.verify();
    const entries = (await guard.audit.query({ order: 'desc', limit: 30 })).items;
    const employees = await ctx.staff();
    return ctx.html(
      reply,
      <AuditPage {...ctx.common(request, reply)} verified={verified} entries={entries} employees={employees} />,
    );
  });

  app.get('/operations', { onRequest: hrOnly }, async (request, reply) => {
    const [backlog, dead] = await Promise.all([guard.outbox.backlog(), guard.outbox.dead({ limit: 50 })]);
    return ctx.html(
      reply,
      <OperationsPage {...ctx.common(request, reply)} backlog={backlog} dead={dead.items} lastRun={lastRun()} />,
    );
  });

  app.get<{ Querystring: { employeeId?: string } }>(
    '/audit/evidence',
    { onRequest: hrOnly },
    async (request, reply) => {
      const me = ctx.me(request).employeeId;
      const pack = await guard.evidence.pack({
        employeeId: String(request.query.employeeId ?? ''),
        actor: { type: 'employee', id: me },
      });
      // Checked before it leaves: a pack that does not verify is never handed out.
      const check = await verifyEvidencePack(pack, keys);
      if (!check.ok) throw new Error(`evidence pack does not verify: ${check.message}`);
      return reply
        .type('application/json; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="evidence-${pack.employeeId}-${pack.generatedAt.slice(0, 10)}.json"`,
        )
        .send(JSON.stringify(pack, null, 2));
    },
  );
}
