// Bootstrap: settings from the URL, the store, the connection, the renderer
// decision, the Phaser game and the overlay, wired once.

import * as Phaser from 'phaser';
import { createGame } from './game.js';
import { installHook } from './hook.js';
import { bindControls } from './hud/controls.js';
import { findHud, startHud } from './hud/hud.js';
import { screenFactor } from './layout/layout.js';
import { SavedPositions } from './layout/saved-positions.js';
import { Connection } from './net/connection.js';
import { chooseRenderer } from './render/choice.js';
import { probeGpu } from './render/probe.js';
import { FlowScene } from './scene/flow-scene.js';
import { parseSettings, Settings, writeSettings } from './state/settings.js';
import { Store } from './state/store.js';
import { css, KIND_COLOR, INTERNET, BACKGROUND } from './theme.js';
import './styles.css';

const root = document.documentElement;
root.style.setProperty('--bg', css(BACKGROUND));
root.style.setProperty('--injection', css(KIND_COLOR.injection));
root.style.setProperty('--delivery', css(KIND_COLOR.delivery));
root.style.setProperty('--deferral', css(KIND_COLOR.deferral));
root.style.setProperty('--bounce', css(KIND_COLOR.bounce));
root.style.setProperty('--internet', css(INTERNET));

const settings = new Settings(parseSettings(location.search));
settings.subscribe((s) => {
  const search = writeSettings(location.search, s);
  history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
});

const store = new Store(settings, performance.now());
const onVisibility = () => store.setHidden(document.visibilityState === 'hidden');
document.addEventListener('visibilitychange', onVisibility);
onVisibility();

let storage: Storage | undefined;
try {
  storage = window.localStorage;
} catch {
  storage = undefined;
}
const positions = new SavedPositions(storage);

const gpu = probeGpu();
const decision = chooseRenderer(settings.current.renderer, gpu);
const scene = new FlowScene({
  store,
  settings,
  positions,
  dpr: () => handle.dpr(),
  onReady: () => new Connection({ pageUrl: location.href, store }).start(),
});
const handle = createGame(document.getElementById('stage')!, { renderer: decision.renderer, msaa: !gpu.software }, scene);

// The overlay's text grows with big screens in step with the canvas's.
const fitUi = () => root.style.setProperty('--ui', String(screenFactor(innerWidth, innerHeight)));
addEventListener('resize', fitUi);
fitUi();

startHud(findHud(document), store, settings, positions);
bindControls(document, settings, positions);
installHook(store, settings, scene, {
  renderer: decision.renderer,
  reason: decision.reason,
  gpu: gpu.renderer,
  phaser: Phaser.VERSION,
});

// A daemon speaking another protocol was upgraded under this page: fetch the
// matching client. Once a minute at most, so a mismatched proxy cannot loop us.
store.onConnState((c) => {
  if (c.state !== 'incompatible') return;
  try {
    const key = 'mtaviz.reloadedAt';
    if (Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 60_000) return;
    sessionStorage.setItem(key, String(Date.now()));
  } catch {
    return; // No storage to guard a loop with: stay, the banner says what to do.
  }
  location.reload();
});

