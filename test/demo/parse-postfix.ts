// Turns generated lines into canonical events with the daemon's own parse
// pipeline (format detection, envelope, Postfix parser, queue-ID correlation)
// at its default settings, so the demo's proportions are measured the way
// the daemon will see them.

import type { OptionSpec } from '../../server/cli/options.js';
import { parseOptions } from '../../server/parse/options.js';
import { createPipeline } from '../../server/parse/pipeline.js';
import type { MailEvent } from '../../server/protocol/index.js';

export interface Parsed {
  events: MailEvent[];
  unparsed: number;
}

export function parsePostfix(lines: readonly string[]): Parsed {
  const defaults = Object.fromEntries(Object.entries(parseOptions).map(([k, spec]) => [k, (spec as OptionSpec<unknown>).default]));
  const events: MailEvent[] = [];
  const pipeline = createPipeline(defaults as never, (e) => events.push(e));
  for (const line of lines) pipeline.line(line, 'demo');
  const stats = pipeline.stats();
  return { events, unparsed: stats.unparsed };
}
