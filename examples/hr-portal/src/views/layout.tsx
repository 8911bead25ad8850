/** @jsxRuntime automatic @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import type { PortalUser } from '../host-db.js';
import { type PortalLocale, texts } from '../i18n.js';

const STYLE = `
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; background: #243b53; color: #fff; }
header a, header button { color: #fff; }
header .spacer { flex: 1; }
header form { display: inline; }
header button { background: none; border: 1px solid #fff6; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #e4e7eb; }
th { background: #f0f4f8; }
nav.tabs a { margin-right: 1rem; }
nav.tabs a[aria-current="page"] { font-weight: bold; text-decoration: none; }
.notice { background: #fffbea; border-left: 4px solid #f0b429; padding: .5rem 1rem; margin: 1rem 0; }
.error { background: #ffe3e3; border-left: 4px solid #e12d39; padding: .5rem 1rem; margin: 1rem 0; }
.flash { background: #e3f9e5; border-left: 4px solid #3ebd93; padding: .5rem 1rem; margin: 1rem 0; }
.muted { color: #829ab1; }
.band-alert { color: #cf1124; font-weight: bold; }
.band-watch { color: #cb6e17; }
.band-normal { color: #829ab1; }
canvas.chart { background: #fff; max-height: 16rem; }
.actions { display: flex; flex-wrap: wrap; gap: 1.5rem; margin: 1rem 0; }
.actions form { background: #fff; padding: .75rem 1rem; display: grid; gap: .5rem; min-width: 16rem; }
td form { display: inline-flex; gap: .25rem; margin-right: .5rem; }
.masked { font-family: ui-monospace, monospace; }
form.login { background: #fff; max-width: 20rem; margin: 4rem auto; padding: 1.5rem; display: grid; gap: .75rem; }
`;

/** A message shown once, on the page after a form. */
export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

export interface PageProps {
  readonly locale: PortalLocale;
  readonly title: string;
  readonly user: PortalUser | null;
  /** The CSRF token for the header's forms (log out, language). */
  readonly csrf: string | null;
  /** The page's path, to come back to after switching the language. */
  readonly path: string;
  readonly flash?: Flash | null;
  readonly children: ComponentChildren;
}

export function Layout({ locale, title, user, csrf, path, flash, children }: PageProps) {
  const t = texts(locale);
  const other = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t.product}`}</title>
        {/* A constant of this file, not user input: safe to insert as is. */}
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header>
          <strong>{t.product}</strong>
          {user && <a href="/customers">{t.customers}</a>}
          {user && <a href="/approvals">{t.approvals}</a>}
          {user && <a href="/exports">{t.exports}</a>}
          {user && <a href="/risk">{t.risk}</a>}
          {user && <a href="/alerts">{t.alerts}</a>}
          {user && <a href="/offboarding">{t.offboarding}</a>}
          {user && <a href="/me">{t.mine}</a>}
          {user && <a href="/audit">{t.audit}</a>}
          {user && <a href="/operations">{t.operations}</a>}
          <span class="spacer" />
          {user && <span>{t.signedInAs(user.displayName)}</span>}
          <form method="post" action="/language">
            <input type="hidden" name="_csrf" value={csrf ?? ''} />
            <input type="hidden" name="locale" value={other} />
            <input type="hidden" name="back" value={path} />
            <button type="submit" lang={other}>
              {t.language}
            </button>
          </form>
          {user && (
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={csrf ?? ''} />
              <button type="submit">{t.logout}</button>
            </form>
          )}
        </header>
        <main>
          {flash && (
            <p class={flash.kind === 'ok' ? 'flash' : 'error'} role="status">
              {flash.text}
            </p>
          )}
          {children}
        </main>
        <footer class="muted" style="text-align:center;margin:2rem">
          {t.tagline}
        </footer>
      </body>
    </html>
  );
}
