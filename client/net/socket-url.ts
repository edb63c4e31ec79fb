// Where the page's WebSocket goes: the daemon that served the page.

import { WS_PATH } from '../../server/protocol/index.js';

/** ws(s)://same-origin/<dir>/ws?token=..., relative so a reverse proxy may mount the UI under a path. */
export function socketUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  const url = new URL(WS_PATH.replace(/^\//, ''), page);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = page.searchParams.get('token');
  url.search = token ? `?token=${encodeURIComponent(token)}` : '';
  url.hash = '';
  return url.toString();
}
