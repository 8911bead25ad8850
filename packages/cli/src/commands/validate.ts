import { riskEvaluator } from '@guard/core';
import { localeOf, optional, parse } from '../args.js';
import { loadPack, packCheck } from '../files.js';
import { commandHelp } from '../help.js';
import { CliError, exitCodes, usage, write } from '../io.js';
import type { Context } from './context.js';

const COMMAND = 'guard rules validate';

/** `guard rules validate <pack>…` */
export async function validateCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, { locale: { type: 'string' }, settings: { type: 'string' } });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.validate);
    return exitCodes.ok;
  }
  const locale = localeOf(COMMAND, parsed, ctx.env);
  if (parsed.positionals.length === 0) {
    throw usage(`${COMMAND}: give at least one pack, e.g. ${COMMAND} flight-risk.json builtin:customer-churn`);
  }
  const check = await packCheck(ctx.cwd, optional(parsed, 'settings'), locale);
  let invalid = 0;
  let unreadable = 0;
  for (const spec of parsed.positionals) {
    let source: Awaited<ReturnType<typeof loadPack>>;
    try {
      source = await loadPack(ctx.cwd, spec, check);
    } catch (error) {
      // A missing file is a usage error; report it and go on with the other packs.
      if (!(error instanceof CliError)) throw error;
      unreadable++;
      await write(ctx.stderr, `${error.message}\n`);
      continue;
    }
    if (source.ok) {
      const { pack } = source;
      const mode = riskEvaluator(pack).compiled ? 'compiled' : 'interpreted';
      const rules = `${pack.rules.length} rule${pack.rules.length === 1 ? '' : 's'}`;
      await write(
        ctx.stdout,
        `ok ${pack.id}@${pack.version} (${rules}, ${mode})${spec.startsWith('builtin:') ? '' : `  ${spec}`}\n`,
      );
    } else {
      invalid++;
      await write(ctx.stdout, `${source.lines.join('\n')}\n`);
    }
  }
  if (invalid > 0 && parsed.positionals.length > 1) {
    await write(ctx.stderr, `${invalid} of ${parsed.positionals.length} packs are invalid\n`);
  }
  return unreadable > 0 ? exitCodes.usage : invalid > 0 ? exitCodes.invalid : exitCodes.ok;
}
