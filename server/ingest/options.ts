// Options owned by the ingest stage. Standard input is the positional "-"
// (or `"stdin": true` in the config file).

import { opt } from '../cli/options.js';

export const ingestOptions = {
  socket: opt.string({
    flag: 'socket',
    metavar: 'PATH',
    default: './mtaviz.sock',
    allowEmpty: true,
    help: 'Unix stream socket to read log lines from; empty to disable',
  }),
  socketMode: opt.mode({
    flag: 'socket-mode',
    metavar: 'MODE',
    default: 0o660,
    help: 'file mode of the --socket and --dgram socket files',
  }),
  dgram: opt.maybe({
    flag: 'dgram',
    metavar: 'PATH',
    help: 'Unix datagram socket to read from, one line per datagram (rsyslog omuxsock)',
  }),
  tail: opt.list({
    flag: 'tail',
    metavar: 'GLOB',
    help: 'follow files matching GLOB through rotation, like tail -F',
  }),
  fromStart: opt.bool({
    flag: 'from-start',
    help: 'read files already present when --tail starts from their beginning, not their end',
  }),
  tailPoll: opt.duration({
    flag: 'tail-poll',
    metavar: 'DURATION',
    default: 1000,
    min: 10,
    help: 're-check followed files this often, besides change notifications',
  }),
  syslogTcp: opt.hostPort({
    flag: 'syslog-tcp',
    metavar: 'HOST:PORT',
    help: 'TCP syslog listener (LF or RFC 6587 octet-counted framing); :PORT listens on 127.0.0.1',
  }),
  stdin: opt.bool({
    help: 'read lines from standard input (on the command line: the argument "-")',
  }),
  maxLine: {
    ...opt.bytes({
      flag: 'max-line',
      metavar: 'SIZE',
      default: 64 * 1024,
      min: 256,
      max: 16 * 1024 * 1024,
      help: 'longest line kept; longer lines are cut and counted as oversize',
    }),
    showDefault: '64KiB',
  },
  maxConnections: opt.int({
    flag: 'max-connections',
    metavar: 'N',
    default: 1024,
    min: 1,
    max: 1_000_000,
    help: 'concurrent writers accepted per stream socket or TCP listener',
  }),
};
