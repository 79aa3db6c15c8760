/**
 * The dashboard's token check. The operator opens `/?token=<token>` once: the page answers with
 * an HttpOnly cookie carrying the token and redirects to `/`, so the token leaves the address bar
 * and browser history; every later request (assets, the WebSocket upgrade, which a browser sends
 * with the page's cookies) is let in by the cookie, or by `?token=` for scripts. Pure.
 */
import { secretMatches } from '@streambid/adapters';

/** Name of the cookie that carries the token. */
export const TOKEN_COOKIE = 'streambid_dashboard';

/** The value of cookie `name` in a `cookie` header, undefined when absent or malformed. */
export function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The `token` query parameter of a raw query string, undefined when absent or malformed. */
export function queryToken(query: string): string | undefined {
  for (const part of query.split('&')) {
    if (!part.startsWith('token=')) continue;
    try {
      return decodeURIComponent(part.slice('token='.length).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** How a request proved it may see the dashboard, or that it did not. */
export type Access = 'query' | 'cookie' | 'denied';

/** Checks the query's token first (a first visit), then the cookie. */
export function access(req: { query: string; cookie: string }, token: string): Access {
  const q = queryToken(req.query);
  if (q !== undefined && secretMatches(q, token)) return 'query';
  const c = cookieValue(req.cookie, TOKEN_COOKIE);
  if (c !== undefined && secretMatches(c, token)) return 'cookie';
  return 'denied';
}

/** The `set-cookie` value that lets the browser in from now on (page and socket). */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
