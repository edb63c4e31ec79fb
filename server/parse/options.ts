// Options owned by the parse stage. Commands compose this table with others
// (serve, parse); the resolved object is handed to createPipeline as is.

import { FORMATS, type Format } from '../protocol/index.js';
import { OptionError, opt, type ConfigOf, type OptionSpec } from '../cli/options.js';
import { EXIM_EGRESS_FIELDS, EXIM_INGRESS_FIELDS } from './exim.js';
import { POSTFIX_EGRESS_FIELDS, POSTFIX_INGRESS_FIELDS } from './postfix.js';
import { checkTimeZone } from './time.js';

/** Formats whose ingress/egress come from named raw fields. */
export const MAPPED_FORMATS = ['postfix', 'exim', 'sparkpost', 'pmta'] as const;
export type MappedFormat = (typeof MAPPED_FORMATS)[number];

export interface FieldChoice {
  readonly ingress: readonly string[];
  readonly egress: readonly string[];
}

export type FieldsConfig = Readonly<Partial<Record<MappedFormat, Partial<FieldChoice>>>>;

/** Per-format defaults (the naming for Postfix; the obvious hop names elsewhere). */
export const DEFAULT_FIELDS: Readonly<Record<MappedFormat, FieldChoice>> = {
  postfix: { ingress: ['syslog_name'], egress: ['syslog_name'] },
  exim: { ingress: ['interface', 'protocol'], egress: ['transport'] },
  sparkpost: { ingress: ['recv_method'], egress: ['binding', 'sending_ip', 'ip_pool'] },
  pmta: { ingress: ['srcType'], egress: ['vmta', 'dlvSourceIp'] },
};

/** Fields the line-format parsers know; JSON and CSV formats accept any raw key. */
const CLOSED_CHOICES: Partial<Record<MappedFormat, { ingress: readonly string[]; egress: readonly string[] }>> = {
  postfix: { ingress: POSTFIX_INGRESS_FIELDS, egress: POSTFIX_EGRESS_FIELDS },
  exim: { ingress: EXIM_INGRESS_FIELDS, egress: EXIM_EGRESS_FIELDS },
};

export function validateFields(raw: unknown): FieldsConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new OptionError('must be an object keyed by format, e.g. {"postfix": {"egress": ["relay", "syslog_name"]}}');
  }
  const out: Partial<Record<MappedFormat, Partial<FieldChoice>>> = {};
  for (const [format, choice] of Object.entries(raw)) {
    if (!(MAPPED_FORMATS as readonly string[]).includes(format)) {
      throw new OptionError(`unknown format "${format}" (one of ${MAPPED_FORMATS.join(', ')})`);
    }
    if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) {
      throw new OptionError(`"${format}" must be an object with "ingress" and/or "egress"`);
    }
    const entry: { ingress?: string[]; egress?: string[] } = {};
    for (const [side, value] of Object.entries(choice)) {
      if (side !== 'ingress' && side !== 'egress') throw new OptionError(`"${format}.${side}": only "ingress" and "egress" can be mapped`);
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.trim() !== '')) {
        throw new OptionError(`"${format}.${side}" must be a field name or a non-empty list of them`);
      }
      const allowed = CLOSED_CHOICES[format as MappedFormat]?.[side];
      for (const f of list as string[]) {
        if (allowed && !allowed.includes(f)) {
          throw new OptionError(`"${format}.${side}": unknown field "${f}" (one of ${allowed.join(', ')})`);
        }
      }
      entry[side] = (list as string[]).map((v) => v.trim());
    }
    out[format as MappedFormat] = entry;
  }
  return out;
}

export function fieldsFor(format: MappedFormat, config: FieldsConfig): FieldChoice {
  const d = DEFAULT_FIELDS[format];
  const c = config[format];
  return { ingress: c?.ingress ?? d.ingress, egress: c?.egress ?? d.egress };
}

function timeZone(): OptionSpec<string> {
  const parse = (raw: string) => {
    try {
      checkTimeZone(raw);
    } catch {
      throw new OptionError(`${JSON.stringify(raw)} is not a time zone (local, UTC or an IANA name such as Europe/Berlin)`);
    }
    return raw;
  };
  return {
    flag: 'tz',
    metavar: 'ZONE',
    help: 'zone of log timestamps that carry none (BSD syslog, postlogd, Exim, PowerMTA): local, UTC or an IANA name',
    default: 'local',
    shape: 'value',
    fromString: parse,
    fromJson: (raw) => {
      if (typeof raw !== 'string') throw new OptionError(`${JSON.stringify(raw)} is not a time zone name`);
      return parse(raw);
    },
  };
}

export const parseOptions = {
  format: opt.oneOf<'auto' | Format>({
    flag: 'format',
    metavar: 'FORMAT',
    help: `log format of every input: auto (detected per source) or ${FORMATS.join(', ')}`,
    default: 'auto',
    values: ['auto', ...FORMATS],
  }),
  showAddresses: opt.bool({
    flag: 'show-addresses',
    help: 'let address local parts out of the daemon (events, reasons); masked as ***@domain otherwise',
  }),
  correlationMax: opt.int({
    flag: 'correlation-max',
    metavar: 'N',
    help: 'messages followed at most for queue-ID correlation, about 190 bytes each (oldest evicted, counted)',
    default: 500_000,
    min: 1,
    max: 50_000_000,
  }),
  correlationTtl: opt.duration({
    flag: 'correlation-ttl',
    metavar: 'DURATION',
    help: 'forget a message this long (log time) after it arrived; Postfix retries for 5d by default',
    default: 5 * 86_400_000,
    min: 1000,
  }),
  tz: timeZone(),
  pmtaHeader: opt.maybe({
    flag: 'pmta-header',
    metavar: 'FIELDS',
    help: 'PowerMTA accounting columns (comma-separated) for sources that start after the header row',
  }),
  fields: opt.json<FieldsConfig>({
    help: 'raw fields that become ingress/egress, per format (config file only)',
    default: {},
    validate: validateFields,
  }),
} as const;

export type ParseConfig = ConfigOf<typeof parseOptions>;
