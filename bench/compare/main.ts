// `npm run bench:compare -- OLD.jsonl NEW.jsonl [--threshold PCT] [--json]`:
// compares two `npm run bench` outputs (compare.ts). Prints a table, or one
// JSON line per figure with --json; exits 1 when any figure got worse by more
// than the threshold (default 15%, the run-to-run noise measured on the
// project's 2-core machine kind, performance-anchors.md), 2 on bad usage.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compare, parseFigures, table } from './compare.js';

function fail(message: string): never {
  process.stderr.write(`mtaviz bench:compare: ${message}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { threshold: { type: 'string' }, json: { type: 'boolean' } } });
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (positionals.length !== 2) fail('usage: npm run bench:compare -- OLD.jsonl NEW.jsonl [--threshold PCT] [--json]');
const threshold = values.threshold === undefined ? 15 : Number(values.threshold);
if (!Number.isFinite(threshold) || threshold < 0) fail(`--threshold wants a percentage, got ${JSON.stringify(values.threshold)}`);

const runs = positionals.map((path) => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read ${path}: ${(err as Error).message}`);
  }
  const figures = parseFigures(text);
  if (figures.length === 0) fail(`${path} holds no benchmark figures`);
  return figures;
});
const rows = compare(runs[0]!, runs[1]!, threshold);
if (values.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
else process.stdout.write(`${table(rows)}\n(threshold ${threshold}%)\n`);
process.exitCode = rows.some((r) => r.verdict === 'worse') ? 1 : 0;
