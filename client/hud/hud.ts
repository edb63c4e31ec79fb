// The heads-up line and the connection banner, in the DOM over the canvas
// (sharp at any pixel ratio, free for the renderer). Refreshed a few times a
// second from the store, never per event.

import type { SavedPositions } from '../layout/saved-positions.js';
import type { Settings } from '../state/settings.js';
import type { Store } from '../state/store.js';
import { boxesSummary } from './boxes.js';
import { count, ratio, seconds } from './format.js';

const REFRESH_MS = 250;
/** Balls/s is shown once the frames cover this much (a page's first frames are not a rate yet). */
const MIN_SPAN_MS = 1000;

export interface HudElements {
  eventsIn: HTMLElement;
  ballsShown: HTMLElement;
  sampling: HTMLElement;
  conn: HTMLElement;
  drops: HTMLElement;
  /** Federated boxes, when the daemon merges some (server/bus). */
  boxes: HTMLElement;
  flags: HTMLElement;
  banner: HTMLElement;
}

export function findHud(root: ParentNode): HudElements {
  const get = (id: string): HTMLElement => {
    const el = root.querySelector<HTMLElement>(`#${id}`);
    if (!el) throw new Error(`index.html lacks #${id}`);
    return el;
  };
  return {
    eventsIn: get('hud-in'),
    ballsShown: get('hud-shown'),
    sampling: get('hud-sampling'),
    conn: get('hud-conn'),
    drops: get('hud-drops'),
    boxes: get('hud-boxes'),
    flags: get('hud-flags'),
    banner: get('banner'),
  };
}

export function startHud(els: HudElements, store: Store, settings: Settings, positions: SavedPositions): () => void {
  const set = (el: HTMLElement, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };
  const refresh = () => {
    const now = performance.now();
    const stats = store.stats;
    // All three over the same recent frames, so they can be compared: balls are
    // counted under the frame their event came in, never more than its events.
    const r = store.flowRates(now);
    const measured = r.spanMs >= MIN_SPAN_MS;
    const inRate = measured ? r.eventsPerSec : stats?.rate.eventsPerSec;
    set(els.eventsIn, inRate !== undefined ? `${count(inRate)} events/s in` : '– events/s in');
    set(els.ballsShown, measured ? `${count(r.ballsPerSec)} balls/s shown` : '– balls/s shown');
    const span = measured ? ` over the last ${Math.round(r.spanMs / 1000)} s` : '';
    els.eventsIn.title = r.fromStats
      ? `events the daemon parsed, from its exact counters (it dropped frames for this page: see drops)`
      : `events the daemon parsed${span}: exact, never sampled (each frame says how many it stands for)`;
    els.ballsShown.title =
      `balls this page drew from the events of those same frames${span}: never more than the events in; ` +
      'fewer when the daemon samples, errors are hidden, the picture is paused, or balls are dropped';

    const perBall = r.messagesPerBall;
    set(els.sampling, perBall > 1.05 ? `1 ball = ${ratio(perBall)} messages` : '');
    els.sampling.hidden = perBall <= 1.05;
    els.sampling.title =
      'The daemon sends this page a uniform sample of the events; every count, rate, share and bin is exact, from its unsampled counters.';

    const q = store.queue.drops;
    set(els.drops, `drops ${count(store.totalDrops())}`);
    els.drops.title =
      `dropped by the daemon for this page: ${store.serverDrops.events} events in ${store.serverDrops.frames} frames\n` +
      `waited too long: ${q.late}, queue full: ${q.overflow}\n` +
      `tab hidden: ${store.drops.hidden}, ball cap reached: ${store.drops.pool}, shed while frames ran slow: ${store.drops.overload}\n` +
      `not drops: paused ${store.drops.paused}, errors squelched ${store.squelched}`;
    els.drops.classList.toggle('warn', store.totalDrops() > 0);

    const boxes = boxesSummary(stats?.bus?.boxes);
    set(els.boxes, boxes.text);
    els.boxes.hidden = boxes.text === '';
    els.boxes.title = boxes.detail;
    els.boxes.classList.toggle('warn', boxes.warn);

    const s = settings.current;
    const flags = [
      s.paused ? 'PAUSED' : '',
      s.errors ? '' : 'errors hidden',
      positions.count ? 'custom layout' : '',
      s.lanes === 'provider' ? 'provider lanes' : '',
    ]
      .filter(Boolean)
      .join(' · ');
    set(els.flags, flags);

    const c = store.conn;
    const silent = now - c.lastMessageAt;
    let label: string;
    let banner = '';
    switch (c.state) {
      case 'live':
        label = 'live';
        break;
      case 'connecting':
        label = 'connecting';
        break;
      case 'stale':
        label = 'STALE';
        banner = `STALE: no data from the daemon for ${seconds(silent)}`;
        break;
      case 'down': {
        label = 'STALE';
        const retry = c.retryAt !== undefined ? `; retrying in ${seconds(c.retryAt - now)}` : '';
        banner = `STALE: daemon unreachable for ${seconds(silent)}${retry}`;
        break;
      }
      case 'incompatible':
        label = 'incompatible';
        banner = c.detail ?? 'the daemon speaks another protocol version: reload the page';
        break;
    }
    set(els.conn, label);
    els.conn.dataset.state = c.state;
    set(els.banner, banner);
    els.banner.hidden = banner === '';
    document.body.classList.toggle('stale', banner !== '');
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
