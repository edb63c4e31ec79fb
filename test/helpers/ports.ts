// Loopback TCP ports that were free a moment ago: for a daemon restarted on
// the same port, or a Postfix instance's listeners and peers.

import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/** `n` distinct ports (held together while they are picked, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer().listen(0, '127.0.0.1');
    await once(srv, 'listening');
    servers.push(srv);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
