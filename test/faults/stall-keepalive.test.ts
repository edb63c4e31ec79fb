// A daemon whose main thread stalls inside an I/O callback (a big burst of
// input to parse, a long GC) for longer than --ping-interval must not drop
// clients that answered its ping during the stall: their pongs are already
// waiting in their sockets, and must be read before the next ping round
// judges them. The stall is made exact through the daemon's inspector: a
// socket server inside the daemon whose data callback spins until the test
// says so; the client answers the ping while the daemon spins, and the spin
// outlasts the ping interval.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Inspector, inspectorUrl } from '../../bench/soak/inspector.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

const PING_MS = 300;
let daemon: Daemon | undefined;
let inspector: Inspector | undefined;
const dir = mkdtempSync(join(tmpdir(), 'mtaviz-stall-'));
afterEach(async () => {
  writeFileSync(join(dir, 'done'), '');
  inspector?.close();
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function timeouts(d: Daemon): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return Number(/^mtaviz_client_disconnects_total\{reason="timeout"\} (\d+)$/m.exec(text)![1]);
}

/** Opens a loopback port inside the daemon whose first data stalls the daemon's main thread until `done` exists. */
async function stallPort(inspector: Inspector, started: string, done: string): Promise<number> {
  const expression = `new Promise((resolve) => {
    const net = process.getBuiltinModule('node:net');
    const fs = process.getBuiltinModule('node:fs');
    const srv = net.createServer((s) => s.on('data', () => {
      fs.writeFileSync(${JSON.stringify(started)}, '');
      while (!fs.existsSync(${JSON.stringify(done)}));
      s.destroy();
      srv.close();
    }));
    srv.listen(0, '127.0.0.1', () => resolve(srv.address().port));
  })`;
  const { result } = await inspector.call<{ result: { value: number } }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  return result.value;
}

describe('keep-alive across a stalled daemon', () => {
  it('keeps a client whose pong arrived while the daemon was stalled', async () => {
    daemon = await startDaemon({ node: ['--inspect=127.0.0.1:0'], args: ['--ping-interval', `${PING_MS}ms`] });
    const d = daemon;
    const url = await waitFor(() => inspectorUrl(d.stderr()), Boolean, { message: 'the inspector URL' });
    inspector = await Inspector.connect(url!);
    const [started, done] = [join(dir, 'started'), join(dir, 'done')];
    const port = await stallPort(inspector, started, done);
    const client = await RecordingClient.connect(`${d.url.replace('http', 'ws')}/ws`, { autoPong: false });
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await waitFor(() => pings, (n) => n === 1, { message: 'the first ping' });

    const poke = connect(port, '127.0.0.1');
    await once(poke, 'connect');
    poke.on('error', () => {});
    poke.write('x');
    await waitFor(() => existsSync(started), Boolean, { message: 'the daemon to stall' });
    client.ws.pong();
    // The stall must outlast the ping interval: this waits for time itself to pass, the condition under test.
    const until = performance.now() + 3 * PING_MS;
    await waitFor(() => performance.now(), (t) => t >= until, { message: 'the stall to outlast the ping interval' });
    writeFileSync(done, '');

    // Two more rounds, each answered at once: the client stays.
    client.ws.on('ping', () => client.ws.pong());
    await waitFor(() => pings, (n) => n >= 3 || client.closed !== undefined, { message: 'two more pings after the stall' });
    expect(client.closed).toBeUndefined();
    expect(await timeouts(d)).toBe(0);
    poke.destroy();
    await client.close();
  });
});
