// `mtaviz parse [FILE|-]`: what mtaviz sees in a log. Canonical events as
// NDJSON on stdout, a per-kind summary and the unparsed count on stderr.
//
// Built for big files: input is read in 1 MiB chunks and split on LF by hand
// (a line never straddles two decoded strings, and LF never occurs inside a
// UTF-8 sequence, so each chunk is decoded once up to its last LF); output is
// gathered per chunk and written in one call, honouring backpressure. A
// closed stdout (`| head`) ends the run quietly.

import { createReadStream, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { KINDS } from '../../protocol/index.js';
import { parseOptions } from '../../parse/options.js';
import { createPipeline } from '../../parse/pipeline.js';
import type { CommandModule } from '../command.js';
import { OptionError } from '../options.js';

const CHUNK = 1 << 20;
/** Lines are cut here, like the daemon's sources do by default. */
const MAX_LINE = 64 * 1024;
/** Output is flushed once this many characters are gathered. */
const OUT_FLUSH = 1 << 20;

const options = { ...parseOptions };

class StdoutClosed extends Error {}

const parse: CommandModule<typeof options> = {
  usage: 'mtaviz parse [--format FORMAT] [FILE|-]',
  summary:
    'Print the canonical events mtaviz reads from a log as NDJSON on stdout, and a per-kind\n' +
    'summary with the count of unparsed lines on stderr. FILE defaults to stdin.',
  options,
  sections: {
    Parsing: ['format', 'tz', 'pmtaHeader'],
    Privacy: ['showAddresses'],
    Correlation: ['correlationMax', 'correlationTtl'],
  },

  async run({ config, positionals }) {
    if (positionals.length > 1) throw new OptionError(`parse takes one FILE, got ${positionals.length}`);
    const file = positionals[0] ?? '-';
    let input: Readable;
    if (file === '-') {
      input = process.stdin;
    } else {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (err) {
        throw new OptionError(`cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      input = createReadStream('', { fd, highWaterMark: CHUNK });
    }

    const stdout = process.stdout;
    let outClosed = false;
    let outError: Error | undefined;
    stdout.on('error', (err: NodeJS.ErrnoException) => {
      outClosed = true;
      if (err.code !== 'EPIPE') outError = err;
    });

    let out = '';
    const pipeline = createPipeline(config, (e) => {
      out += JSON.stringify(e) + '\n';
    });
    const flush = async (): Promise<void> => {
      if (out === '') return;
      if (outClosed) throw new StdoutClosed();
      const text = out;
      out = '';
      if (!stdout.write(text)) {
        try {
          await Promise.race([once(stdout, 'drain'), once(stdout, 'close')]);
        } catch {
          // once() rejects on 'error': the handler above has recorded it.
          outClosed = true;
        }
      }
      if (outClosed) throw new StdoutClosed();
    };

    const source = file === '-' ? 'stdin' : file;
    let carry: Buffer | undefined;
    let oversize = 0;
    /** Dropping the rest of an over-long line until its LF. */
    let skipping = false;
    const started = process.hrtime.bigint();

    /**
     * Lines of `text`, decoded from `bytes` up to and including its last LF.
     * When every byte decoded to one char, the bytes go along for the parse
     * stage's scans (server/parse/bytes.ts): without them it makes its own copy per line.
     */
    const feed = (text: string, bytes: Buffer): void => {
      const aligned = text.length === bytes.length ? bytes : undefined;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        pipeline.line(text.slice(start, end), source, aligned, start);
        start = nl + 1;
      }
    };

    try {
      for await (const raw of input) {
        let chunk = raw as Buffer;
        if (skipping) {
          const nl = chunk.indexOf(10);
          if (nl < 0) continue;
          skipping = false;
          chunk = chunk.subarray(nl + 1);
        }
        if (carry !== undefined) {
          chunk = Buffer.concat([carry, chunk]);
          carry = undefined;
        }
        const last = chunk.lastIndexOf(10);
        if (last < 0) {
          if (chunk.length > MAX_LINE) {
            // Keep the head as a (cut) line of its own; the rest waits for its LF.
            pipeline.line(chunk.toString('utf8', 0, MAX_LINE), source);
            oversize++;
            skipping = true;
          } else {
            carry = chunk;
          }
          continue;
        }
        feed(chunk.toString('utf8', 0, last + 1), chunk.subarray(0, last + 1));
        if (last + 1 < chunk.length) carry = Buffer.from(chunk.subarray(last + 1));
        if (out.length >= OUT_FLUSH) await flush();
      }
      if (carry !== undefined && carry.length > 0) {
        // A last line without its LF still counts.
        let text = carry.toString('utf8', 0, Math.min(carry.length, MAX_LINE));
        if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
        if (carry.length > MAX_LINE) oversize++;
        pipeline.line(text, source);
      }
      pipeline.close();
      await flush();
    } catch (err) {
      if (err instanceof StdoutClosed) {
        input.destroy();
        if (outError === undefined) return 0;
        process.stderr.write(`mtaviz: stdout: ${outError.message}\n`);
        return 1;
      }
      const code = (err as NodeJS.ErrnoException).code;
      process.stderr.write(`mtaviz: reading ${source}: ${code ?? (err as Error).message}\n`);
      return 1;
    }

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const s = pipeline.stats();
    const formats = Object.entries(s.perFormat)
      .filter(([, c]) => c.lines > 0)
      .map(([f, c]) => `${f} ${c.lines}`)
      .join(', ');
    const kinds = KINDS.map((k, i) => `${k} ${s.byKind[i]}`).join('  ');
    const extra = [
      s.correlation.evictions > 0 ? `${s.correlation.evictions} correlation evictions` : '',
      oversize > 0 ? `${oversize} lines cut at ${MAX_LINE} bytes` : '',
      s.incomplete > 0 ? `${s.incomplete} records cut short` : '',
    ].filter(Boolean);
    process.stderr.write(
      `mtaviz parse: ${s.lines} lines in ${seconds.toFixed(2)} s` +
        ` (${formats || 'no format recognised'}): ${s.events} events, ${s.ignored} ignored, ${s.unparsed} unparsed\n` +
        `  ${kinds}\n` +
        (extra.length ? `  ${extra.join(', ')}\n` : ''),
    );
    return 0;
  },
};

export default parse;
