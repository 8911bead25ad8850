import type { CliOutput } from '../io.js';

/** What a command runs with. */
export interface Context {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}
