#!/usr/bin/env node
// `npm start` runs this first (the "prestart" script): it builds only when
// dist/ is missing or older than a source that goes into it, so a fresh clone
// starts after one build and later starts cost a few stat() calls.
// Plain JavaScript on purpose: it has to run before anything is compiled.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outputs = ['dist/server/cli/main.js', 'dist/client/index.html'];
// When the last build ran: tsc rewrites its build info whenever it emits, and
// vite rewrites the whole client; the server's own files keep old dates when
// their source did not change, so they cannot date a build.
const buildDates = ['dist/.tsbuildinfo', 'dist/client/index.html'];
// Written after a build run from here: a source touched without a change makes
// tsc emit nothing, and would otherwise count as newer on every start.
const stamp = join(root, 'dist/.build-stamp');
const inputDirs = ['server', 'client', 'public', 'bench', 'scripts'];
const inputFiles = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function staleReason() {
  for (const out of outputs) {
    if (!existsSync(join(root, out))) return `${out} is missing`;
  }
  let builtAt = Infinity;
  for (const file of buildDates) {
    const path = join(root, file);
    builtAt = Math.min(builtAt, existsSync(path) ? statSync(path).mtimeMs : 0);
  }
  if (existsSync(stamp)) builtAt = Math.max(builtAt, statSync(stamp).mtimeMs);
  for (const dir of inputDirs) {
    const path = join(root, dir);
    if (existsSync(path) && newestIn(path) > builtAt) return `${dir}/ changed since the last build`;
  }
  for (const file of inputFiles) {
    const path = join(root, file);
    if (existsSync(path) && statSync(path).mtimeMs > builtAt) return `${file} changed since the last build`;
  }
  return undefined;
}

const reason = staleReason();
if (reason) {
  process.stderr.write(`mtaviz: building (${reason})\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = new Date();
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // Stamped with the start time: a source saved during the build still counts as newer.
  writeFileSync(stamp, `${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
}
