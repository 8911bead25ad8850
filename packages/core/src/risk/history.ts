import * as z from 'zod';
import { validationMessage } from '../i18n/keys.js';
import type { Facts, FactValue } from './facts.js';

/**
 * One line of a labelled history file (`labelled.jsonl`): a subject's
 * facts at one moment, and what truly happened to the subject. The
 * backtest replays these in time order per subject.
 *
 * - `label.positive` — the subject is a true case (a poacher, a customer
 *   that was diverted or churned); the same on every line of the subject.
 * - `label.deadline` — an alert only counts as a catch if it fires at or
 *   before this time (a poacher's last working day). Optional.
 *
 * @example
 * ```ts
 * import type { LabelledSnapshot } from '@guard/core';
 * const line: LabelledSnapshot = {
 *   subject: 'e-7', at: '2026-10-01T00:00:00.000Z',
 *   facts: { resumeUpdates30d: 2, exports30d: 640, daysSinceResignation: null },
 *   label: { positive: true, deadline: '2026-11-30T00:00:00.000Z' },
 * };
 * ```
 */
export interface LabelledSnapshot {
  readonly subject: string;
  readonly at: string;
  readonly facts: Facts;
  readonly label: { readonly positive: boolean; readonly deadline?: string | undefined };
  /** Free-form tags from the generator (e.g. `poacher`, `honest-leaver`), shown in reports. */
  readonly group?: string | undefined;
}

const factValue: z.ZodType<FactValue> = z.union([
  z.number().refine(Number.isFinite, { error: validationMessage('finite-number') }),
  z.boolean(),
  z.string().max(2000),
  z.array(z.string().max(2000)).max(10_000),
  z.null(),
]);

/**
 * The zod schema of one {@link LabelledSnapshot} line.
 *
 * @example
 * ```ts
 * import { labelledSnapshotSchema, parseInput } from '@guard/core';
 * const snapshot = parseInput(labelledSnapshotSchema, JSON.parse(line), { what: 'history line' });
 * ```
 */
export const labelledSnapshotSchema = z.strictObject({
  subject: z.string().min(1).max(200),
  at: z.iso.datetime({ offset: true }),
  facts: z.record(z.string().min(1).max(100), factValue),
  label: z.strictObject({
    positive: z.boolean(),
    deadline: z.iso.datetime({ offset: true }).optional(),
  }),
  group: z.string().min(1).max(100).optional(),
}) satisfies z.ZodType<LabelledSnapshot>;

/**
 * One line of a facts file (`facts.jsonl`) for `guard rules score`: a
 * subject and its facts.
 *
 * @example
 * ```ts
 * import type { FactsLine } from '@guard/core';
 * const line: FactsLine = { subject: 'e-7', facts: { exports30d: 640 } };
 * ```
 */
export interface FactsLine {
  readonly subject: string;
  readonly at?: string | undefined;
  readonly facts: Facts;
}

/**
 * The zod schema of one {@link FactsLine}.
 *
 * @example
 * ```ts
 * import { factsLineSchema, parseInput } from '@guard/core';
 * const { subject, facts } = parseInput(factsLineSchema, JSON.parse(line), { what: 'facts line' });
 * ```
 */
export const factsLineSchema = z.strictObject({
  subject: z.string().min(1).max(200),
  at: z.iso.datetime({ offset: true }).optional(),
  facts: z.record(z.string().min(1).max(100), factValue),
}) satisfies z.ZodType<FactsLine>;
