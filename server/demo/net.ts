// Address helpers for the demo world: draw host addresses from real CIDR
// blocks so the destination meter shows the structure real traffic has.

import type { Random } from './random.js';

/** A random host address (not network or broadcast) inside an IPv4 CIDR block. */
export function ipv4In(cidr: string, rng: Random): string {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const parts = base!.split('.').map(Number);
  if (parts.length !== 4 || !(bits >= 8 && bits <= 30)) throw new Error(`bad IPv4 block ${cidr}`);
  const start = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  const addr = (start + 1 + rng.int(size - 2)) >>> 0;
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** A random address under an IPv6 /32../64 prefix written as "2607:f8b0:4004::/48". */
export function ipv6In(prefix: string, rng: Random): string {
  const [base, bitsText] = prefix.split('/');
  const bits = Number(bitsText);
  if (!base || bits % 16 !== 0 || bits < 16 || bits > 64) throw new Error(`bad IPv6 prefix ${prefix}`);
  const groups = base.replace(/::$/, '').split(':').slice(0, bits / 16);
  while (groups.length < 4) groups.push(rng.int(0x10000).toString(16));
  // MX hosts sit on short interface ids (…::1a, …::1b), as Google's and Microsoft's do.
  return `${groups.join(':')}::${(rng.int(0xfe) + 1).toString(16)}`;
}
