// The sending platform the demo pretends to be: ingress load balancers in
// front of Postfix MTAs, which relay through outbound proxy transports to the
// mailbox providers. Built once from the options and the seed; the generator
// only draws from it.

import { ipv4In, ipv6In } from './net.js';
import { PROVIDERS, type Provider } from './providers.js';
import { Random, Weighted } from './random.js';

export interface TopologyOptions {
  ingresses: number;
  mtas: number;
  proxies: number;
  /** 0 = every MTA spreads evenly over the proxies; 1 = biased MTAs use only their preferred proxy. */
  imbalance: number;
  /** Share of deliveries to IPv6-capable providers that go over IPv6. */
  ipv6Share: number;
}

export interface Client {
  host: string;
  ip: string;
}

export interface Ingress {
  /** The smtpd's syslog_name component: the parser reports it as `ingress`. */
  name: string;
  api: boolean;
  clients: Client[];
}

export interface Proxy {
  /** The smtp transport's syslog_name component: the parser reports it as `egress`. */
  name: string;
  /** The address the proxy sends from; providers quote it in their refusals. */
  sourceIp: string;
}

export interface Pids {
  qmgr: number;
  pickup: number;
  cleanup: number[];
  bounce: number[];
  smtpd: Map<string, number[]>;
  smtp: Map<string, number[]>;
}

export interface Mta {
  host: string;
  pids: Pids;
  /** Index into World.proxies of the proxy this MTA prefers, if it is one of the biased ones. */
  preferred?: number;
  route: Weighted<Proxy>;
}

export interface Destination {
  domain: string;
  provider: Provider;
  hosts: string[];
  ipv4: string[];
  ipv6: string[];
}

export interface Customer {
  /** Envelope sender domain (the customer's VERP return-path domain). */
  domain: string;
  /** The customer's own mail server, which submits through the SMTP ingress. */
  mailHost: string;
  account: string;
}

export interface World {
  ingresses: Ingress[];
  mtas: Mta[];
  proxies: Proxy[];
  destinations: Weighted<Destination>;
  customers: Customer[];
  /** Where non-delivery notifications to our customers' return paths go. */
  bounceMx: Destination;
  /** Mean of provider.deferFactor over the domain mix, to keep the configured deferral rate the average. */
  meanDeferFactor: number;
}

const PLATFORM = 'mtaviz.example';
const BRANDS = ['bookshop', 'outfitters', 'cycleworks', 'gardenhub', 'petsupply', 'travelnow', 'newsdaily', 'fitclub', 'homegoods', 'techdeals', 'kitchenpro', 'artstore', 'musicbox', 'cityevents', 'autoparts', 'finwise', 'edulearn', 'foodbox', 'gamezone', 'healthplus'];

function pidPool(rng: Random, n: number): number[] {
  return Array.from({ length: n }, () => 1000 + rng.int(400_000));
}

function proxyName(i: number): string {
  return i < 26 ? `proxy-${String.fromCharCode(97 + i)}` : `proxy-${i + 1}`;
}

function ingressName(i: number): string {
  const kind = i % 2 === 0 ? 'smtp-lb' : 'api-lb';
  const n = Math.floor(i / 2);
  return n === 0 ? kind : `${kind}${n + 1}`;
}

/** Share of a biased MTA's traffic that goes to its preferred proxy. */
export function preferredShare(proxies: number, imbalance: number): number {
  return 1 / proxies + imbalance * (1 - 1 / proxies);
}

export function buildWorld(opts: TopologyOptions, rng: Random): World {
  const proxies: Proxy[] = Array.from({ length: opts.proxies }, (_, i) => ({
    name: proxyName(i),
    // TEST-NET-1 (RFC 5737): the demo's own sending addresses must not be anyone's real ones.
    sourceIp: `192.0.2.${10 + i}`,
  }));

  const ingresses: Ingress[] = Array.from({ length: opts.ingresses }, (_, i) => {
    const api = i % 2 === 1;
    const clients: Client[] = api
      ? Array.from({ length: 8 }, (_, k) => ({ host: `api-worker-${String(k + 1).padStart(2, '0')}.internal`, ip: `10.20.${i}.${11 + k}` }))
      : Array.from({ length: 24 }, () => ({ host: 'unknown', ip: ipv4In(rng.pick(['203.0.113.0/24', '198.51.100.0/24']), rng) }));
    return { name: ingressName(i), api, clients };
  });

  // Half the MTAs (rounded up) are the biased ones; each prefers a different proxy.
  const biased = Math.ceil(opts.mtas / 2);
  const mtas: Mta[] = Array.from({ length: opts.mtas }, (_, i) => {
    const pids: Pids = {
      qmgr: pidPool(rng, 1)[0]!,
      pickup: pidPool(rng, 1)[0]!,
      cleanup: pidPool(rng, 4),
      bounce: pidPool(rng, 2),
      smtpd: new Map(ingresses.map((g) => [g.name, pidPool(rng, 20)])),
      smtp: new Map(proxies.map((p) => [p.name, pidPool(rng, 16)])),
    };
    const preferred = opts.imbalance > 0 && i < biased && proxies.length > 1 ? i % proxies.length : undefined;
    let weights = proxies.map(() => 1);
    if (preferred !== undefined) {
      const share = preferredShare(proxies.length, opts.imbalance);
      weights = proxies.map((_, k) => (k === preferred ? share : (1 - share) / (proxies.length - 1)));
    }
    return { host: `mta${i + 1}`, pids, route: new Weighted(proxies, weights), ...(preferred !== undefined ? { preferred } : {}) };
  });

  const dests: Destination[] = [];
  const weights: number[] = [];
  let deferSum = 0;
  let weightSum = 0;
  for (const provider of PROVIDERS) {
    const shared = drawAddresses(provider, provider.mxAddresses, opts, rng);
    for (const [domain, weight] of provider.domains) {
      const own = provider.mxAddresses === 0 ? drawAddresses(provider, 1 + rng.int(2), opts, rng) : shared;
      dests.push({ domain, provider, hosts: provider.mx(domain), ...own });
      weights.push(weight);
      deferSum += weight * provider.deferFactor;
      weightSum += weight;
    }
  }

  const customers: Customer[] = BRANDS.map((b, i) => ({ domain: `em.${b}.example`, mailHost: `mail.${b}.example`, account: `acct-${1001 + i * 17}` }));
  const bounceMx: Destination = {
    domain: `bounces.${PLATFORM}`,
    provider: PROVIDERS[PROVIDERS.length - 1]!,
    hosts: [`inbound.bounces.${PLATFORM}`],
    // TEST-NET-2: our own bounce processors, deliberately not a real network.
    ipv4: ['198.51.100.25', '198.51.100.26'],
    ipv6: [],
  };

  return {
    ingresses,
    mtas,
    proxies,
    destinations: new Weighted(dests, weights),
    customers,
    bounceMx,
    meanDeferFactor: deferSum / weightSum,
  };
}

function drawAddresses(provider: Provider, n: number, opts: TopologyOptions, rng: Random): { ipv4: string[]; ipv6: string[] } {
  const ipv4 = Array.from({ length: n }, () => ipv4In(rng.pick(provider.ipv4), rng));
  const ipv6 = provider.ipv6 && opts.ipv6Share > 0 ? Array.from({ length: Math.max(1, n >> 2) }, () => ipv6In(provider.ipv6!, rng)) : [];
  return { ipv4, ipv6 };
}

export { PLATFORM };
