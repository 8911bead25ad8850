/** One figure: the median of several runs, with the spread. */
export interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** Runs `once` (which returns a rate, e.g. entries per second) `runs` times and summarises it. */
export async function measure(runs: number, once: (run: number) => Promise<number>): Promise<Figure> {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) rates.push(await once(run));
  return summarize(rates);
}

/** The median and spread of rates measured one per run. */
export function summarize(measured: readonly number[]): Figure {
  const rates = [...measured].sort((a, b) => a - b);
  const mid = Math.floor(rates.length / 2);
  const median = rates.length % 2 ? (rates[mid] as number) : ((rates[mid - 1] as number) + (rates[mid] as number)) / 2;
  return { median, min: rates[0] as number, max: rates.at(-1) as number, runs: rates.length };
}

/** Items per second for `count` items done in `work`. */
export async function rate(count: number, work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** `12.3k/s (11.9k–12.8k)` */
export function formatRate(f: Figure): string {
  return `${short(f.median)}/s (${short(f.min)}–${short(f.max)})`;
}

function short(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
