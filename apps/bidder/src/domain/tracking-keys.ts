import type { TrackingKey } from './token.js';

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * Parses the keys still accepted after a rotation: `id:secret[@until]` pairs separated by commas,
 * `until` an ISO-8601 time after which the key is refused. Returns an error message on bad input.
 */
export function parsePreviousKeys(spec: string): TrackingKey[] | string {
  const out: TrackingKey[] = [];
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const colon = p.indexOf(':');
    const id = p.slice(0, colon);
    if (colon <= 0 || !KEY_ID.test(id))
      return 'expected id:secret[@until] with ids of letters, digits, - and _';
    const rest = p.slice(colon + 1);
    const at = rest.lastIndexOf('@');
    const secret = at < 0 ? rest : rest.slice(0, at);
    if (secret.length < 16) return `key ${id}: the secret must have at least 16 characters`;
    let acceptUntil: number | undefined;
    if (at >= 0) {
      acceptUntil = Date.parse(rest.slice(at + 1));
      if (!Number.isFinite(acceptUntil))
        return `key ${id}: ${JSON.stringify(rest.slice(at + 1))} is not an ISO-8601 time`;
    }
    out.push({ id, secret, acceptUntil });
  }
  return out;
}

export { KEY_ID };
