// How Postfix lines look on disk: the syslog prefix in the three forms
// mtaviz reads (mta-log-formats.md §2, §3.5) and Postfix's delay numbers.

export const STYLES = ['syslog', 'rfc3339', 'maillog'] as const;
export type Style = (typeof STYLES)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The timestamp a syslog daemon or postlogd writes, in local time as they do:
 * `syslog` is RFC 3164 (`Dec  4 10:33:23`, space-padded day), `maillog` is
 * Postfix's maillog_file (`Dec 04 10:33:23`), `rfc3339` is rsyslog's
 * RSYSLOG_FileFormat (`2024-12-04T10:33:23.404714+01:00`).
 */
export function stamp(ms: number, style: Style): string {
  const d = new Date(ms);
  const hms = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  if (style === 'rfc3339') {
    const micros = String(Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000)).padStart(6, '0');
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    const abs = Math.abs(off);
    return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${hms}.${micros}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
  }
  const day = d.getDate();
  const dd = style === 'syslog' && day < 10 ? ` ${day}` : p2(day);
  return `${MONTHS[d.getMonth()]} ${dd} ${hms}`;
}

/**
 * Seconds formatted like Postfix's format_tv(…, 2 significant digits, 2
 * decimals max): 0.67, 1.3, 11, 307136; below 5 ms it prints 0.
 */
export function postfixSeconds(seconds: number): string {
  let sec = Math.floor(seconds);
  let usec = Math.round((seconds - sec) * 1e6);
  const ures = sec >= 10 ? 1e6 : sec >= 1 ? 1e5 : 1e4;
  usec += ures / 2;
  if (usec >= 1e6) {
    sec += 1;
    usec -= 1e6;
  }
  let out = String(sec);
  if (usec >= ures) {
    out += '.';
    for (let rem = usec, n = 1e5; rem >= ures && n > 0; n = Math.floor(n / 10)) {
      out += String(Math.floor(rem / n));
      rem %= n;
    }
  }
  return out;
}
