import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type CustomSignal,
  defaultRulePacks,
  isGuardError,
  type Locale,
  parseInput,
  RULE_PACK_LIMITS,
  type RulePack,
  tenantSettingsSchema,
  type ValidationError,
  type ValidationIssue,
  validateRulePack,
} from '@guard/core';
import { type CliError, invalidInput, issueLines, usage } from './io.js';
import { findJsonSyntaxError } from './json-syntax.js';

const BUILTIN = 'builtin:';

/** The ids `builtin:<id>` accepts. */
export const builtinIds: readonly string[] = Object.values(defaultRulePacks).map((p) => p.id);

function ioProblem(file: string, path: string, error: unknown, what: string): CliError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return usage(`${file}: no such file (looked for ${path}); check the ${what} path`);
  if (code === 'EISDIR') return usage(`${file}: is a directory; give the ${what} file`);
  if (code === 'EACCES' || code === 'EPERM') return usage(`${file}: permission denied; check the file's permissions`);
  return usage(`${file}: cannot read it (${code ?? (error as Error).message})`);
}

/** The JSON of a file, or the syntax error with its line and column. */
export async function readJson(
  cwd: string,
  file: string,
  what: string,
  maxBytes: number = RULE_PACK_LIMITS.bytes,
): Promise<unknown> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    // A pack is at most 1 MB of compact JSON; allow generous indentation, refuse the absurd.
    if (info.size > maxBytes * 4) {
      throw invalidInput(
        `${file}: the file is ${info.size.toLocaleString('en')} bytes; a ${what} is at most ${maxBytes.toLocaleString('en')} bytes of JSON`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && error.name === 'CliError') throw error;
    throw ioProblem(file, path, error, what);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    const problem = findJsonSyntaxError(text);
    const { line, column, message } = problem ?? { line: 1, column: 1, message: 'cannot parse it' };
    throw invalidInput(`${file}:${line}:${column}: not valid JSON at line ${line}, column ${column}: ${message}`);
  }
}

/**
 * What packs are checked against: the language of the messages, and the
 * signal kinds a tenant declares (`--settings`), whose facts packs may read.
 */
export interface PackCheck {
  readonly locale: Locale;
  readonly customSignals: readonly CustomSignal[];
}

/**
 * The check for `--settings <file>`: the tenant settings JSON (as
 * `acme.settings.update` takes it), validated whole; its
 * `risk.customSignals` are the kinds packs may read. Without the option,
 * packs may read built-in facts only. A settings file that does not
 * validate is invalid input (exit 1) with every problem and its path.
 */
export async function packCheck(cwd: string, settingsFile: string | undefined, locale: Locale): Promise<PackCheck> {
  if (settingsFile === undefined) return { locale, customSignals: [] };
  const json = await readJson(cwd, settingsFile, 'tenant settings');
  try {
    const settings = parseInput(tenantSettingsSchema, json, { what: 'tenant settings', locale });
    return { locale, customSignals: settings.risk.customSignals };
  } catch (error) {
    if (!isGuardError(error, 'VALIDATION_FAILED')) throw error;
    throw invalidInput(issueLines(settingsFile, (error as ValidationError).issues).join('\n'));
  }
}

/** A pack argument: `builtin:<id>` or a JSON file. */
export type PackSource =
  | { readonly ok: true; readonly pack: RulePack; readonly label: string }
  | { readonly ok: false; readonly label: string; readonly lines: readonly string[] };

/**
 * Loads and validates a pack. A missing file or an unknown builtin is a
 * usage error (thrown); invalid JSON or an invalid pack comes back as lines.
 */
export async function loadPack(cwd: string, spec: string, check: PackCheck): Promise<PackSource> {
  if (spec.startsWith(BUILTIN)) {
    const id = spec.slice(BUILTIN.length);
    const pack = Object.values(defaultRulePacks).find((p) => p.id === id);
    if (!pack)
      throw usage(`${spec}: no such built-in pack; use one of ${builtinIds.map((x) => BUILTIN + x).join(', ')}`);
    return { ok: true, pack, label: spec };
  }
  let json: unknown;
  try {
    json = await readJson(cwd, spec, 'rule pack');
  } catch (error) {
    if (error instanceof Error && error.name === 'CliError' && (error as CliError).exitCode === 1) {
      return { ok: false, label: spec, lines: [error.message] };
    }
    throw error;
  }
  const result = validateRulePack(json, check);
  return result.ok
    ? { ok: true, pack: result.pack, label: spec }
    : { ok: false, label: spec, lines: packIssues(spec, result.issues) };
}

function packIssues(spec: string, issues: readonly ValidationIssue[]): string[] {
  return issueLines(spec, issues);
}

/** Loads a pack or throws (exit 1) with every problem. */
export async function requirePack(cwd: string, spec: string, check: PackCheck): Promise<RulePack> {
  const source = await loadPack(cwd, spec, check);
  if (!source.ok) throw invalidInput(source.lines.join('\n'));
  return source.pack;
}

/** One non-blank line of a JSONL file. */
export interface JsonLine {
  readonly line: number;
  readonly text: string;
}

/**
 * The non-blank lines of a JSONL file, streamed, with the file's size and
 * the bytes read so far (for progress).
 */
export async function openLines(
  cwd: string,
  file: string,
  what: string,
): Promise<{ size: number; bytesRead: () => number; lines: AsyncIterable<JsonLine> }> {
  const path = resolve(cwd, file);
  let handle: Awaited<ReturnType<typeof open>>;
  let size: number;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (info.isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
    size = info.size;
  } catch (error) {
    throw ioProblem(file, path, error, what);
  }
  const stream = handle.createReadStream({ encoding: 'utf8', highWaterMark: 1 << 16 });
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  async function* lines(): AsyncGenerator<JsonLine> {
    let n = 0;
    try {
      for await (const raw of reader) {
        n++;
        const text = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
        if (text.trim() === '') continue;
        yield { line: n, text };
      }
    } finally {
      reader.close();
      stream.destroy();
    }
  }
  return { size, bytesRead: () => stream.bytesRead, lines: lines() };
}

/** Parses one JSONL line, or throws `file:line: …` (exit 1). */
export function parseJsonLine(file: string, { line, text }: JsonLine): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const problem = findJsonSyntaxError(text);
    throw invalidInput(
      `${file}:${line}: not valid JSON${problem ? ` at column ${problem.column}: ${problem.message}` : ''} (each line must be one JSON object)`,
    );
  }
}
