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
