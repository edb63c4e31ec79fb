// Builds the configured sources. Every source hands its lines to the same
// handler; the daemon decides what that handler does.

import type { ConfigOf } from '../cli/options.js';
import type { Logger } from '../log.js';
import type { ingestOptions } from './options.js';
import type { LineHandler, Source } from './source.js';
import { StdinSource } from './stdin.js';
import { SyslogTcpSource } from './syslog-tcp.js';
import { TailSource } from './tail.js';
import { UnixDgramSource } from './unix-dgram.js';
import { UnixStreamSource } from './unix-stream.js';

export type IngestConfig = ConfigOf<typeof ingestOptions>;

export function createSources(config: IngestConfig, onLine: LineHandler, log: Logger): Source[] {
  const { maxLine, maxConnections, socketMode: mode } = config;
  const sources: Source[] = [];
  if (config.socket) sources.push(new UnixStreamSource({ path: config.socket, mode, maxLine, maxConnections }, onLine, log));
  if (config.dgram) sources.push(new UnixDgramSource({ path: config.dgram, mode, maxLine }, onLine, log));
  if (config.tail.length) {
    sources.push(new TailSource({ globs: config.tail, fromStart: config.fromStart, maxLine, pollMs: config.tailPoll }, onLine, log));
  }
  if (config.syslogTcp) sources.push(new SyslogTcpSource({ ...config.syslogTcp, maxLine, maxConnections }, onLine, log));
  if (config.stdin) sources.push(new StdinSource(maxLine, onLine, log));
  return sources;
}
