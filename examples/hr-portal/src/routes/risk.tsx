/** @jsxRuntime automatic @jsxImportSource preact */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AlertView, RiskScorePoint } from '@guard/core';
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { texts } from '../i18n.js';
import { AlertsPage } from '../views/alerts.js';
import { MessagePage } from '../views/message.js';
import { EmployeeRiskPage, RiskPage } from '../views/risk.js';

/** Chart.js's browser build, served as one file (its package exports only the module builds). */
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/** The risk dashboard and the alerts: for managers and HR, never about oneself. */
export function riskRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { guard } = ctx;

  const staffOnly = ctx.onlyRoles(['manager', 'hr-admin'], (t) => ({ title: t.risk, message: t.onlyManagers }));
  const form = { onRequest: staffOnly, preHandler: app.csrfProtection };
  const packTitles = async () => new Map((await guard.risk.packs()).map((p) => [p.id, p.title]));
  /** Open and acknowledged alerts the reader may see: not about themself. */
  const visibleAlerts = async (me: string): Promise<AlertView[]> => {
    const out: AlertView[] = [];
    for (const status of ['open', 'acknowledged'] as const) {
      out.push(...(await guard.alerts.list({ status, limit: 200 })).items.filter((a) => a.employeeId !== me));
    }
    return out;
  };

  app.get('/assets/chart.umd.min.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(await readFile(CHART_JS)),
  );

  app.get('/risk', { onRequest: staffOnly }, async (request, reply) => {
    const me = ctx.me(request).employeeId;
    const packs = await guard.risk.packs();
    const employeePacks = packs.filter((p) => p.subject === 'employee').map((p) => p.id);
    // The example's staff fit on one page; a real dashboard pages through them.
    const staff = (await ctx.staff()).filter((e) => e.id !== me && e.roles.includes('sales'));
    const employees = await Promise.all(
      staff.map(async (e) => ({
        id: e.id,
        name: e.name,
        scores: await guard.risk.score({ type: 'employee', id: e.id }),
      })),
    );
    employees.sort(
      (a, b) => Math.max(0, ...b.scores.map((s) => s.score)) - Math.max(0, ...a.scores.map((s) => s.score)),
    );
    const customerAlerts = [];
    for (const alert of await visibleAlerts(me)) {
      const subject = alert.evidence.subject as { type?: string; id?: string } | undefined;
      if (alert.kind !== 'risk-threshold' || subject?.type !== 'customer' || !subject.id) continue;
      const view = await guard.customers.read({ actor: me, customerId: subject.id }).catch(() => null);
      customerAlerts.push({ alert, customerId: subject.id, customerName: view?.name ?? subject.id });
    }
    return ctx.html(
      reply,
      <RiskPage
        {...ctx.common(request, reply)}
        employees={employees}
        packTitles={new Map(packs.map((p) => [p.id, p.title]))}
        employeePacks={employeePacks}
        customerAlerts={customerAlerts}
      />,
    );
  });

  app.get<{ Params: { id: string } }>('/risk/employees/:id', { onRequest: staffOnly }, async (request, reply) => {
    const me = ctx.me(request).employeeId;
    const t = texts(ctx.localeOf(request));
    if (request.params.id === me) {
      return ctx.html(
        reply,
        <MessagePage {...ctx.common(request, reply)} title={t.risk} message={t.onlyManagers} />,
        403,
      );
    }
    const employee = await guard.directory.employee(request.params.id);
    const subject = { type: 'employee', id: employee.id } as const;
    const scores = await guard.risk.score(subject);
    const history = new Map<string, RiskScorePoint[]>();
    for (const score of scores) {
      history.set(score.pack.id, [...(await guard.risk.history(subject, { pack: score.pack.id, limit: 1000 })).items]);
    }
    return ctx.html(
      reply,
      <EmployeeRiskPage
        {...ctx.common(request, reply)}
        name={employee.name}
        scores={scores}
        packTitles={await packTitles()}
        history={history}
      />,
    );
  });

  app.get('/alerts', { onRequest: staffOnly }, async (request, reply) => {
    const alerts = await visibleAlerts(ctx.me(request).employeeId);
    const ids = alerts.flatMap((a) => (a.employeeId ? [a.employeeId] : []));
    const names = await ctx.names(ids);
    return ctx.html(reply, <AlertsPage {...ctx.common(request, reply)} alerts={alerts} names={names} />);
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    app.post<{ Params: { id: string }; Body: { note?: string } }>(
      `/alerts/:id/${action}`,
      form,
      async (request, reply) => {
        const note = String(request.body.note ?? '').trim();
        await guard.alerts[action]({
          actor: ctx.me(request).employeeId,
          alertId: request.params.id,
          ...(note ? { note } : {}),
        });
        const t = texts(ctx.localeOf(request));
        return ctx.done(request, reply, '/alerts', {
          kind: 'ok',
          text: action === 'acknowledge' ? t.acknowledged : t.resolved,
        });
      },
    );
  }
}
