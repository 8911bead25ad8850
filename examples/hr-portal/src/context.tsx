/** @jsxRuntime automatic @jsxImportSource preact */
// What every route of the portal needs: who is signed in, in which language,
// how to render a page, and one-time messages after a form.
import { type EmployeeRecord, type GuardError, isGuardError, type TenantGuard } from '@guard/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { PortalUser, users } from './host-db.js';
import { type PortalLocale, type Texts, texts } from './i18n.js';
import type { Flash, PageProps } from './views/layout.js';
import { MessagePage } from './views/message.js';

declare module 'fastify' {
  interface Session {
    userId?: number;
    locale?: PortalLocale;
    flash?: Flash;
    /** The export requests made in this session: the portal shows only these. */
    exports?: string[];
  }
}

export interface PortalContext {
  readonly guard: TenantGuard;
  readonly accounts: ReturnType<typeof users>;
  userOf(request: FastifyRequest): PortalUser | null;
  /** The signed-in user; only in routes behind `signedIn`. */
  me(request: FastifyRequest): PortalUser;
  localeOf(request: FastifyRequest): PortalLocale;
  /** What every page's layout needs; takes (and clears) the pending flash message. */
  common(request: FastifyRequest, reply: FastifyReply): Omit<PageProps, 'title' | 'children'>;
  html(reply: FastifyReply, page: VNode, status?: number): FastifyReply;
  /** Guard's refusals and validation errors, in the reader's language. */
  refusal(request: FastifyRequest, reply: FastifyReply, error: GuardError): FastifyReply;
  /** Redirects after a form, with a message for the next page. */
  done(request: FastifyRequest, reply: FastifyReply, to: string, flash: Flash): FastifyReply;
  /** `onRequest` hook: sends visitors to the login page. */
  signedIn(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * An `onRequest` hook for pages some roles only may see: sends visitors
   * to the login page and answers 403 with `refusal(t)` to anyone who has
   * none of `roles`.
   */
  onlyRoles(
    roles: readonly string[],
    refusal: (t: Texts) => { title: string; message: string },
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The tenant's staff. The example's fit on one page; a real product lists them from its own HR data. */
  staff(): Promise<readonly EmployeeRecord[]>;
  /** Employee names by id, for the ids given. */
  names(ids: Iterable<string>): Promise<Map<string, string>>;
}

export function portalContext(guard: TenantGuard, accounts: ReturnType<typeof users>): PortalContext {
  const userOf = (request: FastifyRequest) =>
    request.session.userId === undefined ? null : accounts.get(request.session.userId);
  const localeOf = (request: FastifyRequest): PortalLocale =>
    request.session.locale ?? userOf(request)?.locale ?? 'zh-CN';
  const html = (reply: FastifyReply, page: VNode, status = 200) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html>${renderToString(page)}`);
  const common = (request: FastifyRequest, reply: FastifyReply) => {
    const flash = request.session.flash ?? null;
    if (flash) request.session.flash = undefined;
    return {
      locale: localeOf(request),
      user: userOf(request),
      csrf: reply.generateCsrf(),
      path: request.url,
      flash,
    };
  };
  return {
    guard,
    accounts,
    userOf,
    me(request) {
      const user = userOf(request);
      if (!user) throw new Error('me() outside a signed-in route');
      return user;
    },
    localeOf,
    common,
    html,
    refusal(request, reply, error) {
      const locale = localeOf(request);
      const { message, hint } = error.localize(locale);
      const status = isGuardError(error, 'NOT_FOUND') ? 404 : isGuardError(error, 'VALIDATION_FAILED') ? 400 : 403;
      const t = texts(locale);
      return html(
        reply,
        <MessagePage {...common(request, reply)} title={t.refused} message={message} hint={hint} back={t.back} />,
        status,
      );
    },
    done(request, reply, to, flash) {
      request.session.flash = flash;
      return reply.redirect(to, 303);
    },
    async signedIn(request, reply) {
      if (!userOf(request)) await reply.redirect('/login');
    },
    onlyRoles(roles, refusal) {
      return async (request, reply) => {
        const user = userOf(request);
        if (!user) return void (await reply.redirect('/login'));
        const employee = await guard.directory.employee(user.employeeId);
        if (employee.roles.some((role) => roles.includes(role))) return;
        const { title, message } = refusal(texts(localeOf(request)));
        await html(reply, <MessagePage {...common(request, reply)} title={title} message={message} />, 403);
      };
    },
    async staff() {
      return (await guard.directory.employees({ limit: 200 })).items;
    },
    async names(ids) {
      const unique = [...new Set(ids)];
      return new Map(
        await Promise.all(unique.map(async (id) => [id, (await guard.directory.employee(id)).name] as const)),
      );
    },
  };
}
