import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type BacktestReport,
  backtest,
  isGuardError,
  type LabelledSnapshot,
  labelledSnapshotSchema,
  type RuleCondition,
  type RulePack,
  type ValidationError,
} from '@guard/core';
import { choice, localeOf, noPositionals, optional, parse, required } from '../args.js';
import { openLines, packCheck, parseJsonLine, requirePack } from '../files.js';
import { commandHelp } from '../help.js';
import { exitCodes, invalidInput, issueLines, write } from '../io.js';
import { labelsFor } from '../labels.js';
import { progress } from '../progress.js';
import { renderBacktestHtml } from '../report-html.js';
import { renderBacktestText } from '../report-text.js';
import type { Context } from './context.js';
import { validLine } from './score.js';

const COMMAND = 'guard rules backtest';
const FORMATS = ['table', 'json', 'html'] as const;

function factsRead(c: RuleCondition, into: Set<string>): Set<string> {
  if ('all' in c) for (const x of c.all) factsRead(x, into);
  else if ('any' in c) for (const x of c.any) factsRead(x, into);
  else if ('not' in c) factsRead(c.not, into);
  else {
    into.add(c.fact);
    if (typeof c.value === 'object' && c.value !== null && !Array.isArray(c.value))
      into.add((c.value as { fact: string }).fact);
  }
  return into;
}

function packFacts(pack: RulePack): Set<string> {
  const facts = new Set<string>();
  for (const r of pack.rules) factsRead(r.conditions, facts);
  return facts;
}

/** `guard rules backtest --pack <p> --history <h.jsonl> [--baseline <p>]` */
export async function backtestCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    pack: { type: 'string' },
    history: { type: 'string' },
    baseline: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    progress: { type: 'boolean' },
    locale: { type: 'string' },
    settings: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.backtest);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const packSpec = required(COMMAND, parsed, 'pack', '<pack.json|builtin:id>');
  const file = required(COMMAND, parsed, 'history', '<labelled.jsonl>');
  const baselineSpec = optional(parsed, 'baseline');
  const out = optional(parsed, 'out');
  const byExtension = out?.endsWith('.html') ? 'html' : out?.endsWith('.json') ? 'json' : 'table';
  const format = choice(COMMAND, parsed, 'format', FORMATS, byExtension);
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);

  const check = await packCheck(ctx.cwd, optional(parsed, 'settings'), locale);
  const pack = await requirePack(ctx.cwd, packSpec, check);
  const baseline = baselineSpec === undefined ? undefined : await requirePack(ctx.cwd, baselineSpec, check);
  if (baseline && baseline.subject !== pack.subject) {
    throw invalidInput(
      `${baselineSpec}: the baseline ${baseline.id}@${baseline.version} scores ${baseline.subject}s but ${packSpec} (${pack.id}@${pack.version}) scores ${pack.subject}s; compare packs of the same subject`,
    );
  }

  const { size, bytesRead, lines } = await openLines(ctx.cwd, file, 'history');
  const bar = progress(
    ctx.stderr,
    parsed.values.progress === true || ctx.stderr.isTTY === true,
    size,
    bytesRead,
    'snapshots',
  );
  const wanted = packFacts(pack);
  let seen = false;
  let line = 0;
  let count = 0;
  async function* snapshots(): AsyncGenerator<LabelledSnapshot> {
    for await (const l of lines) {
      line = l.line;
      const snapshot = validLine<LabelledSnapshot>(
        file,
        l.line,
        labelledSnapshotSchema,
        parseJsonLine(file, l),
        locale,
        'history line',
      );
      if (!seen) for (const f of Object.keys(snapshot.facts)) if (wanted.has(f)) seen = true;
      yield snapshot;
      bar.tick(++count);
    }
  }
  let report: BacktestReport;
  try {
    report = await backtest(pack, snapshots(), { baseline });
  } catch (error) {
    if (isGuardError(error, 'VALIDATION_FAILED')) {
      const issues = (error as ValidationError).issues;
      // Issues with a snapshot index are about the line just read; the others about the whole file.
      const where = issues.some((i) => typeof i.path[0] === 'number') ? `${file}:${line}` : file;
      throw invalidInput(
        issueLines(
          where,
          issues.map((i) => ({ ...i, path: typeof i.path[0] === 'number' ? i.path.slice(1) : i.path })),
        ).join('\n'),
      );
    }
    throw error;
  } finally {
    bar.done(count);
  }
  if (!seen) {
    await write(
      ctx.stderr,
      `warning: no line of ${file} has any fact ${pack.id} reads (${[...wanted].join(', ')}); is it a history of ${pack.subject}s?\n`,
    );
  }

  const text =
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === 'html'
        ? renderBacktestHtml(report, labels)
        : renderBacktestText(report, labels);
  if (out === undefined) {
    await write(ctx.stdout, text);
    return exitCodes.ok;
  }
  const target = resolve(ctx.cwd, out);
  try {
    await writeFile(target, text, 'utf8');
  } catch (error) {
    throw invalidInput(
      `${out}: cannot write the report (${(error as { code?: string }).code ?? (error as Error).message}); check the directory exists and is writable`,
    );
  }
  await write(ctx.stderr, `wrote ${out} (${format}, ${Buffer.byteLength(text).toLocaleString('en-US')} bytes)\n`);
  return exitCodes.ok;
}
