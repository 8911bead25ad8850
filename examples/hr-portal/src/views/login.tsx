/** @jsxRuntime automatic @jsxImportSource preact */
import { texts } from '../i18n.js';
import { Layout, type PageProps } from './layout.js';

export function LoginPage(props: Omit<PageProps, 'title' | 'children' | 'user'> & { failed: boolean }) {
  const t = texts(props.locale);
  return (
    <Layout {...props} title={t.login} user={null}>
      <form class="login" method="post" action="/login">
        <h1>{t.login}</h1>
        {props.failed && (
          <p class="error" role="alert">
            {t.badLogin}
          </p>
        )}
        <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
        <label>
          {t.username} <input name="username" autoComplete="username" required />
        </label>
        <label>
          {t.password} <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit">{t.login}</button>
      </form>
    </Layout>
  );
}
