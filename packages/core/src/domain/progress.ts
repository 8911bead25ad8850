/**
 * Progress of the worker's long-running jobs, as {@link WorkerOptions.onProgress}
 * receives it: one update per unit of work, after it is committed: a page
 * of the scheduled risk scan, or a retention pass. Switch on `kind`, so jobs
 * added later do not break you.
 *
 * @example
 * ```ts
 * import type { WorkerProgress } from '@guard/core';
 * const log = (p: WorkerProgress) => {
 *   if (p.kind === 'risk-scan') console.log(`${p.tenantId} ${p.subject}s: ${p.scored} scored${p.done ? ', done' : ''}`);
 * };
 * ```
 */
export type WorkerProgress = RiskScanProgress | RetentionProgress;

/**
 * A retention pass of a tenant, committed: what it erased and kept under
 * legal hold (see `RetentionReport`); `report.more` says another pass follows
 * at once.
 *
 * @example
 * ```ts
 * import type { RetentionProgress } from '@guard/core';
 * const log = (p: RetentionProgress) => console.log(`${p.tenantId}: ${p.report.kinds.followUps?.erased ?? 0} follow-ups erased`);
 * ```
 */
export interface RetentionProgress {
  readonly kind: 'retention';
  readonly tenantId: string;
  readonly report: RetentionReport;
}

/**
 * The kinds of record a tenant may keep for a limited time
 * (`settings.retention`), and which of their records retention may erase:
 *
 * - `followUps` — follow-ups (跟进记录), by when they happened;
 * - `orders` — orders by their date, once lost, cancelled, or won or
 *   fulfilled with nothing left to collect (an open order or a receivable
 *   is kept);
 * - `alerts` — resolved alerts, by when they were raised;
 * - `exports` — finished export requests (delivered or rejected), by when
 *   they were asked for.
 *
 * @example
 * ```ts
 * import type { RetentionKind } from '@guard/core';
 * const kind: RetentionKind = 'followUps';
 * ```
 */
export type RetentionKind = 'followUps' | 'orders' | 'alerts' | 'exports';

/**
 * What a retention pass did, per kind the tenant limits: the instant before
 * which records are past their time, records erased, and records past their
 * time kept because a legal hold covers their customer or employee.
 *
 * @example
 * ```ts
 * import type { RetentionReport } from '@guard/core';
 * const show = (r: RetentionReport) =>
 *   Object.entries(r.kinds).map(([kind, k]) => `${kind}: ${k.erased} erased, ${k.held} held (before ${k.before})`);
 * ```
 */
export interface RetentionReport {
  readonly ranAt: string;
  readonly kinds: Readonly<
    Partial<Record<RetentionKind, { readonly before: string; readonly erased: number; readonly held: number }>>
  >;
  /** Whether records past their time are left for another pass (each pass erases at most 500 of each kind). */
  readonly more: boolean;
}

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
