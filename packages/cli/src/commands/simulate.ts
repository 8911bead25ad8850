import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { type HistoryPurpose, labelledHistory, simulateSalesOrg, toJsonl } from '@guard/testkit/simulation';
import { localeOf, noPositionals, numberOption, parse, required } from '../args.js';
import { commandHelp } from '../help.js';
import { exitCodes, usage, write } from '../io.js';
import { labelsFor } from '../labels.js';
import type { Context } from './context.js';

const COMMAND = 'guard simulate';

/** The default organisation, which `--scale` multiplies: 6 branches of 25 reps, 20 customers each. */
const BASE = { branches: 6, repsPerBranch: 25, customersPerRep: 20 } as const;

/** The histories written, one per purpose: file, subject, what is positive, how often a snapshot is taken. */
const HISTORIES: readonly (readonly [string, 'employee' | 'customer', HistoryPurpose, 'week' | 'month'])[] = [
  ['employees-poaching.jsonl', 'employee', 'poaching', 'week'],
  ['employees-leaving.jsonl', 'employee', 'leaving', 'week'],
  ['customers-diversion.jsonl', 'customer', 'diversion', 'month'],
  ['customers-churn.jsonl', 'customer', 'churn', 'month'],
];

/**
 * `guard simulate --out <dir> [--seed N] [--scale S] [--months M]`: a
 * simulated sales organisation's labelled histories, one JSONL file per
 * purpose, ready for `guard rules backtest`.
 */
export async function simulateCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    seed: { type: 'string' },
    scale: { type: 'string' },
    months: { type: 'string' },
    out: { type: 'string' },
    locale: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.simulate);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);
  const out = required(COMMAND, parsed, 'out', '<dir>');
  const seed = numberOption(COMMAND, parsed, 'seed', 42, { min: 0, max: 2 ** 32 - 1, whole: true });
  const scale = numberOption(COMMAND, parsed, 'scale', 1, { min: 0.1, max: 10, whole: false });
  const months = numberOption(COMMAND, parsed, 'months', 24, { min: 6, max: 60, whole: true });
  const branches = Math.max(1, Math.round(BASE.branches * scale));

  const started = performance.now();
  const sim = simulateSalesOrg({ seed, months, ...BASE, branches });
  const staff = sim.employees.length;
  const customers = sim.customers.length;
  const dir = resolve(ctx.cwd, out);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw usage(`${out}: cannot create the folder (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  await write(ctx.stdout, `${labels.simulated(seed, branches, staff, customers, months)}\n`);
  for (const [name, subject, purpose, every] of HISTORIES) {
    const rows = labelledHistory(sim, { subject, purpose, every });
    const subjects = new Set(rows.map((r) => r.subject)).size;
    const positives = new Set(rows.filter((r) => r.label.positive).map((r) => r.subject)).size;
    const file = join(dir, name);
    await writeFile(file, toJsonl(rows));
    const shown = relative(ctx.cwd, file) || file;
    await write(
      ctx.stdout,
      `  ${labels.wroteHistory(shown, rows.length, subjects, labels.subjects[subject], positives)}\n`,
    );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const poaching = relative(ctx.cwd, join(dir, 'employees-poaching.jsonl'));
  await write(ctx.stdout, `${labels.simulatedIn(seconds)}\n${labels.tryNext(poaching)}\n`);
  return exitCodes.ok;
}
