import { describe, expect, it } from 'vitest';
import { DataCentreIndex } from './datacentre.js';
import { prebidReason, REQUEST_IVT_REASONS, type RequestIvtReason } from './request-ivt.js';
import { UserAgentClassifier } from './user-agent.js';

const lookups = { datacentre: new DataCentreIndex(), userAgents: new UserAgentClassifier() };
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('prebidReason', () => {
  it('passes a browser on a residential address', () => {
    expect(prebidReason({ ip: '81.2.69.142', ua: CHROME, web: true }, lookups)).toBeUndefined();
  });

  it('names each reason the request shows by itself', () => {
    expect(prebidReason({ ip: '300.1.1.1', ua: CHROME, web: true }, lookups)).toBe('invalid_ip');
    expect(prebidReason({ ipv6: 'zz::1', ua: CHROME, web: true }, lookups)).toBe('invalid_ip');
    expect(prebidReason({ ip: '3.80.1.1', ua: CHROME, web: true }, lookups)).toBe('datacentre');
    // Another spelling of a data-centre address is still one.
    expect(prebidReason({ ipv6: '::ffff:3.80.1.1', ua: CHROME, web: true }, lookups)).toBe(
      'datacentre',
    );
    expect(prebidReason({ ipv6: '2a01:4f8::1', ua: CHROME, web: true }, lookups)).toBe(
      'datacentre',
    );
    expect(prebidReason({ ip: '81.2.69.142', ua: 'curl/8.5.0', web: true }, lookups)).toBe(
      'bot_ua',
    );
    expect(prebidReason({ ip: '81.2.69.142', ua: 'MyApp/1.0 CFNetwork', web: true }, lookups)).toBe(
      'non_browser',
    );
  });

  it('lets apps send a non-browser agent and leaves a missing agent to the post-click scorer', () => {
    expect(
      prebidReason({ ip: '81.2.69.142', ua: 'MyApp/1.0 CFNetwork', web: false }, lookups),
    ).toBeUndefined();
    expect(prebidReason({ ip: '81.2.69.142', web: true }, lookups)).toBeUndefined();
  });

  it('checks in the bidder order and skips reasons the caller does not consider', () => {
    const both = { ip: '3.80.1.1', ua: 'curl/8.5.0', web: true };
    expect(prebidReason(both, lookups)).toBe('datacentre');
    const asked: RequestIvtReason[] = [];
    const r = prebidReason(both, lookups, (x) => {
      asked.push(x);
      return x !== 'datacentre';
    });
    expect(r).toBe('bot_ua');
    expect(asked).toEqual(['datacentre', 'bot_ua']);
    expect(REQUEST_IVT_REASONS).toEqual(['invalid_ip', 'datacentre', 'bot_ua', 'non_browser']);
  });
});
