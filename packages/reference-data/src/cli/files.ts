import type { TOPICS } from '@streambid/contracts';
import {
  botRulesSchema,
  datacentreRangesSchema,
  sellersListSchema,
  type BotRules,
  type DatacentreRanges,
  type SellersList,
} from '@streambid/contracts';
import { rangesProblem } from '../datacentre.js';

/** The reference-data lists that have a topic. */
export const REFERENCE_KINDS = ['bots', 'datacentre', 'sellers'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

/** The catalogue entry of each kind's topic. */
export const REFERENCE_TOPIC = {
  bots: 'referenceBots',
  datacentre: 'referenceDatacentre',
  sellers: 'referenceSellers',
} as const satisfies Record<ReferenceKind, keyof typeof TOPICS>;

/**
 * The largest encoded message: the consumers dead-letter a value over 1 MiB unread (their
 * `maxValueBytes`), so a version must fit in one. Larger lists would need splitting, which the
 * topics do not support.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The message of a version, as it goes to its topic. */
export type ReferenceMessage = BotRules | DatacentreRanges | SellersList;

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The message a file makes: `bots`, a JSON array of patterns or `{ "patterns": [...] }`;
 * `datacentre`, an array of `{ cidr, provider }` or `{ "ranges": [...] }`; `sellers`, a
 * sellers.json document (`{ "sellers": [...] }`) of the ad system `asi`. Validated against the
 * topic's schema (and each CIDR parsed): the error names the first wrong field, as
 * `ranges.3.cidr: ...`.
 */
export function referenceMessage(
  kind: ReferenceKind,
  text: string,
  head: { eventId: string; ts: number; version: number; effectiveFrom: number; source?: string },
  asi?: string,
): Result<ReferenceMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})` };
  }
  const body = (field: string): unknown =>
    Array.isArray(raw) && kind !== 'sellers' ? { [field]: raw } : raw;
  const fields = typeof raw === 'object' && raw !== null ? raw : {};
  let parsed;
  if (kind === 'bots')
    parsed = botRulesSchema.safeParse({ ...pick(body('patterns'), 'patterns'), ...head });
  else if (kind === 'datacentre')
    parsed = datacentreRangesSchema.safeParse({ ...pick(body('ranges'), 'ranges'), ...head });
  else {
    if (asi === undefined) return { ok: false, error: 'sellers need the ad system (--asi)' };
    parsed = sellersListSchema.safeParse({ ...pick(fields, 'sellers'), asi, ...head });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    return {
      ok: false,
      error: `${path === '' ? 'document' : path}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const value = parsed.data;
  if ('ranges' in value) {
    const problem = rangesProblem(value.ranges);
    if (problem !== null) return { ok: false, error: problem };
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_MESSAGE_BYTES)
    return {
      ok: false,
      error: `document: ${String(bytes)} bytes encoded, more than one message may hold (${String(MAX_MESSAGE_BYTES)}); split the list`,
    };
  return { ok: true, value };
}

/** `{ [field]: value[field] }` when the object has it, so a missing field is reported by name. */
function pick(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || !(field in v)) return {};
  return { [field]: (v as Record<string, unknown>)[field] };
}
