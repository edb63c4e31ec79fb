#!/usr/bin/env node
// mtaviz entry point: picks the subcommand, resolves its options once and
// hands over. Bad flags or config: one line on stderr, exit status 2.

import { readFileSync } from 'node:fs';
import type { CommandModule } from './command.js';
import { OptionError, type OptionTable } from './options.js';
import { formatHelp, resolveConfig } from './resolve.js';

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: { summary: 'run the daemon (default)', load: async () => (await import('./commands/serve.js')).default },
  demo: { summary: 'generate realistic Postfix traffic to stdout or a daemon socket', load: async () => (await import('./commands/demo.js')).default },
  replay: { summary: 'replay a captured log at its original pace (scaled by --speed)', load: async () => (await import('./commands/replay.js')).default },
  parse: { summary: 'print the events mtaviz reads from a log as NDJSON, with a summary', load: async () => (await import('./commands/parse.js')).default },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`);
  return `Usage: mtaviz [COMMAND] [OPTIONS]\n\nLive mail-flow visualizer.\n\nCommands:\n${rows.join('\n')}\n\nRun "mtaviz COMMAND --help" for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-V') {
    process.stdout.write(`mtaviz ${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    process.stdout.write(topHelp());
    return 0;
  }
  const named = first !== undefined && Object.hasOwn(commands, first);
  if (first !== undefined && !named && !first.startsWith('-')) {
    throw new OptionError(`unknown command "${first}" (commands: ${Object.keys(commands).join(', ')})`);
  }
  const name = named ? first! : 'serve';
  const rest = named ? argv.slice(1) : argv;
  const cmd = await commands[name]!.load();
  const dashdash = rest.indexOf('--');
  const flags = dashdash >= 0 ? rest.slice(0, dashdash) : rest;
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(formatHelp(cmd.usage, cmd.summary, cmd.options as OptionTable, cmd.sections));
    if (!named) process.stdout.write('\n' + topHelp());
    return 0;
  }
  return cmd.run(resolveConfig(cmd.options, rest));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof OptionError) {
      process.stderr.write(`mtaviz: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`mtaviz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
