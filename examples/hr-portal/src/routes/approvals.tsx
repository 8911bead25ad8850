/** @jsxRuntime automatic @jsxImportSource preact */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { texts } from '../i18n.js';
import { ApprovalsPage } from '../views/approvals.js';

/** The approval inbox: decide, send back, delegate. */
export function approvalRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { guard } = ctx;
  const form = { onRequest: ctx.signedIn, preHandler: app.csrfProtection };

  app.get('/approvals', { onRequest: ctx.signedIn }, async (request, reply) => {
    const me = ctx.me(request);
    const inbox = (await guard.approvals.inbox({ actor: me.employeeId, limit: 50 })).items;
    // Whom one may delegate to: active colleagues.
    const team = (await ctx.staff()).filter((e) => e.id !== me.employeeId && e.status === 'active');
    const names = new Map(team.map((e) => [e.id, e.name]));
    for (const [id, name] of await ctx.names(inbox.map((a) => a.requester).filter((id) => !names.has(id)))) {
      names.set(id, name);
    }
    return ctx.html(
      reply,
      <ApprovalsPage {...ctx.common(request, reply)} inbox={inbox} names={names} colleagues={team.map((e) => e.id)} />,
    );
  });

  const decide = (
    path: string,
    run: (actor: string, approvalId: string, reason: string) => Promise<unknown>,
    done: 'approved' | 'rejected' | 'sentBack',
  ) =>
    app.post<{ Params: { id: string }; Body: { reason?: string } }>(
      `/approvals/:id/${path}`,
      form,
      async (request, reply) => {
        await run(ctx.me(request).employeeId, request.params.id, String(request.body.reason ?? ''));
        return ctx.done(request, reply, '/approvals', { kind: 'ok', text: texts(ctx.localeOf(request))[done] });
      },
    );
  decide('approve', (actor, approvalId) => guard.approvals.approve({ actor, approvalId }), 'approved');
  decide('reject', (actor, approvalId, reason) => guard.approvals.reject({ actor, approvalId, reason }), 'rejected');
  decide(
    'send-back',
    (actor, approvalId, reason) => guard.approvals.sendBack({ actor, approvalId, reason }),
    'sentBack',
  );

  app.post<{ Body: { to?: string; from?: string; until?: string } }>(
    '/approvals/delegate',
    form,
    async (request, reply) => {
      const me = ctx.me(request);
      const { to = '', from = '', until = '' } = request.body;
      // Whole days in the tenant's zone (the example's tenant is in Shanghai).
      await guard.approvals.delegate({
        actor: me.employeeId,
        to,
        from: `${from}T00:00:00+08:00`,
        until: `${until}T23:59:59+08:00`,
      });
      const name = (await guard.directory.employee(to)).name;
      return ctx.done(request, reply, '/approvals', { kind: 'ok', text: texts(ctx.localeOf(request)).delegated(name) });
    },
  );
}
