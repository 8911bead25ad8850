/** @jsxRuntime automatic @jsxImportSource preact */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { isLocale } from '../i18n.js';
import { LoginPage } from '../views/login.js';

/** Login, logout and the language switch: the host's own business. */
export function sessionRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/login', async (request, reply) =>
    ctx.html(reply, <LoginPage {...ctx.common(request, reply)} failed={false} />),
  );

  app.post<{ Body: { username?: string; password?: string } }>(
    '/login',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      const user = await ctx.accounts.login(String(request.body.username ?? ''), String(request.body.password ?? ''));
      if (!user) return ctx.html(reply, <LoginPage {...ctx.common(request, reply)} failed={true} />, 401);
      const locale = request.session.locale;
      await request.session.regenerate(); // a new session id on login: no fixation
      request.session.userId = user.id;
      if (locale) request.session.locale = locale;
      return reply.redirect('/customers', 303);
    },
  );

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });

  app.post<{ Body: { locale?: string; back?: string } }>(
    '/language',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      const { locale, back } = request.body;
      if (isLocale(locale)) {
        request.session.locale = locale;
        const user = ctx.userOf(request);
        if (user) ctx.accounts.setLocale(user.id, locale);
      }
      // Only a path of this site: never an open redirect.
      return reply.redirect(typeof back === 'string' && /^\/(?!\/)/.test(back) ? back : '/', 303);
    },
  );
}
