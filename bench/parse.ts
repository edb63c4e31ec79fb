// Parse-stage throughput on a large, realistic Postfix log: the captured
// fixture (test/fixtures/postfix/maillog.log, a real Postfix run) replicated
// to 1M lines with fresh queue IDs and advancing timestamps, 64 copies
// interleaved so that about 1500 messages are in flight in the correlator at
// once, and 4000 lines per second of log time, as on a busy relay.
//
//   parse.postfix.pipeline   lines/s, 64 KiB chunks framed by the ingest
//                            stage's LineFramer, then through createPipeline
//                            (envelope, detection, Postfix parser, queue-ID
//                            correlation) on one core, no output; per CPU
//                            second, so other load on the box counts less
//   parse.postfix.parse-only the same without the framing's share
//   parse.postfix.framing-baseline  the framing alone
//   parse.cli.postfix        `mtaviz parse FILE > /dev/null` end to end on the
//                            same 1M lines: read, split, parse, NDJSON out
//   parse.cli.postfix.cpu    the same per CPU-second
//   parse.cli.postfix.wall   its wall time

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, readFileSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineFramer } from '../server/ingest/line-framer.js';
import { newCounters } from '../server/ingest/source.js';
import { createPipeline } from '../server/parse/pipeline.js';
import { parseOptions, type ParseConfig } from '../server/parse/options.js';
import { MONTHS } from '../server/parse/time.js';
import type { Figure } from './lib/figure.js';

const FIXTURE = new URL('../../test/fixtures/postfix/maillog.log', import.meta.url).pathname;
const CLI = new URL('../server/cli/main.js', import.meta.url).pathname;
const TARGET_LINES = 1_000_000;
const INTERLEAVE = 64;
/** A busy relay: about 1000 messages a second, four to five lines each. */
const LINES_PER_SECOND = 4000;
const RUNS = 3;

/** Queue IDs in the fixture: 10-12 upper-case hex digits before ": " or after "notification: ". */
const QID = /\b[0-9A-F]{10,12}\b/g;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** BSD syslog timestamp as postlogd writes it (UTC here; the bench pins --tz UTC). */
function bsd(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** The fixture replicated to `target` lines, copies interleaved line by line, timestamps rising steadily. */
export function replicatedPostfixLog(target = TARGET_LINES): string[] {
  const fixture = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.length > 16)
    .map((l) => l.slice(16));
  const copies = Math.ceil(target / fixture.length);
  const out: string[] = [];
  let nextId = 0x1000000000;
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  for (let group = 0; group < copies && out.length < target; group += INTERLEAVE) {
    const members = Math.min(INTERLEAVE, copies - group);
    const renamed: string[][] = [];
    for (let m = 0; m < members; m++) {
      const ids = new Map<string, string>();
      renamed.push(
        fixture.map((body) =>
          body.replace(QID, (q) => {
            let id = ids.get(q);
            if (id === undefined) ids.set(q, (id = (nextId++).toString(16).toUpperCase()));
            return id;
          }),
        ),
      );
    }
    for (let i = 0; i < fixture.length; i++) {
      for (let m = 0; m < members; m++) {
        out.push(`${bsd(start + Math.floor((out.length * 1000) / LINES_PER_SECOND))} ${renamed[m]![i]!}`);
      }
    }
  }
  out.length = Math.min(out.length, target);
  // Flat strings, as lines decoded from a socket or file are (the template
  // literals above build cons strings, which are slower to read char by char).
  return out.join('\n').split('\n');
}

function config(): ParseConfig {
  const defaults = Object.fromEntries(Object.entries(parseOptions).map(([k, spec]) => [k, spec.default]));
  return { ...defaults, tz: 'UTC' } as ParseConfig;
}

/** CPU seconds (user + system, all threads of this process) spent in fn. */
function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** Socket reads of the daemon's Unix stream source come in chunks of this size. */
const CHUNK = 64 * 1024;

/**
 * The log's bytes in 64 KiB chunks through the ingest stage's LineFramer (as
 * a socket hands them over), each line then parsed and correlated; `parse`
 * false frames only (the baseline).
 */
