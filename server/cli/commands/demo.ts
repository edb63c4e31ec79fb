// `mtaviz demo`: realistic Postfix traffic from the built-in generator, on
// stdout or into a running daemon's Unix socket, paced by the wall clock
// (or, with --fast, as quickly as the reader takes it, to make log files).

import { Generator } from '../../demo/generator.js';
import { generatorOptions, generatorSettings } from '../../demo/options.js';
import { socketOutput, stdoutOutput } from '../../demo/output.js';
import { pace } from '../../demo/pace.js';
import type { CommandModule } from '../command.js';
import { untilInterrupted } from '../interrupt.js';
import { OptionError, opt } from '../options.js';

const options = {
  ...generatorOptions,
  toSocket: opt.maybe({ flag: 'to-socket', metavar: 'PATH', help: "write into a running daemon's Unix stream socket instead of stdout" }),
  duration: { ...opt.duration({ flag: 'duration', metavar: 'DURATION', help: 'stop after this much (simulated) time (default: until interrupted)', default: 0 }), showDefault: '' },
  count: opt.int({ flag: 'count', metavar: 'N', help: 'stop after N lines; 0 for no limit', default: 0, min: 0 }),
  fast: opt.bool({ flag: 'fast', help: 'do not wait for the clock: write simulated time as fast as the reader takes it' }),
  start: opt.maybe({ flag: 'start', metavar: 'TIME', help: 'start of the simulated clock, ISO 8601 or epoch ms (default: now)' }),
};

function parseStart(raw: string | undefined): number {
  if (raw === undefined) return Date.now();
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new OptionError(`--start: ${JSON.stringify(raw)} is not a time (ISO 8601 or epoch ms)`);
  return ms;
}

const demo: CommandModule<typeof options> = {
  usage: 'mtaviz demo [OPTIONS]',
  summary:
    'Generate the log lines of a believable sending platform (two ingress load balancers, Postfix\n' +
    'MTAs, outbound proxies, real provider address space, deferrals, bounces, bursts and a built-in\n' +
    'MTA-to-proxy imbalance) and write them to stdout or into a daemon\'s socket.',
  options,
  sections: {
    Output: ['toSocket', 'duration', 'count', 'fast', 'start', 'style'],
    Traffic: ['rate', 'seed', 'bursts', 'deferralRate', 'bounceRate', 'rejectRate', 'expireRate', 'pickupShare', 'ipv6Share', 'retryAfter', 'queueLifetime'],
    Topology: ['ingresses', 'mtas', 'proxies', 'imbalance', 'imbalanceStrength'],
  },

  async run({ config, positionals }) {
    if (positionals.length > 0) throw new OptionError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const start = parseStart(config.start);
    const gen = new Generator({ ...generatorSettings(config), start });

    let out;
    try {
      out = config.toSocket ? await socketOutput(config.toSocket) : stdoutOutput();
    } catch (err) {
      process.stderr.write(`mtaviz: ${(err as Error).message}\n`);
      return 1;
    }

    return untilInterrupted(async (signal) => {
      const result = await pace(gen, out, { start, durationMs: config.duration, maxLines: config.count, fast: config.fast, signal });
      await out.close();
      if (result.reason === 'closed' && config.toSocket) {
        process.stderr.write(`mtaviz: ${config.toSocket}: the daemon closed the connection${out.error ? ` (${(out.error as NodeJS.ErrnoException).code ?? out.error.message})` : ''}\n`);
        return 1;
      }
      return 0;
    });
  },
};

export default demo;
