/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/**
 * Offsets are cached per 15-minute bucket of UTC time: every time-zone
 * transition since 1970 falls on a quarter hour, so one offset holds for the
 * whole bucket.
 */
const BUCKET_MS = 15 * 60_000;
const MAX_ZONES = 64;
const MAX_BUCKETS_PER_ZONE = 4096;

interface Zone {
  readonly format: Intl.DateTimeFormat;
  readonly offsets: Map<number, number>;
}

const zones = new Map<string, Zone>();

function zoneFor(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (zone !== undefined) return zone;
  zone = { format: formatterFor(timeZone), offsets: new Map() };
  if (zones.size >= MAX_ZONES) zones.clear();
  zones.set(timeZone, zone);
  return zone;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    throw new RangeError(
      `context.timeZone ${JSON.stringify(timeZone)} is not an IANA time zone this runtime knows (e.g. "Asia/Shanghai", "UTC")`,
      { cause },
    );
  }
}

/** Wall-clock time in the zone at `epochMs`, read as if it were UTC, minus `epochMs`. */
function computeOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(epochMs)) part[p.type] = Number(p.value);
  const wall = new Date(0);
  wall.setUTCFullYear(part.year ?? 1970, (part.month ?? 1) - 1, part.day ?? 1);
  wall.setUTCHours(part.hour ?? 0, part.minute ?? 0, part.second ?? 0, 0);
  return wall.getTime() - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The offset of `timeZone` from UTC at `epochMs`, in milliseconds
 * (`+08:00` → `28_800_000`). Cached per zone and 15-minute bucket.
 *
 * @throws RangeError when the runtime does not know the zone.
 *
 * @example
 * ```ts
 * zoneOffsetMs('Asia/Shanghai', Date.UTC(2026, 0, 1)); // 28_800_000
 * ```
 */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  if (timeZone === 'UTC') return 0;
  const zone = zoneFor(timeZone);
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let offset = zone.offsets.get(bucket);
  if (offset === undefined) {
    offset = computeOffset(zone.format, bucket * BUCKET_MS);
    if (zone.offsets.size >= MAX_BUCKETS_PER_ZONE) zone.offsets.clear();
    zone.offsets.set(bucket, offset);
  }
  return offset;
}

/**
 * `now` as epoch milliseconds.
 *
 * @throws RangeError when `now` is not a valid instant (an invalid `Date`,
 * `NaN`, ±Infinity or outside the `Date` range).
 *
 * @example
 * ```ts
 * toEpochMs(new Date('2026-01-01T00:00:00Z')); // 1767225600000
 * ```
 */
export function toEpochMs(now: Date | number): number {
  // Not `instanceof Date`: a Date from another realm (a vm context, an iframe) is fine too.
  const ms = typeof now === 'number' ? now : typeof now?.getTime === 'function' ? now.getTime() : Number.NaN;
  if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) return ms;
  throw new RangeError(
    `context.now must be a valid Date or epoch milliseconds, got ${typeof now === 'number' ? now : String(now)}`,
  );
}

/**
 * The day number (days since 1970-01-01) of a `YYYY-MM-DD` date, or `NaN`
 * when it is not one.
 *
 * @example
 * ```ts
 * isoDayNumber('1970-01-02'); // 1
 * ```
 */
export function isoDayNumber(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return Number.NaN;
  const year = digits(date, 0, 4);
  const month = digits(date, 5, 7);
  const day = digits(date, 8, 10);
  if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** The non-negative integer written by `s[from, to)`, or `NaN` if any character is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The ISO weekday (1 = Monday … 7 = Sunday) of a day number.
 *
 * @example
 * ```ts
 * isoWeekday(0); // 4, 1970-01-01 was a Thursday
 * ```
 */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}
