import { readFileSync } from 'node:fs';
import { didYouMean, isGuardError } from '@guard/core';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { backtestCommand } from './commands/backtest.js';
import type { Context } from './commands/context.js';
import { evidenceVerifyCommand } from './commands/evidence-verify.js';
import { migrateCommand } from './commands/migrate.js';
import { schemaCommand } from './commands/schema.js';
import { scoreCommand } from './commands/score.js';
import { simulateCommand } from './commands/simulate.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { commandHelp, mainHelp, rulesHelp } from './help.js';
import { type CliIo, exitCodes, usage, write } from './io.js';

const COMMANDS = {
  validate: validateCommand,
  score: scoreCommand,
  backtest: backtestCommand,
  schema: schemaCommand,
} as const;

/**
 * `guard <group> <verb>` for a group of one verb: runs it, prints the group's
 * help for `--help` (or to stderr, a usage error, without a verb), and names
 * the verb for any other.
 */
function verbOnly(
  group: 'audit' | 'evidence',
  verb: string,
  command: (args: readonly string[], ctx: Context) => Promise<number>,
) {
  return async (args: readonly string[], ctx: Context): Promise<number> => {
    const [sub, ...rest] = args;
    if (sub === verb) return command(rest, ctx);
    if (sub === undefined || sub === '--help' || sub === '-h') {
      await write(sub === undefined ? ctx.stderr : ctx.stdout, commandHelp[group]);
      return sub === undefined ? exitCodes.usage : exitCodes.ok;
    }
    throw usage(
      `unknown command "guard ${group} ${sub}"; the command is guard ${group} ${verb} (see guard ${group} --help)`,
    );
  };
}

/** Commands outside `guard rules`. */
const TOP_LEVEL = {
  simulate: simulateCommand,
  migrate: migrateCommand,
  worker: workerCommand,
  audit: verbOnly('audit', 'verify', auditVerifyCommand),
  evidence: verbOnly('evidence', 'verify', evidenceVerifyCommand),
} as const;

function version(): string {
  try {
    // src/ and dist/ both sit one level below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function dispatch(argv: readonly string[], ctx: Context): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    await write(first === undefined ? ctx.stderr : ctx.stdout, mainHelp);
    return first === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (first === '--version' || first === '-v' || first === '-V') {
    await write(ctx.stdout, `${version()}\n`);
    return exitCodes.ok;
  }
  if (Object.hasOwn(TOP_LEVEL, first)) return TOP_LEVEL[first as keyof typeof TOP_LEVEL](rest, ctx);
  if (first !== 'rules') {
    const hint = didYouMean(first, ['rules', ...Object.keys(TOP_LEVEL)]) ?? (first in COMMANDS ? 'rules' : null);
    throw usage(
      `unknown command ${JSON.stringify(first)}${hint === 'rules' ? `; did you mean guard rules${first in COMMANDS ? ` ${first}` : ''}?` : hint ? `; did you mean guard ${hint}?` : ''} (see guard --help)`,
    );
  }
  const [command, ...args] = rest;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && args[0] !== undefined && args[0] in COMMANDS) {
      await write(ctx.stdout, commandHelp[args[0] as keyof typeof COMMANDS]);
      return exitCodes.ok;
    }
    await write(command === undefined ? ctx.stderr : ctx.stdout, rulesHelp);
    return command === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    const hint = didYouMean(command, Object.keys(COMMANDS));
    throw usage(
      `unknown command "guard rules ${command}"${hint ? `; did you mean guard rules ${hint}?` : `; the commands are ${Object.keys(COMMANDS).join(', ')}`} (see guard rules --help)`,
    );
  }
  return COMMANDS[command as keyof typeof COMMANDS](args, ctx);
}

/**
 * Runs the `guard` command line in-process and resolves to its exit code;
 * it never calls `process.exit` and never throws. Messages go to
 * `io.stderr` — a message that says what was wrong and what to do, never a
 * stack trace (set `GUARD_DEBUG=1` in `io.env` to see one for internal
 * errors). Exit codes are in {@link exitCodes}.
 *
 * Commands (see `guard --help` and the README):
 *
 * - `guard rules validate <pack.json|builtin:id>…`
 * - `guard rules score --pack <p> --facts <facts.jsonl> [--format table|json] [--explain] [--locale en|zh-CN]`
 * - `guard rules backtest --pack <p> --history <labelled.jsonl> [--baseline <p>] [--format table|json|html] [--out <file>] [--progress] [--locale en|zh-CN]`
 * - `guard rules schema`
 * - `guard simulate --out <dir> [--seed N] [--scale S] [--months M] [--locale en|zh-CN]`
 * - `guard migrate [--db <file|url>] [--table-prefix <p>]`
 * - `guard audit verify --tenant <id> [--db <file|url>] [--keys <keys.json>] [--table-prefix <p>]`
 * - `guard evidence verify <pack.json> [--public-key <pem> | --keys <keys.json>]`
 * - `guard worker --deliver <url> [--once] [--every <s>] [--db <file|url>] [--keys <keys.json>]`
 *
 * @param argv - the arguments after the program name (`process.argv.slice(2)`)
 *
 * @example
 * ```ts
 * import { runCli } from '@guard/cli';
 * let out = '';
 * const code = await runCli(['rules', 'validate', 'builtin:customer-churn'], {
 *   stdout: { write: (s) => { out += s; return true; } },
 *   stderr: process.stderr,
 * });
 * // code === 0, out === 'ok customer-churn@1.0.0 (5 rules, compiled)\n'
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const ctx: Context = { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd ?? process.cwd(), env };
  try {
    return await dispatch(argv, ctx);
  } catch (error) {
    if (error instanceof Error && error.name === 'CliError') {
      await write(ctx.stderr, `${error.message}\n`);
      return (error as Error & { exitCode: number }).exitCode;
    }
    // Guard refused a value the user gave (an id on the command line, a field of a file): their input, not a bug.
    if (isGuardError(error, 'VALIDATION_FAILED')) {
      await write(ctx.stderr, `${error.message}\n`);
      return exitCodes.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    await write(
      ctx.stderr,
      `internal error: ${message}\nThis is a bug in Guard; please report it with the command you ran${env.GUARD_DEBUG ? '' : ' (set GUARD_DEBUG=1 to print the stack)'}.\n`,
    );
    if (env.GUARD_DEBUG && error instanceof Error && error.stack) await write(ctx.stderr, `${error.stack}\n`);
    return exitCodes.internal;
  }
}
