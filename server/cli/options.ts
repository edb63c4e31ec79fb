// Declarative option tables. Each pipeline stage declares the options it owns
// (server/*/options.ts); a command lists the tables it uses. From one table we
// get the flag parser, the config-file keys, defaults, --help and the typed,
// readonly config object handed to the stage. Every flag has a config key
// (the table key); a few structured settings exist only as config keys.

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

export interface OptionSpec<T> {
  /** Long flag without dashes, e.g. "socket-mode". Absent: config-file only. */
  readonly flag?: string;
  readonly short?: string;
  /** Shown in --help, e.g. "PATH". Absent for booleans. */
  readonly metavar?: string;
  readonly help: string;
  readonly default: T;
  /** Booleans take no value on the command line; lists repeat. */
  readonly shape: 'value' | 'boolean' | 'list';
  /** Turns one command-line string into a value; throws OptionError. */
  readonly fromString: (raw: string) => T extends readonly (infer E)[] ? E : T;
  /** Validates a value from a JSON config file; throws OptionError. */
  readonly fromJson: (raw: unknown) => T;
  /** Default as shown in --help. */
  readonly showDefault?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptionTable = Readonly<Record<string, OptionSpec<any>>>;

export type ConfigOf<T extends OptionTable> = {
  readonly [K in keyof T]: T[K] extends OptionSpec<infer V> ? V : never;
};

type Common = { flag?: string; short?: string; metavar?: string; help: string };

function describe(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : JSON.stringify(raw) ?? String(raw);
}

function scalar<T>(
  c: Common & { default: T; showDefault?: string },
  parse: (raw: string) => T,
  json: (raw: unknown) => T,
): OptionSpec<T> {
  return { ...c, shape: 'value', fromString: parse as OptionSpec<T>['fromString'], fromJson: json };
}

/** Accept a JSON value of the natural type, or a string parsed like the flag. */
function viaString<T>(parse: (raw: string) => T, natural: (raw: unknown) => T | undefined) {
  return (raw: unknown): T => {
    const v = natural(raw);
    if (v !== undefined) return v;
    if (typeof raw === 'string') return parse(raw);
    throw new OptionError(`unexpected value ${describe(raw)}`);
  };
}

export const opt = {
  string(c: Common & { default: string; allowEmpty?: boolean }): OptionSpec<string> {
    const parse = (raw: string) => {
      if (raw === '' && !c.allowEmpty) throw new OptionError('empty value');
      return raw;
    };
    return scalar(c, parse, viaString(parse, () => undefined));
  },

  /** A string that may be absent (no default). */
  maybe(c: Common): OptionSpec<string | undefined> {
    const parse = (raw: string) => {
      if (raw === '') throw new OptionError('empty value');
      return raw;
    };
    return scalar<string | undefined>({ ...c, default: undefined }, parse, viaString(parse, () => undefined));
  },

  int(c: Common & { default: number; min?: number; max?: number }): OptionSpec<number> {
    const min = c.min ?? Number.MIN_SAFE_INTEGER;
    const max = c.max ?? Number.MAX_SAFE_INTEGER;
    const check = (n: number, raw: unknown) => {
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new OptionError(`${describe(raw)} is not an integer in ${min}..${max}`);
      }
      return n;
    };
    const parse = (raw: string) => check(/^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN, raw);
    return scalar(c, parse, viaString(parse, (raw) => (typeof raw === 'number' ? check(raw, raw) : undefined)));
  },

  number(c: Common & { default: number; min?: number; max?: number }): OptionSpec<number> {
    const min = c.min ?? -Infinity;
    const max = c.max ?? Infinity;
    const check = (n: number, raw: unknown) => {
      if (!Number.isFinite(n) || n < min || n > max) {
        throw new OptionError(`${describe(raw)} is not a number in ${min}..${max}`);
      }
      return n;
    };
    const parse = (raw: string) => check(raw.trim() === '' ? NaN : Number(raw), raw);
    return scalar(c, parse, viaString(parse, (raw) => (typeof raw === 'number' ? check(raw, raw) : undefined)));
  },

