import { describe, expect, it } from 'vitest';
import { knownBotReason } from './known-bots.js';

const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

describe('known bots of the load test', () => {
  it('knows a declared bot by its user agent and a data centre by its address', () => {
    expect(
      knownBotReason({
        ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        ip: '81.2.69.1',
      }),
    ).toBe('bot_ua');
    expect(knownBotReason({ ua: BROWSER, ip: '52.1.2.3' })).toBe('datacentre');
    expect(knownBotReason({ ua: BROWSER, ip: '::ffff:52.1.2.3' })).toBe('datacentre');
  });

  it('leaves a browser on a residential address alone, and an address it cannot read', () => {
    expect(knownBotReason({ ua: BROWSER, ip: '81.2.69.1' })).toBeNull();
    expect(knownBotReason({ ua: BROWSER, ip: 'not-an-ip' })).toBeNull();
  });
});
