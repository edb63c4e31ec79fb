import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS, OTHER_PROVIDER, ProviderMatcher, mergeProviders, patternError } from '../../server/protocol/index.js';

describe('provider table', () => {
  const m = new ProviderMatcher(DEFAULT_PROVIDERS);
  const name = (domain?: string, ip?: string) => m.names[m.match(domain, ip)];

  it('covers the big mailbox providers by domain, subdomains and case included', () => {
    expect(name('gmail.com')).toBe('Google');
    expect(name('GoogleMail.com')).toBe('Google');
    expect(name('hotmail.co.uk')).toBe('Microsoft');
    expect(name('outlook.com')).toBe('Microsoft');
    expect(name('aol.com')).toBe('Yahoo');
    expect(name('mail.yahoo.com')).toBe('Yahoo');
    expect(name('icloud.com')).toBe('Apple');
    expect(name('web.de')).toBe('GMX / WEB.DE');
    expect(name('unknown.example')).toBe(OTHER_PROVIDER);
    expect(name(undefined, undefined)).toBe(OTHER_PROVIDER);
    expect(m.names.at(-1)).toBe(OTHER_PROVIDER);
  });

  it('recognises hosted domains by the MX address block, and remembers the domain', () => {
    expect(name('contoso.com', '104.47.55.110')).toBe('Microsoft');
    expect(name('contoso.com', undefined)).toBe('Microsoft');
    expect(name('adventure-works.com', '142.251.16.27')).toBe('Google');
    expect(name(undefined, '17.57.154.7')).toBe('Apple');
    expect(name(undefined, '2607:f8b0:400e:c04::1b')).toBe('Google');
    expect(name(undefined, '2a01:111:f400:7e1b::2')).toBe('Microsoft');
    expect(name(undefined, '2001:db8::1')).toBe(OTHER_PROVIDER);
    expect(name('small.example', '203.0.113.9')).toBe(OTHER_PROVIDER);
    expect(name(undefined, 'not-an-ip')).toBe(OTHER_PROVIDER);
    expect(name(undefined, '300.1.1.1')).toBe(OTHER_PROVIDER);
  });

  it('is editable: a user entry replaces a default, an empty list removes it, new names come first', () => {
    const t = mergeProviders([
      ['Acme', ['acme.example', '198.51.100.0/24']],
      ['Google', ['gmail.com']],
      ['Apple', []],
    ]);
    const u = new ProviderMatcher(t);
    const n = (d?: string, ip?: string) => u.names[u.match(d, ip)];
    expect(u.names[0]).toBe('Acme');
    expect(u.names).not.toContain('Apple');
    expect(n('mx.acme.example')).toBe('Acme');
    expect(n(undefined, '198.51.100.77')).toBe('Acme');
    expect(n('googlemail.com')).toBe(OTHER_PROVIDER);
    expect(n('icloud.com')).toBe(OTHER_PROVIDER);
  });

  it('says what is wrong with a bad pattern', () => {
    expect(patternError('gmail.com')).toBeUndefined();
    expect(patternError('10.0.0.0/8')).toBeUndefined();
    expect(patternError('2607:f8b0::/32')).toBeUndefined();
    expect(patternError('10.0.0.0/33')).toMatch(/not an IPv4 block/);
    expect(patternError('2607:f8b0::/30')).toMatch(/hextet/);
    expect(patternError('localhost')).toMatch(/not a domain/);
    expect(patternError('a/b')).toMatch(/not an address block/);
  });
});
