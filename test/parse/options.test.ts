import { describe, expect, it } from 'vitest';
import { OptionError } from '../../server/cli/options.js';
import { resolveConfig } from '../../server/cli/resolve.js';
import { DEFAULT_FIELDS, fieldsFor, parseOptions, validateFields } from '../../server/parse/options.js';

describe('parse options', () => {
  it('field maps: defaults, overrides per side, validation naming the bad part', () => {
    expect(fieldsFor('postfix', {})).toEqual(DEFAULT_FIELDS.postfix);
    const cfg = validateFields({ postfix: { egress: 'relay' }, pmta: { ingress: ['srcMta', 'srcType'] } });
    expect(fieldsFor('postfix', cfg)).toEqual({ ingress: ['syslog_name'], egress: ['relay'] });
    expect(fieldsFor('pmta', cfg)).toEqual({ ingress: ['srcMta', 'srcType'], egress: ['vmta', 'dlvSourceIp'] });
    const bad: [unknown, RegExp][] = [
      [[], /must be an object keyed by format/],
      [{ qmail: {} }, /unknown format "qmail"/],
      [{ json: { ingress: 'x' } }, /unknown format "json"/],
      [{ exim: 'transport' }, /"exim" must be an object/],
      [{ exim: { mta: ['x'] } }, /"exim.mta": only "ingress" and "egress"/],
      [{ exim: { egress: [] } }, /"exim.egress" must be a field name or a non-empty list/],
      [{ exim: { egress: ['vmta'] } }, /unknown field "vmta" \(one of transport, interface, router, host\)/],
      [{ sparkpost: { egress: [' '] } }, /must be a field name/],
    ];
    for (const [raw, message] of bad) expect(() => validateFields(raw)).toThrow(message);
    expect(() => validateFields({ exim: { egress: ['vmta'] } })).toThrow(OptionError);
  });

  it('flags: format, zone, correlation bounds', () => {
    const { config } = resolveConfig(parseOptions, ['--format', 'exim', '--tz', 'Europe/Berlin', '--correlation-max', '1000', '--correlation-ttl', '2d', '--show-addresses']);
    expect(config).toMatchObject({ format: 'exim', tz: 'Europe/Berlin', correlationMax: 1000, correlationTtl: 172_800_000, showAddresses: true });
    expect(() => resolveConfig(parseOptions, ['--tz', 'Nowhere/Special'])).toThrow(/--tz: "Nowhere\/Special" is not a time zone/);
    expect(() => resolveConfig(parseOptions, ['--correlation-max', '0'])).toThrow(/--correlation-max/);
    expect(() => resolveConfig(parseOptions, ['--fields', '{}'])).toThrow(/unknown flag --fields/);
  });
});
