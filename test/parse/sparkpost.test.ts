import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../server/parse/sparkpost.js';
import { eventProblem } from '../../server/parse/schema.js';
import { fixtureLines, localPartsIn, NOW, run } from './helpers.js';

function events(lines: string[], overrides = {}) {
  const r = run(lines, { format: 'sparkpost', ...overrides });
  for (const e of r.events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
  return r;
}

const INJECTION = {
  ts: 1_496_154_610_000,
  format: 'sparkpost',
  kind: 'injection',
  domain: 'example.com',
  queueId: '0006f2812d59b5a69edc',
};
const DELIVERY = {
  ts: 1_496_154_610_000,
  format: 'sparkpost',
  kind: 'delivery',
  egress: '52.39.182.248',
  destIp: '74.125.28.27',
  domain: 'example.com',
  delayMs: 366,
  queueId: '0006f2812d59b5a6a1dc',
};
const BOUNCE = {
  ts: 1_496_154_451_000,
  format: 'sparkpost',
  kind: 'bounce',
  egress: '35.160.182.156',
  destIp: '74.125.28.26',
  domain: 'example.com',
  dsn: '5.1.1',
  delayMs: 379,
  queueId: '000253812d59ed483127',
  // raw_reason's CRLFs flattened, the bounce class named, cut at 256 characters.
  reason:
    "class 10 Invalid Recipient: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. Learn more at 550 5.1.1  https://support.google.c…",
};

describe('SparkPost webhooks (the public samples)', () => {
  it('a webhook batch on one line: injection, delivery, bounce; the open is engagement, not mail flow', () => {
    const { events: ev, stats } = events(fixtureLines('sparkpost/webhook-batch.json'));
    expect(ev).toEqual([INJECTION, DELIVERY, BOUNCE]);
    expect(stats).toMatchObject({ lines: 1, eventLines: 1, events: 3, unparsed: 0 });
  });

  it('the same records one per line', () => {
    const { events: ev, stats } = events(fixtureLines('sparkpost/webhook-records.ndjson'));
    expect(ev).toEqual([INJECTION, DELIVERY, BOUNCE]);
    expect(stats).toMatchObject({ lines: 4, eventLines: 3, ignored: 1, unparsed: 0 });
  });

  it('never lets an address local part through (the bounce text quotes none, the fields hold many)', () => {
    const lines = fixtureLines('sparkpost/webhook-batch.json');
    const text = JSON.stringify(events(lines).events);
    for (const local of localPartsIn(lines)) expect(text).not.toContain(`${local}@`);
    const shown = JSON.stringify(events(lines, { showAddresses: true }).events);
    expect(shown).not.toContain('@'); // nothing but domains is copied from address fields either way
  });

  it('Momentum: fractional timestamps, node names and bindings', () => {
    const { events: ev } = events(fixtureLines('sparkpost/momentum-delivery.json'));
    expect(ev).toEqual([
      {
        ts: 1_411_751_722_079,
        format: 'sparkpost',
        kind: 'delivery',
        mta: 'Test-Node',
        ingress: 'esmtp',
        egress: 'Test-Binding',
        domain: 'example.com',
        delayMs: 1234,
        queueId: 'fb238d87-deaf-427e-91e6-da675ecea2a4',
      },
    ]);
  });
});

describe('SparkPost: other event types and shapes (records built from the documented fields)', () => {
  const rec = (type: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ msys: { message_event: { type, timestamp: '1496154610', rcpt_to: 'jane.doe@example.org', message_id: 'm1', ...extra } } });

  it('delay, out_of_band, policy_rejection, generation failures, Momentum inband and reception', () => {
    const { events: ev } = events([
      rec('delay', { raw_reason: '421 4.7.0 [TSS04] Messages from 1.2.3.4 temporarily deferred', ip_address: '98.136.96.91', sending_ip: '10.0.0.1', num_retries: '1', queue_time: '4000' }),
      rec('out_of_band', { bounce_class: '10', raw_reason: '550 5.1.1 <jane.doe@example.org>: user unknown', sending_ip: '10.0.0.1' }),
      JSON.stringify({ msys: { message_event: { type: 'policy_rejection', timestamp: '1496154611', rcpt_to: 'jane.doe@example.org', reason: 'Message generation rejected', error_code: '554', bounce_class: '25', remote_addr: '203.0.113.9' } } }),
      JSON.stringify({ msys: { gen_event: { type: 'generation_failure', timestamp: '1496154612', rcpt_to: 'jane.doe@example.org', reason: 'Substitution failed' } } }),
      JSON.stringify({ msys: { message_event: { type: 'inband', timestamp: '1496154613', rcpt_to: 'jane.doe@example.org', bounce_class: '25', raw_reason: '551 5.7.0 [internal] recipient blackholed', recv_method: 'rest', binding: 'default' } } }),
      JSON.stringify({ type: 'reception', timestamp: 1496154614, recv_method: 'rest', routing_domain: 'Example.ORG' }),
    ]);
    expect(ev.map((e) => [e.kind, e.ingress, e.egress, e.destIp, e.domain, e.dsn, e.delayMs, e.reason])).toEqual([
      ['deferral', undefined, '10.0.0.1', '98.136.96.91', 'example.org', '4.7.0', 4000, '421 4.7.0 [TSS04] Messages from 1.2.3.4 temporarily deferred'],
      ['bounce', undefined, '10.0.0.1', undefined, 'example.org', '5.1.1', undefined, 'class 10 Invalid Recipient: 550 5.1.1 <***@example.org>: user unknown'],
      ['rejection', undefined, undefined, undefined, 'example.org', undefined, undefined, 'class 25 Admin Failure: Message generation rejected'],
      ['rejection', undefined, undefined, undefined, 'example.org', undefined, undefined, 'Substitution failed'],
      ['bounce', 'rest', 'default', undefined, 'example.org', '5.7.0', undefined, 'class 25 Admin Failure: 551 5.7.0 [internal] recipient blackholed'],
      ['injection', 'rest', undefined, undefined, 'example.org', undefined, undefined, undefined],
    ]);
  });

  it('the webhook ping, engagement and relay events are ignored; broken JSON is unparsed', () => {
    const { stats } = events([
      '[{"msys":{}}]',
      '[]',
      JSON.stringify({ msys: { track_event: { type: 'click', timestamp: '1' } } }),
      JSON.stringify({ msys: { relay_event: { type: 'relay_injection', timestamp: '1' } } }),
      '{"msys": {"message_event": {"type": "delivery"',
      '"just a string"',
      '{"no": "type"}',
    ]);
    expect(stats).toMatchObject({ events: 0, ignored: 4, unparsed: 3 });
  });

  it('an event without a timestamp gets the reading clock; the Events API\'s ISO timestamps are read', () => {
    const { events: ev } = events([JSON.stringify({ type: 'delivery' }), JSON.stringify({ type: 'delivery', timestamp: '2016-04-18T14:25:07.000+00:00' })]);
    expect(ev.map((e) => e.ts)).toEqual([NOW, Date.UTC(2016, 3, 18, 14, 25, 7)]);
  });

  it('configured fields for ingress and egress', () => {
    const { events: ev } = events(fixtureLines('sparkpost/webhook-records.ndjson'), {
      fields: { sparkpost: { ingress: ['customer_id'], egress: ['ip_pool'] } },
    });
    expect(ev.map((e) => `${e.kind} ${e.ingress} ${e.egress ?? '-'}`)).toEqual(['injection 1521 -', 'delivery 1521 shared', 'bounce 1521 shared']);
  });
});

describe('parseEventTime', () => {
  it('epoch seconds as string or number, fractions, ISO', () => {
    expect(parseEventTime('1496154610')).toBe(1_496_154_610_000);
    expect(parseEventTime('1411751722.079')).toBe(1_411_751_722_079);
    expect(parseEventTime(1411751722.5)).toBe(1_411_751_722_500);
    expect(parseEventTime('2016-04-18T14:25:07.000+02:00')).toBe(Date.UTC(2016, 3, 18, 12, 25, 7));
    expect(parseEventTime('soon')).toBeUndefined();
    expect(parseEventTime(-1)).toBeUndefined();
    expect(parseEventTime(null)).toBeUndefined();
  });
});
