// The soak: the built daemon fed demo traffic at about 1000 events/s (a
// steady `mtaviz demo --to-socket` in its own process, so the daemon's
// memory is the daemon's alone), watched by 10 ws clients (a child process,
// bench/lib/ws-clients.ts) and one real Chromium page, for N minutes. Every
// interval it samples
// - the daemon: heap, external memory and RSS after a full GC (through the
//   inspector, inspector.ts) and how long that GC took, event-loop delay p99
//   and max over the interval (prom-client's monitorEventLoopDelay behind
//   /metrics, reset by each scrape, and only the soak scrapes), correlator
//   entries, clients and disconnects (/metrics);
// - the clients: how many are connected, their slowest and fastest events/s,
//   frames the daemon dropped for them;
// - the page: JS heap after a full GC (CDP HeapProfiler.collectGarbage, then
//   Runtime.getHeapUsage), live balls, fps and frame interval p50/p99 of the
//   last ~600 frames, drops and connection state (window.__mtaviz).
// The summary gives each series' least-squares slope over the samples after
// warm-up (series.ts) and the verdict (verdict.ts).

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../lib/chromium.js';
import { spawnDaemon, type DaemonProcess } from '../lib/daemon-process.js';
import type { ClientsReport } from '../lib/ws-clients.js';
import { Inspector, inspectorUrl } from './inspector.js';
import { summarize, type SeriesSummary } from './series.js';
import { judge, type Verdict } from './verdict.js';

export interface SoakOptions {
  minutes: number;
  /** Seconds between samples. */
  intervalSec: number;
  /** Samples before this many seconds are left out of the slopes (the state the traffic builds up). */
  warmupSec: number;
  /** Target input, events per second. */
  eventsPerSec: number;
  clients: number;
}

export interface Sample {
  /** Seconds since the traffic started. */
  t: number;
  daemon: {
    heapMB: number;
    externalMB: number;
    arrayBuffersMB: number;
    rssMB: number;
    /** Event-loop delay over the interval beyond the monitor's own 10 ms timer, p99 and max. */
    lagP99Ms: number;
    lagMaxMs: number;
    /** How long the forced full GC (and reading memory after it) took, seen from the soak. */
    gcMs: number;
    events: number;
    correlating: number;
    clients: number;
    disconnects: number;
    framesDropped: number;
  };
  clients: { connected: number; minRate: number; maxRate: number; framesDropped: number };
  browser: { heapMB: number; liveBalls: number; fps: number; frameP50Ms: number; frameP99Ms: number; drops: number; received: number; state: string };
}

export interface SoakSummary {
  name: 'soak';
  minutes: number;
  intervalSec: number;
  warmupSec: number;
  samples: number;
  /** Samples after warm-up, the ones the slopes are fitted to. */
  fitted: number;
  input: { eventsPerSec: number; events: number; demoRate: number };
  daemon: {
    heapMB: SeriesSummary;
    externalMB: SeriesSummary;
    rssMB: SeriesSummary;
    lagP99Ms: SeriesSummary;
    lagMaxMs: SeriesSummary;
    gcMs: SeriesSummary;
    correlating: SeriesSummary;
    disconnects: number;
    framesDropped: number;
  };
  clients: { connected: number; expected: number; minEventsPerSec: number; maxEventsPerSec: number; framesDropped: number };
  browser: {
    heapMB: SeriesSummary;
    liveBalls: SeriesSummary;
    fps: SeriesSummary;
    frameP99Ms: SeriesSummary;
    drops: number;
    received: number;
    state: string;
  };
  verdict: Verdict;
}

/** Demo messages per second for a target of events per second: each accepted message makes about 2.13 events. */
const EVENTS_PER_MESSAGE = 2.13;
const MB = 1024 * 1024;
const CLI = new URL('../../server/cli/main.js', import.meta.url).pathname;
const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/** Sum of a metric's samples in the Prometheus text (over all label sets), or NaN if absent. */
export function metric(text: string, name: string): number {
  let sum = Number.NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    sum = Number.isNaN(sum) ? v : sum + v;
  }
  return sum;
}

