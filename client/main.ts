// Bootstrap: settings from the URL, the store, the connection, the renderer
// decision, the Phaser game and the overlay, wired once.

import * as Phaser from 'phaser';
import { createGame } from './game.js';
import { installHook } from './hook.js';
import { startAlarmBanner } from './hud/alarm-banner.js';
import { bindControls } from './hud/controls.js';
import { Drift } from './hud/drift.js';
import { findHud, startHud } from './hud/hud.js';
import { startInspectPanel } from './hud/inspect-panel.js';
import { startLensPanel } from './hud/lens-panel.js';
import { Insight } from './insight/insight.js';
import { screenFactor } from './layout/layout.js';
import { SavedPositions } from './layout/saved-positions.js';
import { Connection } from './net/connection.js';
import { chooseRenderer } from './render/choice.js';
import { probeGpu } from './render/probe.js';
import { FlowScene } from './scene/flow-scene.js';
import { SelectionState } from './state/selection.js';
import { parseSettings, Settings, writeSettings } from './state/settings.js';
import { Store } from './state/store.js';
import { applyPalette, css, KIND_COLOR, INTERNET, BACKGROUND } from './theme.js';
import './styles.css';

const settings = new Settings(parseSettings(location.search));
// Colours are fixed for the page's life: everything drawn below reads them.
applyPalette(settings.current.palette);
document.body.classList.toggle('contrast', settings.current.palette === 'contrast');
document.body.classList.toggle('kiosk', settings.current.kiosk);
document.body.classList.toggle('lens-on', settings.current.lens);

const root = document.documentElement;
root.style.setProperty('--bg', css(BACKGROUND));
root.style.setProperty('--injection', css(KIND_COLOR.injection));
root.style.setProperty('--delivery', css(KIND_COLOR.delivery));
root.style.setProperty('--deferral', css(KIND_COLOR.deferral));
root.style.setProperty('--bounce', css(KIND_COLOR.bounce));
root.style.setProperty('--internet', css(INTERNET));

settings.subscribe((s, changed) => {
  const search = writeSettings(location.search, s);
  history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  if (changed === 'palette') location.reload();
  if (changed === 'kiosk') document.body.classList.toggle('kiosk', s.kiosk);
  if (changed === 'lens') document.body.classList.toggle('lens-on', s.lens);
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

const insight = new Insight();
const selection = new SelectionState();
const drift = new Drift(() => settings.current.drift);

const gpu = probeGpu();
const decision = chooseRenderer(settings.current.renderer, gpu);
const scene = new FlowScene({
  store,
  settings,
  positions,
  insight,
  selection,
  drift,
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
startLensPanel(document.getElementById('lens')!, insight);
startInspectPanel(document.getElementById('inspect')!, selection, store, settings, insight);
startAlarmBanner(document.getElementById('alarms')!, store);
setInterval(() => drift.applyTo(root, performance.now()), 2000);
installHook(store, settings, scene, insight, selection, {
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

