// The worker loop a host runs beside its web server: fire due timers (the
// nightly risk scan among them), deliver outbox effects (notifications), and
// show how far a scan has got.
import type { Guard, Notifier, RiskScanProgress, WorkerProgress } from '@guard/core';
import cliProgress from 'cli-progress';

export interface LoopOptions {
  readonly guard: Guard;
  /** How many employees and customers the host has: the progress bars' totals. */
  readonly totals: { readonly employee: number; readonly customer: number };
  /** Run until nothing is due, then return (a cron job, CI); otherwise loop until `signal` aborts. */
  readonly once: boolean;
  readonly everyMs: number;
  readonly log: (line: string) => void;
  /** Where the bars are drawn, when it is a terminal; elsewhere each scan ends with one line. */
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly signal?: AbortSignal;
}

export interface LoopResult {
  readonly runs: number;
  readonly timersFired: number;
  readonly effectsDelivered: number;
  /** The last progress of each scan round that finished. */
  readonly scans: readonly RiskScanProgress[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Runs the worker until nothing is due (`once`) or until `signal` aborts. */
export async function workerLoop(options: LoopOptions): Promise<LoopResult> {
  const { totals } = options;
  const scans: RiskScanProgress[] = [];
  const tty = options.stream.isTTY === true;
  const bars = tty
    ? new cliProgress.MultiBar(
        {
          stream: options.stream,
          format: ' risk scan {subject} [{bar}] {value}/{total} · {alerts} alerts',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  // While bars are drawn, lines go above them (on the bars' stream), not through them.
  const log = (line: string) => (bars ? bars.log(`${new Date().toISOString()}  ${line}\n`) : options.log(line));
  // A real product sends these by e-mail or WeCom; `to` holds employee ids.
  const notifier: Notifier = {
    async send(n) {
      log(`notify ${n.to.join(', ')}: ${n.title}`);
    },
  };
  const open = new Map<string, cliProgress.SingleBar>();
  const onProgress = (p: WorkerProgress) => {
    if (p.kind !== 'risk-scan') return;
    const key = `${p.tenantId}:${p.subject}:${p.roundStartedAt}`;
    const total = Math.max(totals[p.subject], p.scored);
    let bar = open.get(key);
    if (bars && !bar) {
      bar = bars.create(total, 0, { subject: `${p.subject}s`.padEnd(9), alerts: 0 });
      open.set(key, bar);
    }
    bar?.update(p.scored, { alerts: p.alertsRaised });
    if (p.done) {
      // Only subjects with signals are scored: the round ends where they end.
      bar?.setTotal(p.scored);
      bar?.stop();
      open.delete(key);
      scans.push(p);
      log(`risk scan of ${p.subject}s done: ${p.scored} scored, ${p.alertsRaised} alert(s) raised`);
    }
  };
  // No CRM behind this company: owner changes live in Guard alone (with one, pass its connectors).
  const worker = options.guard.worker({ notifier, onProgress, crm: { connectors: [] } });
  let runs = 0;
  let timersFired = 0;
  let effectsDelivered = 0;
  while (!options.signal?.aborted) {
    const r = await worker.runDue();
    runs++;
    timersFired += r.timersFired;
    effectsDelivered += r.effectsDelivered;
    const idle = r.timersFired + r.effectsDelivered + r.effectsFailed === 0;
    if (!idle) {
      log(
        `run ${runs}: ${r.timersFired} timer(s) fired, ${r.effectsDelivered} effect(s) delivered, ${r.effectsFailed} failed`,
      );
    }
    if (options.once && idle) break;
    if (!options.once) await sleep(options.everyMs, options.signal);
  }
  bars?.stop();
  return { runs, timersFired, effectsDelivered, scans };
}
