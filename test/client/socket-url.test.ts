import { describe, expect, it } from 'vitest';
import { socketUrl } from '../../client/net/socket-url.js';

describe('socketUrl', () => {
  it('connects to the page origin and passes only the token on', () => {
    expect(socketUrl('http://127.0.0.1:8000/?legend=0&token=s3cr%2Ft#x')).toBe('ws://127.0.0.1:8000/ws?token=s3cr%2Ft');
    expect(socketUrl('http://logbox:8000/')).toBe('ws://logbox:8000/ws');
  });

  it('uses wss for https pages and follows a path the UI is mounted under', () => {
    expect(socketUrl('https://wall.example.lan/mtaviz/?token=t')).toBe('wss://wall.example.lan/mtaviz/ws?token=t');
    expect(socketUrl('http://h/mtaviz/index.html')).toBe('ws://h/mtaviz/ws');
  });
});
