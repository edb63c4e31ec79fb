// Debian's Chromium and the flags every test and benchmark launches it with
// (Playwright's own browser download is not available on these machines).

export const CHROMIUM = '/usr/bin/chromium';

/** The team's flags; software WebGL is enabled so the renderer probe sees what a GPU-less machine has. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  // Frames keep coming even when the headless window counts as hidden or occluded.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];
