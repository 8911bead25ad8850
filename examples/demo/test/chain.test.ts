import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run demo` as a user runs it: the process in the demo's folder (its
// tsconfig is the one tsx compiles the portal's pages with), the chain
// company seeded, the story told and its claims checked, then the portal
// served. About a minute and a half.
const demoDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGINT');
});

/** Starts the demo and resolves with its output once the portal's address is printed. */
function startDemo(args: string[]): Promise<{ output: string; url: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--conditions=@guard/source', '--import', 'tsx', 'src/main.ts', ...args], {
      cwd: demoDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /HR 门户：(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      if (url) resolve({ output, url });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the demo exited (${code}) before serving:\n${output}`)));
  });
}

describe('the demo (npm run demo)', () => {
  it('tells a true story of the chain company in Chinese, then serves the HR portal on it', async () => {
    const { output, url } = await startDemo(['--locale', 'zh-CN', '--port', '0']);
    expect(output).toMatch(/总部与 3 家分公司、63 名员工、3,021 个客户/);
    expect(output).toMatch(/发出警报——比她 \S+ 提出离职早 \d+ 天/);
    expect(output).toContain('没有「客户数据外泄」警报');
    expect(output).toContain('✔ 演示完成');
    // The story is for a Chinese reader: no English words outside names and codes.
    const story = output.slice(0, output.indexOf('HR 门户'));
    expect(story).not.toMatch(/\b(closed|frozen|alert|customers?|the|signals?)\b/);

    // The portal answers, its pages rendered (the login form), and a login lands on the customer list.
    const login = await fetch(new URL('login', url));
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('name="username"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const signedIn = await fetch(new URL('login', url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ username: 'zhaomin', password: 'guard-demo', _csrf: csrf }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/customers');
  }, 600_000);
});
