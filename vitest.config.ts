import { defineConfig } from 'vitest/config';

// Integration tests start real daemons, sockets and browsers, so they get
// generous timeouts; they wait on conditions, never on fixed sleeps.
//
// Three groups run one after another, so the tests that need the machine's
// attention do not share its two cores with everything else:
//   0. everything else, two files at a time;
//   1. *.browser.test.ts: a real Chromium each (software rendering takes a core);
//   2. *.paced.test.ts: assertions on rates and pacing against the wall clock
//      (throttle at 1000 events/s, replay spacing), one file at a time.
const browser = 'test/**/*.browser.test.ts';
const paced = 'test/**/*.paced.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for a page to catch up with the daemon, whose stats
    // come once a second: its 1 s default is a race, so the same deadline as
    // test/helpers/wait.ts.
    expect: { poll: { timeout: 15_000, interval: 50 } },
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [browser, paced], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'browser', include: [browser], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'paced', include: [paced], maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
