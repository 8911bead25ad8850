/**
 * The candidate closest to a mistyped word — for "did you mean …?" in an
 * error message — or `null` when none is close: at most 2 edits, or a third
 * of the word's length for longer words (Levenshtein distance, ignoring
 * case). Ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * import { didYouMean } from '@guard/core';
 * didYouMean('resumeUpdate30d', ['resumeUpdates30d', 'logins30d']); // 'resumeUpdates30d'
 * didYouMean('zzz', ['logins30d']); // null
 * ```
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
