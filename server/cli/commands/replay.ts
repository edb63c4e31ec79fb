// `mtaviz replay FILE`: plays a captured log back with its original pacing
// (scaled by --speed) into a running daemon's socket (--to-socket), or into a
// daemon of its own, started with every `serve` option, so an incident can be
// watched again in the browser.

import { socketOutput } from '../../demo/output.js';
import { lineClock } from '../../replay/clock.js';
import { replayOptions, replaySettings } from '../../replay/options.js';
import { replay as play } from '../../replay/replayer.js';
import type { CommandModule } from '../command.js';
import { untilInterrupted } from '../interrupt.js';
import { OptionError, opt } from '../options.js';
import serve from './serve.js';

// serve's own --replay / --demo options are what this command sets; they are not offered twice.
const daemonOptions = Object.fromEntries(
  Object.entries(serve.options).filter(([key]) => !/^(replay|demo)([A-Z]|$)/.test(key) && key !== 'stdin'),
) as Omit<typeof serve.options, 'stdin'>;

const options = {
  ...replayOptions,
  toSocket: opt.maybe({ flag: 'to-socket', metavar: 'PATH', help: "write into a running daemon's Unix stream socket instead of starting one" }),
  ...daemonOptions,
};

const replay: CommandModule<typeof options> = {
  usage: 'mtaviz replay FILE [--speed N] [--loop] [--to-socket PATH] [SERVE OPTIONS]',
  summary:
    'Replay a captured log (any format mtaviz reads) with its original pacing, scaled by --speed.\n' +
    'Without --to-socket it starts a daemon of its own (the serve options below apply), prints its URL,\n' +
    'starts playing when the first browser connects (--no-wait: at once) and keeps serving after the\n' +
    'replay ends; stop it with Ctrl-C.',
  options,
  sections: {
    Replay: ['speed', 'loop', 'maxGap', 'toSocket', 'wait'],
    'Daemon (without --to-socket)': Object.keys(daemonOptions),
  },

  async run({ config, positionals }) {
    if (positionals.length !== 1) throw new OptionError(positionals.length === 0 ? 'replay needs a FILE' : `replay takes one FILE, got ${positionals.length}`);
    const settings = replaySettings(positionals[0]!, config);

    if (config.toSocket === undefined) {
      // serve's full settings: its defaults (the demo ones stay unused), this command's flags, the replay.
      const defaults = Object.fromEntries(Object.entries(serve.options).map(([key, spec]) => [key, spec.default]));
      const serveConfig = {
        ...defaults,
        ...config,
        stdin: false,
        demo: false,
        replay: settings.file,
        replaySpeed: settings.speed,
        replayLoop: settings.loop,
        replayMaxGap: settings.maxGapMs,
        replayWait: settings.waitForViewer,
      } as unknown as Parameters<typeof serve.run>[0]['config'];
      return serve.run({ config: serveConfig, positionals: [] });
    }

    let out;
    try {
      out = await socketOutput(config.toSocket);
    } catch (err) {
      process.stderr.write(`mtaviz: ${(err as Error).message}\n`);
      return 1;
    }
    return untilInterrupted(async (signal) => {
      const { file, speed, loop, maxGapMs } = settings;
      const result = await play(out, lineClock(config), { file, speed, loop, maxGapMs, signal });
      await out.close();
      if (result.reason === 'closed') {
        process.stderr.write(`mtaviz: ${config.toSocket}: the daemon closed the connection after ${result.lines} lines\n`);
        return 1;
      }
      return 0;
    });
  },
};

export default replay;
