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
const BAR = 24;

/**
 * A bar redrawn in place at most 10 times a second on a terminal; on
 * anything else (with `--progress`) one line per 10 %.
 */
export function progress(
  out: CliOutput,
  enabled: boolean,
  size: number,
  bytesRead: () => number,
  noun: string,
): Progress {
  if (!enabled) return NONE;
  const tty = out.isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  const fraction = () => (size > 0 ? Math.min(1, bytesRead() / size) : 1);
  return {
    tick(items) {
      if (items % 1000 !== 0) return;
      const f = fraction();
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const filled = Math.round(f * BAR);
        out.write(
          `\r[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${num(items)} ${noun}`,
        );
        drawn = true;
      } else {
        const decile = Math.floor(f * 10);
        if (decile > lastDecile && decile < 10) {
          lastDecile = decile;
          out.write(`progress: ${decile * 10}% (${num(items)} ${noun})\n`);
        }
      }
    },
    done(items) {
      if (tty) {
        if (drawn) out.write('\r\x1b[K');
      } else out.write(`progress: 100% (${num(items)} ${noun})\n`);
    },
  };
}
