// When a captured line was logged, for pacing a replay. The daemon's own
// readers decide it, so a replay paces exactly what the daemon will see: the
// syslog envelope when the line has one (BSD, RFC 3339, RFC 5424, postlogd),
// otherwise the parse stage (format detection, then the Exim, PowerMTA,
// SparkPost or canonical JSON parser), whose events carry the line's time.

import { EnvelopeReader } from '../parse/envelope.js';
import type { ParseConfig } from '../parse/options.js';
import { createPipeline } from '../parse/pipeline.js';
import { WallClock } from '../parse/time.js';

/** Epoch ms a line carries, or undefined when it carries none. */
export type LineClock = (line: string) => number | undefined;

const SOURCE = 'replay';

export function lineClock(config: ParseConfig): LineClock {
  const envelope = new EnvelopeReader(new WallClock(config.tz));
  let first: number | undefined;
  const pipeline = createPipeline(config, (event) => {
    first ??= event.ts;
  });
  return (line) => {
    const env = envelope.read(line);
    if (env) return env.ts;
    first = undefined;
    pipeline.line(line, SOURCE);
    return first;
  };
}
