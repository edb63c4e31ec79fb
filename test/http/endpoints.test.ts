// The daemon's HTTP side against the real built daemon: the static client
// (types, caching, 404, no way out of dist/client), /healthz, /metrics and
// /api/snapshot after real Postfix lines went through the socket.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../server/protocol/index.js';
import type { Snapshot } from '../../server/http/snapshot.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

const CLIENT_DIR = resolve(import.meta.dirname, '../../dist/client');

/** A raw GET: the path goes out exactly as given (fetch would normalise "..") */
function rawGet(d: Daemon, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolveReq, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolveReq({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let d: Daemon;
let w: TrafficWriter;
let ws: RecordingClient;

beforeAll(async () => {
  d = await startDaemon();
  ws = await RecordingClient.connect(`${d.url.replace(/^http/, 'ws')}/ws`);
  w = await new TrafficWriter(d.socket).open();
  await w.write(2000, 100);
  await w.close();
  await waitFor(async () => ((await (await fetch(`${d.url}/api/snapshot`)).json()) as Snapshot).stats.lines, (n) => n === w.lines, {
    message: 'every line counted',
  });
});

afterAll(async () => {
  await ws?.close();
  await d?.stop();
});

describe('static client', () => {
  it('serves the page with no-cache and hashed assets as immutable, with their content types', async () => {
    const page = await rawGet(d, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toBe(readFileSync(`${CLIENT_DIR}/index.html`, 'utf8'));
    const asset = /(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset, 'a script under assets/ in index.html').toBeDefined();
    const js = await rawGet(d, `/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(js.headers['content-length'])).toBe(readFileSync(`${CLIENT_DIR}/${asset}`).length);
    const again = await rawGet(d, `/${asset}`, { 'If-None-Match': String(js.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('answers 404 for missing files and for every way out of the client directory', async () => {
    expect((await rawGet(d, '/no-such-file.js')).status).toBe(404);
    for (const path of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/%00index.html',
      '/.vite/manifest.json',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(d, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"devDependencies"');
    }
  });

  it('refuses other methods', async () => {
    const res = await fetch(`${d.url}/`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('/healthz, /metrics and /api/snapshot', () => {
  it('/healthz reports the line count', async () => {
    const res = await fetch(`${d.url}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { lines: number }).lines).toBe(w.lines);
  });

  it('/metrics exposes lines, events by kind, sources, parsers, clients and fan-out counters', async () => {
    const res = await fetch(`${d.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const want = w.traffic.counts;
    expect(value('mtaviz_lines_total')).toBe(want.lines);
    expect(value('mtaviz_lines_unparsed_total')).toBe(0);
    expect(value('mtaviz_events_total{kind="injection"}')).toBe(want.byKind[0]);
    expect(value('mtaviz_events_total{kind="delivery"}')).toBe(want.byKind[1]);
    expect(value('mtaviz_events_total{kind="rejection"}')).toBe(want.byKind[4]);
    expect(value(`mtaviz_source_lines_total{source="unix-stream:${d.socket}",kind="unix-stream"}`)).toBe(want.lines);
    expect(value('mtaviz_parser_lines_total{format="postfix"}')).toBe(want.lines);
    expect(value('mtaviz_clients')).toBe(1);
    expect(value('mtaviz_frames_sent_total')).toBeGreaterThan(0);
    expect(value('mtaviz_dropped_frames_total')).toBe(0);
    expect(value('mtaviz_topology_edges')).toBe(Object.keys(want.edges).length);
    expect(value('mtaviz_correlation_entries')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('/api/snapshot holds the topology and exact counters in the wire shapes', async () => {
    const snap = (await (await fetch(`${d.url}/api/snapshot`)).json()) as Snapshot;
    expect(snap.protocol).toBe(PROTOCOL_VERSION);
    expect(snap.topology.type).toBe('topology');
    expect(snap.topology.nodes).toEqual(
      expect.arrayContaining([
        { id: 'ingress:in-api', tier: 'ingress', name: 'in-api' },
        { id: 'mta:mx1', tier: 'mta', name: 'mx1' },
        { id: 'egress:proxy-d', tier: 'egress', name: 'proxy-d' },
      ]),
    );
    expect(snap.stats.type).toBe('stats');
    expect(snap.stats.lines).toBe(w.lines);
    expect(snap.stats.byKind).toEqual(w.traffic.counts.byKind);
    expect(snap.stats.edges).toEqual(w.traffic.counts.edges);
    expect(snap.stats.sources[`unix-stream:${d.socket}`]).toMatchObject({ kind: 'unix-stream', lines: w.lines });
    // Addresses stay inside the daemon by default.
    expect(JSON.stringify(snap)).not.toMatch(/rcpt\d+@|sender@/);
  });
});
