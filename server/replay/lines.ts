// Reads a log file line by line as a stream: a multi-gigabyte capture is never
// held in memory, and the file is read only as fast as the consumer pulls.

import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut (the daemon would cut them at its own --max-line anyway). */
export const MAX_REPLAY_LINE = 1024 * 1024;

/**
 * Yields the file's lines without their LF or CRLF terminator; a last line
 * without a terminator is yielded too. Invalid UTF-8 becomes U+FFFD, as the
 * daemon's own framers do.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let cut = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const text = partial + decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (!cut) yield strip(text.slice(start, nl));
      cut = false;
      start = nl + 1;
    }
    partial = text.slice(start);
    if (partial.length > MAX_REPLAY_LINE) {
      if (!cut) yield partial.slice(0, MAX_REPLAY_LINE);
      cut = true;
      partial = '';
    }
  }
  partial += decoder.end();
  if (partial !== '' && !cut) yield strip(partial);
}

function strip(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
