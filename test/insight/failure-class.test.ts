import { describe, expect, it } from 'vitest';
import { FAILURE_CLASSES, failureClass } from '../../server/protocol/index.js';

const cls = (dsn: string | undefined, reason?: string) => FAILURE_CLASSES[failureClass(dsn, reason)];

describe('failure classes', () => {
  it('bins by the enhanced status code subject', () => {
    expect(cls('5.1.1', 'host mx[1.2.3.4] said: 550 5.1.1 user unknown')).toBe('mailbox');
    expect(cls('5.1.10', 'RESOLVER.ADR.RecipientNotFound')).toBe('mailbox');
    expect(cls('5.7.1', 'Service unavailable; blocked using zen.spamhaus.org')).toBe('policy');
    expect(cls('4.7.28', 'rate limited')).toBe('policy');
    expect(cls('5.4.4', 'Host or domain name not found')).toBe('routing');
    expect(cls('4.4.1', 'connect to mx[1.2.3.4]:25: Connection timed out')).toBe('routing');
    expect(cls('5.2.2', 'Mailbox is full')).toBe('other');
    expect(cls('5.0.0', 'unknown')).toBe('other');
  });

  it('puts expiries in their own bin, whether coded (x.4.7) or worded', () => {
    expect(cls(undefined, 'expired')).toBe('expired');
    expect(cls('5.4.7', 'delivery time expired')).toBe('expired');
    expect(cls('4.4.7', 'some text')).toBe('expired');
    expect(cls(undefined, 'retry timeout exceeded')).toBe('expired');
    expect(cls('5.0.0', 'message was too long in the queue')).toBe('expired');
  });

  it('reads a code out of the reason when no dsn was logged, and says "other" when there is none', () => {
    expect(cls(undefined, '554 5.7.1 <***@dest.example>: Relay access denied')).toBe('policy');
    expect(cls(undefined, '550 5.1.1 no such user')).toBe('mailbox');
    expect(cls(undefined, 'connection refused')).toBe('other');
    expect(cls(undefined, undefined)).toBe('other');
    expect(cls('garbage', undefined)).toBe('other');
    expect(cls('5.x.1', undefined)).toBe('other');
  });
});
