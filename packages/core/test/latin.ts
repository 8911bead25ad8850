/** Words that are names, not English, and may appear in any language. */
const NAMES = new Set(['Guard']);

/**
 * The Latin-script words of a text meant for zh-CN readers: runs of two or
 * more Latin letters outside `code spans`, except names such as "Guard".
 */
export function latinWords(text: string, data: readonly string[] = []): string[] {
  let rest = text.replace(/`[^`]*`/g, ' ');
  for (const value of [...data].sort((a, b) => b.length - a.length)) rest = rest.split(value).join(' ');
  return (rest.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !NAMES.has(w));
}
