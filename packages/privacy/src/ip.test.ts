import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY_CONFIG } from './config.js';
import { ipUnder, truncateIp } from './ip.js';
import { decide } from './policy.js';
import { NO_SIGNALS } from './testing/fixtures.js';

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['10.0.0.0', '10.0.0.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:DB8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['fe80::', 'fe80:0:0::'],
    ['::ffff:198.51.100.23', '::ffff:198.51.100.0'],
    ['::FFFF:c633:6417', '::ffff:198.51.100.0'],
    ['0:0:0:0:0:ffff:198.51.100.23', '::ffff:198.51.100.0'],
    ['64:ff9b::198.51.100.23', '64:ff9b:0::'],
  ])('truncates %s to %s', (ip, out) => {
    expect(truncateIp(ip)).toBe(out);
  });

  it.each([
    '',
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '1.2.3.4.5',
    '2001:db8::1::2',
    '2001:db8:1:2:3:4:5:6:7',
    '2001:db8:1:2:3:4:5',
    'fe80::1%eth0',
    ':1::',
    '::ffff:1.2.3.256',
    'localhost',
    `${'1:'.repeat(40)}1`,
  ])('drops %j, which is not an address', (ip) => {
    expect(truncateIp(ip)).toBeUndefined();
  });
});

describe('ipUnder', () => {
  it('keeps the address as sent unless COPPA applies', () => {
    const open = decide(NO_SIGNALS, DEFAULT_PRIVACY_CONFIG);
    const coppa = decide({ ...NO_SIGNALS, coppa: true }, DEFAULT_PRIVACY_CONFIG);
    expect(ipUnder('203.0.113.77', open.permissions)).toBe('203.0.113.77');
    expect(ipUnder('203.0.113.77', coppa.permissions)).toBe('203.0.113.0');
  });
});
