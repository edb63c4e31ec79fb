// Format sniffing: which parser a line looks like it belongs to, from its
// shape alone. The pipeline asks this only while a source's format is
// undecided (its first few recognisable lines, and again after a run of
// failures), so it favours clear signals over speed.

import type { Format } from '../protocol/index.js';
import { isPostfixProgram } from './postfix.js';
import type { Envelope } from './types.js';

const PMTA_TYPES = new Set(['d', 'b', 't', 'tq', 'r', 'f', 'rb', 'rs']);

/** The format `line` looks like, or undefined when nothing recognises it. */
export function sniff(line: string, env: Envelope | undefined): Format | undefined {
  if (env !== undefined) {
    const prog = env.program;
    if (prog !== undefined) {
      if (isPostfixProgram(prog)) return 'postfix';
      if (prog.startsWith('exim')) return 'exim';
    }
    // JSON and CSV can also travel inside a syslog envelope.
    return sniffBare(env.msg);
  }
  return sniffBare(line);
}

function sniffBare(s: string): Format | undefined {
  const c = s.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    if (s.includes('"msys"')) return 'sparkpost';
    if (s.includes('"kind"')) return 'json';
    if (s.includes('"type"')) return 'sparkpost';
    return undefined;
  }
  // Exim mainlog: "YYYY-MM-DD HH:MM:SS" (the only header-less format starting with a date).
  if (
    c >= 48 && c <= 57 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 32 &&
    s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58
  ) {
    return 'exim';
  }
  // PowerMTA accounting: its header row, or a record type then at least three more columns.
  if (s.startsWith('type,')) return 'pmta';
  const comma = s.indexOf(',');
  if (comma > 0 && comma <= 2 && PMTA_TYPES.has(s.slice(0, comma))) {
    let commas = 0;
    for (let i = s.indexOf(',', comma + 1); i >= 0 && commas < 3; i = s.indexOf(',', i + 1)) commas++;
    if (commas >= 3) return 'pmta';
  }
  return undefined;
}
