// Mailbox providers: which big receiver a delivery went to, from its
// recipient domain or, for the many domains hosted at a provider under their
// own name (Google Workspace, Microsoft 365), from the MX address it was
// delivered to. The daemon counts per provider exactly (stats `providers`);
// the browser, given the same table in the hello, puts each ball in its
// provider's lane with the same function.
//
// The table is small and editable (config key `providers`: name -> list of
// domains and address blocks; a user entry replaces a default of the same
// name, an empty list removes it). Address blocks of the defaults are the
// providers' published mail ranges, the same ones server/demo/providers.ts
// documents: Google's _netblocks SPF records, Exchange Online Protection's
// SPF record, the ARIN/RIPE registrations of Yahoo, Apple, Comcast, United
// Internet, Orange, Mail.Ru and Yandex.

/** Provider name -> domains ("gmail.com", also matching subdomains) and blocks ("17.0.0.0/8", "2607:f8b0::/32"). */
export type ProviderTable = ReadonlyArray<readonly [name: string, patterns: readonly string[]]>;

/** Where deliveries to no listed provider go. */
export const OTHER_PROVIDER = 'other';

export const DEFAULT_PROVIDERS: ProviderTable = [
  [
    'Google',
    [
      'gmail.com',
      'googlemail.com',
      '142.250.0.0/15',
      '172.217.0.0/19',
      '172.253.0.0/16',
      '173.194.0.0/16',
      '209.85.128.0/17',
      '74.125.0.0/16',
      '64.233.160.0/19',
      '108.177.8.0/21',
      '2607:f8b0::/32',
    ],
  ],
  [
    'Microsoft',
    [
      'outlook.com',
      'hotmail.com',
      'hotmail.co.uk',
      'hotmail.fr',
      'hotmail.de',
      'hotmail.it',
      'hotmail.es',
      'live.com',
      'live.co.uk',
      'live.fr',
      'msn.com',
      'outlook.de',
      'outlook.fr',
      '40.92.0.0/15',
      '40.107.0.0/16',
      '52.100.0.0/14',
      '104.47.0.0/17',
      '2a01:111:f400::/48',
    ],
  ],
  [
    'Yahoo',
    ['yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'rocketmail.com', 'aol.com', 'aim.com', '67.195.0.0/16', '98.136.0.0/14', '74.6.0.0/16'],
  ],
  ['Apple', ['icloud.com', 'me.com', 'mac.com', '17.0.0.0/8']],
  ['Comcast', ['comcast.net', '96.64.0.0/11']],
  ['GMX / WEB.DE', ['gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'gmx.com', 'web.de', '212.227.0.0/16']],
  ['Orange', ['orange.fr', 'wanadoo.fr', '193.252.0.0/16']],
  ['Mail.Ru', ['mail.ru', 'bk.ru', 'inbox.ru', 'list.ru', '94.100.176.0/20']],
  ['Yandex', ['yandex.ru', 'yandex.com', 'ya.ru', '77.88.0.0/18']],
  ['Proton', ['proton.me', 'protonmail.com', 'pm.me']],
  ['Zoho', ['zoho.com', 'zohomail.com']],
  ['Tencent QQ', ['qq.com', 'foxmail.com']],
  ['NetEase', ['163.com', '126.com', 'yeah.net']],
  ['T-Online', ['t-online.de']],
];

const V4_BLOCK = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const V6_BLOCK = /^([0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)::?\/(\d{1,3})$/;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/;

/** Why a pattern is not a domain or an address block, or undefined when it is one. */
export function patternError(pattern: string): string | undefined {
  const p = pattern.toLowerCase();
  const v4 = V4_BLOCK.exec(p);
  if (v4) {
    const bad = v4.slice(1, 5).some((o) => Number(o) > 255) || Number(v4[5]) > 32;
    return bad ? `${JSON.stringify(pattern)} is not an IPv4 block` : undefined;
  }
  const v6 = V6_BLOCK.exec(p);
  if (v6) {
    const bits = Number(v6[2]);
    const hextets = v6[1]!.split(':').length;
    if (bits % 16 !== 0 || bits === 0 || bits > 112 || bits / 16 > hextets) {
      return `${JSON.stringify(pattern)}: IPv6 blocks must end on a hextet (/16, /32, /48 ...) written out in full`;
    }
    return undefined;
  }
  if (p.includes('/') || p.includes(':')) return `${JSON.stringify(pattern)} is not an address block (a.b.c.d/N or hhhh:hhhh::/N)`;
  return DOMAIN.test(p) ? undefined : `${JSON.stringify(pattern)} is not a domain`;
}

/** The defaults with the user's entries applied: same name replaces, empty list removes, new names come first. */
export function mergeProviders(user: ProviderTable): ProviderTable {
  const replaced = new Map(user.map(([name, patterns]) => [name, patterns]));
  const out: [string, readonly string[]][] = user.filter(([name, p]) => p.length > 0 && !DEFAULT_PROVIDERS.some(([d]) => d === name)).map(([n, p]) => [n, p]);
  for (const [name, patterns] of DEFAULT_PROVIDERS) {
    const mine = replaced.get(name);
    if (mine === undefined) out.push([name, patterns]);
    else if (mine.length > 0) out.push([name, mine]);
  }
  return out;
}

function ipv4(ip: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return n * 256 + part;
}

/** Domains looked up so far, at most this many remembered (then forgotten at once). */
const CACHE_MAX = 20_000;

export class ProviderMatcher {
  /** Provider names in table order, OTHER_PROVIDER last; match() returns an index into it. */
  readonly names: readonly string[];
  private readonly domains = new Map<string, number>();
  /** IPv4 blocks, most specific first: [first address, last address, provider]. */
  private readonly v4: [number, number, number][] = [];
  /** IPv6 blocks as lower-case text prefixes ("2607:f8b0:"), longest first. */
  private readonly v6: [string, number][] = [];
  private readonly cache = new Map<string, number>();
  private readonly other: number;

  constructor(readonly table: ProviderTable) {
    this.names = [...table.map(([name]) => name), OTHER_PROVIDER];
    this.other = table.length;
    table.forEach(([, patterns], index) => {
      for (const raw of patterns) {
        const p = raw.toLowerCase();
        const v4 = V4_BLOCK.exec(p);
        const v6 = v4 ? null : V6_BLOCK.exec(p);
        if (v4) {
          const bits = Number(v4[5]);
          const base = ipv4(p.slice(0, p.indexOf('/')))!;
          const size = 2 ** (32 - bits);
          const first = base - (base % size);
          this.v4.push([first, first + size - 1, index]);
        } else if (v6) {
          const hextets = Number(v6[2]) / 16;
          this.v6.push([v6[1]!.split(':').slice(0, hextets).join(':') + ':', index]);
        } else if (!this.domains.has(p)) {
          this.domains.set(p, index);
        }
      }
    });
    this.v4.sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
    this.v6.sort((a, b) => b[0].length - a[0].length);
  }

  /** Index into `names` for a delivery attempt to `domain` at `ip` (either may be unknown). */
  match(domain: string | undefined, ip: string | undefined): number {
    if (domain !== undefined) {
      const hit = this.cache.get(domain);
      if (hit !== undefined) return hit;
      const byName = this.byDomain(domain);
      if (byName !== undefined) return this.remember(domain, byName);
    }
    const byIp = ip === undefined ? undefined : this.byIp(ip);
    // A domain's mail goes to one provider's MX hosts: what its first address says holds for the rest.
    if (domain !== undefined && ip !== undefined) return this.remember(domain, byIp ?? this.other);
    return byIp ?? this.other;
  }

  private byDomain(domain: string): number | undefined {
    let d = domain.toLowerCase();
    for (;;) {
      const p = this.domains.get(d);
      if (p !== undefined) return p;
      const dot = d.indexOf('.');
      if (dot < 0 || d.indexOf('.', dot + 1) < 0) return undefined;
      d = d.slice(dot + 1);
    }
  }

  private byIp(ip: string): number | undefined {
    if (ip.includes(':')) {
      const lower = ip.toLowerCase();
      for (const [prefix, p] of this.v6) if (lower.startsWith(prefix)) return p;
      return undefined;
    }
    const n = ipv4(ip);
    if (n === undefined) return undefined;
    for (const [first, last, p] of this.v4) if (n >= first && n <= last) return p;
    return undefined;
  }

  private remember(domain: string, p: number): number {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(domain, p);
    return p;
  }
}
