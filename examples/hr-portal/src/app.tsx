// The HR portal: an existing HR product's web app that embeds Guard. The
// portal owns users, login and pages; every customer it shows comes from
// Guard's API, decided, masked and audited for the logged-in employee.
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import { type GuardError, isGuardError, type ListScope, type TenantGuard } from '@guard/core';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { type PortalUser, sessionStore, users } from './host-db.js';
import { isLocale, type PortalLocale, texts } from './i18n.js';
import { CustomerPage } from './views/customer.js';
import { CustomersPage, SCOPES } from './views/customers.js';
import { LoginPage } from './views/login.js';
import { MessagePage } from './views/message.js';

declare module 'fastify' {
  interface Session {
    userId?: number;
    locale?: PortalLocale;
  }
}

export interface PortalOptions {
  /** The host's own database (users, sessions): see `openHostDb`. */
  readonly db: Database.Database;
  /** The tenant this HR product instance serves. */
  readonly guard: TenantGuard;
  /** Signs the session cookie: at least 32 characters, kept secret. */
  readonly sessionSecret: string;
  /** Log requests (pino). Default false. */
  readonly logger?: boolean;
}

/** Builds the portal: a Fastify app, not yet listening. */
export async function buildPortal(options: PortalOptions): Promise<FastifyInstance> {
  const { guard } = options;
  const accounts = users(options.db);
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: 'portal.sid',
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax', maxAge: 8 * 3_600_000 },
    store: sessionStore(options.db),
    saveUninitialized: false,
  });
  // Every form carries a token (`_csrf`); posts check it in `preHandler`, once the form body is parsed.
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });

  const userOf = (request: FastifyRequest): PortalUser | null =>
    request.session.userId === undefined ? null : accounts.get(request.session.userId);
  const localeOf = (request: FastifyRequest): PortalLocale =>
    request.session.locale ?? userOf(request)?.locale ?? 'zh-CN';
  const html = (reply: FastifyReply, page: VNode, status = 200) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html>${renderToString(page)}`);
  const common = (request: FastifyRequest, reply: FastifyReply) => ({
    locale: localeOf(request),
    user: userOf(request),
    csrf: reply.generateCsrf(),
    path: request.url,
  });
  /** Guard's refusals and validation errors, in the reader's language. */
  const refusal = (request: FastifyRequest, reply: FastifyReply, error: GuardError) => {
    const locale = localeOf(request);
    const { message, hint } = error.localize(locale);
    const status = isGuardError(error, 'NOT_FOUND') ? 404 : isGuardError(error, 'VALIDATION_FAILED') ? 400 : 403;
    return html(
      reply,
      <MessagePage
        {...common(request, reply)}
        title={texts(locale).refused}
        message={message}
        hint={hint}
        back={texts(locale).back}
      />,
      status,
    );
  };
  const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!userOf(request)) return reply.redirect('/login');
  };

  app.setErrorHandler(async (error, request, reply) => {
    if (isGuardError(error)) return refusal(request, reply, error);
    const t = texts(localeOf(request));
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      return html(reply, <MessagePage {...common(request, reply)} title={t.refused} message={t.csrf} />, 403);
    }
    request.log.error(error);
    return html(
      reply,
      <MessagePage
        {...common(request, reply)}
        title={t.refused}
        message={error instanceof Error ? error.message : String(error)}
      />,
      500,
    );
  });
  app.setNotFoundHandler(async (request, reply) => {
    const t = texts(localeOf(request));
    return html(reply, <MessagePage {...common(request, reply)} title={t.notFound} message={t.notFound} />, 404);
  });

  app.get('/', async (_request, reply) => reply.redirect('/customers'));

  app.get('/login', async (request, reply) => html(reply, <LoginPage {...common(request, reply)} failed={false} />));

  app.post<{ Body: { username?: string; password?: string } }>(
    '/login',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      const user = await accounts.login(String(request.body.username ?? ''), String(request.body.password ?? ''));
      if (!user) return html(reply, <LoginPage {...common(request, reply)} failed={true} />, 401);
      const locale = request.session.locale;
      await request.session.regenerate(); // a new session id on login: no fixation
      request.session.userId = user.id;
      if (locale) request.session.locale = locale;
      return reply.redirect('/customers');
    },
  );

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login');
  });

  app.post<{ Body: { locale?: string; back?: string } }>(
    '/language',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      const { locale, back } = request.body;
      if (isLocale(locale)) {
        request.session.locale = locale;
        const user = userOf(request);
        if (user) accounts.setLocale(user.id, locale);
      }
      // Only a path of this site: never an open redirect.
      return reply.redirect(typeof back === 'string' && /^\/(?!\/)/.test(back) ? back : '/');
    },
  );

  app.get<{ Querystring: { scope?: string; cursor?: string } }>(
    '/customers',
    { onRequest: signedIn },
    async (request, reply) => {
      const user = userOf(request) as PortalUser;
      const scope: ListScope = SCOPES.includes(request.query.scope as ListScope)
        ? (request.query.scope as ListScope)
        : 'own';
      const page = await guard.customers.list({
        actor: user.employeeId,
        scope,
        limit: 50,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      });
      const owners = [...new Set(page.items.map((c) => c.ownerId).filter((id): id is string => id !== null))];
      const ownerNames = new Map(
        await Promise.all(owners.map(async (id) => [id, (await guard.directory.employee(id)).name] as const)),
      );
      return html(
        reply,
        <CustomersPage
          {...common(request, reply)}
          scope={scope}
          rows={page.items}
          ownerNames={ownerNames}
          nextCursor={page.nextCursor}
        />,
      );
    },
  );

  app.get<{ Params: { id: string } }>('/customers/:id', { onRequest: signedIn }, async (request, reply) => {
    const user = userOf(request) as PortalUser;
    const view = await guard.customers.read({ actor: user.employeeId, customerId: request.params.id });
    const ownerName = view.ownerId === null ? null : (await guard.directory.employee(view.ownerId)).name;
    return html(reply, <CustomerPage {...common(request, reply)} view={view} ownerName={ownerName} />);
  });

  return app;
}
