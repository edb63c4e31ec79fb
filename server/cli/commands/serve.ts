// `mtaviz serve` (the default command): runs the daemon until SIGINT or
// SIGTERM, then shuts down cleanly and exits 0. Once listening it prints one
// line on stdout, `mtaviz listening on http://HOST:PORT/` (with --headless:
// `mtaviz publishing to URL as box NAME (headless)`), which scripts and tests
// wait for; everything else the daemon says goes to stderr.

import { busOptions, defaultBox } from '../../bus/options.js';
import { startDaemon } from '../../daemon.js';
import { startEmbeddedDemo } from '../../demo/embedded.js';
import { serveDemoKeys, serveDemoOptions, serveDemoSettings } from '../../demo/options.js';
import { startEmbeddedReplay } from '../../replay/embedded.js';
import { serveReplayKeys, serveReplayOptions, serveReplaySettings } from '../../replay/options.js';
import { httpOptions } from '../../http/options.js';
import { hubOptions } from '../../hub/options.js';
import { ingestOptions } from '../../ingest/options.js';
import { insightOptions } from '../../insight/options.js';
import { parseOptions } from '../../parse/options.js';
import { SocketPathError } from '../../ingest/socket-path.js';
import { createLogger, logOptions } from '../../log.js';
import type { CommandModule } from '../command.js';
import { OptionError } from '../options.js';

const options = { ...ingestOptions, ...parseOptions, ...hubOptions, ...insightOptions, ...httpOptions, ...busOptions, ...logOptions, ...serveDemoOptions, ...serveReplayOptions };

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Errors of the environment, not of the code: reported on one line, exit status 1. */
const STARTUP_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG']);

const serve: CommandModule<typeof options> = {
  usage: 'mtaviz [serve] [OPTIONS] [-]',
  summary:
    'Run the daemon: read MTA log lines from a Unix socket, datagrams, tailed files, TCP syslog or\n' +
    'standard input ("-"), and serve the live view over HTTP.',
  options,
  sections: {
    Inputs: ['socket', 'socketMode', 'dgram', 'tail', 'fromStart', 'tailPoll', 'syslogTcp', 'maxLine', 'maxConnections'],
    Parsing: Object.keys(parseOptions),
    'Live stream (per browser)': Object.keys(hubOptions),
    'Insight (alarms, providers)': Object.keys(insightOptions),
    HTTP: Object.keys(httpOptions),
    'Federation (several boxes, one view, through NATS)': Object.keys(busOptions),
    Logging: ['logLevel'],
    'Demo (built-in traffic generator)': serveDemoKeys,
    Replay: serveReplayKeys,
  },

  async run({ config, positionals }) {
    const unexpected = positionals.find((p) => p !== '-');
    if (unexpected !== undefined) throw new OptionError(`unexpected argument ${JSON.stringify(unexpected)} (standard input is "-")`);
    const demo = config.demo ? serveDemoSettings(config) : undefined;
    const replay = serveReplaySettings(config);
    if (demo && replay) throw new OptionError('--demo and --replay both write into the socket; choose one');
    if ((demo || replay) && !config.socket) throw new OptionError(`${demo ? '--demo' : '--replay'} writes into the daemon's own --socket, which must not be empty`);
    const log = createLogger(config.logLevel);

    // Listen for the signals before anything starts, so that one arriving
    // during startup still gets a clean shutdown. The handlers go away with
    // the first signal: a second one kills at once, as operators expect.
    const stop = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
        resolve(sig);
      };
      for (const sig of SHUTDOWN_SIGNALS) process.on(sig, onSignal);
    });

    let daemon;
    try {
      daemon = await startDaemon({ ...config, stdin: config.stdin || positionals.includes('-') }, log);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof SocketPathError || (code !== undefined && STARTUP_CODES.has(code))) {
        process.stderr.write(`mtaviz: ${(err as Error).message}\n`);
        return 1;
      }
      throw err;
    }
    process.stdout.write(
      daemon.url ? `mtaviz listening on ${daemon.url}\n` : `mtaviz publishing to ${config.publish} as box ${config.box ?? defaultBox()} (headless)\n`,
    );
    // Feeders write into the daemon's own socket, as an external shipper would.
    const feeder = demo
      ? await startEmbeddedDemo(config.socket, demo, log)
      : replay
        ? await startEmbeddedReplay(config.socket, replay, config, () => daemon.viewers, log)
        : undefined;

    const signal = await stop;
    log.info({ signal }, 'shutting down');
    await feeder?.close();
    await daemon.close();
    return 0;
  },
};

export default serve;
