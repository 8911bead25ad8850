import { rulePackJsonSchema } from '@guard/core';
import { noPositionals, parse } from '../args.js';
import { commandHelp } from '../help.js';
import { exitCodes, write } from '../io.js';
import type { Context } from './context.js';

const COMMAND = 'guard rules schema';

/** `guard rules schema` */
export async function schemaCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {});
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.schema);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  await write(ctx.stdout, `${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);
  return exitCodes.ok;
}
