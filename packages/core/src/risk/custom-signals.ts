import * as z from 'zod';
import { validationMessage } from '../i18n/keys.js';

/**
 * A signal kind a host declares for its tenant: `x-` and lowercase words
 * joined by `-`, each starting with a letter (`x-usb-copy`, `x-badge-night`).
 * The `x-` prefix keeps host kinds apart from Guard's own, now and in later
 * versions.
 *
 * @example
 * ```ts
 * import type { CustomSignalKind } from '@guard/core';
 * const kind: CustomSignalKind = 'x-usb-copy';
 * ```
 */
export type CustomSignalKind = `x-${string}`;

/** `x-` then words of lowercase letters and digits, each starting with a letter. */
const CUSTOM_KIND = /^x(?:-[a-z][a-z0-9]*)+$/;

/**
 * Whether a string is a well-formed {@link CustomSignalKind} (declared or
 * not).
 *
 * @example
 * ```ts
 * import { isCustomSignalKind } from '@guard/core';
 * isCustomSignalKind('x-usb-copy'); // true
 * isCustomSignalKind('usb-copy'); // false
 * ```
 */
export function isCustomSignalKind(kind: unknown): kind is CustomSignalKind {
  return typeof kind === 'string' && kind.length <= 48 && CUSTOM_KIND.test(kind);
}

/**
 * A {@link CustomSignalKind}, as a zod schema.
 *
 * @example
 * ```ts
 * import { customSignalKindSchema } from '@guard/core';
 * customSignalKindSchema.safeParse('x-usb-copy').success; // true
 * customSignalKindSchema.safeParse('x_usb').success; // false
 * ```
 */
export const customSignalKindSchema = z.custom<CustomSignalKind>(isCustomSignalKind, {
  error: validationMessage('custom-signal-kind'),
});

/** Reports every item whose key an earlier item already has, at `[index, ...under]`. */
function duplicates<T>(
  items: readonly T[],
  ctx: z.RefinementCtx,
  key: (item: T) => string,
  under: readonly string[],
): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const at = first.get(k);
    if (at === undefined) first.set(k, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [i, ...under],
        message: validationMessage('duplicate', { value: k, first: at }),
      });
  });
}

const text = z.string().trim().min(1).max(200);

/**
 * One host-declared signal kind, in the tenant settings under
 * `risk.customSignals`. Once declared, `acme.signals.record` accepts it, and
 * rule packs of each of its `subjects` may read its facts: for `x-usb-copy`,
 * `xUsbCopy7d`, `xUsbCopy30d`, `xUsbCopy90d` (totals over the last 7, 30 and
 * 90 days) and `xUsbCopyTrend` (the last 30 days against the 60 before).
 *
 * @example
 * ```ts
 * import type { CustomSignal } from '@guard/core';
 * const usb: CustomSignal = {
 *   kind: 'x-usb-copy',
 *   subjects: ['employee'],
 *   by: 'sum',
 *   label: { en: 'files copied to USB drives', 'zh-CN': '拷贝到 U 盘的文件数' },
 * };
 * ```
 */
export interface CustomSignal {
  readonly kind: CustomSignalKind;
  /**
   * Whom a signal of this kind counts for. A signal must name each of them
   * (`employeeId`, `customerId`) and no one else.
   */
  readonly subjects: readonly ('employee' | 'customer')[];
  /** `sum` (default) adds the signals' `value`s (1 when omitted); `count` counts signals. */
  readonly by: 'sum' | 'count';
  /** What is counted, in both languages: the facts' descriptions and the `guard rules` output use it. */
  readonly label: { readonly en: string; readonly 'zh-CN': string };
}

/**
 * Validates one {@link CustomSignal} declaration.
 *
 * @example
 * ```ts
 * import { customSignalSchema } from '@guard/core';
 * const usb = customSignalSchema.parse({ kind: 'x-usb-copy', label: { en: 'files copied to USB', 'zh-CN': '拷贝到 U 盘的文件数' } });
 * usb.subjects; // ['employee'] (default)
 * ```
 */
export const customSignalSchema = z.strictObject({
  kind: customSignalKindSchema,
  subjects: z
    .array(z.enum(['employee', 'customer']))
    .min(1)
    .max(2)
    .superRefine((subjects, ctx) => duplicates(subjects, ctx, (s) => s, []))
    .default(['employee']),
  by: z.enum(['sum', 'count']).default('sum'),
  label: z.strictObject({ en: text, 'zh-CN': text }),
}) satisfies z.ZodType<CustomSignal, unknown>;

/**
 * At most this many custom signal kinds per tenant.
 *
 * @example
 * ```ts
 * import { CUSTOM_SIGNAL_LIMIT } from '@guard/core';
 * CUSTOM_SIGNAL_LIMIT; // 50
 * ```
 */
export const CUSTOM_SIGNAL_LIMIT = 50;

/**
 * The `risk.customSignals` list of the tenant settings: at most
 * {@link CUSTOM_SIGNAL_LIMIT} declarations, each kind once.
 *
 * @example
 * ```ts
 * import { customSignalsSchema } from '@guard/core';
 * customSignalsSchema.safeParse([usb, usb]).success; // false: "x-usb-copy" is declared twice
 * ```
 */
export const customSignalsSchema = z
  .array(customSignalSchema)
  .max(CUSTOM_SIGNAL_LIMIT)
  .superRefine((list, ctx) => duplicates(list, ctx, (s) => s.kind, ['kind']));

/**
 * The stem of a custom kind's facts: `x-usb-copy` → `xUsbCopy` (facts
 * `xUsbCopy30d`, `xUsbCopyTrend`, …).
 *
 * @example
 * ```ts
 * import { customFactStem } from '@guard/core';
 * customFactStem('x-usb-copy'); // 'xUsbCopy'
 * ```
 */
export function customFactStem(kind: CustomSignalKind): string {
  return kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The custom kind a fact name would come from, or `null` when the name is
 * not shaped like a custom fact: `xUsbCopy30d` → `x-usb-copy`. Used to say
 * which declaration a pack is missing.
 *
 * @example
 * ```ts
 * import { customKindOfFact } from '@guard/core';
 * customKindOfFact('xUsbCopyTrend'); // 'x-usb-copy'
 * customKindOfFact('exports30d'); // null
 * ```
 */
export function customKindOfFact(fact: string): CustomSignalKind | null {
  const match = /^(x(?:[A-Z][a-z0-9]*)+?)(?:7d|30d|90d|Trend)$/.exec(fact);
  if (!match) return null;
  const kind = (match[1] as string).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return isCustomSignalKind(kind) ? kind : null;
}
