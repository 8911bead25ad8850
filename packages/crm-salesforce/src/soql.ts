/** A SOQL string literal: quotes and backslashes escaped, so an id or an e-mail can never end the literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => `\\${{ '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f' }[c] ?? c}`)}'`;
}

/** A SOQL datetime literal (unquoted, to the second, UTC): `2026-11-02T01:00:00Z`. */
export function soqlDatetime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads a datetime as the REST API writes it (`2026-11-02T01:00:00.000+0000`); `NaN` when it is not one. */
export function parseSalesforceDatetime(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