async function startClients(url: string, count: number): Promise<ChildProcess> {
  const child = fork(new URL('../lib/ws-clients.js', import.meta.url).pathname, [url, String(count)], { stdio: 'inherit' });
  const [msg] = (await once(child, 'message')) as [unknown];
  if (msg !== 'connected') throw new Error(`ws clients: ${JSON.stringify(msg)}`);
  return child;
}

async function clientsReport(child: ChildProcess): Promise<ClientsReport> {
  const reply = once(child, 'message') as Promise<[ClientsReport]>;
  child.send({ cmd: 'report' });
  const [report] = await reply;
  child.send({ cmd: 'reset' });
  return report;
}

interface HookView {
  balls: { total: number };
  frames: { fps: number; p50: number; p99: number } | undefined;
  counters: { drops: { total: number }; received: Record<string, number> };
  connection: { state: string };
}

async function browserSample(page: Page, cdp: CDPSession): Promise<Sample['browser']> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const h = await page.evaluate(() => {
    const m = (globalThis as unknown as { __mtaviz: HookView }).__mtaviz;
    return { balls: m.balls, frames: m.frames, counters: m.counters, connection: m.connection } as HookView;
  });
  return {
    heapMB: round(heap.usedSize / MB, 3),
    liveBalls: h.balls.total,
    fps: round(h.frames?.fps ?? 0, 1),
    frameP50Ms: round(h.frames?.p50 ?? 0, 1),
    frameP99Ms: round(h.frames?.p99 ?? 0, 1),
    drops: h.counters.drops.total,
    received: Object.values(h.counters.received).reduce((a, b) => a + b, 0),
    state: h.connection.state,
  };
}

/**
 * prom-client's monitorEventLoopDelay resolution: the histogram holds the
 * intervals between its 10 ms timer's runs, so an idle loop reads 10 ms.
 */
const LAG_TIMER_MS = 10;

async function daemonSample(daemon: DaemonProcess, inspector: Inspector): Promise<Sample['daemon']> {
  // Scraped before the forced GC, whose pause then falls into the next
  // interval's maximum; gcMs says how long that pause was.
  const res = await fetch(`${daemon.url}/metrics`);
  const text = await res.text();
  const gcStart = performance.now();
  const mem = await inspector.retained();
  const gcMs = round(performance.now() - gcStart, 1);
  const lag = (name: string) => round(Math.max(0, metric(text, name) * 1000 - LAG_TIMER_MS), 1);
  return {
    heapMB: round(mem.heapUsed / MB, 3),
    externalMB: round(mem.external / MB, 3),
    arrayBuffersMB: round(mem.arrayBuffers / MB, 3),
    rssMB: round(mem.rss / MB, 1),
    lagP99Ms: lag('nodejs_eventloop_lag_p99_seconds'),
    lagMaxMs: lag('nodejs_eventloop_lag_max_seconds'),
    gcMs,
    events: metric(text, 'mtaviz_events_total'),
    correlating: metric(text, 'mtaviz_correlation_entries'),
    clients: metric(text, 'mtaviz_clients'),
    disconnects: metric(text, 'mtaviz_client_disconnects_total'),
    framesDropped: metric(text, 'mtaviz_dropped_frames_total'),
  };
}

