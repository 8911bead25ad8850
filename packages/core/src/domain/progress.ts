/**
 * Progress of the worker's long-running jobs, as {@link WorkerOptions.onProgress}
 * receives it: one update per unit of work, after it is committed. Today
 * the only job is the scheduled risk scan; switch on `kind`, so jobs added
 * later do not break you.
 *
 * @example
 * ```ts
 * import type { WorkerProgress } from '@guard/core';
 * const log = (p: WorkerProgress) => {
 *   if (p.kind === 'risk-scan') console.log(`${p.tenantId} ${p.subject}s: ${p.scored} scored${p.done ? ', done' : ''}`);
 * };
 * ```
 */
export type WorkerProgress = RiskScanProgress;

/**
 * One page of a scheduled risk scan, committed: how far the round has got.
 * `scored` and `alertsRaised` count from the start of the round
 * (`roundStartedAt`); `done` is set on the round's last page.
 *
 * @example
 * ```ts
 * import type { RiskScanProgress } from '@guard/core';
 * const p: RiskScanProgress = {
 *   kind: 'risk-scan', tenantId: 'acme', subject: 'employee', roundStartedAt: '2026-11-02T01:00:00.000Z',
 *   pageScored: 200, scored: 400, alertsRaised: 1, done: false,
 * };
 * ```
 */
export interface RiskScanProgress {
  readonly kind: 'risk-scan';
  readonly tenantId: string;
  readonly subject: 'employee' | 'customer';
  readonly roundStartedAt: string;
  /** Subjects scored by this page. */
  readonly pageScored: number;
  /** Subjects scored so far in the round. */
  readonly scored: number;
  /** Alerts raised so far in the round. */
  readonly alertsRaised: number;
  readonly done: boolean;
}
