// The daemon's own structured logs: pino, JSON on stderr, quiet by default
// (warn), so stdout carries only what tests and scripts read from it.

import { pino, type Logger } from 'pino';
import { opt } from './cli/options.js';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logOptions = {
  logLevel: opt.oneOf({
    flag: 'log-level',
    metavar: 'LEVEL',
    values: LOG_LEVELS,
    default: 'warn',
    help: `daemon log level, JSON lines on stderr (${LOG_LEVELS.join(', ')})`,
  }),
};

export function createLogger(level: (typeof LOG_LEVELS)[number]): Logger {
  // Synchronous stderr: the last lines before an exit are the ones that matter.
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything, for code run outside the daemon (benchmarks, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
