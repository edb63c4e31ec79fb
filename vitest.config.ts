import { defineConfig } from 'vitest/config';

// Integration tests start real daemons, sockets and browsers, so they get
// generous timeouts; they wait on conditions, never on fixed sleeps.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
