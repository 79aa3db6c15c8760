import { describe, expect, it } from 'vitest';
import { classifyUserAgent, isBotUserAgent, UserAgentClassifier } from './user-agent.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('user-agent rules', () => {
  it('names declared crawlers from the isbot list and the project’s own clients as bots', () => {
    expect(
      classifyUserAgent('Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'),
    ).toBe('bot');
    expect(classifyUserAgent('facebookexternalhit/1.1')).toBe('bot'); // isbot's list
    expect(classifyUserAgent('okhttp/4.12.0')).toBe('bot'); // project rule
    expect(classifyUserAgent('Mozilla/5.0 (X11) HeadlessChrome/124.0 Safari/537.36')).toBe('bot');
  });

  it('tells browsers from other clients by the product token', () => {
    expect(classifyUserAgent(CHROME)).toBe('browser');
    expect(classifyUserAgent('Opera/9.80 (Windows NT 6.1) Presto/2.12')).toBe('browser');
    expect(
      classifyUserAgent('AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X)'),
    ).toBe('non_browser');
    expect(classifyUserAgent('Roku/DVP-12.5 (12.5.0.4178)')).toBe('non_browser');
  });

  it('treats a missing or blank agent as missing, and the scorer counts it a bot', () => {
    expect(classifyUserAgent(undefined)).toBe('missing');
    expect(classifyUserAgent('  ')).toBe('missing');
    expect(isBotUserAgent('')).toBe(true);
    expect(isBotUserAgent(CHROME)).toBe(false);
  });

  it('memoises with the same answers and a bounded cache', () => {
    const c = new UserAgentClassifier(2);
    for (const ua of [CHROME, 'curl/8.5.0', 'x/1', CHROME, undefined])
      expect(c.classify(ua)).toBe(classifyUserAgent(ua));
  });
});
