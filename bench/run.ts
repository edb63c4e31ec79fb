// Runs the benchmarks: every compiled module in dist/bench (except this one)
// whose default export is a Benchmark, or only those named on the command
// line (`npm run bench -- ingest`). Prints one JSON line per figure.

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from './lib/figure.js';

const here = import.meta.dirname;
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== basename(import.meta.filename))
  .map((f) => f.slice(0, -3))
  .sort();

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`mtaviz bench: no benchmark ${unknown.join(', ')} (have: ${available.join(', ')})\n`);
  process.exit(2);
}

for (const name of wanted.length ? wanted : available) {
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { default?: Benchmark };
  if (typeof mod.default !== 'function') continue;
  for (const figure of await mod.default()) process.stdout.write(JSON.stringify(figure) + '\n');
}
