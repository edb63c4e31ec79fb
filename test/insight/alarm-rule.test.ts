import { describe, expect, it } from 'vitest';
import { parseAlarmRule } from '../../server/insight/alarm-rule.js';

describe('alarm rules', () => {
  it('reads shares and rates, scopes, windows and minimums', () => {
    expect(parseAlarmRule('  deferral share per egress >  20% over 1m ')).toEqual({
      text: 'deferral share per egress > 20% over 1m',
      kind: 'deferral',
      unit: 'share',
      scope: 'egress',
      op: '>',
      threshold: 0.2,
      windowMs: 60_000,
      min: 20,
    });
    expect(parseAlarmRule('bounce share per provider > 5.5% over 5m min 200')).toMatchObject({ threshold: 0.055, windowMs: 300_000, min: 200 });
    expect(parseAlarmRule('delivery rate per provider < 1/s over 10m')).toMatchObject({ unit: 'rate', op: '<', threshold: 1, min: 0 });
    expect(parseAlarmRule('rejection share > 50% over 30s')).toMatchObject({ scope: 'all', kind: 'rejection' });
    expect(parseAlarmRule('Deferral Share Per MTA > 10% over 2s')).toMatchObject({ scope: 'mta', windowMs: 2000 });
  });

  it('refuses what it cannot mean, saying why', () => {
    expect(() => parseAlarmRule('deferrals above 20%')).toThrow(/does not read/);
    expect(() => parseAlarmRule('deferral share > 20/s over 1m')).toThrow(/share is given in %/);
    expect(() => parseAlarmRule('deferral rate > 20% over 1m')).toThrow(/events per second/);
    expect(() => parseAlarmRule('deferral share > 120% over 1m')).toThrow(/between 0% and 100%/);
    expect(() => parseAlarmRule('deferral share > 20% over 1s')).toThrow(/between 2s and 24h/);
    expect(() => parseAlarmRule('deferral share > 20% over 2d')).toThrow(/does not read/);
    expect(() => parseAlarmRule('rejection share per provider > 20% over 1m')).toThrow(/before any provider/);
    expect(() => parseAlarmRule('bounce rate > 2/s over 1m min 5')).toThrow(/shares only/);
  });
});
