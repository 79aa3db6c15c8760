// Inputs for the bench: the traffic simulator's agents are not a dependency of reference data, so
// a small sample of each kind is spelt out here.
import { cidrBounds, DATACENTRE_RANGES, formatIpv4 } from '../src/index.js';

export const BROWSER_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
];

export const BOT_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'python-requests/2.31.0',
  'curl/8.5.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
];

/** An address inside one of the IPv4 data-centre ranges. */
export function randomIpv4InDatacentre(rnd: () => number): string {
  const r = DATACENTRE_RANGES[Math.floor(rnd() * DATACENTRE_RANGES.length)];
  const b = cidrBounds(r?.cidr ?? '3.80.0.0/12');
  return formatIpv4(b.start + Math.floor(rnd() * (b.end - b.start + 1)));
}