function pipelineRun(log: Buffer, parse: boolean): { seconds: number; lines: number; events: number; unparsed: number } {
  let events = 0;
  const p = createPipeline(config(), () => {
    events++;
  });
  let chars = 0;
  const counters = newCounters();
  const framer = new LineFramer(
    64 * 1024,
    parse ? (line, bytes, at) => p.line(line, 'bench', bytes, at) : (line) => (chars += line.length),
    counters,
  );
  const seconds = cpuSeconds(() => {
    for (let at = 0; at < log.length; at += CHUNK) framer.push(log.subarray(at, at + CHUNK));
    framer.end();
  });
  if (!parse && chars === 0) throw new Error('framing saw nothing');
  return { seconds, lines: counters.lines, events, unparsed: p.stats().unparsed };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `mtaviz parse FILE > /dev/null` under bash's `time`, which reports the child's CPU time too. */
async function cliRun(file: string): Promise<{ wall: number; cpu: number }> {
  const devnull = openSync('/dev/null', 'w');
  try {
    const script = `TIMEFORMAT='%R %U %S'; time "$0" "$1" parse --tz UTC "$2" >/dev/null 2>"$3"`;
    const errFile = `${file}.stderr`;
    const child = spawn('bash', ['-c', script, process.execPath, CLI, file, errFile], { stdio: ['ignore', devnull, 'pipe'] });
    let times = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (times += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    const err = readFileSync(errFile, 'utf8');
    if (code !== 0) throw new Error(`mtaviz parse exited with ${code}: ${err}`);
    if (!/ 0 unparsed/.test(err)) throw new Error(`mtaviz parse left lines unparsed: ${err}`);
    const [wall, user, sys] = times.trim().split(/\s+/).map(Number) as [number, number, number];
    return { wall, cpu: user + sys };
  } finally {
    closeSync(devnull);
  }
}

export default async function bench(): Promise<Figure[]> {
  // Only the bytes are kept (off the JS heap): a million retained strings would
  // make every major GC of the timed runs mark them, time the daemon never spends.
  const { log, lineCount, avgLen } = (() => {
    const lines = replicatedPostfixLog();
    return {
      log: Buffer.from(lines.join('\n') + '\n'),
      lineCount: lines.length,
      avgLen: Math.round(lines.reduce((a, l) => a + l.length, 0) / lines.length),
    };
  })();

  // Warm-up: one full pass, so the JIT has settled on the hot path before anything is timed.
  pipelineRun(log, true);
  const load = loadavg()[0]!.toFixed(1);
  const runs = Array.from({ length: RUNS }, () => pipelineRun(log, true));
  const framing = Array.from({ length: RUNS }, () => pipelineRun(log, false));
  const r = runs[0]!;
  if (r.unparsed !== 0 || r.events === 0 || r.lines !== lineCount) {
    throw new Error(`bench input not understood: ${r.lines} lines, ${r.unparsed} unparsed, ${r.events} events`);
  }
  const rate = median(runs.map((x) => x.lines / x.seconds));
  const frameRate = median(framing.map((x) => x.lines / x.seconds));

  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-bench-parse-'));
  const file = join(dir, 'maillog-1m.log');
  try {
    writeFileSync(file, log);
    await cliRun(file); // warm the page cache
    const cli: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < RUNS; i++) cli.push(await cliRun(file));
    const wall = median(cli.map((c) => c.wall));
    const cpu = median(cli.map((c) => c.cpu));
    const base = `${lineCount} Postfix lines (real fixture replicated, ${INTERLEAVE} copies interleaved, avg ${avgLen} B), ${r.events} events`;
    return [
      {
        name: 'parse.postfix.pipeline',
        value: Math.round(rate),
        unit: 'lines/s',
        conditions:
          `${base}; 64 KiB chunks through LineFramer (as socket reads) + createPipeline (envelope, detection, Postfix parser, ` +
          `queue-ID correlation), counting sink; per CPU-second of the process (one thread does the work), median of ${RUNS} ` +
          `after warm-up, Node ${process.versions.node}, 1-min load average ${load} on ${availableParallelism()} CPUs`,
      },
      {
        name: 'parse.postfix.parse-only',
        value: Math.round(1 / (1 / rate - 1 / frameRate)),
        unit: 'lines/s',
        conditions: `parse.postfix.pipeline with the framing baseline's time per line taken out (derived from the two medians): the parse stage alone`,
      },
      {
        name: 'parse.postfix.framing-baseline',
        value: Math.round(frameRate),
        unit: 'lines/s',
        conditions: `the same lines framed only (no parsing), per CPU-second, median of ${RUNS}: the share of parse.postfix.pipeline that is framing`,
      },
      {
        name: 'parse.cli.postfix',
        value: Math.round(lineCount / wall),
        unit: 'lines/s',
        conditions: `${base}; \`mtaviz parse FILE > /dev/null\` end to end (process start, 1 MiB reads, NDJSON out), page-cached file, wall clock, median of ${RUNS}`,
      },
      {
        name: 'parse.cli.postfix.cpu',
        value: Math.round(lineCount / cpu),
        unit: 'lines/s',
        conditions: `the parse.cli.postfix runs per CPU-second of the process (user + system), median of ${RUNS}: what the tool costs when the box is busy with other work`,
      },
      {
        name: 'parse.cli.postfix.wall',
        value: Math.round(wall * 1000),
        unit: 'ms',
        conditions: `wall time of the parse.cli.postfix run (${lineCount} lines); CPU time ${Math.round(cpu * 1000)} ms`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
