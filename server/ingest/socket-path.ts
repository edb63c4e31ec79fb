// Owning a Unix socket path the way a well-behaved daemon does: a socket file
// that nobody serves (left by a crash) is replaced; one that another live
// process serves, or a path that is not a socket at all, is refused with a
// clear error; on shutdown we remove the file only if it is still ours.

import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';

export class SocketPathError extends Error {
  override readonly name = 'SocketPathError';
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Probes a socket file: 'live' if a process is bound to it (of either socket type), 'stale' if nobody is. */
function probe(path: string): Promise<'live' | 'stale'> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    sock.once('connect', () => {
      sock.destroy();
      resolve('live');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.destroy();
      // EPROTOTYPE: a datagram socket is bound there (or a stream one, probed from a datagram path).
      if (err.code === 'EPROTOTYPE') resolve('live');
      else if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve('stale');
      else reject(err);
    });
  });
}

/** Makes `path` free for bind(): removes a stale socket file, refuses a live one or a non-socket. */
export async function claimSocketPath(path: string): Promise<void> {
  const st = lstatOrUndefined(path);
  if (!st) return;
  if (!st.isSocket()) throw new SocketPathError(`${path} exists and is not a socket; refusing to replace it`);
  if ((await probe(path)) === 'live') {
    throw new SocketPathError(`${path} is in use by another running process (is another mtaviz running?)`);
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Identity of the socket file we bound, so shutdown removes only our own. */
export function socketIdentity(path: string): string | undefined {
  const st = lstatOrUndefined(path);
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/** Removes the socket file if it is still the one we bound. */
export function releaseSocketPath(path: string, identity: string | undefined): void {
  if (identity === undefined || socketIdentity(path) !== identity) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
