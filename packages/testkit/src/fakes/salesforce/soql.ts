/**
 * The part of SOQL the fake Salesforce understands: `SELECT f, … FROM Type
 * [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n]`, with
 * `AND`, `OR`, `NOT`, parentheses, `= != < <= > >=`, `IN (…)`, `NOT IN (…)`,
 * and string, number, boolean, `null`, date and datetime literals. What it
 * does not understand is a `MALFORMED_QUERY`, as on Salesforce.
 */

export type SoqlValue = string | number | boolean | null | { readonly date: string } | { readonly datetime: number };

export type SoqlCondition =
  | { readonly kind: 'and' | 'or'; readonly parts: readonly SoqlCondition[] }
  | { readonly kind: 'not'; readonly part: SoqlCondition }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly op: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly value: SoqlValue;
    }
  | { readonly kind: 'in'; readonly field: string; readonly negated: boolean; readonly values: readonly SoqlValue[] };

export interface SoqlQuery {
  readonly fields: readonly string[];
  readonly from: string;
  readonly where: SoqlCondition | null;
  readonly orderBy: readonly { readonly field: string; readonly desc: boolean; readonly nullsLast: boolean }[];
  readonly limit: number | null;
}

/** A query the fake cannot read: answered as `MALFORMED_QUERY`. */
export class SoqlSyntaxError extends Error {}

type Token =
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number }
  | { readonly t: 'date'; readonly v: string }
  | { readonly t: 'datetime'; readonly v: number }
  | { readonly t: 'punct'; readonly v: string };

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) throw new SoqlSyntaxError('unterminated string literal');
        if (d === "'") break;
        if (d === '\\') {
          const escaped = ESCAPES[text[i + 1] ?? ''];
          if (escaped === undefined) throw new SoqlSyntaxError(`invalid escape sequence \\${text[i + 1] ?? ''}`);
          value += escaped;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ t: 'string', v: value });
      continue;
    }
    const rest = text.slice(i);
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      tokens.push({ t: 'datetime', v: Date.parse(datetime[0]) });
      i += datetime[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ t: 'date', v: date[0] });
      i += date[0].length;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ t: 'number', v: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (word) {
      tokens.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    const punct = /^(?:!=|<=|>=|<>|[=<>(),])/.exec(rest);
    if (punct) {
      tokens.push({ t: 'punct', v: punct[0] === '<>' ? '!=' : punct[0] });
      i += punct[0].length;
      continue;
    }
    throw new SoqlSyntaxError(`unexpected character '${c}'`);
  }
  return tokens;
}

/** Reads a query of the fake's SOQL subset; throws `SoqlSyntaxError` for anything else. */
export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string, token = peek()) => token?.t === 'word' && token.v.toUpperCase() === word;
  const expectWord = (word: string) => {
    if (!isWord(word)) throw new SoqlSyntaxError(`expecting ${word}, found '${describe(peek())}'`);
    at++;
  };
  const expectPunct = (punct: string) => {
    const token = peek();
    if (token?.t !== 'punct' || token.v !== punct)
      throw new SoqlSyntaxError(`expecting '${punct}', found '${describe(token)}'`);
    at++;
  };
  const name = (): string => {
    const token = peek();
    if (token?.t !== 'word') throw new SoqlSyntaxError(`expecting a field name, found '${describe(token)}'`);
    at++;
    return token.v;
  };
  const value = (): SoqlValue => {
    const token = peek();
    at++;
    switch (token?.t) {
      case 'string':
      case 'number':
        return token.v;
      case 'date':
        return { date: token.v };
      case 'datetime':
        return { datetime: token.v };
      case 'word': {
        const word = token.v.toUpperCase();
        if (word === 'NULL') return null;
        if (word === 'TRUE') return true;
        if (word === 'FALSE') return false;
        break;
      }
    }
    throw new SoqlSyntaxError(`expecting a value, found '${describe(token)}'`);
  };
  const factor = (): SoqlCondition => {
    if (isWord('NOT')) {
      at++;
      return { kind: 'not', part: factor() };
    }
    const token = peek();
    if (token?.t === 'punct' && token.v === '(') {
      at++;
      const inner = expression();
      expectPunct(')');
      return inner;
    }
    const field = name();
    const negated = isWord('NOT');
    if (negated) at++;
    if (isWord('IN')) {
      at++;
      expectPunct('(');
      const values = [value()];
      while (peek()?.t === 'punct' && peek()?.v === ',') {
        at++;
        values.push(value());
      }
      expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    if (negated) throw new SoqlSyntaxError(`expecting IN after NOT, found '${describe(peek())}'`);
    const op = peek();
    if (op?.t !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      throw new SoqlSyntaxError(`expecting an operator, found '${describe(op)}'`);
    }
    at++;
    return { kind: 'compare', field, op: op.v as '=' | '!=' | '<' | '<=' | '>' | '>=', value: value() };
  };
  const chain = (word: 'AND' | 'OR', part: () => SoqlCondition): SoqlCondition => {
    const parts = [part()];
    while (isWord(word)) {
      at++;
      parts.push(part());
    }
    return parts.length === 1 ? (parts[0] as SoqlCondition) : { kind: word === 'AND' ? 'and' : 'or', parts };
  };
  const term = () => chain('AND', factor);
  const expression = () => chain('OR', term);

  expectWord('SELECT');
  const fields = [name()];
  while (peek()?.t === 'punct' && peek()?.v === ',') {
    at++;
    fields.push(name());
  }
  expectWord('FROM');
  const from = name();
  let where: SoqlCondition | null = null;
  if (isWord('WHERE')) {
    at++;
    where = expression();
  }
  const orderBy: { field: string; desc: boolean; nullsLast: boolean }[] = [];
  if (isWord('ORDER')) {
    at++;
    expectWord('BY');
    do {
      if (orderBy.length > 0) at++;
      const field = name();
      let desc = false;
      if (isWord('ASC') || isWord('DESC')) {
        desc = isWord('DESC');
        at++;
      }
      let nullsLast = desc;
      if (isWord('NULLS')) {
        at++;
        nullsLast = isWord('LAST');
        if (!isWord('LAST') && !isWord('FIRST'))
          throw new SoqlSyntaxError(`expecting FIRST or LAST, found '${describe(peek())}'`);
        at++;
      }
      orderBy.push({ field, desc, nullsLast });
    } while (peek()?.t === 'punct' && peek()?.v === ',');
  }
  let limit: number | null = null;
  if (isWord('LIMIT')) {
    at++;
    const token = peek();
    if (token?.t !== 'number' || !Number.isSafeInteger(token.v) || token.v < 0) {
      throw new SoqlSyntaxError(`expecting a number after LIMIT, found '${describe(token)}'`);
    }
    limit = token.v;
    at++;
  }
  if (at < tokens.length) throw new SoqlSyntaxError(`unexpected token: '${describe(peek())}'`);
  return { fields, from, where, orderBy, limit };
}

function describe(token: Token | undefined): string {
  if (token === undefined) return 'end of query';
  if (token.t === 'datetime') return new Date(token.v).toISOString();
  return String(token.v);
}
