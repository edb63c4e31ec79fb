// The WebSocket endpoint: checks an upgrade (path, Host/Origin, token,
// connection cap) before any WebSocket exists, then hands the socket to the
// hub. permessage-deflate stays off (3-4x CPU per frame and zlib memory
// fragmentation on long runs, see docs/ARCHITECTURE.md); client messages are
// capped at MAX_CLIENT_MESSAGE_BYTES, and ws closes with 1009 beyond that.

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES, type Hub } from '../hub/hub.js';
import { WS_PATH } from '../protocol/index.js';
import type { Access } from './access.js';
import type { HttpCounters } from './metrics.js';

export interface UpgradeDeps {
  hub: Hub;
  access: Access;
  maxClients: number;
  counters: HttpCounters;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function websocketUpgrade({ hub, access, maxClients, counters }: UpgradeDeps): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    clientTracking: false,
  });
  return (req, socket, head) => {
    // A peer that resets mid-handshake must not take the daemon down.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, `no WebSocket at ${url.pathname}; use ${WS_PATH}`);
    const refusal = access.checkSite(req) ?? access.checkToken(req, url);
    if (refusal) {
      counters.refused[refusal.reason]++;
      return refuse(socket, refusal.status, refusal.message);
    }
    if (hub.clientCount >= maxClients) {
      counters.refused.capacity++;
      return refuse(socket, 503, `too many clients (--max-clients ${maxClients})`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Handshakes in flight together can overshoot the check above; this one is exact.
      if (hub.clientCount >= maxClients) {
        counters.refused.capacity++;
        ws.on('error', () => ws.terminate());
        ws.close(1013, 'too many clients');
        return;
      }
      hub.attach(ws);
    });
  };
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
}
