import { describe, expect, it } from 'vitest';
import { domainOf, localPart, maskAddresses, maskToken, Redactor, REASON_MAX } from '../../server/parse/redact.js';

describe('address masking', () => {
  it('masks local parts in every common shape, keeps domains', () => {
    expect(maskAddresses('550 5.1.1 <jane.doe+tag@example.com>: unknown')).toBe('550 5.1.1 <***@example.com>: unknown');
    expect(maskAddresses('to=jane@example.com, from=<bob@x.example>')).toBe('***@example.com, from=<***@x.example>');
    expect(maskAddresses('"john doe"@example.com said no')).toBe('***@example.com said no');
    expect(maskAddresses('msprvs1=17323JExI9Mwb=bounces-1521@spmailt.com')).toBe('***@spmailt.com');
    expect(maskAddresses('RCPT TO:<a@b>: 550')).toBe('RCPT TO:<***@b>: 550');
    expect(maskAddresses('no address here, just @ signs and @@')).toBe('no address here, just @ signs and @@');
    expect(maskAddresses('***@example.com')).toBe('***@example.com');
  });

  it('masks a known local part where it stands alone, not inside other words', () => {
    expect(maskToken('unknown user: "jane"', 'jane')).toBe('unknown user: "***"');
    expect(maskToken('janet and jane, jane.', 'jane')).toBe('janet and ***, ***.');
    expect(maskToken('nothing', '')).toBe('nothing');
  });

  it('flattens, masks and cuts reasons; shows addresses only when asked', () => {
    const r = new Redactor(false);
    expect(r.reason('550-5.1.1 <a@b.example>\r\n550 5.1.1 gone')).toBe('550-5.1.1 <***@b.example> 550 5.1.1 gone');
    expect(r.reason('   ')).toBeUndefined();
    const long = r.reason(`${'x'.repeat(REASON_MAX - 3)} jane@example.com`)!;
    expect(long.length).toBeLessThanOrEqual(REASON_MAX);
    expect(long).not.toContain('jane');
    expect(new Redactor(true).reason('<a@b.example> "a"', 'a')).toBe('<a@b.example> "a"');
    expect(r.value('pool@tenant')).toBe('***@tenant');
    expect(r.value('proxy-a')).toBe('proxy-a');
  });

  it('local parts and domains of addresses', () => {
    expect(localPart('<jane@example.com>')).toBe('jane');
    expect(localPart('jane')).toBe('jane');
    expect(domainOf('<Jane@Example.COM>')).toBe('example.com');
    expect(domainOf('jane@example.com.')).toBe('example.com');
    expect(domainOf('jane@')).toBeUndefined();
    expect(domainOf('jane')).toBeUndefined();
    expect(domainOf('x@exa mple.com')).toBeUndefined();
    expect(domainOf('x@[192.0.2.1]')).toBe('[192.0.2.1]');
  });
});
