// Options of replay. `mtaviz replay FILE` takes them as --speed, --loop and
// --max-gap; `mtaviz serve` takes the same as --replay FILE, --replay-speed,
// --replay-loop and --replay-max-gap (what `mtaviz replay` without
// --to-socket runs).

import { existsSync, statSync } from 'node:fs';
import { OptionError, opt, type ConfigOf } from '../cli/options.js';
import type { ReplayOptions } from './replayer.js';

const speed = (flag: string) =>
  opt.number({ flag, metavar: 'N', help: 'playback speed: 10 plays ten times faster than logged; 0 as fast as the daemon reads', default: 1, min: 0, max: 1_000_000 });
const loop = (flag: string) => opt.bool({ flag, help: 'start again from the top at the end of the file' });
const maxGap = (flag: string) => ({
  ...opt.duration({ flag, metavar: 'DURATION', help: 'cut idle stretches of the capture longer than this down to it (default: keep them)', default: 0 }),
  showDefault: '',
});

const wait = (flag: string) =>
  opt.bool({ flag, help: 'start the replay when the first browser connects, so it is seen from the start; the --no- form starts at once', default: true });

export const replayOptions = {
  speed: speed('speed'),
  loop: loop('loop'),
  maxGap: maxGap('max-gap'),
  wait: wait('wait'),
};

export const serveReplayOptions = {
  replay: opt.maybe({ flag: 'replay', metavar: 'FILE', help: "replay a captured log into the daemon's own --socket, paced as it was logged" }),
  replaySpeed: speed('replay-speed'),
  replayLoop: loop('replay-loop'),
  replayMaxGap: maxGap('replay-max-gap'),
  replayWait: wait('replay-wait'),
};

export const serveReplayKeys = Object.keys(serveReplayOptions);

export type ReplaySettings = Omit<ReplayOptions, 'signal'> & {
  /** In a daemon of its own: hold the replay until a browser is watching. */
  waitForViewer: boolean;
};

/** Fails early, with the path in the message, on a file that cannot be replayed. */
export function checkReplayFile(file: string): string {
  if (!existsSync(file)) throw new OptionError(`replay: ${JSON.stringify(file)} does not exist`);
  if (!statSync(file).isFile()) throw new OptionError(`replay: ${JSON.stringify(file)} is not a regular file`);
  return file;
}

export function replaySettings(file: string, c: ConfigOf<typeof replayOptions>): ReplaySettings {
  return { file: checkReplayFile(file), speed: c.speed, loop: c.loop, maxGapMs: c.maxGap, waitForViewer: c.wait };
}

export function serveReplaySettings(c: ConfigOf<typeof serveReplayOptions>): ReplaySettings | undefined {
  if (c.replay === undefined) return undefined;
  return { file: checkReplayFile(c.replay), speed: c.replaySpeed, loop: c.replayLoop, maxGapMs: c.replayMaxGap, waitForViewer: c.replayWait };
}
