/** @jsxRuntime automatic @jsxImportSource preact */
import { Layout, type PageProps } from './layout.js';

/** A page that only says something: a refusal, a missing page. */
export function MessagePage(props: Omit<PageProps, 'children'> & { message: string; hint?: string; back?: string }) {
  return (
    <Layout {...props}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.message}
      </p>
      {props.hint && <p>{props.hint}</p>}
      {props.back && <a href="/customers">{props.back}</a>}
    </Layout>
  );
}
