import { z } from 'zod';
import { runIdSchema } from '../reconcile/run-summary.js';
import { filterText, isoTime, REPORT_FORMATS } from './params.js';

export const DELIVERY_DIMENSIONS = [
  'campaign',
  'creative',
  'publisher',
  'site',
  'deal',
  'country',
  'region',
  'hour',
] as const;
export type DeliveryDimension = (typeof DELIVERY_DIMENSIONS)[number];

const modelVersion = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a model version is a lower-case name such as v2');

/** Filters of a delivery report. Keys are the CLI flag / query parameter names. */
export const deliveryParamsSchema = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  by: z.enum(DELIVERY_DIMENSIONS),
  campaign: filterText.optional(),
  format: z.enum(REPORT_FORMATS).default('table'),
  limit: z.coerce.number().int().min(1).max(100_000).default(50),
  /** A load-test run: its namespace, campaigns and window (CLI only). */
  run: runIdSchema.optional(),
  /** Where load-test reports are (CLI only). */
  reports: z.string().min(1).max(4096).default('loadtest/reports'),
  version: modelVersion.optional(),
});
export type DeliveryParams = z.infer<typeof deliveryParamsSchema>;

/** Bounds an HTTP caller is held to (`CLICKFRAUD_REPORT_MAX_*`). */
export interface ReportBounds {
  maxRangeMs: number;
  maxLimit: number;
}

/** A validation failure naming the offending flag/parameter. */
export class DeliveryParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`--${param}: ${message}`);
  }
}

/**
 * Validates raw string params; the error names the first bad parameter. `allowed` are the names a
 * caller may give (HTTP gives neither `run` nor `reports`).
 */
export function parseDeliveryParams(
  raw: Record<string, string | undefined>,
  allowed: readonly string[] = Object.keys(deliveryParamsSchema.shape),
): { ok: true; params: DeliveryParams } | { ok: false; error: DeliveryParamError } {
  const fail = (param: string, msg: string) =>
    ({ ok: false, error: new DeliveryParamError(param, msg) }) as const;
  for (const k of Object.keys(raw)) if (!allowed.includes(k)) return fail(k, 'unknown parameter');
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) clean[k] = v;
  for (const f of ['by', ...(clean['run'] === undefined ? ['from', 'to'] : [])])
    if (clean[f] === undefined) return fail(f, 'required');
  if (clean['run'] !== undefined)
    for (const f of ['from', 'to'])
      if (clean[f] !== undefined)
        return fail(f, "not with --run (the run's summary gives the window)");
  const res = deliveryParamsSchema.safeParse(clean);
  if (!res.success) {
    const issue = res.error.issues[0];
    const param = typeof issue?.path[0] === 'string' ? issue.path[0] : 'params';
    const msg =
      issue?.code === 'invalid_value' && param === 'by'
        ? `expected one of ${DELIVERY_DIMENSIONS.join('|')}`
        : (issue?.message ?? 'invalid');
    return fail(param, msg);
  }
  const p = res.data;
  if (p.from !== undefined && p.to !== undefined && p.to <= p.from)
    return fail('to', 'must be after --from');
  return { ok: true, params: p };
}

/** The HTTP bounds: a window no wider than `maxRangeMs`, no more than `maxLimit` rows. */
export function checkBounds(
  p: { from?: number | undefined; to?: number | undefined; limit: number },
  b: ReportBounds,
): DeliveryParamError | null {
  if (p.from !== undefined && p.to !== undefined && p.to - p.from > b.maxRangeMs)
    return new DeliveryParamError(
      'to',
      `the window from --from to --to is over the maximum of ${String(b.maxRangeMs / 3_600_000)} h`,
    );
  if (p.limit > b.maxLimit)
    return new DeliveryParamError('limit', `over the maximum of ${String(b.maxLimit)} rows`);
  return null;
}
