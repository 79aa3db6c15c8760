import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether `given` is `secret`, in constant time: the SHA-256 digests compared are the same length
 * whatever was sent, so neither the secret's length nor its prefix leaks through timing.
 */
export function secretMatches(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

/** The token of an `authorization: Bearer <token>` header, undefined when there is none. */
export function bearerToken(header: string): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1];
}

/** Whether an `authorization` header carries `Bearer <secret>` (constant time). */
export function bearerMatches(header: string, secret: string): boolean {
  const given = bearerToken(header);
  return given !== undefined && secretMatches(given, secret);
}
