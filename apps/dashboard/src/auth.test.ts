import { describe, expect, it } from 'vitest';
import { access, cookieValue, queryToken, TOKEN_COOKIE, tokenCookie } from './auth.js';

const TOKEN = 'correct-horse-battery-staple';

describe('the dashboard token', () => {
  it('lets in a first visit by ?token= and later ones by the cookie it sets', () => {
    expect(access({ query: `token=${TOKEN}`, cookie: '' }, TOKEN)).toBe('query');
    const cookie = tokenCookie(TOKEN).split(';')[0] ?? '';
    expect(access({ query: '', cookie: `other=1; ${cookie}` }, TOKEN)).toBe('cookie');
    expect(tokenCookie(TOKEN)).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
  });

  it('denies a missing, wrong or malformed token', () => {
    expect(access({ query: '', cookie: '' }, TOKEN)).toBe('denied');
    expect(access({ query: 'token=nope', cookie: `${TOKEN_COOKIE}=nope` }, TOKEN)).toBe('denied');
    expect(access({ query: 'token=%E0%A4%A', cookie: `${TOKEN_COOKIE}=%zz` }, TOKEN)).toBe(
      'denied',
    );
  });

  it('reads query parameters and cookies without throwing on bad escapes', () => {
    expect(queryToken('a=1&token=a%20b+c')).toBe('a b c');
    expect(queryToken('tokens=1')).toBeUndefined();
    expect(cookieValue('a=1; b = two ', 'b')).toBe('two');
    expect(cookieValue('a=%', 'a')).toBeUndefined();
  });
});
