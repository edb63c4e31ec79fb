// Resolves defaults < config file < flags into one readonly object, once.
// Every failure is an OptionError whose message names the bad flag or key and
// the bad value; main.ts prints it on one line and exits with status 2.

import { readFileSync } from 'node:fs';
import { OptionError, type ConfigOf, type OptionSpec, type OptionTable } from './options.js';

export interface Resolved<T extends OptionTable> {
  config: ConfigOf<T>;
  positionals: string[];
  /** Path of the config file read, if any. */
  configFile?: string;
}

interface FlagTarget {
  key: string;
  spec: OptionSpec<unknown>;
}

export function resolveConfig<T extends OptionTable>(table: T, argv: readonly string[]): Resolved<T> {
  const byFlag = new Map<string, FlagTarget>();
  for (const [key, spec] of Object.entries(table)) {
    if (spec.flag) byFlag.set(`--${spec.flag}`, { key, spec });
    if (spec.short) byFlag.set(`-${spec.short}`, { key, spec });
  }

  const fromFlags = new Map<string, unknown>();
  const positionals: string[] = [];
  let configFile: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new OptionError('needs a value');
      i++;
      return next;
    };

    if (name === '--config' || name === '-c') {
      try {
        configFile = takeValue();
      } catch (err) {
        throw rethrow(err, name);
      }
      continue;
    }
    let target = byFlag.get(name);
    let negated = false;
    if (!target && name.startsWith('--no-')) {
      target = byFlag.get(`--${name.slice(5)}`);
      negated = target?.spec.shape === 'boolean';
      if (!negated) target = undefined;
    }
    if (!target) throw new OptionError(`unknown flag ${name} (see --help)`);
    const { key, spec } = target;
    try {
      if (spec.shape === 'boolean') {
        fromFlags.set(key, inline === undefined ? !negated : negated !== spec.fromString(inline));
      } else if (spec.shape === 'list') {
        const list = (fromFlags.get(key) as unknown[] | undefined) ?? [];
        list.push(spec.fromString(takeValue()));
        fromFlags.set(key, list);
      } else {
        fromFlags.set(key, spec.fromString(takeValue()));
      }
    } catch (err) {
      throw rethrow(err, name);
    }
    inline = undefined;
  }

  const fromFile = configFile ? readConfigFile(table, configFile) : new Map<string, unknown>();

  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    config[key] = fromFlags.has(key) ? fromFlags.get(key) : fromFile.has(key) ? fromFile.get(key) : spec.default;
  }
  return {
    config: Object.freeze(config) as ConfigOf<T>,
    positionals,
    ...(configFile !== undefined ? { configFile } : {}),
  };
}

function readConfigFile(table: OptionTable, file: string): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OptionError(`--config: cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OptionError(`--config: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OptionError(`--config: ${file} must hold a JSON object of settings`);
  }
  const out = new Map<string, unknown>();
  for (const [key, raw] of Object.entries(parsed)) {
    if (key === '$schema' || key.startsWith('//')) continue;
    const spec = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!spec) throw new OptionError(`${file}: unknown setting "${key}"`);
    try {
      out.set(key, spec.fromJson(raw));
    } catch (err) {
      throw rethrow(err, `${file}: "${key}"`);
    }
  }
  return out;
}

function rethrow(err: unknown, where: string): Error {
  if (err instanceof OptionError) return new OptionError(`${where}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

/** --help text for a command from its option table. */
export function formatHelp(usage: string, summary: string, table: OptionTable, sections?: Record<string, string[]>): string {
  const lines = [`Usage: ${usage}`, '', summary, ''];
  const render = (key: string, spec: OptionSpec<unknown>) => {
    if (!spec.flag) return;
    const names = [spec.short ? `-${spec.short}` : '', `--${spec.flag}`].filter(Boolean).join(', ');
    const left = `  ${names}${spec.metavar ? ` ${spec.metavar}` : ''}`;
    const def = spec.showDefault ?? defaultText(spec.default);
    const right = `${spec.help}${def ? ` (default ${def})` : ''}${spec.shape === 'list' ? ' [repeatable]' : ''}  [${key}]`;
    lines.push(left.length < 30 ? left.padEnd(30) + right : `${left}\n${' '.repeat(30)}${right}`);
  };
  const seen = new Set<string>();
  for (const [title, keys] of Object.entries(sections ?? {})) {
    lines.push(`${title}:`);
    for (const key of keys) {
      const spec = table[key];
      if (spec) render(key, spec);
      seen.add(key);
    }
    lines.push('');
  }
  const rest = Object.keys(table).filter((k) => !seen.has(k) && table[k]!.flag);
  if (rest.length) {
    lines.push(sections ? 'Other options:' : 'Options:');
    for (const key of rest) render(key, table[key]!);
    lines.push('');
  }
  lines.push('  -c, --config FILE           JSON file of settings; keys are shown in [brackets]; flags override it');
  lines.push('  -h, --help                  this help');
  return lines.join('\n') + '\n';
}

function defaultText(v: unknown): string {
  if (v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0)) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
