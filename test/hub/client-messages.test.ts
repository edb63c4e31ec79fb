import { describe, expect, it } from 'vitest';
import { parseClientMessage, streamRate } from '../../server/hub/client-messages.js';

describe('client messages', () => {
  it('accepts only a well-formed rate request', () => {
    expect(parseClientMessage('{"type":"rate","rate":250}')).toEqual({ type: 'rate', rate: 250 });
    for (const bad of ['', 'nope', 'null', '[]', '{"type":"rate"}', '{"type":"rate","rate":0}', '{"type":"rate","rate":"9"}', '{"type":"other","rate":5}']) {
      expect(parseClientMessage(bad), bad).toBeUndefined();
    }
  });

  it('rounds a requested rate down to a 1-2-5 step, never above the daemon limit', () => {
    expect([1, 1.5, 2, 3, 7, 10, 49, 50, 300, 999].map((r) => streamRate(r, 1000))).toEqual([1, 1, 2, 2, 5, 10, 20, 50, 200, 500]);
    expect(streamRate(1000, 1000)).toBe(1000);
    expect(streamRate(5000, 1000)).toBe(1000);
    expect(streamRate(800, 750)).toBe(750);
  });
});
