// The built client (dist/client) as static files. Hand-written rather than
// sirv/serve-static: sirv pipes file streams without an error handler, so a
// file removed under it (a rebuild while the daemon runs) would crash the
// daemon; and we need only GET/HEAD, ETag and two cache policies.
//
// Paths are decoded, normalised and re-rooted, dot-segments and NUL refused,
// and the real path (symlinks resolved) must still lie inside the root.

import { createReadStream, realpathSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, posix, sep } from 'node:path';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Vite puts content-hashed files here: they never change, so browsers may keep them for good. */
const HASHED_DIR = '/assets/';

export class StaticFiles {
  private readonly root: string | undefined;

  /** `root` may not exist (client not built): every lookup is then not-found. */
  constructor(root: string) {
    try {
      this.root = realpathSync(root);
    } catch {
      this.root = undefined;
    }
  }

  get available(): boolean {
    return this.root !== undefined;
  }

  /** Whether `pathname` is the page itself (which the token protects), rather than an asset. */
  static isPage(pathname: string): boolean {
    return pathname === '/' || pathname === '/index.html';
  }

  /** Serves the file at `pathname`; false when there is none (the caller answers 404). */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (!this.root) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (decoded.includes('\0') || decoded.split('/').some((seg) => seg.startsWith('.'))) return false;
    const rel = posix.normalize(decoded === '/' ? '/index.html' : decoded);
    const file = join(this.root, rel);
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return false;
    }
    if (!real.startsWith(this.root + sep)) return false;

    let handle;
    try {
      handle = await open(real, 'r');
    } catch {
      return false;
    }
    let size: number;
    let mtime: Date;
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return false;
      }
      size = st.size;
      mtime = st.mtime;
    } catch {
      await handle.close();
      return false;
    }

    const etag = `W/"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
    res.setHeader('Content-Type', TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', rel.startsWith(HASHED_DIR) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', mtime.toUTCString());
    if (req.headers['if-none-match'] === etag) {
      await handle.close();
      res.writeHead(304).end();
      return true;
    }
    res.setHeader('Content-Length', size);
    if (req.method === 'HEAD') {
      await handle.close();
      res.writeHead(200).end();
      return true;
    }
    res.writeHead(200);
    // pipeline closes the file and the response on any error (file gone, client gone).
    pipeline(createReadStream('', { fd: handle, autoClose: true }), res, () => {});
    return true;
  }
}
