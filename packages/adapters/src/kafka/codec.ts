import type { TopicDef, TopicValue } from '@streambid/contracts';
import { SchemaValidationError } from '../errors.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Short human reason from a zod error: `path: message` of the first few issues. */
function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates a value against the topic schema; throws on failure (a producer bug). */
export function encode<T extends TopicDef>(
  topic: T,
  value: TopicValue<T>,
): { key: string; value: string } {
  const res = topic.schema.safeParse(value);
  if (!res.success) throw new SchemaValidationError(topic.name, describeIssues(res.error.issues));
  const parsed = res.data as TopicValue<T>;
  return { key: topic.keyOf(parsed), value: JSON.stringify(parsed) };
}

/** Parses and validates raw bytes from the topic; failure carries a reason for the dead-letter topic. */
export function decode<T extends TopicDef>(topic: T, raw: Buffer | string): Decoded<TopicValue<T>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${(err as Error).message}` };
  }
  const res = topic.schema.safeParse(json);
  if (!res.success) return { ok: false, reason: describeIssues(res.error.issues) };
  return { ok: true, value: res.data as TopicValue<T> };
}

/** UTF-8 bytes `JSON.stringify` spends on one UTF-16 unit that is not part of a surrogate pair. */
function jsonUnitBytes(c: number): number {
  if (c === 0x22 || c === 0x5c) return 2; // \" and \\
  if (c < 0x20) return c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6; // \n, \u0001
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdfff) return 6; // a lone surrogate is written as \udxxx
  return 3;
}

/** UTF-8 bytes of `JSON.stringify(s)`, quotes included, without building it. */
export function jsonStringBytes(s: string): number {
  return cutJsonString(s, Number.POSITIVE_INFINITY).bytes;
}

/**
 * The longest prefix of `s` whose JSON string literal (quotes included) takes at most `maxBytes`
 * UTF-8 bytes, never splitting a surrogate pair. Sizes count what goes on the wire: a character
 * of a 64 Ki-character string costs 1 to 6 bytes once escaped and encoded.
 */
export function cutJsonString(
  s: string,
  maxBytes: number,
): { text: string; bytes: number; cut: boolean } {
  let bytes = 2;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let units = 1;
    let cost: number;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        units = 2;
        cost = 4;
      } else cost = 6;
    } else cost = jsonUnitBytes(c);
    if (bytes + cost > maxBytes) return { text: s.slice(0, i), bytes, cut: true };
    bytes += cost;
    i += units;
  }
  return { text: s, bytes, cut: false };
}
