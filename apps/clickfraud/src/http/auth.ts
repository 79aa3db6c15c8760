import { bearerToken, secretMatches } from '@streambid/adapters';

/** Why a report request is refused (401), or null when its bearer token is the configured one. */
export function bearerRefusal(header: string, token: string | undefined): string | null {
  if (token === undefined)
    return 'reports are closed: the server has no CLICKFRAUD_REPORT_TOKEN configured';
  const given = bearerToken(header);
  if (given === undefined) return 'missing bearer token (authorization: Bearer <token>)';
  return secretMatches(given, token) ? null : 'wrong bearer token';
}
