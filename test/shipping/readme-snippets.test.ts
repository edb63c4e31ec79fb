// Keeps the README honest: every shipper snippet in "Feeding it logs" is
// marked, and every marked snippet is used by a test in this folder (which
// runs it against the real program). A new snippet without a test fails here.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README, snippet } from './harness.js';

const readme = readFileSync(README, 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README log-shipping snippets', () => {
  it('are each used by a shipping test', () => {
    const marked = [...readme.matchAll(/<!-- snippet:([\w-]+) -->/g)].map((m) => m[1]!);
    expect(marked.length).toBeGreaterThanOrEqual(9);
    const dir = import.meta.dirname;
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'readme-snippets.test.ts')) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/snippet(?:Lines)?\('([\w-]+)'\)/g)) used.add(m[1]!);
    }
    for (const name of marked) {
      expect(used.has(name), `README snippet "${name}" has no test in test/shipping/`).toBe(true);
      expect(snippet(name).trim()).not.toBe('');
    }
  });

  it('leave no shipper config unmarked in "Feeding it logs"', () => {
    const text = section('Feeding it logs');
    // A code block is either preceded by a snippet marker or only starts the daemon itself.
    const blocks = [...text.matchAll(/(<!-- snippet:[\w-]+ -->\n)?```[^\n]*\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, marker, body] of blocks) {
      if (marker) continue;
      for (const line of body!.split('\n').filter((l) => l.trim() !== '')) expect(line, 'an unmarked code block may only hold mtaviz commands').toMatch(/^npx mtaviz /);
    }
  });
});
