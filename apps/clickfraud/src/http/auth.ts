import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Why a report request is refused (401), or null when its bearer token is the configured one. */
export function bearerRefusal(header: string, token: string | undefined): string | null {
  if (token === undefined)
    return 'reports are closed: the server has no CLICKFRAUD_REPORT_TOKEN configured';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return 'missing bearer token (authorization: Bearer <token>)';
  // Digests are the same length whatever was sent, and compared in constant time.
  return timingSafeEqual(digest(m[1]), digest(token)) ? null : 'wrong bearer token';
}
