/** @jsxRuntime automatic @jsxImportSource preact */
// The HR portal: an existing HR product's web app that embeds Guard. The
// portal owns users, login and pages; every customer it shows comes from
// Guard's API, decided, masked and audited for the logged-in employee.
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifySession from '@fastify/session';
import { isGuardError, type KeyProvider, type TenantGuard } from '@guard/core';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { portalContext } from './context.js';
import { sessionStore, users } from './host-db.js';
import { texts } from './i18n.js';
import { approvalRoutes } from './routes/approvals.js';
import { customerRoutes } from './routes/customers.js';
import { offboardingRoutes } from './routes/offboarding.js';
import { peopleRoutes } from './routes/people.js';
import { riskRoutes } from './routes/risk.js';
import { sessionRoutes } from './routes/session.js';
import { MessagePage } from './views/message.js';
import type { WorkerRun } from './views/operations.js';

export interface PortalOptions {
  /** The host's own database (users, sessions): see `openHostDb`. */
  readonly db: Database.Database;
  /** The tenant this HR product instance serves. */
  readonly guard: TenantGuard;
  /** Signs the session cookie: at least 32 characters, kept secret. */
  readonly sessionSecret: string;
  /** The audit keys Guard was created with: evidence packs are verified before they are handed out. */
  readonly keys: KeyProvider;
  /** Where uploaded files (signed handover confirmations) are kept. */
  readonly filesDir: string;
  /** What the process's worker loop last did, for the operations page (none when it runs no worker). */
  readonly lastWorkerRun?: () => WorkerRun | null;
  /** Log requests (pino). Default false. */
  readonly logger?: boolean;
}

/** Builds the portal: a Fastify app, not yet listening. */
export async function buildPortal(options: PortalOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(fastifyFormbody);
  // Uploads (handover confirmations): at most 10 MB a file, buffered, fields beside them in `request.body`.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    limits: { fileSize: 10 * 1024 * 1024, files: 1000 },
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: 'portal.sid',
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax', maxAge: 8 * 3_600_000 },
    store: sessionStore(options.db),
    saveUninitialized: false,
  });
  // Every form carries a token (`_csrf`); posts check it in `preHandler`, once the form body is parsed.
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    // A multipart form's fields are objects ({ value }); a urlencoded form's are strings.
    getToken: (request) => {
      const token = (request.body as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : String((token as { value?: unknown } | undefined)?.value ?? '');
    },
  });

  const ctx = portalContext(options.guard, users(options.db));
  app.setErrorHandler(async (error, request, reply) => {
    if (isGuardError(error)) return ctx.refusal(request, reply, error);
    const t = texts(ctx.localeOf(request));
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      return ctx.html(reply, <MessagePage {...ctx.common(request, reply)} title={t.refused} message={t.csrf} />, 403);
    }
    request.log.error(error); // the details stay in the log, not on the page
    return ctx.html(reply, <MessagePage {...ctx.common(request, reply)} title={t.refused} message={t.failed} />, 500);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const t = texts(ctx.localeOf(request));
    return ctx.html(
      reply,
      <MessagePage {...ctx.common(request, reply)} title={t.notFound} message={t.notFound} />,
      404,
    );
  });

  app.get('/', async (_request, reply) => reply.redirect('/customers'));
  sessionRoutes(app, ctx);
  customerRoutes(app, ctx);
  approvalRoutes(app, ctx);
  riskRoutes(app, ctx);
  offboardingRoutes(app, ctx, options.filesDir);
  peopleRoutes(app, ctx, options.keys, options.lastWorkerRun ?? (() => null));
  return app;
}
