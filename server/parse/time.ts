// Wall-clock times without a zone (BSD syslog, postlogd, Exim, PowerMTA) are
// local time of the MTA; WallClock turns them into epoch ms for one configured
// zone. Conversions are cached per hour, so a zone lookup through Intl happens
// once per hour of log, not per line; minutes and seconds are added to the
// start of the hour, which is exact wherever offsets change on the hour.

const DAY_MS = 86_400_000;
/** A BSD timestamp may be this far ahead of the reading clock (skew, zone mix-ups) before it is taken as last year's. */
const FUTURE_SLACK_MS = 2 * DAY_MS;

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Month index (0-11) of a three-letter English month name at `pos`, or -1. */
export function monthAt(s: string, pos: number): number {
  return monthOf(s.charCodeAt(pos), s.charCodeAt(pos + 1), s.charCodeAt(pos + 2));
}

/** Month index (0-11) of the three-letter English month name made of these character codes, or -1. */
export function monthOf(a: number, b: number, c: number): number {
  // Packed three-letter key: a switch on a number beats a Map lookup on a slice.
  switch ((a << 16) | (b << 8) | c) {
    case 0x4a616e: return 0; // Jan
    case 0x466562: return 1; // Feb
    case 0x4d6172: return 2; // Mar
    case 0x417072: return 3; // Apr
    case 0x4d6179: return 4; // May
    case 0x4a756e: return 5; // Jun
    case 0x4a756c: return 6; // Jul
    case 0x417567: return 7; // Aug
    case 0x536570: return 8; // Sep
    case 0x4f6374: return 9; // Oct
    case 0x4e6f76: return 10; // Nov
    case 0x446563: return 11; // Dec
    default: return -1;
  }
}

/** Value of `n` decimal digits at `pos`, or -1 when any of them is not a digit. */
export function digitsAt(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(pos + i) - 48;
    // NaN past the end of the string fails this test too.
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Timestamps before the epoch or after 9999 are damage, not history (Date.UTC would read year 26 as 1926). */
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
/** Epoch ms of the first instant after MAX_YEAR. */
export const MAX_TS = Date.UTC(MAX_YEAR + 1, 0, 1);

export function validDate(y: number, mo: number, d: number): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR || mo < 0 || mo > 11 || d < 1) return false;
  return d <= (mo === 1 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo]!);
}

/** Throws RangeError for a zone Intl does not know. */
export function checkTimeZone(tz: string): void {
  if (tz === 'local' || tz === 'UTC') return;
  new Intl.DateTimeFormat('en-US', { timeZone: tz });
}

export class WallClock {
  private readonly offsetOf: ((utcMs: number) => number) | undefined;
  private hourKey = -1;
  private hourStart = 0;

  /**
   * @param tz "local" (the daemon's zone, as syslog writes it), "UTC", or an IANA name.
   * @param now the reading clock, used to infer the year of BSD timestamps.
   */
  constructor(
    readonly tz: string,
    readonly now: () => number = Date.now,
  ) {
    if (tz === 'local' || tz === 'UTC') {
      this.offsetOf = undefined;
    } else {
      const fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      this.offsetOf = (utcMs) => {
        const p: Record<string, number> = {};
        for (const part of fmt.formatToParts(utcMs)) p[part.type] = Number(part.value);
        const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
        return asUtc - Math.floor(utcMs / 1000) * 1000;
      };
    }
  }

  /** Epoch ms of a wall-clock time in the configured zone (month 0-11). */
  toEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
    const key = ((y * 12 + mo) * 31 + d) * 24 + h;
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourStart = this.startOfHour(y, mo, d, h);
    }
    return this.hourStart + mi * 60_000 + s * 1000;
  }

  /**
   * Epoch ms of a timestamp without a year (BSD syslog, postlogd): the latest
   * year that does not put it more than two days ahead of the reading clock,
   * so December lines read in January land in the previous year and a clock
   * a little behind the sender still gets New Year right. The reading year is
   * tried first and alone in the common case, which keeps the hour cache warm.
   */
  withoutYear(mo: number, d: number, h: number, mi: number, s: number): number {
    const now = this.now();
    if (now >= this.yearEnd || now < this.yearStart) this.setYear(now);
    const y = this.year;
    const limit = now + FUTURE_SLACK_MS;
    if (validDate(y, mo, d)) {
      const t = this.toEpoch(y, mo, d, h, mi, s);
      if (t > limit) return this.previousYear(y, mo, d, h, mi, s);
      // Late December reading early-January lines (the clock behind the sender).
      if (now - t > 300 * DAY_MS && validDate(y + 1, mo, d)) {
        const next = this.toEpoch(y + 1, mo, d, h, mi, s);
        if (next <= limit) return next;
      }
      return t;
    }
    return this.previousYear(y, mo, d, h, mi, s);
  }

  private year = 0;
  private yearStart = 0;
  private yearEnd = -1;

  private setYear(now: number): void {
    this.year = new Date(now).getUTCFullYear();
    this.yearStart = Date.UTC(this.year, 0, 1);
    this.yearEnd = Date.UTC(this.year + 1, 0, 1);
  }

  private previousYear(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
    for (let year = y - 1; year >= y - 4; year--) {
      if (validDate(year, mo, d)) return this.toEpoch(year, mo, d, h, mi, s);
    }
    // Feb 29 with no leap year in sight cannot happen; keep the type total.
    return this.toEpoch(y - 1, mo, Math.min(d, 28), h, mi, s);
  }

  private startOfHour(y: number, mo: number, d: number, h: number): number {
    if (this.tz === 'UTC') return Date.UTC(y, mo, d, h);
    if (!this.offsetOf) return new Date(y, mo, d, h).getTime();
    const guess = Date.UTC(y, mo, d, h);
    const first = guess - this.offsetOf(guess);
    const second = guess - this.offsetOf(first);
    return second;
  }
}
