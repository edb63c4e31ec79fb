// Options of the insight layer: alarm rules (--alarm, repeatable, or the
// config file's "alarms" list) and the provider table (config file only).

import { OptionError, opt, type OptionSpec } from '../cli/options.js';
import { mergeProviders, patternError, DEFAULT_PROVIDERS, OTHER_PROVIDER, type ProviderTable } from '../protocol/index.js';
import { AlarmRuleError, RULE_SYNTAX, parseAlarmRule } from './alarm-rule.js';

function rules(): OptionSpec<string[]> {
  const base = opt.list({
    flag: 'alarm',
    metavar: 'RULE',
    help: `raise an alarm when a windowed share or rate crosses a threshold (repeatable): "${RULE_SYNTAX}", e.g. "deferral share per egress > 20% over 1m"`,
  });
  const check = (raw: string) => {
    try {
      return parseAlarmRule(raw).text;
    } catch (err) {
      if (err instanceof AlarmRuleError) throw new OptionError(err.message);
      throw err;
    }
  };
  return { ...base, fromString: check, fromJson: (raw) => base.fromJson(raw).map(check) };
}

function providerTable(raw: unknown): ProviderTable {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new OptionError('"providers" is an object: provider name -> list of domains and address blocks');
  }
  const user: [string, string[]][] = [];
  for (const [name, patterns] of Object.entries(raw as Record<string, unknown>)) {
    if (name.startsWith('//')) continue;
    if (name.trim() === '' || name.length > 40 || name === OTHER_PROVIDER) {
      throw new OptionError(`provider name ${JSON.stringify(name)} is empty, longer than 40 characters or reserved`);
    }
    if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
      throw new OptionError(`provider ${JSON.stringify(name)}: a list of domains and address blocks`);
    }
    for (const p of patterns as string[]) {
      const why = patternError(p);
      if (why !== undefined) throw new OptionError(`provider ${JSON.stringify(name)}: ${why}`);
    }
    user.push([name, patterns as string[]]);
  }
  return mergeProviders(user);
}

export const insightOptions = {
  alarms: rules(),
  providers: opt.json<ProviderTable>({
    help:
      'mailbox providers for provider lanes and per-provider counts: {"Name": ["domain.example", "192.0.2.0/24", "2001:db8::/32"]}; ' +
      'a name of the built-in table replaces that entry, an empty list removes it',
    default: DEFAULT_PROVIDERS,
    validate: providerTable,
  }),
};
