import os from 'node:os';

/** What the figures were measured on. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpu}, ${os.cpus().length} cores, ${gib} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
