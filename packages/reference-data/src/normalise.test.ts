import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canonicalIp, canonicalPrefix, formatIpv4 } from './ip.js';
import { blocklistValueKey, bundleKey, domainKey, ipKey } from './normalise.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const hextets = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));

/** Random mixed case of an ASCII string. */
const mixCase = (s: string, bits: readonly boolean[]): string =>
  [...s].map((ch, i) => (bits[i % bits.length] ? ch.toUpperCase() : ch)).join('');

describe('domain keys', () => {
  it('folds upper case, a trailing dot and surrounding spaces to one key', () => {
    fc.assert(
      fc.property(domain, fc.array(fc.boolean(), { minLength: 1 }), fc.nat(3), (d, bits, dots) => {
        const evasive = ` ${mixCase(d, bits)}${'.'.repeat(dots)} `;
        expect(domainKey(evasive)).toBe(d);
      }),
    );
  });

  it('maps a Unicode domain and its punycode, in any case, to the same ASCII key', () => {
    expect(domainKey('Bücher.DE')).toBe('xn--bcher-kva.de');
    expect(domainKey('XN--BCHER-KVA.de.')).toBe('xn--bcher-kva.de');
    expect(domainKey('bücher.de')).toBe(domainKey('xn--bcher-kva.de'));
  });

  it('decodes full-width dots and percent escapes the way a host parser does', () => {
    expect(domainKey('example。com')).toBe('example.com');
    expect(domainKey('ex%41mple.com')).toBe('example.com');
  });

  it('keeps text IDNA refuses in lower case, so writer and checker still agree', () => {
    expect(domainKey('Bad Host.COM')).toBe('bad host.com');
    expect(domainKey('bad host.com')).toBe('bad host.com');
  });

  it('is idempotent on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const k = domainKey(s);
        expect(domainKey(k)).toBe(k);
      }),
    );
  });

  it('returns an already-normal domain without copying it', () => {
    const d = 'news.example';
    expect(domainKey(d)).toBe(d);
  });
});

describe('IP keys', () => {
  it('folds an IPv4-mapped IPv6 address in any spelling to its IPv4 key', () => {
    fc.assert(
      fc.property(ipv4, fc.boolean(), ([a, b, c, d], upper) => {
        const v4 = `${String(a)}.${String(b)}.${String(c)}.${String(d)}`;
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        const ffff = upper ? 'FFFF' : 'ffff';
        expect(canonicalIp(`::${ffff}:${v4}`)).toBe(v4);
        expect(canonicalIp(`::${ffff}:${upper ? hex.toUpperCase() : hex}`)).toBe(v4);
        expect(canonicalIp(`0:0:0:0:0:${ffff}:${v4}`)).toBe(v4);
      }),
    );
  });

  it('reads zero-padded IPv4 parts as decimal', () => {
    fc.assert(
      fc.property(ipv4, ([a, b, c, d]) => {
        const pad = (n: number): string => String(n).padStart(3, '0');
        expect(canonicalIp(`${pad(a)}.${pad(b)}.${pad(c)}.${pad(d)}`)).toBe(
          formatIpv4(((a << 24) | (b << 16) | (c << 8) | d) >>> 0),
        );
      }),
    );
    expect(canonicalIp('010.000.001.002')).toBe('10.0.1.2');
  });

  it('refuses the inet_aton shorthands, octal and hex parts, zone ids and ports', () => {
    for (const bad of [
      '127.1',
      '2130706433',
      '0x7f.0.0.1',
      '1.2.3.256',
      '0001.2.3.4',
      '1.2.3.4:80',
      '[::1]',
      'fe80::1%eth0',
      '1.2.3.4/32',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      ':1',
      '1:',
      '',
      ' ',
      '1.2.3.4'.repeat(20),
    ])
      expect(ipKey(bad), bad).toBeUndefined();
  });

  it('writes every IPv6 spelling in the RFC 5952 form Node also writes', () => {
    fc.assert(
      fc.property(hextets, fc.boolean(), fc.boolean(), (g, upper, pad) => {
        const text = g
          .map((x) => {
            const h = pad ? x.toString(16).padStart(4, '0') : x.toString(16);
            return upper ? h.toUpperCase() : h;
          })
          .join(':');
        const key = canonicalIp(text);
        const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
        // The WHATWG URL parser writes IPv6 hosts in RFC 5952 form: an independent reference.
        const reference = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        if (mapped) expect(isIP(key ?? '')).toBe(4);
        else expect(key).toBe(reference);
        expect(canonicalIp(key ?? '')).toBe(key);
      }),
    );
  });

  it('compresses the longest zero run, the first on a tie, and never a single zero group', () => {
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIp('2001:0DB8:0000:0000:0000:FF00:0042:8329')).toBe('2001:db8::ff00:42:8329');
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70, unit: 'binary' }), (s) => {
        const k = ipKey(s);
        if (k !== undefined) expect(isIP(k)).not.toBe(0);
      }),
    );
  });

  it('writes subnets with host bits cleared and mapped prefixes folded', () => {
    expect(canonicalPrefix('10.1.2.3/24')).toBe('10.1.2.0/24');
    expect(canonicalPrefix('::ffff:10.1.2.0/120')).toBe('10.1.2.0/24');
    expect(canonicalPrefix('2001:DB8::1/32')).toBe('2001:db8::/32');
    expect(canonicalPrefix('010.1.2.0/24')).toBe('10.1.2.0/24');
    expect(canonicalPrefix('1.2.3.0/33')).toBeUndefined();
  });
});

describe('blocklist value keys', () => {
  it('trims app bundles and keeps their case', () => {
    expect(bundleKey('  com.Example.App\t')).toBe('com.Example.App');
    expect(blocklistValueKey('app', ' com.example.app ')).toBe('com.example.app');
  });

  it('normalises each kind with its own rule and keeps opaque ids as they are', () => {
    expect(blocklistValueKey('site', 'News.Example.')).toBe('news.example');
    expect(blocklistValueKey('ip', '::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(blocklistValueKey('subnet', '198.51.100.7/24')).toBe('198.51.100.0/24');
    expect(blocklistValueKey('cookie', ' User-1 ')).toBe(' User-1 ');
    expect(blocklistValueKey('publisher', 'Pub-1')).toBe('Pub-1');
  });
});
