import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake's route answers: a status, a JSON body (or raw text) and extra headers. */
export interface FakeAnswer {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request as a fake's router sees it. */
export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * One call a fake server answered, for tests that check what a connector
 * sent: the route's name, the HTTP status, and how many records the call
 * carried (a batch update's size; `undefined` for others).
 *
 * @example
 * ```ts
 * import type { FakeCall } from '@guard/testkit/fakes';
 * const call: FakeCall = { route: 'update', status: 200, records: 200 };
 * ```
 */
export interface FakeCall {
  readonly route: string;
  readonly status: number;
  readonly records?: number | undefined;
}

/** A fault waiting in a fake: applies to the next `times` calls of its route (every route when `on` is absent). */
interface Armed<F> {
  fault: F;
  left: number;
}

/** Faults injected into a fake, taken by the calls they apply to, in the order they were injected. */
export class FaultQueue<F extends { readonly on?: string | undefined; readonly times?: number | undefined }> {
  readonly #armed: Armed<F>[] = [];

  add(fault: F): void {
    const times = fault.times ?? 1;
    if (!Number.isSafeInteger(times) || times < 1)
      throw new RangeError(`fault.times must be a positive integer, got ${times}`);
    this.#armed.push({ fault, left: times });
  }

  /** The first fault armed for `route` (or for every route), used up by this call; `undefined` when none is. */
  take(route: string, accepts: (fault: F) => boolean = () => true): F | undefined {
    const index = this.#armed.findIndex((a) => (a.fault.on === undefined || a.fault.on === route) && accepts(a.fault));
    const armed = this.#armed[index];
    if (!armed) return undefined;
    armed.left -= 1;
    if (armed.left === 0) this.#armed.splice(index, 1);
    return armed.fault;
  }

  clear(): void {
    this.#armed.length = 0;
  }
}

/** A loopback HTTP server for a fake; `route` names a call for the log, `handle` answers it. */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, answer: FakeAnswer) => {
  const body = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.json !== undefined) headers['content-type'] = 'application/json;charset=UTF-8';
  res.writeHead(answer.status, headers);
  res.end(body);
};

/**
 * What a fake's handler may answer instead of a response: wait first
 * (a slow answer), or drop the connection without answering.
 */
export type FakeOutcome =
  | FakeAnswer
  | { readonly drop: true }
  | { readonly delayMs: number; readonly answer: FakeAnswer };

/**
 * Starts a server on 127.0.0.1 at a free port. Every request is read
 * whole and handed to `handle`; a handler that throws answers 500 with the
 * error's message, so a bug in a fake shows in the test that met it.
 */
export async function startLoopback(handle: (request: FakeRequest) => Promise<FakeOutcome>): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const outcome = await handle({ method: req.method ?? 'GET', url, headers: req.headers, body });
        if ('drop' in outcome) {
          req.socket.destroy();
          return;
        }
        if ('delayMs' in outcome) {
          await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
          if (!res.destroyed) send(res, outcome.answer);
          return;
        }
        send(res, outcome);
      } catch (error) {
        send(res, { status: 500, text: `fake server error: ${(error as Error).stack ?? String(error)}` });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** How many records a batch call carries: the length of the array `field` of its JSON body; `undefined` when it has none. */
export function recordsIn(body: string, field: string): number | undefined {
  try {
    const records = (JSON.parse(body) as Record<string, unknown> | null)?.[field];
    return Array.isArray(records) ? records.length : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers one call with the transport faults every fake has — `drop`
 * closes the connection without an answer (logged as status 0), `slow`
 * sends `answer()` `delayMs` later — and logs the status it answered.
 */
export function answerCall(
  fault: { readonly kind: string; readonly delayMs?: number } | undefined,
  log: (status: number) => void,
  answer: () => FakeAnswer,
): FakeOutcome {
  if (fault?.kind === 'drop') {
    log(0);
    return { drop: true };
  }
  const result = answer();
  log(result.status);
  return fault?.kind === 'slow' && fault.delayMs !== undefined ? { delayMs: fault.delayMs, answer: result } : result;
}
