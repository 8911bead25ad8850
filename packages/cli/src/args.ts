import { parseArgs } from 'node:util';
import { isLocale, type Locale } from '@guard/core';
import { usage } from './io.js';

/** The option kinds the commands use. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: false }>;

/** Parsed options: strings and booleans by name, and the positionals. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** `parseArgs`, strict, with its errors reworded as usage errors that say what to run. */
export function parse(command: string, args: readonly string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
      const known = Object.keys(options).map((o) => `--${o}`);
      throw usage(
        `${command}: unknown option ${option}${known.length > 0 ? `; the options are ${[...known, '--help'].join(', ')}` : ''} (see ${command} --help)`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
      throw usage(`${command}: ${option} needs a value (see ${command} --help)`);
    }
    throw usage(`${command}: ${message.split('. ')[0]} (see ${command} --help)`);
  }
}

/** A string option, required. */
export function required(command: string, parsed: Parsed, name: string, placeholder: string): string {
  const value = parsed.values[name];
  if (typeof value !== 'string' || value === '')
    throw usage(`${command}: missing --${name} ${placeholder} (see ${command} --help)`);
  return value;
}

/** A string option, optional. */
export function optional(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** One of `choices`, or `fallback` when absent. */
export function choice<T extends string>(
  command: string,
  parsed: Parsed,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = optional(parsed, name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw usage(`${command}: --${name} must be ${choices.join(' or ')}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** No positionals allowed. */
export function noPositionals(command: string, parsed: Parsed): void {
  if (parsed.positionals.length > 0) {
    throw usage(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[0])} (see ${command} --help)`);
  }
}

/** `--locale`, else `LC_ALL` / `LC_MESSAGES` / `LANG` starting with `zh` → `zh-CN`, else `en`. */
export function localeOf(command: string, parsed: Parsed, env: Readonly<Record<string, string | undefined>>): Locale {
  const value = optional(parsed, 'locale');
  if (value !== undefined) {
    if (!isLocale(value)) throw usage(`${command}: --locale must be en or zh-CN, not ${JSON.stringify(value)}`);
    return value;
  }
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(lang) ? 'zh-CN' : 'en';
}

/**
 * A number option within bounds, or `fallback` when absent; anything else is
 * a usage error naming the bounds (and the unit, e.g. "seconds").
 */
export function numberOption(
  command: string,
  parsed: Parsed,
  name: string,
  fallback: number,
  bounds: { min: number; max: number; whole: boolean; unit?: string },
): number {
  const text = optional(parsed, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  const outside = !Number.isFinite(n) || (bounds.whole && !Number.isInteger(n)) || n < bounds.min || n > bounds.max;
  if (text.trim() === '' || outside) {
    const kind = `${bounds.whole ? 'a whole number' : 'a number'}${bounds.unit ? ` of ${bounds.unit}` : ''}`;
    throw usage(
      `${command}: --${name} must be ${kind} from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}
