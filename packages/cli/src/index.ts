export { type CliIo, type CliOutput, exitCodes } from './io.js';
export { runCli } from './run.js';
