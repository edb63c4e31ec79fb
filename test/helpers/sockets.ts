// Socket fixtures shared by ingest and CLI tests.

import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Leaves a socket file nobody serves, the way a crashed daemon does: a child
 * process binds `path` and is killed with SIGKILL, so it never unlinks it.
 * `kind` picks a stream or a datagram socket.
 */
export async function leaveStaleSocket(path: string, kind: 'stream' | 'dgram' = 'stream'): Promise<void> {
  const code =
    kind === 'stream'
      ? `require('node:net').createServer().listen(process.argv[1], () => console.log('up'))`
      : `const { DgramSocket } = require('node-unix-socket'); new DgramSocket().bind(process.argv[1]); console.log('up')`;
  const child = spawn(process.execPath, ['-e', code, path], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
  await once(child.stdout!, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
}
