import { describe, expect, it } from 'vitest';
import { bearerMatches, bearerToken, secretMatches } from './secrets.js';

describe('secrets', () => {
  it('matches a secret only exactly, whatever the lengths', () => {
    expect(secretMatches('s3cret-token', 's3cret-token')).toBe(true);
    expect(secretMatches('s3cret-toke', 's3cret-token')).toBe(false);
    expect(secretMatches('', 's3cret-token')).toBe(false);
    expect(secretMatches('s3cret-token-and-more', 's3cret-token')).toBe(false);
  });

  it('reads a bearer token case-insensitively and refuses other schemes', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('  bearer   abc  ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBe('a b');
    expect(bearerMatches('Bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('Bearer abd', 'abc')).toBe(false);
    expect(bearerMatches('', 'abc')).toBe(false);
  });
});
