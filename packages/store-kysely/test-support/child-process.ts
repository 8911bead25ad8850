/**
 * Child Node processes for the cross-process suites: each runs a script with
 * `node --conditions=@guard/source --import tsx`, says `ready` once it has
 * connected, waits for `go` on stdin, and prints its result as its last
 * line of JSON.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A running child: `ready` once it has connected, `result` (its last line, parsed) once it is done. */
export interface ReadyChild<R> {
  readonly ready: Promise<void>;
  readonly result: Promise<R>;
  go(): void;
}

/** Starts `script` with `args`; `label` names it in errors. */
export function startChild<R>(script: string, args: readonly string[], label: string): ReadyChild<R> {
  const child = spawn(process.execPath, ['--conditions=@guard/source', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const result = new Promise<R>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      markReady();
      if (code !== 0) {
        reject(new Error(`${label} exited with ${String(code)}:\n${err}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as R);
      } catch {
        reject(new Error(`${label} printed no result:\n${out}\n${err}`));
      }
    });
  });
  return { ready, result, go: () => child.stdin.end('go\n') };
}

/** Starts the children, lets them go together once all are ready, and returns their results in order. */
export async function raceChildren<R>(children: readonly ReadyChild<R>[]): Promise<R[]> {
  // Node and tsx take a while to start: the first one up must not do all the work alone.
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  return Promise.all(children.map((c) => c.result));
}
