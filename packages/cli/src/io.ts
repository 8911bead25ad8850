import { formatPath, type ValidationIssue } from '@guard/core';

/**
 * Where the CLI writes: `process.stdout` / `process.stderr`, or anything with
 * a `write(string)` (tests collect the text). `isTTY` switches the progress
 * bar on; `once('drain')` lets long outputs wait for a slow pipe.
 *
 * @example
 * ```ts
 * import type { CliOutput } from '@guard/cli';
 * let text = '';
 * const out: CliOutput = { write: (chunk) => { text += chunk; return true; } };
 * ```
 */
export interface CliOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * The process around one {@link runCli} call: its output streams, the
 * directory relative paths start from (`process.cwd()` by default) and the
 * environment (`process.env` by default; `LANG`/`LC_ALL` pick the default
 * locale, `GUARD_DEBUG=1` adds stack traces to internal errors).
 *
 * @example
 * ```ts
 * import { runCli, type CliIo } from '@guard/cli';
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: '/data/packs', env: {} };
 * process.exitCode = await runCli(['rules', 'validate', 'flight-risk.json'], io);
 * ```
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The exit codes of `guard`:
 *
 * | code | name | meaning |
 * |---|---|---|
 * | 0 | `ok` | done; every pack valid |
 * | 1 | `invalid` | a pack or an input line is invalid (the messages say where), or an output file could not be written |
 * | 2 | `usage` | unknown command or option, a missing argument, a file that does not exist |
 * | 3 | `broken` | `guard audit verify`: the audit chain does not verify (the message says where it breaks) |
 * | 69 | `unavailable` | the database could not be opened or reached (`guard migrate`, `guard audit verify`) |
 * | 70 | `internal` | a bug in Guard; the message says so (`GUARD_DEBUG=1` prints the stack) |
 *
 * @example
 * ```ts
 * import { exitCodes, runCli } from '@guard/cli';
 * const code = await runCli(argv, io);
 * if (code === exitCodes.invalid) console.error('fix the pack');
 * ```
 */
export const exitCodes = Object.freeze({
  ok: 0,
  invalid: 1,
  usage: 2,
  broken: 3,
  unavailable: 69,
  internal: 70,
} as const);

/** A failure the CLI reports as a message (never a stack) and an exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Usage errors: exit 2. */
export function usage(message: string): CliError {
  return new CliError(exitCodes.usage, message);
}

/** Invalid input: exit 1. */
export function invalidInput(message: string): CliError {
  return new CliError(exitCodes.invalid, message);
}

/** `file: path: message` lines for validation issues. */
export function issueLines(prefix: string, issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => `${prefix}: ${i.path.length === 0 ? '' : `${formatPath(i.path)}: `}${i.message}`);
}

/** Writes, and waits for `drain` when the stream asks to (so a slow pipe never buffers everything). */
export async function write(out: CliOutput, text: string): Promise<void> {
  const ok = out.write(text);
  if (ok === false && typeof out.once === 'function') {
    await new Promise<void>((resolve) => out.once?.('drain', resolve));
  }
}
