import { describe, expect, it } from 'vitest';
import { bearerRefusal } from './auth.js';

describe('bearerRefusal', () => {
  const token = 'a-long-enough-report-token';

  it('accepts the configured token, case-insensitively on the scheme', () => {
    expect(bearerRefusal(`Bearer ${token}`, token)).toBeNull();
    expect(bearerRefusal(`bearer ${token}`, token)).toBeNull();
  });

  it('names a missing token, a wrong one and a server without one', () => {
    expect(bearerRefusal('', token)).toMatch(/^missing bearer token/);
    expect(bearerRefusal(`Basic ${token}`, token)).toMatch(/^missing bearer token/);
    expect(bearerRefusal(`Bearer ${token}x`, token)).toBe('wrong bearer token');
    expect(bearerRefusal(`Bearer ${token.slice(1)}`, token)).toBe('wrong bearer token');
    expect(bearerRefusal(`Bearer ${token}`, undefined)).toMatch(/no CLICKFRAUD_REPORT_TOKEN/);
  });
});
