// Options of the demo traffic generator. `mtaviz demo` uses them as they are
// (--rate, --seed...); `mtaviz serve --demo` takes the same table with a
// "demo-" prefix (--demo-rate, --demo-seed...), because serve's own --rate is
// the per-client event rate.

import { OptionError, opt, type ConfigOf, type OptionSpec } from '../cli/options.js';
import { STYLES } from './format.js';
import type { GeneratorOptions } from './generator.js';

const share = (help: string, def: number) => opt.number({ metavar: 'FRACTION', help, default: def, min: 0, max: 1 });

export const generatorOptions = {
  rate: opt.number({
    flag: 'rate',
    metavar: 'N',
    help: 'messages accepted per second, averaged outside bursts; each yields an injection, a delivery attempt per recipient and retries: about 2.2 events and 8 log lines',
    default: 100,
    min: 0.01,
    max: 1_000_000,
  }),
  seed: opt.int({ flag: 'seed', metavar: 'N', help: 'random seed: the same seed and start time give the same lines', default: 1, min: 0, max: 2 ** 32 - 1 }),
  ingresses: opt.int({ flag: 'ingresses', metavar: 'N', help: 'ingress load balancers (SMTP and REST API alternate)', default: 2, min: 1, max: 16 }),
  mtas: opt.int({ flag: 'mtas', metavar: 'N', help: 'Postfix MTAs', default: 4, min: 1, max: 64 }),
  proxies: opt.int({ flag: 'proxies', metavar: 'N', help: 'outbound proxies (egress transports)', default: 3, min: 1, max: 64 }),
  imbalance: opt.bool({ flag: 'imbalance', help: 'half the MTAs prefer one proxy each; the --no- form spreads evenly', default: true }),
  imbalanceStrength: { ...share('how strongly a biased MTA prefers its proxy: 0 even, 1 exclusively', 0.6), flag: 'imbalance-strength' },
  deferralRate: { ...share('share of first delivery attempts deferred (4xx, timeouts)', 0.04), flag: 'deferral-rate' },
  bounceRate: { ...share('share of first delivery attempts bounced (5xx, unknown domains)', 0.02), flag: 'bounce-rate' },
  rejectRate: { ...share('share of ingress sessions rejected before queueing (NOQUEUE)', 0.02), flag: 'reject-rate' },
  expireRate: { ...share('expiries of long-queued messages per accepted message', 0.002), flag: 'expire-rate' },
  bursts: opt.bool({ flag: 'bursts', help: 'occasional campaign bursts of 3-5x the rate; the --no- form keeps the rate steady', default: true }),
  pickupShare: { ...share('share of messages submitted locally (postfix/pickup) instead of through an ingress', 0), flag: 'pickup-share' },
  ipv6Share: { ...share('share of deliveries to IPv6-capable providers made over IPv6', 0.03), flag: 'ipv6-share' },
  retryAfter: opt.duration({ flag: 'retry-after', metavar: 'DURATION', help: "first retry of a deferred message (Postfix's minimal_backoff_time)", default: 300_000, min: 1000 }),
  queueLifetime: {
    ...opt.duration({ flag: 'queue-lifetime', metavar: 'DURATION', help: "when a deferred message expires (Postfix's maximal_queue_lifetime)", default: 5 * 86_400_000, min: 1000 }),
    showDefault: '5d',
  },
  style: opt.oneOf({ flag: 'style', metavar: 'STYLE', help: 'line prefix: syslog (RFC 3164), rfc3339 (rsyslog file format) or maillog (Postfix maillog_file)', default: 'syslog', values: STYLES }),
} as const;

export type GeneratorTable = typeof generatorOptions;
type Prefixed<T> = { readonly [K in keyof T as `demo${Capitalize<K & string>}`]: T[K] };

/** The same options for `serve`, as --demo-rate / "demoRate" and so on, plus --demo itself. */
export const serveDemoOptions = {
  demo: opt.bool({ flag: 'demo', help: "run the built-in traffic generator, writing into the daemon's own --socket" }),
  ...(Object.fromEntries(
    Object.entries(generatorOptions).map(([key, spec]) => [
      `demo${key[0]!.toUpperCase()}${key.slice(1)}`,
      { ...spec, flag: `demo-${(spec as OptionSpec<unknown>).flag}` },
    ]),
  ) as unknown as Prefixed<GeneratorTable>),
};

/** --help section of `serve` for the demo options. */
export const serveDemoKeys = Object.keys(serveDemoOptions);

export type GeneratorSettings = Omit<GeneratorOptions, 'start'>;

/** Generator settings from `mtaviz demo` options. */
export function generatorSettings(c: ConfigOf<GeneratorTable>): GeneratorSettings {
  if (c.deferralRate + c.bounceRate > 1) {
    throw new OptionError(`--deferral-rate ${c.deferralRate} plus --bounce-rate ${c.bounceRate} exceed 1`);
  }
  return {
    rate: c.rate,
    seed: c.seed,
    ingresses: c.ingresses,
    mtas: c.mtas,
    proxies: c.proxies,
    imbalance: c.imbalance ? c.imbalanceStrength : 0,
    deferralRate: c.deferralRate,
    bounceRate: c.bounceRate,
    rejectRate: c.rejectRate,
    expireRate: c.expireRate,
    bursts: c.bursts,
    pickupShare: c.pickupShare,
    ipv6Share: c.ipv6Share,
    retryAfter: c.retryAfter,
    queueLifetime: c.queueLifetime,
    style: c.style,
  };
}

/** Generator settings from `mtaviz serve --demo` options. */
export function serveDemoSettings(c: ConfigOf<typeof serveDemoOptions>): GeneratorSettings {
  const plain = Object.fromEntries(Object.keys(generatorOptions).map((key) => [key, c[`demo${key[0]!.toUpperCase()}${key.slice(1)}` as keyof typeof c]]));
  try {
    return generatorSettings(plain as unknown as ConfigOf<GeneratorTable>);
  } catch (err) {
    if (err instanceof OptionError) throw new OptionError(err.message.replace(/--(deferral|bounce)-rate/g, '--demo-$1-rate'));
    throw err;
  }
}
