/** @jsxRuntime automatic @jsxImportSource preact */
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { EmployeeRecord, OffboardingView } from '@guard/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PortalContext } from '../context.js';
import { texts } from '../i18n.js';
import { MessagePage } from '../views/message.js';
import { CasePage, CasesPage } from '../views/offboarding.js';

/** Scans of signed confirmation letters: what the portal accepts. */
const FILE_TYPES = new Set(['.pdf', '.jpg', '.jpeg', '.png']);

/** The offboarding wizard (离职交接): HR starts it, the leaver hands over, the manager and HR review, three sign. */
export function offboardingRoutes(app: FastifyInstance, ctx: PortalContext, filesDir: string): void {
  const { guard } = ctx;
  const form = { onRequest: ctx.signedIn, preHandler: app.csrfProtection };
  const employee = (id: string) => guard.directory.employee(id);
  const isStaff = (e: EmployeeRecord) => e.roles.some((r) => r === 'manager' || r === 'hr-admin' || r === 'finance');
  /** Who may see a case: the leaver, their manager, HR and finance. */
  const mayView = (view: OffboardingView, me: EmployeeRecord) =>
    view.employeeId === me.id ||
    view.managerId === me.id ||
    view.hrIds.includes(me.id) ||
    view.financeIds.includes(me.id);
  const back = (id: string) => `/offboarding/${encodeURIComponent(id)}`;

  app.get('/offboarding', { onRequest: ctx.signedIn }, async (request, reply) => {
    const me = await employee(ctx.me(request).employeeId);
    const staff = await ctx.staff();
    const cases: { view: OffboardingView; name: string }[] = [];
    for (const e of staff) {
      if (e.status === 'active' && e.id !== me.id) continue;
      const view = await guard.offboarding.forEmployee(e.id);
      if (view && (isStaff(me) || view.employeeId === me.id) && mayView(view, me)) cases.push({ view, name: e.name });
    }
    const startable = me.roles.includes('hr-admin')
      ? staff.filter((e) => e.status === 'active' && e.roles.includes('sales') && !e.roles.includes('manager'))
      : [];
    return ctx.html(reply, <CasesPage {...ctx.common(request, reply)} cases={cases} startable={startable} />);
  });

  app.post<{ Body: { employeeId?: string; resignationDate?: string; lastWorkingDay?: string; reason?: string } }>(
    '/offboarding',
    form,
    async (request, reply) => {
      const me = ctx.me(request).employeeId;
      const { employeeId = '', resignationDate = '', lastWorkingDay = '', reason = '' } = request.body;
      const view = await guard.offboarding.start({
        actor: { type: 'employee', id: me },
        employeeId,
        resignationDate,
        lastWorkingDay,
        reason,
      });
      const name = (await employee(view.employeeId)).name;
      return ctx.done(request, reply, back(view.id), { kind: 'ok', text: texts(ctx.localeOf(request)).started(name) });
    },
  );

  app.get<{ Params: { id: string } }>('/offboarding/:id', { onRequest: ctx.signedIn }, async (request, reply) => {
    const me = await employee(ctx.me(request).employeeId);
    const view = await guard.offboarding.get(request.params.id);
    if (!mayView(view, me)) {
      const t = texts(ctx.localeOf(request));
      return ctx.html(
        reply,
        <MessagePage {...ctx.common(request, reply)} title={t.offboarding} message={t.onlyManagers} />,
        403,
      );
    }
    const leaver = await employee(view.employeeId);
    const staff = await ctx.staff();
    const colleagues = staff
      .filter((e) => e.status === 'active' && e.id !== leaver.id && e.roles.includes('sales'))
      .map((e) => e.id);
    const reviewer = view.managerId === me.id || view.hrIds.includes(me.id);
    return ctx.html(
      reply,
      <CasePage
        {...ctx.common(request, reply)}
        view={view}
        leaver={leaver}
        names={new Map(staff.map((e) => [e.id, e.name]))}
        colleagues={colleagues}
        can={{
          handover: view.state === 'handover' && view.employeeId === me.id,
          review: view.state === 'review' && reviewer,
          signOff:
            view.state === 'signOff' && view.employeeId !== me.id && (reviewer || view.financeIds.includes(me.id)),
        }}
      />,
    );
  });

  /** The leaver's handover: a successor for each customer, the signed confirmations, the rest marked done. */
  app.post<{ Params: { id: string } }>('/offboarding/:id/handover', form, async (request, reply) => {
    const me = ctx.me(request).employeeId;
    const t = texts(ctx.localeOf(request));
    const view = await guard.offboarding.get(request.params.id);
    const fields = formFields(request);
    const items: { itemId: string; successorId?: string; fileRef?: string; note?: string }[] = [];
    let missing = 0;
    for (const item of view.items) {
      if (item.status !== 'open' && item.status !== 'returned') continue;
      if (item.kind === 'customer') {
        const successorId = fields.values.get(`successor:${item.id}`);
        if (successorId) items.push({ itemId: item.id, successorId });
      } else if (item.kind === 'confirmation') {
        const file = fields.files.get(`file:${item.id}`);
        const ext = file ? extname(file.filename).toLowerCase() : '';
        if (!file || !FILE_TYPES.has(ext)) {
          missing++;
          continue;
        }
        // The host keeps the file; Guard keeps a reference to it, in the audit chain.
        const fileRef = join(view.id, `${item.id}${ext}`);
        await mkdir(join(filesDir, view.id), { recursive: true });
        await writeFile(join(filesDir, fileRef), await file.toBuffer());
        items.push({ itemId: item.id, fileRef: `files/${fileRef}` });
      } else {
        items.push({ itemId: item.id, note: t.handedOver });
      }
    }
    if (items.length > 0) await guard.offboarding.submitItems({ actor: me, caseId: view.id, items });
    if (missing > 0) return ctx.done(request, reply, back(view.id), { kind: 'error', text: t.missingFiles(missing) });
    await guard.offboarding.submitHandover({ actor: me, caseId: view.id });
    return ctx.done(request, reply, back(view.id), { kind: 'ok', text: t.handoverSubmitted });
  });

  app.post<{ Params: { id: string } }>('/offboarding/:id/accept', form, async (request, reply) => {
    const view = await guard.offboarding.get(request.params.id);
    const itemIds = view.items.filter((i) => i.status === 'submitted').map((i) => i.id);
    await guard.offboarding.acceptItems({ actor: ctx.me(request).employeeId, caseId: view.id, itemIds });
    return ctx.done(request, reply, back(view.id), { kind: 'ok', text: texts(ctx.localeOf(request)).accepted });
  });

  app.post<{ Params: { id: string }; Body: { itemId?: string; reason?: string } }>(
    '/offboarding/:id/return',
    form,
    async (request, reply) => {
      await guard.offboarding.returnItems({
        actor: ctx.me(request).employeeId,
        caseId: request.params.id,
        items: [{ itemId: String(request.body.itemId ?? ''), reason: String(request.body.reason ?? '') }],
      });
      return ctx.done(request, reply, back(request.params.id), {
        kind: 'ok',
        text: texts(ctx.localeOf(request)).returned,
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { receivablesConfirmed?: string } }>(
    '/offboarding/:id/sign-off',
    form,
    async (request, reply) => {
      await guard.offboarding.signOff({
        actor: ctx.me(request).employeeId,
        caseId: request.params.id,
        ...(request.body.receivablesConfirmed === 'yes' ? { receivablesConfirmed: true } : {}),
      });
      return ctx.done(request, reply, back(request.params.id), {
        kind: 'ok',
        text: texts(ctx.localeOf(request)).signedOff,
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string } }>(
    '/offboarding/:id/reject-sign-off',
    form,
    async (request, reply) => {
      await guard.offboarding.rejectSignOff({
        actor: ctx.me(request).employeeId,
        caseId: request.params.id,
        reason: String(request.body.reason ?? ''),
      });
      return ctx.done(request, reply, back(request.params.id), {
        kind: 'ok',
        text: texts(ctx.localeOf(request)).signOffRejected,
      });
    },
  );
}

/** A multipart form's fields and files (`@fastify/multipart` with `attachFieldsToBody`). */
function formFields(request: FastifyRequest): { values: Map<string, string>; files: Map<string, MultipartFile> } {
  const values = new Map<string, string>();
  const files = new Map<string, MultipartFile>();
  for (const [name, part] of Object.entries((request.body ?? {}) as Record<string, MultipartFile | MultipartValue>)) {
    if (part.type === 'file') {
      if (part.filename) files.set(name, part);
    } else values.set(name, String(part.value));
  }
  return { values, files };
}
