import {
  campaignSchema,
  indexEntriesOf,
  LIMITS,
  type Campaign,
  type Region,
} from '@streambid/contracts';
import type { CreateCampaignBody, PatchCampaignBody } from './bodies.js';

/** Why a write was refused; `status` is the HTTP status the API answers with. */
export type Refusal =
  | { status: 400; error: 'invalid'; field: string; message: string }
  | { status: 404; error: 'not_found'; message: string }
  | { status: 409; error: 'stale_version'; message: string; currentVersion: number }
  | { status: 409; error: 'wrong_region'; message: string; homeRegion: Region }
  | { status: 409; error: 'archived'; message: string }
  | { status: 409; error: 'exists'; message: string };

export type CommandResult = { ok: true; campaign: Campaign } | { ok: false; refusal: Refusal };

/** Where and when a write happens. */
export interface WriteContext {
  region: Region;
  now: number;
  eventId: string;
}

export const StatusAction = { pause: 'pause', resume: 'resume', archive: 'archive' } as const;
export type StatusAction = (typeof StatusAction)[keyof typeof StatusAction];

const refuse = (refusal: Refusal): CommandResult => ({ ok: false, refusal });

/** The part of a campaign that makes it large, to name in a refusal. */
function largestPart(c: Campaign): 'creatives' | 'targeting' | 'deals' {
  const size = (v: unknown): number => JSON.stringify(v).length;
  const parts = [
    ['creatives', size(c.creatives)],
    ['targeting', size(c.targeting)],
    ['deals', size(c.deals)],
  ] as const;
  return parts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

/**
 * The stored record must satisfy the topic schema (report the first broken field) and the limits
 * every bidder holds it to: a campaign a bidder would refuse to index is refused here first.
 */
function validated(candidate: unknown): CommandResult {
  const res = campaignSchema.safeParse(candidate);
  if (!res.success) {
    const issue = res.error.issues[0];
    return refuse({
      status: 400,
      error: 'invalid',
      field: issue?.path.map(String).join('.') ?? '(root)',
      message: issue?.message ?? 'invalid',
    });
  }
  const c = res.data;
  const entries = indexEntriesOf(c);
  if (entries > LIMITS.indexEntriesPerCampaign) {
    const field = c.deals.length > 0 ? 'deals' : 'targeting';
    const product =
      c.deals.length > 0 ? 'creatives × deals' : 'creatives × countries × device types';
    return refuse({
      status: 400,
      error: 'invalid',
      field,
      message: `${product} is ${String(entries)} bidder index entries; at most ${String(LIMITS.indexEntriesPerCampaign)}`,
    });
  }
  // Checked on the stored form: the broker refuses a message over its limit (1 MiB by default).
  const bytes = Buffer.byteLength(JSON.stringify(c));
  if (bytes > LIMITS.campaignBytes)
    return refuse({
      status: 400,
      error: 'invalid',
      field: largestPart(c),
      message: `the campaign is ${String(bytes)} bytes as stored; at most ${String(LIMITS.campaignBytes)}`,
    });
  return { ok: true, campaign: c };
}

/** A new campaign, homed in the region that creates it. */
export function createCampaign(
  body: CreateCampaignBody,
  id: string,
  existing: Campaign | undefined,
  ctx: WriteContext,
): CommandResult {
  if (existing)
    return refuse({ status: 409, error: 'exists', message: `campaign ${id} already exists` });
  const { id: _ignored, ...fields } = body;
  return validated({
    ...fields,
    id,
    eventId: ctx.eventId,
    ts: ctx.now,
    version: 1,
    homeRegion: ctx.region,
  });
}

/** Checks every write to an existing campaign must pass: home region, version, not archived. */
function writable(
  current: Campaign,
  expectedVersion: number | undefined,
  ctx: WriteContext,
): Refusal | null {
  if (current.homeRegion !== ctx.region)
    return {
      status: 409,
      error: 'wrong_region',
      homeRegion: current.homeRegion,
      message: `campaign ${current.id} belongs to region ${current.homeRegion}; write it there`,
    };
  if (expectedVersion !== undefined && expectedVersion !== current.version)
    return {
      status: 409,
      error: 'stale_version',
      currentVersion: current.version,
      message: `version ${String(expectedVersion)} is stale; current version is ${String(current.version)}`,
    };
  if (current.status === 'archived')
    return { status: 409, error: 'archived', message: `campaign ${current.id} is archived` };
  return null;
}

/**
 * Applies PUT (`replace`: the body is the whole editable state, absent optional fields are
 * cleared) or PATCH (only the fields given change), with optimistic concurrency.
 */
export function updateCampaign(
  current: Campaign | undefined,
  id: string,
  body: PatchCampaignBody,
  mode: 'replace' | 'patch',
  ctx: WriteContext,
): CommandResult {
  if (!current) return refuse({ status: 404, error: 'not_found', message: `no campaign ${id}` });
  const refusal = writable(current, body.version, ctx);
  if (refusal) return refuse(refusal);
  const { version: _v, ...fields } = body;
  const { frequencyCap: _f, dsa: _d, ...base } = current;
  return validated({
    ...(mode === 'replace' ? base : current),
    ...fields,
    eventId: ctx.eventId,
    ts: ctx.now,
    version: current.version + 1,
  });
}

const NEXT_STATUS: Record<StatusAction, Campaign['status']> = {
  pause: 'paused',
  resume: 'active',
  archive: 'archived',
};

/** Pause, resume or archive. Archiving is final. */
export function changeStatus(
  current: Campaign | undefined,
  id: string,
  action: StatusAction,
  expectedVersion: number | undefined,
  ctx: WriteContext,
): CommandResult {
  if (!current) return refuse({ status: 404, error: 'not_found', message: `no campaign ${id}` });
  const refusal = writable(current, expectedVersion, ctx);
  if (refusal) return refuse(refusal);
  return validated({
    ...current,
    status: NEXT_STATUS[action],
    eventId: ctx.eventId,
    ts: ctx.now,
    version: current.version + 1,
  });
}