/** Runs the soak; `progress` gets one line per sample. Everything it started is stopped before it returns. */
export async function runSoak(opts: SoakOptions, progress: (line: string) => void = () => {}): Promise<SoakSummary> {
  const demoRate = Math.round(opts.eventsPerSec / EVENTS_PER_MESSAGE);
  let stderr = '';
  const daemon = await spawnDaemon(['--max-clients', String(opts.clients + 10)], {
    node: ['--inspect=127.0.0.1:0'],
    onStderr: (d) => (stderr += d),
  });
  let inspector: Inspector | undefined;
  let clients: ChildProcess | undefined;
  let browser: Browser | undefined;
  let demo: ChildProcess | undefined;
  try {
    // Deferred mail is retried after 5 s and expires after a minute, so the
    // daemon's correlator reaches its steady size within the warm-up instead
    // of growing for the 5 days of a real queue lifetime: growth after
    // warm-up is then not legitimate state.
    demo = spawn(
      process.execPath,
      [CLI, 'demo', '--to-socket', daemon.socket, '--rate', String(demoRate), '--no-bursts', '--retry-after', '5s', '--queue-lifetime', '60s'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const url = inspectorUrl(stderr);
    if (!url) throw new Error(`the daemon printed no inspector URL: ${stderr}`);
    inspector = await Inspector.connect(url);
    clients = await startClients(`${daemon.url.replace(/^http/, 'ws')}/ws`, opts.clients);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${daemon.url}/`);
    await page.waitForFunction(() => (globalThis as unknown as { __mtaviz?: { ready: boolean } }).__mtaviz?.ready === true);
    const cdp = await page.context().newCDPSession(page);

    const samples: Sample[] = [];
    const t0 = performance.now();
    const total = Math.floor((opts.minutes * 60) / opts.intervalSec);
    for (let k = 1; k <= total; k++) {
      // Sample k is due k intervals after the start, however long sampling took.
      const due = t0 + k * opts.intervalSec * 1000 - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const t = round((performance.now() - t0) / 1000, 1);
      const [d, c, b] = await Promise.all([daemonSample(daemon, inspector), clientsReport(clients), browserSample(page, cdp)]);
      const sample: Sample = {
        t,
        daemon: d,
        clients: { connected: c.connected, minRate: Math.round(c.minRate), maxRate: Math.round(c.maxRate), framesDropped: c.framesDropped },
        browser: b,
      };
      samples.push(sample);
      progress(JSON.stringify(sample));
    }
    return summarizeSoak(opts, demoRate, samples);
  } finally {
    if (demo && demo.exitCode === null) {
      demo.kill();
      await once(demo, 'exit');
    }
    inspector?.close();
    await browser?.close();
    if (clients && clients.exitCode === null) {
      clients.kill();
      await once(clients, 'exit');
    }
    await daemon.stop();
  }
}

export function summarizeSoak(opts: SoakOptions, demoRate: number, samples: Sample[]): SoakSummary {
  const fitted = samples.filter((s) => s.t >= opts.warmupSec);
  const ts = fitted.map((s) => s.t);
  const series = (pick: (s: Sample) => number) => summarize(ts, fitted.map(pick));
  const last = samples.at(-1)!;
  const first = samples[0]!;
  const span = last.t - first.t;
  const summary: Omit<SoakSummary, 'verdict'> = {
    name: 'soak',
    minutes: opts.minutes,
    intervalSec: opts.intervalSec,
    warmupSec: opts.warmupSec,
    samples: samples.length,
    fitted: fitted.length,
    input: {
      eventsPerSec: span > 0 ? Math.round((last.daemon.events - first.daemon.events) / span) : 0,
      events: last.daemon.events,
      demoRate,
    },
    daemon: {
      heapMB: series((s) => s.daemon.heapMB),
      externalMB: series((s) => s.daemon.externalMB),
      rssMB: series((s) => s.daemon.rssMB),
      lagP99Ms: series((s) => s.daemon.lagP99Ms),
      lagMaxMs: series((s) => s.daemon.lagMaxMs),
      gcMs: series((s) => s.daemon.gcMs),
      correlating: series((s) => s.daemon.correlating),
      disconnects: last.daemon.disconnects,
      framesDropped: last.daemon.framesDropped,
    },
    clients: {
      connected: last.clients.connected,
      expected: opts.clients,
      minEventsPerSec: Math.min(...samples.map((s) => s.clients.minRate)),
      maxEventsPerSec: Math.max(...samples.map((s) => s.clients.maxRate)),
      framesDropped: Math.max(...samples.map((s) => s.clients.framesDropped)),
    },
    browser: {
      heapMB: series((s) => s.browser.heapMB),
      liveBalls: series((s) => s.browser.liveBalls),
      fps: series((s) => s.browser.fps),
      frameP99Ms: series((s) => s.browser.frameP99Ms),
      drops: last.browser.drops,
      received: last.browser.received,
      state: last.browser.state,
    },
  };
  return { ...summary, verdict: judge(summary, samples) };
}
