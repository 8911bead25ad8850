import cliProgress from 'cli-progress';
import type { CliOutput } from './io.js';
import { num } from './labels.js';

/** Progress of a long read on stderr. */
export interface Progress {
  /** Call per item; cheap (looks at the clock every 1,000 items). */
  tick(items: number): void;
  /** Clears the bar (TTY) or prints the last line. */
  done(items: number): void;
}

const NONE: Progress = { tick: () => {}, done: () => {} };

/**
 * On a terminal, a bar drawn by `cli-progress` (redrawn in place at most 10
 * times a second, cleared when done); on anything else (with `--progress`)
 * one line per 10 %, which a log file or CI keeps readable.
 */
export function progress(
  out: CliOutput,
  enabled: boolean,
  size: number,
  bytesRead: () => number,
  noun: string,
): Progress {
  if (!enabled) return NONE;
  const percent = () => (size > 0 ? Math.min(100, Math.floor((bytesRead() / size) * 100)) : 100);
  return out.isTTY === true ? terminalBar(out, percent, noun) : decileLines(out, percent, noun);
}

function terminalBar(out: CliOutput, percent: () => number, noun: string): Progress {
  const bar = new cliProgress.SingleBar({
    // cli-progress needs only `write`, `isTTY` and `columns` of its stream.
    stream: out as unknown as NodeJS.WritableStream,
    format: `[{bar}] {percentage}%  {items} ${noun}`,
    barsize: 24,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: null,
    clearOnComplete: true,
    fps: 10,
  });
  let started = false;
  return {
    tick(items) {
      if (items % 1000 !== 0) return;
      if (!started) {
        bar.start(100, percent(), { items: num(items) });
        started = true;
      } else bar.update(percent(), { items: num(items) });
    },
    done() {
      if (started) bar.stop();
    },
  };
}

function decileLines(out: CliOutput, percent: () => number, noun: string): Progress {
  let lastDecile = -1;
  return {
    tick(items) {
      if (items % 1000 !== 0) return;
      const decile = Math.floor(percent() / 10);
      if (decile > lastDecile && decile < 10) {
        lastDecile = decile;
        out.write(`progress: ${decile * 10}% (${num(items)} ${noun})\n`);
      }
    },
    done(items) {
      out.write(`progress: 100% (${num(items)} ${noun})\n`);
    },
  };
}
