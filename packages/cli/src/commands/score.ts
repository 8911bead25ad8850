import {
  type FactsLine,
  factsLineSchema,
  type InputName,
  isGuardError,
  type Locale,
  parseInput,
  type RiskBand,
  type RiskScore,
  riskEvaluator,
  type ValidationError,
} from '@guard/core';
import { choice, localeOf, noPositionals, optional, parse, required } from '../args.js';
import { openLines, packCheck, parseJsonLine, requirePack } from '../files.js';
import { commandHelp } from '../help.js';
import { exitCodes, invalidInput, issueLines, write } from '../io.js';
import { type Labels, labelsFor, pad, printable } from '../labels.js';
import type { Context } from './context.js';

const COMMAND = 'guard rules score';
const SUBJECT_WIDTH = 20;
const TOP_RULES = 3;

/** Validates one parsed line or throws `file:line: path: message` (exit 1). */
export function validLine<T>(
  file: string,
  line: number,
  schema: Parameters<typeof parseInput>[0],
  json: unknown,
  locale: Locale,
  what: InputName,
): T {
  try {
    return parseInput(schema, json, { what, locale }) as T;
  } catch (error) {
    if (isGuardError(error, 'VALIDATION_FAILED')) {
      throw invalidInput(issueLines(`${file}:${line}`, (error as ValidationError).issues).join('\n'));
    }
    throw error;
  }
}

function tableRow(subject: string, s: RiskScore, labels: Labels): string {
  const top = s.fired.slice(0, TOP_RULES).map((f) => `${f.rule} +${f.points}`);
  if (s.fired.length > TOP_RULES) top.push(labels.moreRules(s.fired.length - TOP_RULES));
  return `${pad(printable(subject), SUBJECT_WIDTH)}  ${pad(String(s.score), 5, 'right')}  ${pad(labels.band[s.band], 6)}  ${top.join(', ') || '–'}`.trimEnd();
}

function explanationLines(s: RiskScore, locale: Locale): string[] {
  const lines = s.fired.map(
    (f) => `    ${pad(`+${f.points}`, 5, 'right')}  ${printable(f.explanation[locale])}  [${f.rule}]`,
  );
  for (const m of s.modifiers) lines.push(`    ${pad('×', 5, 'right')}  ${m}`);
  return lines;
}

function jsonRow(line: FactsLine, s: RiskScore, locale: Locale, explain: boolean): string {
  return JSON.stringify({
    subject: line.subject,
    ...(line.at === undefined ? {} : { at: line.at }),
    pack: s.pack,
    score: s.score,
    band: s.band,
    fired: s.fired.map((f) => ({
      rule: f.rule,
      points: f.points,
      explanation: f.explanation[locale],
      ...(explain ? { weight: f.weight, tags: f.tags, facts: f.facts } : {}),
    })),
    modifiers: s.modifiers,
  });
}

/** `guard rules score --pack <p> --facts <f.jsonl>` */
export async function scoreCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    pack: { type: 'string' },
    facts: { type: 'string' },
    format: { type: 'string' },
    explain: { type: 'boolean' },
    locale: { type: 'string' },
    settings: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.score);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const packSpec = required(COMMAND, parsed, 'pack', '<pack.json|builtin:id>');
  const file = required(COMMAND, parsed, 'facts', '<facts.jsonl>');
  const format = choice(COMMAND, parsed, 'format', ['table', 'json'] as const, 'table');
  const explain = parsed.values.explain === true;
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);

  const pack = await requirePack(ctx.cwd, packSpec, await packCheck(ctx.cwd, optional(parsed, 'settings'), locale));
  const evaluator = riskEvaluator(pack);
  const { lines } = await openLines(ctx.cwd, file, 'facts');
  const bands: Record<RiskBand, number> = { alert: 0, watch: 0, normal: 0 };
  let n = 0;
  for await (const line of lines) {
    const facts = validLine<FactsLine>(
      file,
      line.line,
      factsLineSchema,
      parseJsonLine(file, line),
      locale,
      'facts line',
    );
    const s = evaluator.scoreSync ? evaluator.scoreSync(facts.facts) : await evaluator.score(facts.facts);
    if (n === 0 && format === 'table') {
      const [subject, score, band, rules] = labels.scoreHeader;
      await write(ctx.stdout, `${pad(subject, SUBJECT_WIDTH)}  ${pad(score, 5, 'right')}  ${pad(band, 6)}  ${rules}\n`);
    }
    n++;
    bands[s.band]++;
    if (format === 'json') await write(ctx.stdout, `${jsonRow(facts, s, locale, explain)}\n`);
    else {
      const out = [tableRow(facts.subject, s, labels), ...(explain ? explanationLines(s, locale) : [])];
      await write(ctx.stdout, `${out.join('\n')}\n`);
    }
  }
  if (n === 0) {
    throw invalidInput(
      `${file}: no facts to score; give one JSON object per line, e.g. {"subject":"e-7","facts":{"exports30d":640}}`,
    );
  }
  if (format === 'table') await write(ctx.stdout, `\n${labels.scored(n, bands)}\n`);
  return exitCodes.ok;
}
