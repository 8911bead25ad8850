import { localeOf, noPositionals, optional, parse } from '../args.js';
import { databaseTarget, withStore } from '../database.js';
import { commandHelp } from '../help.js';
import { exitCodes, write } from '../io.js';
import { labelsFor } from '../labels.js';
import type { Context } from './context.js';

const COMMAND = 'guard migrate';

/** `guard migrate [--db <target>] [--table-prefix <p>]`: brings Guard's tables up to this version's schema. */
export async function migrateCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    db: { type: 'string' },
    'table-prefix': { type: 'string' },
    locale: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.migrate);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const labels = labelsFor(localeOf(COMMAND, parsed, ctx.env));
  const target = databaseTarget(optional(parsed, 'db'), ctx.env, ctx.cwd);
  const { applied, schemaVersion } = await withStore(target, optional(parsed, 'table-prefix'), (store) =>
    store.migrate(),
  );
  await write(ctx.stdout, `${labels.migrated(target.shown, applied.length, schemaVersion)}\n`);
  return exitCodes.ok;
}
