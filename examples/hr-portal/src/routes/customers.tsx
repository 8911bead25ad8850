/** @jsxRuntime automatic @jsxImportSource preact */
import type { FollowUpChannel, ListScope } from '@guard/core';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { texts } from '../i18n.js';
import { CustomerPage } from '../views/customer.js';
import { CustomersPage, SCOPES } from '../views/customers.js';
import { ExportsPage } from '../views/exports.js';

/** The customer pages: every row and field through Guard, for the signed-in employee. */
export function customerRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { guard } = ctx;
  const guarded = { onRequest: ctx.signedIn };
  const form = { onRequest: ctx.signedIn, preHandler: app.csrfProtection };

  app.get<{ Querystring: { scope?: string; cursor?: string } }>('/customers', guarded, async (request, reply) => {
    const me = ctx.me(request);
    const scope = SCOPES.includes(request.query.scope as ListScope) ? (request.query.scope as ListScope) : 'own';
    const page = await guard.customers.list({
      actor: me.employeeId,
      scope,
      limit: 50,
      ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
    });
    const ownerNames = await ctx.names(page.items.flatMap((c) => (c.ownerId === null ? [] : [c.ownerId])));
    return ctx.html(
      reply,
      <CustomersPage
        {...ctx.common(request, reply)}
        scope={scope}
        rows={page.items}
        ownerNames={ownerNames}
        nextCursor={page.nextCursor}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/customers/:id', guarded, async (request, reply) => {
    const me = ctx.me(request);
    const view = await guard.customers.read({ actor: me.employeeId, customerId: request.params.id });
    const ownerName = view.ownerId === null ? null : (await guard.directory.employee(view.ownerId)).name;
    const followUps =
      view.ownerId === me.employeeId ? (await guard.ownership.followUps(view.id, { limit: 20 })).items : null;
    return ctx.html(
      reply,
      <CustomerPage {...ctx.common(request, reply)} view={view} ownerName={ownerName} followUps={followUps} />,
    );
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>(
    '/customers/:id/claim',
    form,
    async (request, reply) => {
      const me = ctx.me(request);
      const reason = String(request.body.reason ?? '').trim();
      await guard.ownership.claim({
        actor: me.employeeId,
        customerId: request.params.id,
        ...(reason ? { reason } : {}),
      });
      const t = texts(ctx.localeOf(request));
      return ctx.done(request, reply, `/customers/${encodeURIComponent(request.params.id)}`, {
        kind: 'ok',
        text: t.claimed,
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { channel?: string; note?: string } }>(
    '/customers/:id/follow-ups',
    form,
    async (request, reply) => {
      const me = ctx.me(request);
      const note = String(request.body.note ?? '').trim();
      await guard.ownership.recordFollowUp({
        actor: me.employeeId,
        customerId: request.params.id,
        // Guard validates the channel: a forged value is a ValidationError page.
        channel: String(request.body.channel) as FollowUpChannel,
        ...(note ? { note } : {}),
      });
      const t = texts(ctx.localeOf(request));
      return ctx.done(request, reply, `/customers/${encodeURIComponent(request.params.id)}`, {
        kind: 'ok',
        text: t.followUpRecorded,
      });
    },
  );

  app.post<{ Body: { customerIds?: string | string[]; reason?: string; contact?: string } }>(
    '/exports',
    form,
    async (request, reply) => {
      const me = ctx.me(request);
      const t = texts(ctx.localeOf(request));
      const customerIds = ([] as string[]).concat(request.body.customerIds ?? []);
      if (customerIds.length === 0)
        return ctx.done(request, reply, '/customers', { kind: 'error', text: t.selectSome });
      const request_ = await guard.customers.requestExport({
        actor: me.employeeId,
        customerIds,
        classes: request.body.contact === 'yes' ? ['public', 'contact'] : ['public'],
        reason: String(request.body.reason ?? ''),
      });
      request.session.exports = [request_.id, ...(request.session.exports ?? [])].slice(0, 50);
      return ctx.done(request, reply, '/exports', {
        kind: 'ok',
        text: t.exportCreated(request_.count, t.exportStatus[request_.status] ?? request_.status),
      });
    },
  );

  app.get('/exports', guarded, async (request, reply) => {
    const exports = await Promise.all((request.session.exports ?? []).map((id) => guard.customers.getExport(id)));
    return ctx.html(reply, <ExportsPage {...ctx.common(request, reply)} exports={exports} />);
  });

  app.get<{ Params: { id: string } }>('/exports/:id/download', guarded, async (request, reply) => {
    const me = ctx.me(request);
    const file = await guard.customers.downloadExport({ actor: me.employeeId, exportId: request.params.id });
    const fields = [...new Set(file.rows.flatMap((r) => Object.values(r.fields).flatMap((f) => Object.keys(f))))];
    const csv = stringify(
      [
        ['id', 'name', ...fields],
        ...file.rows.map((r) => [
          r.id,
          r.name,
          ...fields.map((f) => {
            const value = Object.values(r.fields).find((cls) => f in cls)?.[f];
            return value === undefined || value === null ? '' : String(value);
          }),
        ]),
        [],
        [file.watermark.text],
      ],
      // A cell starting with = + - @ is quoted with a leading ' so a spreadsheet never runs it as a formula.
      { cast: { string: (value) => (/^[=+\-@]/.test(value) ? `'${value}` : value) } },
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="export-${file.exportId}.csv"`)
      .send(`\uFEFF${csv}`);
  });
}