  bool(c: Common & { default?: boolean }): OptionSpec<boolean> {
    const parse = (raw: string) => {
      if (/^(true|yes|on|1)$/i.test(raw)) return true;
      if (/^(false|no|off|0)$/i.test(raw)) return false;
      throw new OptionError(`${describe(raw)} is not a boolean`);
    };
    return {
      ...c,
      default: c.default ?? false,
      shape: 'boolean',
      fromString: parse,
      fromJson: viaString(parse, (raw) => (typeof raw === 'boolean' ? raw : undefined)),
    };
  },

  oneOf<const V extends string>(c: Common & { default: V; values: readonly V[] }): OptionSpec<V> {
    const parse = (raw: string): V => {
      if ((c.values as readonly string[]).includes(raw)) return raw as V;
      throw new OptionError(`${describe(raw)} is not one of ${c.values.join(', ')}`);
    };
    return scalar(c, parse, viaString(parse, () => undefined));
  },

  /** Repeatable flag; a JSON array (or one string) in the config file. */
  list(c: Common & { default?: string[] }): OptionSpec<string[]> {
    const item = (raw: string) => {
      if (raw === '') throw new OptionError('empty value');
      return raw;
    };
    return {
      ...c,
      default: c.default ?? [],
      shape: 'list',
      fromString: item,
      fromJson: (raw) => {
        if (typeof raw === 'string') return [item(raw)];
        if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw.map(item);
        throw new OptionError(`${describe(raw)} is not a list of strings`);
      },
    };
  },

  /** File mode in octal, e.g. 0660. */
  mode(c: Common & { default: number }): OptionSpec<number> {
    const parse = (raw: string) => {
      if (!/^0?[0-7]{3,4}$/.test(raw)) throw new OptionError(`${describe(raw)} is not an octal file mode`);
      return parseInt(raw, 8);
    };
    return scalar({ ...c, showDefault: '0' + c.default.toString(8) }, parse, viaString(parse, () => undefined));
  },

  /** Byte size: 65536, 64k, 64KiB, 1m, 1MiB. */
  bytes(c: Common & { default: number; min?: number; max?: number }): OptionSpec<number> {
    const min = c.min ?? 1;
    const max = c.max ?? 2 ** 40;
    const parse = (raw: string) => {
      const m = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(raw.trim());
      const unit = (m?.[2] ?? 'b').toLowerCase()[0];
      const n = m ? Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new OptionError(`${describe(raw)} is not a size in ${min}..${max} bytes (e.g. 64KiB, 1MiB)`);
      }
      return n;
    };
    return scalar(c, parse, viaString(parse, (raw) => (typeof raw === 'number' ? parse(String(raw)) : undefined)));
  },

  /** Duration in milliseconds: 500ms, 30s, 5m, 2h, or a bare number of ms. */
  duration(c: Common & { default: number; min?: number; max?: number }): OptionSpec<number> {
    const min = c.min ?? 0;
    const max = c.max ?? 365 * 86_400_000;
    const parse = (raw: string) => {
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
      const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m?.[2] ?? 'ms'] ?? 1;
      const n = m ? Math.round(Number(m[1]) * mult) : NaN;
      if (!Number.isFinite(n) || n < min || n > max) {
        throw new OptionError(`${describe(raw)} is not a duration in ${min}..${max} ms (e.g. 500ms, 30s, 5m)`);
      }
      return n;
    };
    return scalar(
      { ...c, showDefault: formatDuration(c.default) },
      parse,
      viaString(parse, (raw) => (typeof raw === 'number' ? parse(String(raw)) : undefined)),
    );
  },

  /** HOST:PORT, [IPv6]:PORT or :PORT (host defaults to 127.0.0.1). */
  hostPort(c: Common): OptionSpec<{ host: string; port: number } | undefined> {
    const parse = (raw: string) => parseHostPort(raw);
    return scalar<{ host: string; port: number } | undefined>(
      { ...c, default: undefined },
      parse,
      viaString(parse, () => undefined),
    );
  },

  /** Config-file-only structured value, validated by the owner. */
  json<T>(c: { help: string; default: T; validate: (raw: unknown) => T }): OptionSpec<T> {
    return {
      help: c.help,
      default: c.default,
      shape: 'value',
      fromString: () => {
        throw new OptionError('only settable in the config file');
      },
      fromJson: c.validate,
    } as OptionSpec<T>;
  },
};

export function parseHostPort(raw: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 0 || port > 65535) {
    throw new OptionError(`${describe(raw)} is not HOST:PORT`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
